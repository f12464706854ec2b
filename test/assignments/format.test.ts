/**
 * The exercise format, the student versions `npm run assign` writes, and the notebook the grader
 * builds from a submission. No kernel runs here.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  analyzeNotebook,
  findRegions,
  gradedCheckSource,
  studentNotebook,
} from "../../scripts/assignments/format";
import {
  buildGradedNotebook,
  cellError,
  kernelProblem,
  matchReference,
  notebookProblem,
  loadReferences,
} from "../../scripts/assignments/grading";
import { ROOT } from "../../scripts/lib/paths";
import { serializeNotebook } from "../../scripts/jupyter/hygiene";
import { Notebook } from "../../scripts/jupyter/runner";
import {
  cellById,
  makeNotebook,
  PRACTICE,
  readNb,
  REFERENCE_DIR,
  runCli,
  sha256File,
  snapshot,
  sourceOf,
} from "./helpers";

let scratch: string;
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-assign-"));
});
afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

const SETUP = 'import { exercises } from "kernel-lib";';
const errorsOf = (cells: [string, "code" | "markdown", string][]) =>
  analyzeNotebook(makeNotebook(cells)).errors;

describe("the exercise format", () => {
  test("finds the practice notebook's exercises, their points, cells and hidden tests", () => {
    const format = analyzeNotebook(readNb(PRACTICE));
    expect(format.errors).toEqual([]);
    expect(
      format.exercises.map((e) => [
        e.id,
        e.points,
        e.checkCell.id,
        e.solutionCells.map((s) => s.id),
        e.hiddenTests,
      ]),
    ).toEqual([
      ["P.1", 2, "p1-check", ["p1-solution"], false],
      ["P.2", 1, "p2-check", ["p2-solution"], false],
      ["P.3", 2, "p3-check", ["p3-solution"], true],
    ]);
  });

  test("reads checks nested in blocks, behind `void`, and sums the points of a cell's visible checks", () => {
    const format = analyzeNotebook(
      makeNotebook([
        ["s", "code", SETUP],
        ["a", "code", "function f(): number {\n  // BEGIN SOLUTION\n  return 1;\n  // END SOLUTION\n}"],
        [
          "b",
          "code",
          '{\n  void exercises.checkValue("1.1", f(), 1, { points: 2 });\n  exercises.checkThat("1.1", true, { pass: "", fail: "" }, { points: 1 });\n  // BEGIN HIDDEN TESTS\n  exercises.checkValue("1.1", f(), 1, { points: 5 });\n  // END HIDDEN TESTS\n}',
        ],
      ]),
    );
    expect(format.errors).toEqual([]);
    expect(format.exercises).toMatchObject([{ id: "1.1", points: 3, hiddenTests: true }]);
  });

  test.each([
    [
      "a BEGIN without END",
      [["a", "code", "// BEGIN SOLUTION\nx = 1;"]],
      /line 1: `\/\/ BEGIN SOLUTION` has no `\/\/ END SOLUTION` after it/,
    ],
    [
      "an END without BEGIN",
      [["a", "code", "x = 1;\n// END SOLUTION"]],
      /line 2: `\/\/ END SOLUTION` has no `\/\/ BEGIN SOLUTION` before it/,
    ],
    [
      "nested solution regions",
      [["a", "code", "// BEGIN SOLUTION\n// BEGIN SOLUTION\n// END SOLUTION\n// END SOLUTION"]],
      /line 2: .*inside the region .* opened on line 1; regions cannot nest/,
    ],
    [
      "hidden tests inside a solution",
      [["a", "code", "// BEGIN SOLUTION\n// BEGIN HIDDEN TESTS\n// END HIDDEN TESTS\n// END SOLUTION"]],
      /line 2: `\/\/ BEGIN HIDDEN TESTS` is inside the region that `\/\/ BEGIN SOLUTION` opened on line 1/,
    ],
    [
      "a region closed by the wrong END",
      [["a", "code", "// BEGIN SOLUTION\n// END HIDDEN TESTS"]],
      /cannot close the region that `\/\/ BEGIN SOLUTION` opened/,
    ],
    [
      "a misspelt marker",
      [["a", "code", "//BEGIN SOLUTION\nx = 1;\n// END SOLUTION"]],
      /line 1: `\/\/BEGIN SOLUTION` looks like a marker but is not one/,
    ],
    [
      "a check without points",
      [
        ["s", "code", SETUP],
        ["a", "code", "let x: number;\n// BEGIN SOLUTION\nx = 1;\n// END SOLUTION"],
        ["b", "code", 'exercises.checkValue("1.1", x, 1, { hint: "one" });'],
      ],
      /cell 3 \(id "b"\), line 1: `exercises.checkValue` needs a number of points/,
    ],
    [
      "an exercise id used twice",
      [
        ["s", "code", SETUP],
        ["b", "code", 'exercises.checkValue("1.1", 1, 1, { points: 1 });'],
        ["c", "code", 'exercises.checkValue("1.1", 2, 2, { points: 1 });'],
      ],
      /exercise id "1.1" is used twice: by the checks in cell 2 \(id "b"\) and in cell 3 \(id "c"\)/,
    ],
    [
      "a solution with no check after it",
      [["a", "code", "// BEGIN SOLUTION\nconst x = 1;\n// END SOLUTION"]],
      /cell 1 \(id "a"\) has a solution region but no check cell after it/,
    ],
    [
      "a solution and its check in one cell",
      [
        [
          "a",
          "code",
          'let x = 0;\n// BEGIN SOLUTION\nx = 1;\n// END SOLUTION\nexercises.checkValue("1.1", x, 1, { points: 1 });',
        ],
      ],
      /holds both a solution region and a check/,
    ],
    [
      "hidden tests outside a check cell",
      [["a", "code", "// BEGIN HIDDEN TESTS\nconst y = 2;\n// END HIDDEN TESTS"]],
      /has hidden tests but no visible check/,
    ],
    [
      "an id that is not a literal",
      [["b", "code", 'const id = "1.1";\nexercises.checkValue(id, 1, 1, { points: 1 });']],
      /the exercise id of `exercises.checkValue` must be a string literal/,
    ],
    [
      "one check cell for two exercises",
      [
        [
          "b",
          "code",
          'exercises.checkValue("1.1", 1, 1, { points: 1 });\nexercises.checkValue("1.2", 1, 1, { points: 1 });',
        ],
      ],
      /checks several exercises \(1.1, 1.2\)/,
    ],
    [
      "a repeated cell id",
      [
        ["a", "code", "const x = 1;"],
        ["a", "code", "const y = 1;"],
      ],
      /cell 2 \(id "a"\) repeats the id of cell 1/,
    ],
  ] as [string, [string, "code" | "markdown", string][], RegExp][])(
    "rejects %s with a clear message",
    (_name, cells, message) => {
      const errors = errorsOf(cells);
      expect(errors.join("\n")).toMatch(message);
    },
  );

  test("rejects exercise cells without ids (nbformat 4.4)", () => {
    const nb = makeNotebook([
      ["a", "code", "let x: number;\n// BEGIN SOLUTION\nx = 1;\n// END SOLUTION"],
      ["b", "code", 'exercises.checkValue("1.1", x, 1, { points: 1 });'],
    ]);
    for (const cell of nb.cells) delete cell.id;
    expect(analyzeNotebook(nb).errors.join("\n")).toMatch(/has no cell id.*npm run strip/);
  });

  test("ignores markers in Markdown cells", () => {
    expect(
      errorsOf([["m", "markdown", "Write your code between `// BEGIN SOLUTION` and\n// END SOLUTION"]]),
    ).toEqual([]);
  });

  test("finds each region's lines and indentation", () => {
    expect(
      findRegions(
        "a\n    // BEGIN SOLUTION\n    b\n    // END SOLUTION\n// BEGIN HIDDEN TESTS\n// END HIDDEN TESTS",
      ).regions,
    ).toEqual([
      { kind: "solution", begin: 1, end: 3, indent: "    " },
      { kind: "hidden", begin: 4, end: 5, indent: "" },
    ]);
  });
});

describe("the student version", () => {
  test("replaces solutions, removes hidden tests, clears outputs and keeps everything else byte for byte", () => {
    const reference = readNb(PRACTICE);
    // Outputs as a reference saved after a run would have them.
    cellById(reference, "p1-check").outputs = [{ output_type: "stream", name: "stdout", text: ["✓"] }];
    cellById(reference, "p1-check").execution_count = 4;
    const student = studentNotebook(reference, analyzeNotebook(reference));
    expect(sourceOf(cellById(student, "p1-solution"))).toBe(
      'function sigmoidPrime(z: number): number {\n  throw exercises.notImplemented("P.1");\n}',
    );
    expect(sourceOf(cellById(student, "p2-solution"))).toBe(
      'let steepestSlope: number;\nthrow exercises.notImplemented("P.2");',
    );
    const p3check = sourceOf(cellById(student, "p3-check"));
    expect(p3check).not.toMatch(/HIDDEN|deadProbes/);
    expect(p3check).toContain('exercises.checkThat("P.3", deadFound === 1');
    expect(cellById(student, "p1-check").outputs).toEqual([]);
    expect(cellById(student, "p1-check").execution_count).toBeNull();
    expect(student.cells.map((c) => c.id)).toEqual(reference.cells.map((c) => c.id));
    expect(student.metadata).toEqual(reference.metadata);
    const changed = new Set(["p1-solution", "p2-solution", "p3-solution", "p3-check", "p1-check"]);
    student.cells.forEach((cell, i) => {
      if (!changed.has(cell.id!)) expect(cell).toEqual(reference.cells[i]);
      else expect(cell.metadata).toEqual(reference.cells[i].metadata);
    });
    expect(JSON.stringify(student)).not.toMatch(/BEGIN SOLUTION|s \* \(1 - s\)|steepestSlope = 0\.25/);
  });

  test("loads `exercises` itself where the notebook has not imported it yet", () => {
    const nb = makeNotebook([
      ["a", "code", "function f(): number {\n  // BEGIN SOLUTION\n  return 1;\n  // END SOLUTION\n}"],
      ["s", "code", SETUP],
      ["b", "code", 'exercises.checkValue("1.1", f(), 1, { points: 1 });'],
    ]);
    const student = studentNotebook(nb, analyzeNotebook(nb));
    expect(sourceOf(student.cells[0])).toContain(
      '  throw require("kernel-lib").exercises.notImplemented("1.1");',
    );
  });
});

describe("npm run assign", () => {
  test("writes student versions atomically and leaves the references untouched", async () => {
    const before = snapshot(REFERENCE_DIR);
    const out = path.join(scratch, "handout");
    const result = await runCli("assign.ts", [REFERENCE_DIR, "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /practice\.ipynb: 3 exercises, 5 points: P\.1 \(2 pts\), P\.2 \(1 pt\), P\.3 \(2 pts, hidden tests\)/,
    );
    expect(snapshot(REFERENCE_DIR)).toEqual(before);
    expect(fs.readdirSync(out)).toEqual(["practice.ipynb"]); // no temporary files left behind
    const written = fs.readFileSync(path.join(out, "practice.ipynb"), "utf8");
    const reference = readNb(PRACTICE);
    expect(written).toBe(serializeNotebook(studentNotebook(reference, analyzeNotebook(reference))));
  });

  test("refuses to write into the source folder or over a reference", async () => {
    const before = sha256File(PRACTICE);
    const inside = await runCli("assign.ts", [REFERENCE_DIR, "--out", path.join(REFERENCE_DIR, "student")]);
    expect(inside.code).toBe(2);
    expect(inside.stderr).toMatch(/inside the folder of the reference notebooks/);
    const over = await runCli("assign.ts", [PRACTICE, "--out", REFERENCE_DIR]);
    expect(over.code).toBe(2);
    expect(fs.existsSync(path.join(REFERENCE_DIR, "student"))).toBe(false);
    expect(sha256File(PRACTICE)).toBe(before);
  });

  test("writes nothing when a notebook breaks the format, and says what is wrong", async () => {
    const dir = path.join(scratch, "broken-refs");
    fs.mkdirSync(dir);
    fs.copyFileSync(PRACTICE, path.join(dir, "good.ipynb"));
    const bad = makeNotebook([
      ["s", "code", SETUP],
      ["a", "code", "// BEGIN SOLUTION\nconst x = 1;"],
      ["b", "code", 'exercises.checkValue("1.1", x, 1, {});'],
    ]);
    fs.writeFileSync(path.join(dir, "bad.ipynb"), JSON.stringify(bad));
    const out = path.join(scratch, "never");
    const result = await runCli("assign.ts", [dir, "--out", out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Nothing was written/);
    expect(result.stderr).toMatch(
      /bad\.ipynb: cell 2 \(id "a"\), line 1: `\/\/ BEGIN SOLUTION` has no `\/\/ END SOLUTION`/,
    );
    expect(result.stderr).toMatch(
      /bad\.ipynb: cell 3 \(id "b"\), line 1: `exercises.checkValue` needs a number of points/,
    );
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe("the graded notebook", () => {
  const reference = readNb(PRACTICE);
  const format = analyzeNotebook(reference);
  const student = studentNotebook(reference, format);

  test("puts back edited and deleted check cells with their hidden tests, calling the grader's own checks", () => {
    const submission: Notebook = JSON.parse(JSON.stringify(student));
    cellById(submission, "p1-check").source = 'exercises.checkValue("P.1", 1, 1, { points: 2 });';
    submission.cells = submission.cells.filter((c) => c.id !== "p3-check");
    const graded = buildGradedNotebook(submission, reference, format, "checks_x");
    const ids = graded.nb.cells.map((c) => c.id);
    expect(ids.slice(1)).toEqual(reference.cells.map((c) => c.id));
    expect(sourceOf(graded.nb.cells[0])).toContain(
      'const checks_x = require("kernel-lib/dist/answers").answerChecks();',
    );
    const p3 = sourceOf(graded.nb.cells[graded.checkIndex.get("P.3")!]);
    expect(p3).toContain('checks_x.checkThat("P.3", deadProbes.every(');
    expect(p3).not.toMatch(/\bexercises\.check/);
    expect(sourceOf(graded.nb.cells[graded.checkIndex.get("P.1")!])).toContain(
      'checks_x.checkFunction("P.1", sigmoidPrime',
    );
    expect(graded.origin[graded.checkIndex.get("P.3")!]).toBeNull();
    expect(graded.notes.join("\n")).toMatch(
      /check cell of exercise P\.1 \(cell 5, id "p1-check"\) was edited/,
    );
    expect(graded.notes.join("\n")).toMatch(/check cell of exercise P\.3 was missing/);
    expect(graded.notes.join("\n")).not.toMatch(/P\.2/);
  });

  test("finds a check cell whose id changed by the exercise it checks, and notes missing exercise cells", () => {
    const submission: Notebook = JSON.parse(JSON.stringify(student));
    cellById(submission, "p2-check").id = "renamed";
    submission.cells = submission.cells.filter((c) => c.id !== "p1-solution");
    const graded = buildGradedNotebook(submission, reference, format);
    expect(graded.nb.cells[graded.checkIndex.get("P.2")!].id).toBe("p2-check");
    expect(graded.nb.cells.some((c) => c.id === "renamed")).toBe(false);
    expect([...graded.missing]).toEqual([["P.1", ["p1-solution"]]]);
  });

  test("notes code cells outside the exercises that differ from the handed-out notebook", () => {
    const submission: Notebook = JSON.parse(JSON.stringify(student));
    cellById(submission, "setup").source += "\nconst sigmoidPrimeReference = (z: number) => 0;";
    expect(buildGradedNotebook(submission, reference, format).notes.join("\n")).toMatch(
      /Code cells outside the exercises differ from the handed-out notebook: cell 2 \(id "setup"\)/,
    );
    expect(buildGradedNotebook(student, reference, format).notes).toEqual([]);
  });

  test("rewrites only the calls of checks", () => {
    expect(
      gradedCheckSource(
        'exercises.checkValue("1", exercises.describe(x), 1, { points: 1 }); // exercises.checkThat',
        "g",
      ),
    ).toBe('g.checkValue("1", exercises.describe(x), 1, { points: 1 }); // exercises.checkThat');
  });

  test("matches a submission to its reference by file name, else by cell ids", () => {
    const references = loadReferences(REFERENCE_DIR);
    expect(matchReference("/x/practice.ipynb", null, references)?.how).toBe("file name");
    expect(matchReference("/x/alice.ipynb", student, references)?.how).toBe("cell ids");
    expect(matchReference("/x/alice.ipynb", makeNotebook([["other", "code", "1"]]), references)).toBeNull();
  });

  test("matches a Korean submission to the Korean reference, though both editions share file names and cell ids", () => {
    const lessons = path.join(ROOT, "notebooks");
    const references = loadReferences(lessons);
    const english = readNb(path.join(lessons, "02-sigmoid-vanishing.ipynb"));
    const korean = readNb(path.join(lessons, "ko", "02-sigmoid-vanishing.ipynb"));
    const matched = (file: string, nb: Notebook) =>
      path.relative(lessons, matchReference(file, nb, references)!.reference.file);
    expect(matched("/x/02-sigmoid-vanishing.ipynb", korean)).toBe(
      path.join("ko", "02-sigmoid-vanishing.ipynb"),
    );
    expect(matched("/x/02-sigmoid-vanishing.ipynb", english)).toBe("02-sigmoid-vanishing.ipynb");
    expect(matched("/x/kim.ipynb", korean)).toBe(path.join("ko", "02-sigmoid-vanishing.ipynb"));
    expect(matched("/x/smith.ipynb", english)).toBe("02-sigmoid-vanishing.ipynb");
  });

  test("recognises files that are not notebooks and notebooks of another kernel", () => {
    expect(notebookProblem({ answers: [1, 2] })).toMatch(/not a Jupyter notebook/);
    expect(notebookProblem([1])).toMatch(/not a Jupyter notebook/);
    expect(notebookProblem({ nbformat: 3, cells: [] })).toMatch(/format version 3/);
    expect(notebookProblem(student)).toBeNull();
    expect(
      kernelProblem({
        ...student,
        metadata: { kernelspec: { name: "python3", display_name: "Python 3", language: "python" } },
      }),
    ).toMatch(/"Python 3".*Change Kernel/);
    expect(kernelProblem(student)).toBeNull();
  });

  test("sums up why a cell failed", () => {
    // `error` is the kernel's error output as the runner reports it (the traceback lines).
    const cell = (error: string, reason = "the kernel replied with an error") => ({
      index: 0,
      id: null,
      cellType: "code" as const,
      status: "failed" as const,
      executionCount: 1,
      stdout: "",
      stderr: "",
      result: "",
      error,
      reason,
    });
    expect(
      cellError(
        cell(
          "2:8 - Expression expected.\n  2 | f(\n    |        ^",
          "TypeScriptError: 2:8 - Expression expected.",
        ),
        60,
      ),
    ).toBe("TypeScript error at line 2, column 8: Expression expected.");
    expect(
      cellError(
        cell(
          'Error: boom\n  at f, line 4 of this cell:  throw new Error("boom");\n  at line 6 of this cell:  f()',
        ),
        60,
      ),
    ).toBe("Error: boom.");
    expect(
      cellError(
        cell(
          "2:19 - Cannot find name 'f'.\n  2 | x\n10:8 - Cannot find name 'f'.\n11:1 - Expression expected.\n",
          "TypeScriptError: 2:19 - Cannot find name 'f'.",
        ),
        60,
      ),
    ).toBe(
      "TypeScript error at line 2, column 19: Cannot find name 'f'; line 11, column 1: Expression expected.",
    );
    expect(cellError(cell("", "timed out after 9 s"), 9)).toMatch(/longer than 9 s/);
    expect(cellError(cell("", "the kernel died"), 9)).toMatch(/kernel died/);
  });
});
