/**
 * Jupyter protocol conformance of the registered tslab kernel (jupyter/test_tslab_kernel.py,
 * built on jupyter_kernel_test). The outcome of every protocol test is pinned here, so a
 * regression and an upstream fix of a known gap both fail this test.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, expect, test } from "vitest";
import { ensureJupyterEnv, JupyterEnv } from "../../scripts/jupyter/env";
import { ROOT } from "../../scripts/lib/paths";

const SETUP_TIMEOUT_MS = 15 * 60_000;

/**
 * The outcome per jupyter_kernel_test test: every test passes but the two that do not apply to TypeScript.
 */
const EXPECTED_OUTCOMES = {
  test_kernel_info: "ok",
  test_execute_stdout: "ok",
  test_execute_stderr: "ok",
  test_completion: "ok",
  test_is_complete: "ok",
  test_is_complete_invalid: "ok",
  test_error: "ok",
  test_execute_result: "ok",
  test_display_data: "ok",
  test_update_display_data: "ok",
  test_history: "ok",
  test_inspect: "ok",
  test_stdout_after_error: "ok",
  test_pager: "skip",
  test_clear_output: "skip",
};

let jupyter: JupyterEnv;
beforeAll(async () => {
  jupyter = await ensureJupyterEnv();
}, SETUP_TIMEOUT_MS);

test(
  "the TypeScript kernel passes the whole jupyter_kernel_test suite",
  async () => {
    const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-kernel-")), "outcomes.json");
    const { code, output } = await runPython(jupyter, [
      path.join(ROOT, "jupyter", "test_tslab_kernel.py"),
      "--report",
      report,
    ]);
    const outcomes = fs.existsSync(report) ? JSON.parse(fs.readFileSync(report, "utf8")) : {};
    fs.rmSync(path.dirname(report), { recursive: true, force: true });
    expect(outcomes, output).toEqual(EXPECTED_OUTCOMES);
    expect(code, output).toBe(0);
  },
  10 * 60_000,
);

function runPython(env: JupyterEnv, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(env.python, args, {
      cwd: path.join(ROOT, "jupyter"),
      env: env.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}
