/**
 * Binder's install steps on a clean copy of the project: binder/postBuild runs there with a fresh
 * HOME, as repo2docker runs it, with the project's venv standing in for the image's Python (it has
 * the same pins, so pip has nothing to do) and npm's download cache shared. Then the welcome
 * notebook of the learner's copy it made runs in the kernel it registered in that HOME.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ensureJupyterEnv, JupyterEnv } from "../../scripts/jupyter/env";
import { ROOT } from "../../scripts/lib/paths";
import { runNotebook } from "../../scripts/jupyter/runner";
import { writeNotebook } from "../notebook-fixture";

const BINDER_TIMEOUT_MS = 10 * 60_000;

let scratch: string;
let jupyter: JupyterEnv;
beforeAll(async () => {
  jupyter = await ensureJupyterEnv();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-binder-"));
}, 10 * 60_000);
afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

/** What a fresh clone does not have: the folders and files .gitignore names (installs, builds, outputs). */
const NOT_IN_A_CLONE =
  /(^|\/)(node_modules|\.venv|\.git|\.ipynb_checkpoints|dist|dist-browser)(\/|$)|^(my-lessons|site|grades|\.site\.export-[^/]*)(\/|$)|\.log$/;

/** The project's files as a fresh clone has them. */
function cleanCopy(to: string): void {
  fs.cpSync(ROOT, to, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (src) => !NOT_IN_A_CLONE.test(path.relative(ROOT, src).split(path.sep).join("/")),
  });
}

test(
  "binder/postBuild installs the course on a clean copy and the welcome notebook runs in the kernel it registered",
  async () => {
    const repo = path.join(scratch, "repo");
    const home = path.join(scratch, "home");
    fs.mkdirSync(home, { recursive: true });
    cleanCopy(repo);
    expect(fs.existsSync(path.join(repo, "node_modules"))).toBe(false);

    const env: NodeJS.ProcessEnv = {
      PATH: [jupyter.binDir, path.dirname(process.execPath), "/usr/local/bin", "/usr/bin", "/bin"].join(
        path.delimiter,
      ),
      HOME: home,
      LANG: process.env.LANG ?? "C.UTF-8",
      // Downloads already made on this machine are reused; Binder's build fetches them from the registry.
      npm_config_cache: process.env.npm_config_cache ?? path.join(os.homedir(), ".npm"),
      PYTHONNOUSERSITE: "1",
    };
    const build = await new Promise<{ code: number; log: string }>((resolve) => {
      const child = spawn(path.join(repo, "binder", "postBuild"), [], {
        cwd: repo,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let log = "";
      child.stdout.on("data", (chunk) => (log += chunk));
      child.stderr.on("data", (chunk) => (log += chunk));
      child.on("close", (code) => resolve({ code: code ?? 1, log }));
    });
    expect(build.code, build.log.slice(-6000)).toBe(0);

    // The kernel is registered in the fresh HOME's Jupyter data folder and runs the copy's build.
    const dataDir = path.join(home, ".local", "share", "jupyter");
    const spec = JSON.parse(fs.readFileSync(path.join(dataDir, "kernels", "tslab", "kernel.json"), "utf8"));
    expect(spec).toMatchObject({
      language: "typescript",
      argv: [
        expect.any(String),
        path.join(repo, "kernel", "dist", "main.js"),
        "--config-path",
        "{connection_file}",
      ],
    });
    expect(fs.existsSync(spec.argv[1])).toBe(true);

    // The learner's copy the Binder link opens: every lesson, no solutions.
    const lessons = fs
      .readdirSync(path.join(repo, "notebooks"))
      .filter((f) => f.endsWith(".ipynb"))
      .sort();
    expect(
      fs
        .readdirSync(path.join(repo, "my-lessons"))
        .filter((f) => f.endsWith(".ipynb"))
        .sort(),
    ).toEqual(lessons);
    for (const lesson of lessons)
      expect(fs.readFileSync(path.join(repo, "my-lessons", lesson), "utf8")).not.toContain("BEGIN SOLUTION");

    // Jupyter looks in that HOME only, as Binder's server does, so "tslab" is the kernel postBuild
    // registered.
    const binderJupyter = {
      JUPYTER_PATH: dataDir,
      JUPYTER_DATA_DIR: dataDir,
      JUPYTER_RUNTIME_DIR: path.join(home, "runtime"),
      HOME: home,
    };
    const welcome = await runNotebook(path.join(repo, "my-lessons", "00-welcome.ipynb"), {
      jupyter,
      env: binderJupyter,
    });
    expect(welcome.error).toBeNull();
    expect(welcome.ok).toBe(true);
    const probe = writeNotebook(path.join(scratch, "probe", "probe.ipynb"), ["process.argv[1]"]);
    const which = await runNotebook(probe, { jupyter, env: binderJupyter });
    expect(which.error).toBeNull();
    expect(JSON.stringify(which.notebook.cells[0].outputs)).toContain(
      path.join(repo, "kernel", "dist", "main.js"),
    );
  },
  BINDER_TIMEOUT_MS,
);
