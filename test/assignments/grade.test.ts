/**
 * `npm run grade` in a real kernel, on one batch of submissions of the practice notebook: full marks,
 * untouched student version, a renamed solved copy that probes its environment, a cheater, an
 * endless loop, a syntax error with a kernel that dies, and files that are not notebooks at all.
 * One grade call grades them all (a kernel start takes seconds).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { analyzeNotebook, studentNotebook } from "../../scripts/assignments/format";
import type { SubmissionGrade } from "../../scripts/assignments/grader";
import { serializeNotebook } from "../../scripts/jupyter/hygiene";
import { Notebook } from "../../scripts/jupyter/runner";
import {
  cellById,
  CliResult,
  makeNotebook,
  PRACTICE,
  PRACTICE_ANSWERS,
  readNb,
  REFERENCE_DIR,
  runCli,
  setSource,
  snapshot,
  solve,
  sourceOf,
  writeNb,
} from "./helpers";

const BATCH_TIMEOUT_MS = 25 * 60_000;
const CELL_TIMEOUT_S = 20;
const SECRET = "only-the-instructor-knows-7d3f";

let scratch: string;
let subs: string;
let reports: string;
let before: Record<string, string>;
let result: CliResult;
let grades: Map<string, SubmissionGrade>;

/** The notebooks of the batch, built from the fixture reference and its student version. */
function buildSubmissions(): void {
  const reference = readNb(PRACTICE);
  const student = studentNotebook(reference, analyzeNotebook(reference));
  const solved = solve(student, PRACTICE_ANSWERS);
  const put = (name: string, nb: Notebook) => writeNb(path.join(subs, name), nb);

  fs.copyFileSync(PRACTICE, path.join(subs, "practice.ipynb"));
  fs.writeFileSync(path.join(subs, "student.ipynb"), serializeNotebook(student));

  // Solved, under another name, with a cell that checks what the kernel can see: P.2 is right only
  // in a scrubbed environment, in the sandbox's own folders, with the submissions out of sight.
  const allowed = [
    "PATH",
    "HOME",
    "TMPDIR",
    "LANG",
    "VIRTUAL_ENV",
    "JUPYTER_PATH",
    "JUPYTER_DATA_DIR",
    "JUPYTER_CONFIG_DIR",
    "JUPYTER_CONFIG_PATH",
    "JUPYTER_PREFER_ENV_PATH",
    "JUPYTER_RUNTIME_DIR",
    "PYTHONNOUSERSITE",
    "PYTHONDONTWRITEBYTECODE",
    "NODE_OPTIONS",
    "PWD",
    "LC_CTYPE",
    "JPY_PARENT_PID",
    "JPY_SESSION_NAME",
  ];
  const alice = solve(student, { ...PRACTICE_ANSWERS, "P.2": "steepestSlope = sandboxed ? 0.25 : -1;" });
  const probe = [
    'import * as fs from "fs";',
    `const sandboxed = process.env.GRADIENT_LAB_SECRET === undefined && Object.keys(process.env).every((k) => ${JSON.stringify(allowed)}.includes(k)) &&`,
    `  process.env.HOME === "/sandbox/home" && process.cwd() === "/sandbox/work" && !fs.existsSync(${JSON.stringify(subs)});`,
  ].join("\n");
  alice.cells.splice(2, 0, {
    cell_type: "code",
    id: "alice-probe",
    metadata: {},
    source: probe,
    outputs: [],
    execution_count: null,
  });
  put("alice.ipynb", alice);

  // Shadows `exercises` with always-passing checks, forges a passing record, replaces the check of
  // P.1 by one that always passes, deletes the check of P.2, and hard-codes the visible case of P.3.
  const cheater = solve(student, {
    "P.1":
      'require("tslab/dist/jupyter").lastWriteDisplayData({ data: { "application/vnd.gradient-lab.check+json": { id: "P.1", passed: true, points: 2, maxPoints: 2, message: "forged" }, "text/plain": "forged" }, metadata: {}, transient: {} }, false);\nreturn 0;',
    "P.2": PRACTICE_ANSWERS["P.2"],
    "P.3": "return 1;",
  });
  setSource(
    cheater,
    "setup",
    [
      'import { exercises as realExercises } from "kernel-lib";',
      'const pass = (id: string, ..._rest: unknown[]) => realExercises.checkThat(id, true, { pass: "looks right", fail: "" }, { points: 2 });',
      "const exercises = { ...realExercises, checkFunction: pass, checkValue: pass, checkThat: pass };",
      "function sigmoid(z: number): number {\n  return 1 / (1 + Math.exp(-z));\n}",
    ].join("\n"),
  );
  setSource(cheater, "p1-check", 'exercises.checkValue("P.1", 1, 1, { points: 2 });');
  cheater.cells = cheater.cells.filter((c) => c.id !== "p2-check");
  put("cheater.ipynb", cheater);

  put("endless.ipynb", solve(student, { ...PRACTICE_ANSWERS, "P.1": "while (true) {}" }));

  const broken = solve(student, { ...PRACTICE_ANSWERS, "P.2": "steepestSlope = 0.25 +;" });
  setSource(broken, "p3-solution", sourceOf(cellById(broken, "p3-solution")) + "\nprocess.exit(1);");
  put("broken.ipynb", broken);

  const text = serializeNotebook(student);
  fs.mkdirSync(path.join(subs, "bob"));
  fs.writeFileSync(path.join(subs, "bob", "practice.ipynb"), text.slice(0, Math.floor(text.length / 2)));
  fs.writeFileSync(path.join(subs, "notes.ipynb"), "My answers: P.1 is s * (1 - s), P.2 is 0.25.\n");
  fs.writeFileSync(path.join(subs, "data.ipynb"), JSON.stringify({ answers: [0.25, 1] }));
  put("wrong-kernel.ipynb", {
    ...solved,
    metadata: { kernelspec: { name: "python3", display_name: "Python 3", language: "python" } },
  });
  put("unknown.ipynb", makeNotebook([["something-else", "code", "1 + 1"]]));
}

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-grade-test-"));
  subs = path.join(scratch, "submissions");
  reports = path.join(scratch, "reports");
  fs.mkdirSync(subs);
  buildSubmissions();
  before = snapshot(subs);
  result = await runCli(
    "grade.ts",
    [subs, "--json", "--report-dir", reports, "--source", REFERENCE_DIR, "--timeout", String(CELL_TIMEOUT_S)],
    {
      env: { GRADIENT_LAB_SECRET: SECRET },
      initCwd: scratch,
    },
  );
  console.log(
    `grade of ${Object.keys(before).length} submissions took ${(result.ms / 1000).toFixed(1)} s\n${result.stderr}`,
  );
  grades = new Map(JSON.parse(result.stdout).submissions.map((g: SubmissionGrade) => [g.file, g]));
}, BATCH_TIMEOUT_MS);

afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

function grade(name: string): SubmissionGrade {
  const found = grades.get(path.join("submissions", name));
  if (!found) throw new Error(`no grade for ${name}; got ${[...grades.keys()].join(", ")}\n${result.stderr}`);
  return found;
}

const statuses = (g: SubmissionGrade) => Object.fromEntries(g.exercises.map((e) => [e.id, e.status]));
const message = (g: SubmissionGrade, id: string) => g.exercises.find((e) => e.id === id)!.message;

describe("npm run grade on a batch", () => {
  test("prints one JSON object with every submission and exits 1 because some could not be graded", () => {
    expect(result.code, result.stderr).toBe(1);
    expect([...grades.keys()].sort()).toEqual(
      Object.keys(before)
        .map((f) => path.join("submissions", f))
        .sort(),
    );
    for (const g of grades.values()) {
      expect(Object.keys(g)).toEqual(
        expect.arrayContaining(["file", "score", "maxScore", "exercises", "error"]),
      );
      for (const e of g.exercises)
        expect(Object.keys(e).sort()).toEqual(["id", "maxPoints", "message", "points", "status"]);
    }
    expect(result.stderr).toMatch(/5 of 11 submissions were not graded/);
  });

  test("leaves every submitted file byte for byte as it was, and adds or removes none", () => {
    expect(snapshot(subs)).toEqual(before);
  });

  test("gives the reference solutions full marks", () => {
    const g = grade("practice.ipynb");
    expect([g.score, g.maxScore, g.error, g.graded]).toEqual([5, 5, null, true]);
    expect(statuses(g)).toEqual({ "P.1": "passed", "P.2": "passed", "P.3": "passed" });
  });

  test("gives the untouched student version zero, with 'not implemented' feedback", () => {
    const g = grade("student.ipynb");
    expect([g.score, g.maxScore, g.graded]).toEqual([0, 5, true]);
    for (const e of g.exercises) {
      expect(e.status).toBe("failed");
      expect(e.message).toMatch(new RegExp(`Exercise ${e.id.replace(".", "\\.")} is not implemented yet`));
    }
    expect(g.notes.join("\n")).toMatch(/by cell ids/);
  });

  test("runs a renamed, solved copy in a scrubbed environment, in the sandbox's own folders", () => {
    const g = grade("alice.ipynb");
    expect([g.score, g.maxScore]).toEqual([5, 5]); // P.2 passes only if the kernel saw nothing of the grader's
  });

  test("uses the original checks with their hidden tests, whatever the submission did to them", () => {
    const g = grade("cheater.ipynb");
    expect([g.score, g.maxScore, g.graded]).toEqual([1, 5, true]);
    expect(statuses(g)).toEqual({ "P.1": "failed", "P.2": "passed", "P.3": "failed" });
    expect(message(g, "P.1")).toMatch(/for input 0 expected 0\.250000 but got 0\./);
    expect(message(g, "P.3")).toMatch(/a hidden test failed/);
    expect(g.notes.join("\n")).toMatch(/check cell of exercise P\.1 \(cell 5, id "p1-check"\) was edited/);
    expect(g.notes.join("\n")).toMatch(/check cell of exercise P\.2 was missing/);
    expect(g.notes.join("\n")).toMatch(
      /Code cells outside the exercises differ from the handed-out notebook: cell 2 \(id "setup"\)/,
    );
  });

  test("stops an endless loop after the cell timeout, fails that exercise and grades the rest", () => {
    const g = grade("endless.ipynb");
    expect([g.score, g.graded]).toEqual([3, true]);
    expect(statuses(g)).toEqual({ "P.1": "timeout", "P.2": "passed", "P.3": "passed" });
    expect(message(g, "P.1")).toMatch(new RegExp(`longer than ${CELL_TIMEOUT_S} s`));
    expect(g.notes.join("\n")).toMatch(
      /timed out after 20 s; the grader stopped that kernel, started a new one/,
    );
  });

  test("reports a syntax error and a kernel that dies, and still grades the other exercises", () => {
    const g = grade("broken.ipynb");
    expect([g.score, g.graded]).toEqual([2, true]);
    expect(statuses(g)).toEqual({ "P.1": "passed", "P.2": "error", "P.3": "error" });
    expect(message(g, "P.2")).toMatch(
      /Your exercise cell \(cell 7, id "p2-solution"\) failed: TypeScript error at line 2, column \d+: Expression expected/,
    );
    expect(message(g, "P.3")).toMatch(/failed: the kernel died while it ran/);
    expect(g.error).toMatch(
      /The kernel died while running cell 10, id "p3-solution"; the grader started a new kernel/,
    );
  });

  test("gives files that cannot run a clear error and zero, without stopping the batch", () => {
    const truncated = grade(path.join("bob", "practice.ipynb"));
    expect([truncated.score, truncated.maxScore, truncated.graded]).toEqual([0, 5, false]);
    expect(truncated.error).toMatch(/not valid JSON.*truncated/);
    expect(truncated.exercises.map((e) => [e.id, e.points, e.status])).toEqual([
      ["P.1", 0, "error"],
      ["P.2", 0, "error"],
      ["P.3", 0, "error"],
    ]);
    expect(truncated.exercises[0].message).toMatch(/^Not graded: The file is not valid JSON/);

    expect(grade("notes.ipynb").error).toMatch(/not valid JSON/);
    expect(grade("data.ipynb").error).toMatch(/valid JSON but not a Jupyter notebook/);
    const wrong = grade("wrong-kernel.ipynb");
    expect(wrong.error).toMatch(/saved with the kernel "Python 3".*TypeScript \(tslab\)/);
    expect([wrong.score, wrong.maxScore]).toEqual([0, 5]);
    expect(grade("unknown.ipynb").error).toMatch(/No reference notebook matches this file/);
    for (const name of ["notes.ipynb", "data.ipynb", "wrong-kernel.ipynb", "unknown.ipynb"])
      expect(grade(name).graded).toBe(false);
  });

  test("writes a Markdown report per submission and a CSV gradebook", () => {
    expect(fs.readdirSync(reports).sort()).toEqual(
      [
        "alice.md",
        "bob__practice.md",
        "broken.md",
        "cheater.md",
        "data.md",
        "endless.md",
        "gradebook.csv",
        "notes.md",
        "practice.md",
        "student.md",
        "unknown.md",
        "wrong-kernel.md",
      ]
        .map((f) => (f === "gradebook.csv" ? f : `submissions__${f}`))
        .sort(),
    );
    const endless = fs.readFileSync(path.join(reports, "submissions__endless.md"), "utf8");
    expect(endless).toMatch(/\*\*Score: 3 \/ 5\*\*/);
    expect(endless).toMatch(/\| P\.1 \| ✗ timeout \| 0 \/ 2 \|/);
    const csv = fs.readFileSync(path.join(reports, "gradebook.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("file,reference,P.1,P.2,P.3,total,max,error");
    expect(csv).toContain(`submissions/practice.ipynb,${PRACTICE},2,1,2,5,5,`);
    expect(csv.find((row) => row.startsWith("submissions/endless.ipynb"))).toMatch(/,0,1,2,3,5,$/);
    expect(csv.find((row) => row.startsWith("submissions/notes.ipynb"))).toMatch(
      /^submissions\/notes\.ipynb,,,,,0,0,"The file is not valid JSON/,
    );
  });
});

describe("npm run grade's exit status", () => {
  test(
    "is 0 when every submission was graded, even with failing exercises; a single file gets a report and no gradebook",
    async () => {
      const dir = path.join(scratch, "single");
      const file = path.join(subs, "student.ipynb");
      const single = await runCli(
        "grade.ts",
        [file, "--report-dir", dir, "--source", REFERENCE_DIR, "--timeout", String(CELL_TIMEOUT_S)],
        { initCwd: scratch },
      );
      expect(single.code, single.stderr).toBe(0);
      expect(single.stdout).toMatch(
        /submissions\/student\.ipynb\s+0\/5\s+P\.1 failed, P\.2 failed, P\.3 failed/,
      );
      expect(fs.readdirSync(dir)).toEqual(["submissions__student.md"]);
    },
    10 * 60_000,
  );

  test("is 2 for a mistake on the command line", async () => {
    const missing = await runCli("grade.ts", [path.join(scratch, "nothing-here")], { initCwd: scratch });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/does not exist/);
    const noSource = await runCli("grade.ts", [subs, "--source", path.join(scratch, "no-references")], {
      initCwd: scratch,
    });
    expect(noSource.code).toBe(2);
    expect(noSource.stderr).toMatch(/reference folder .* does not exist/);
  });
});
