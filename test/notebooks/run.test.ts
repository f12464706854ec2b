/**
 * Every lesson notebook runs top to bottom in a fresh TypeScript kernel (a Korean lesson's numbers
 * and feedback are checked on the same run), and the runner really catches broken notebooks, at the
 * right cell.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ensureJupyterEnv, JupyterEnv } from "../../scripts/jupyter/env";
import { ROOT } from "../../scripts/lib/paths";
import { listNotebooks, runNotebook, RunOptions, RunResult } from "../../scripts/jupyter/runner";
import { CellSpec, writeNotebook } from "../notebook-fixture";
import { editionOfPath } from "../../scripts/jupyter/editions";
import { koreanLessonProblems } from "./edition-checks";

const SETUP_TIMEOUT_MS = 15 * 60_000;
const NOTEBOOK_TIMEOUT_MS = 10 * 60_000;
const BROKEN_TIMEOUT_MS = 4 * 60_000;

let jupyter: JupyterEnv;
let scratch: string;

beforeAll(async () => {
  jupyter = await ensureJupyterEnv();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-notebooks-"));
}, SETUP_TIMEOUT_MS);

afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

/** Tests in this file run one after another, so one kernel runs at a time. */
function run(file: string, options: RunOptions = {}): Promise<RunResult> {
  return runNotebook(file, { jupyter, ...options });
}

/** Writes a tslab notebook with these cells to the scratch folder. */
function writeScratch(name: string, cells: CellSpec[]): string {
  return writeNotebook(path.join(scratch, `${name}.ipynb`), cells);
}

describe("lesson notebooks run without errors", () => {
  for (const file of listNotebooks()) {
    test(
      path.relative(ROOT, file),
      async () => {
        const result = await run(file);
        expect(result.ok, result.error ?? "").toBe(true);
        // The Korean lessons' own checks use this run, so each lesson still runs once.
        if (editionOfPath(path.relative(path.join(ROOT, "notebooks"), file)).language === "ko") {
          expect(koreanLessonProblems(result.notebook, path.basename(file))).toEqual([]);
        }
      },
      NOTEBOOK_TIMEOUT_MS,
    );
  }
});

describe("the notebook runner", () => {
  test(
    "returns the executed notebook, runs in the notebook's folder and writes outPath",
    async () => {
      const file = writeScratch("good", [
        'const answer: number = 6 * 7;\nconsole.log("answer", answer);',
        "process.cwd()",
      ]);
      const outPath = path.join(scratch, "good.out.ipynb");
      const result = await run(file, { outPath });
      expect(result.ok, result.error ?? "").toBe(true);
      expect(result.cells.map((c) => c.status)).toEqual(["ok", "ok"]);
      expect(result.cells[0].stdout).toBe("answer 42\n");
      expect(result.cells[1].result).toBe(fs.realpathSync(scratch));
      expect(result.notebook.cells[0].execution_count).toBe(1);
      expect(result.notebook.metadata.language_info.name).toBe("typescript");
      expect(JSON.parse(fs.readFileSync(outPath, "utf8")).cells[0].outputs.length).toBeGreaterThan(0);
    },
    BROKEN_TIMEOUT_MS,
  );

  test(
    "fails on a type error and names the cell, its source and the diagnostic",
    async () => {
      const file = writeScratch("type-error", [
        "const a = 1;",
        "const b = 2;",
        'const s: number = "not a number";',
        "console.log(a + b);",
      ]);
      const result = await run(file);
      expect(result.ok).toBe(false);
      expect(result.failure?.index).toBe(2);
      expect(result.failure?.reason).toMatch(/TypeScript/);
      expect(result.error).toContain("cell 3 of 4 failed");
      expect(result.error).toContain('const s: number = "not a number";');
      expect(result.error).toMatch(/1:7 - Type 'string' is not assignable to type 'number'/);
      expect(result.cells[3].status).toBe("skipped");
    },
    BROKEN_TIMEOUT_MS,
  );

  test(
    "fails on a thrown error",
    async () => {
      const file = writeScratch("throws", ["const a = 1;", 'throw new Error("boom");', "console.log(a);"]);
      const result = await run(file);
      expect(result.ok).toBe(false);
      expect(result.failure?.index).toBe(1);
      expect(result.error).toContain("cell 2 of 3 failed");
      expect(result.failure?.error.split("\n")[0]).toBe("Error: boom");
      expect(result.failure?.error).toContain('line 1 of this cell:  throw new Error("boom");');
    },
    BROKEN_TIMEOUT_MS,
  );

  test(
    "fails on an unhandled promise rejection, even though the kernel reports it after the cell",
    async () => {
      const file = writeScratch("rejects", [
        "const a = 1;",
        'Promise.reject(new Error("x"));',
        "console.log(a);",
      ]);
      const result = await run(file);
      expect(result.ok).toBe(false);
      expect(result.failure?.index).toBe(1);
      expect(result.failure?.reason).toMatch(/UnhandledPromiseRejection/);
    },
    BROKEN_TIMEOUT_MS,
  );

  test(
    "fails on an exception thrown later by a timer",
    async () => {
      const file = writeScratch("uncaught", [
        'setTimeout(() => { throw new Error("late"); }, 10);',
        "const a = 1;",
      ]);
      const result = await run(file);
      expect(result.ok).toBe(false);
      expect(result.failure?.index).toBe(0);
      expect(result.failure?.reason).toMatch(/UncaughtException/);
    },
    BROKEN_TIMEOUT_MS,
  );

  test(
    "fails a cell that runs past the timeout",
    async () => {
      const file = writeScratch("slow", ["await new Promise((resolve) => setTimeout(resolve, 30_000));"]);
      const result = await run(file, { timeoutSeconds: 3 });
      expect(result.ok).toBe(false);
      expect(result.failure?.index).toBe(0);
      expect(result.failure?.reason).toMatch(/timed out after 3 s/);
    },
    BROKEN_TIMEOUT_MS,
  );

  test(
    "with keepGoing, runs the cells after a failure too",
    async () => {
      const file = writeScratch("keep-going", ['throw new Error("first");', 'console.log("second");']);
      const result = await run(file, { keepGoing: true });
      expect(result.ok).toBe(false);
      expect(result.failure?.index).toBe(0);
      expect(result.cells[1].status).toBe("ok");
      expect(result.cells[1].stdout).toBe("second\n");
    },
    BROKEN_TIMEOUT_MS,
  );

  test(
    "lets a cell tagged raises-exception fail on purpose, and fails it when it does not",
    async () => {
      const file = writeScratch("tagged", [
        { source: 'throw new Error("shown on purpose");', tags: ["raises-exception"] },
        'console.log("next");',
        { source: "const fine = 1;", tags: ["raises-exception"] },
      ]);
      const result = await run(file);
      expect(result.cells.map((c) => c.status)).toEqual(["ok", "ok", "failed"]);
      expect(result.cells[1].stdout).toBe("next\n");
      expect(result.failure?.reason).toMatch(/tagged raises-exception but ran without error/);
    },
    BROKEN_TIMEOUT_MS,
  );
});
