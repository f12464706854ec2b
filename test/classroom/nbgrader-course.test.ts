/**
 * The nbgrader course folder that `npm run assign -- --nbgrader` writes, without running nbgrader:
 * its cell metadata from the exercise format, its config, and its refusals. (The cycle with the
 * real nbgrader is in nbgrader.test.ts.)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { analyzeNotebook } from "../../scripts/assignments/format";
import {
  lessonName,
  nbgraderConfig,
  nbgraderSourceNotebook,
  sourcePath,
} from "../../scripts/assignments/nbgrader-course";
import { cellById, makeNotebook, PRACTICE, readNb, runCli } from "../assignments/helpers";

let scratch: string;
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-nbgrader-course-"));
});
afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

test("cells get nbgrader's metadata from the exercise format; solutions and hidden tests stay for nbgrader to remove", () => {
  const reference = readNb(PRACTICE);
  const source = nbgraderSourceNotebook(reference, analyzeNotebook(reference));
  const meta = (id: string) => cellById(source, id).metadata?.nbgrader;
  expect(meta("p1-check")).toEqual({
    schema_version: 3,
    grade: true,
    solution: false,
    locked: true,
    task: false,
    grade_id: "exercise-P_1",
    points: 2,
  });
  expect(meta("p3-check")).toMatchObject({ grade: true, locked: true, points: 2, grade_id: "exercise-P_3" });
  expect(meta("p1-solution")).toEqual({
    schema_version: 3,
    grade: false,
    solution: true,
    locked: false,
    task: false,
    grade_id: "exercise-P_1-solution",
  });
  expect(meta("title")).toEqual({
    schema_version: 3,
    grade: false,
    solution: false,
    locked: true,
    task: false,
    grade_id: "text-title",
  });
  expect(meta("setup")).toBeUndefined();
  const text = JSON.stringify(source);
  expect(text).toContain("BEGIN SOLUTION");
  expect(text).toContain("BEGIN HIDDEN TESTS");
  expect(
    source.cells
      .filter((c) => c.cell_type === "code")
      .every((c) => c.outputs?.length === 0 && c.execution_count === null),
  ).toBe(true);
  // The reference itself is unchanged.
  expect(readNb(PRACTICE)).toEqual(reference);
});

test("two exercise ids that become one grade id are refused by name", () => {
  const nb = makeNotebook([
    ["a", "code", "function f(): number {\n  // BEGIN SOLUTION\n  return 1;\n  // END SOLUTION\n}"],
    ["a-check", "code", 'exercises.checkFunction("1.1", f, () => 1, [[]], { points: 1 });'],
    ["b", "code", "function g(): number {\n  // BEGIN SOLUTION\n  return 2;\n  // END SOLUTION\n}"],
    ["b-check", "code", 'exercises.checkFunction("1_1", g, () => 2, [[]], { points: 1 });'],
  ]);
  expect(() => nbgraderSourceNotebook(nb, analyzeNotebook(nb))).toThrow(
    /"1.1" and "1_1" both become nbgrader grade id "exercise-1_1"/,
  );
});

test("lesson names and paths: one assignment per notebook, subfolders joined with -", () => {
  expect(lessonName("02-sigmoid-vanishing.ipynb")).toBe("02-sigmoid-vanishing");
  expect(sourcePath(path.join("ko", "02-sigmoid-vanishing.ipynb"))).toBe(
    path.join("source", "ko-02-sigmoid-vanishing", "ko-02-sigmoid-vanishing.ipynb"),
  );
  expect(nbgraderConfig()).toMatch(
    /c\.ClearSolutions\.code_stub = \{[\s\S]*"typescript": "\/\/ YOUR CODE HERE\\nthrow new Error\(/,
  );
});

test("assign --nbgrader writes the course, keeps an instructor's config, and refuses a node_modules that is not a link", async () => {
  const course = path.join(scratch, "course");
  const first = await runCli("assign.ts", [PRACTICE, "--out", course, "--nbgrader"], { initCwd: scratch });
  expect(first.code, first.stderr).toBe(0);
  expect(readNb(path.join(course, "source", "practice", "practice.ipynb")).cells.length).toBe(
    readNb(PRACTICE).cells.length,
  );
  fs.appendFileSync(path.join(course, "nbgrader_config.py"), "c.Execute.timeout = 300\n");
  const again = await runCli("assign.ts", [PRACTICE, "--out", course, "--nbgrader"], { initCwd: scratch });
  expect(again.code, again.stderr).toBe(0);
  expect(again.stdout).toContain("exists and was kept");
  expect(fs.readFileSync(path.join(course, "nbgrader_config.py"), "utf8")).toContain(
    "c.Execute.timeout = 300",
  );

  const other = path.join(scratch, "other");
  fs.mkdirSync(path.join(other, "node_modules"), { recursive: true });
  const refused = await runCli("assign.ts", [PRACTICE, "--out", other, "--nbgrader"], { initCwd: scratch });
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain("node_modules exists and is not a link");
  expect(fs.readdirSync(other)).toEqual(["node_modules"]);
});
