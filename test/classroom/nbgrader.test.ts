/**
 * The nbgrader cycle on real lessons, with the pinned nbgrader and the TypeScript kernel: `npm run
 * assign -- --nbgrader` writes the course, then nbgrader's own generate_assignment, autograde,
 * generate_feedback and export run in it. Three submissions per lesson (the reference answers, the
 * learner version as handed out, and one exercise wrong) get the same scores from nbgrader as from
 * `npm run grade`, exercise by exercise. About nine kernel runs per lesson.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { analyzeNotebook } from "../../scripts/assignments/format";
import type { SubmissionGrade } from "../../scripts/assignments/grader";
import { ensureJupyterEnv, JupyterEnv } from "../../scripts/jupyter/env";
import { ROOT } from "../../scripts/lib/paths";
import { lessonName, TYPESCRIPT_CODE_STUB } from "../../scripts/assignments/nbgrader-course";
import type { Notebook } from "../../scripts/jupyter/runner";
import { cellById, readNb, runCli, sourceOf, writeNb } from "../assignments/helpers";

const CYCLE_TIMEOUT_MS = 20 * 60_000;

/** The lessons graded, each with one wrong answer: a solution cell and the line changed in it. */
const LESSONS = [
  {
    file: "02-sigmoid-vanishing.ipynb",
    wrong: { cell: "ex-2-1-solution", exercise: "2.1", from: "return s * (1 - s);", to: "return s;" },
  },
  {
    file: "03-relu.ipynb",
    wrong: {
      cell: "ex-3-2-solution",
      exercise: "3.2",
      from: "return Math.sqrt(2 / nIn);",
      to: "return 2 / nIn;",
    },
  },
];
const STUDENTS = ["reference", "learner", "onewrong"] as const;

let scratch: string;
let jupyter: JupyterEnv;
beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-nbgrader-"));
  jupyter = await ensureJupyterEnv();
}, 10 * 60_000);
afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

/** Runs a command of the venv (nbgrader, python) in `cwd`; resolves with its exit code and output. */
function runVenv(
  command: string,
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(jupyter.binDir, command), args, {
      cwd,
      env: jupyter.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let output = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      output += chunk;
    });
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, output }));
  });
}

async function nbgrader(args: string[], cwd: string): Promise<string> {
  const run = await runVenv("nbgrader", args, cwd);
  expect(run.code, `nbgrader ${args.join(" ")}:\n${run.output}`).toBe(0);
  return run.output;
}

/**
 * The score of every autograded test cell: student → lesson → grade id → points, from nbgrader's gradebook.
 */
async function gradebookScores(
  course: string,
): Promise<Record<string, Record<string, Record<string, number>>>> {
  const script = `
import json
from nbgrader.api import Gradebook
scores = {}
with Gradebook("sqlite:///gradebook.db") as gb:
    for assignment in gb.assignments:
        for submission in assignment.submissions:
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    scores.setdefault(submission.student.id, {}).setdefault(notebook.name, {})[grade.name] = grade.score
print(json.dumps(scores))
`;
  const run = await runVenv("python", ["-c", script], course);
  expect(run.code, run.output).toBe(0);
  return JSON.parse(run.stdout);
}

/** The grade cells' outputs of an autograded notebook, by grade id. */
function gradeCellOutputs(nb: Notebook): Map<string, { output_type: string; name?: string }[]> {
  const out = new Map<string, { output_type: string; name?: string }[]>();
  for (const cell of nb.cells) {
    const meta = (cell.metadata as { nbgrader?: { grade?: boolean; grade_id: string } } | undefined)
      ?.nbgrader;
    if (meta?.grade) out.set(meta.grade_id, (cell.outputs ?? []) as { output_type: string; name?: string }[]);
  }
  return out;
}

test(
  "nbgrader generates, autogrades, gives feedback and exports the lessons, scoring as npm run grade does",
  async () => {
    const course = path.join(scratch, "course");
    const lessonFiles = LESSONS.map((l) => path.join(ROOT, "notebooks", l.file));
    const assigned = await runCli("assign.ts", [...lessonFiles, "--out", course, "--nbgrader"], {
      initCwd: scratch,
    });
    expect(assigned.code, assigned.stderr).toBe(0);
    expect(fs.readFileSync(path.join(course, "nbgrader_config.py"), "utf8")).toContain(
      `"typescript": ${JSON.stringify(TYPESCRIPT_CODE_STUB)}`,
    );
    expect(fs.realpathSync(path.join(course, "node_modules"))).toBe(
      fs.realpathSync(path.join(ROOT, "node_modules")),
    );

    const submissions = path.join(scratch, "submissions");
    for (const { file, wrong } of LESSONS) {
      const lesson = lessonName(file);
      const reference = readNb(path.join(ROOT, "notebooks", file));
      const { exercises } = analyzeNotebook(reference);
      expect(exercises.length).toBeGreaterThan(0);

      // The source notebook: check cells are locked graded tests worth the exercise's points, exercise cells
      // solution cells.
      const source = readNb(path.join(course, "source", lesson, `${lesson}.ipynb`));
      for (const exercise of exercises) {
        expect(cellById(source, exercise.checkCell.id).metadata?.nbgrader).toMatchObject({
          grade: true,
          locked: true,
          solution: false,
          points: exercise.points,
        });
        for (const cell of exercise.solutionCells)
          expect(cellById(source, cell.id).metadata?.nbgrader).toMatchObject({
            solution: true,
            grade: false,
            locked: false,
          });
      }
      expect(
        source.cells
          .filter((c) => c.cell_type === "markdown")
          .every((c) => (c.metadata?.nbgrader as { locked?: boolean } | undefined)?.locked),
      ).toBe(true);

      // nbgrader's student version: solutions replaced by the TypeScript stub, hidden tests gone.
      await nbgrader(["generate_assignment", lesson], course);
      const released = readNb(path.join(course, "release", lesson, `${lesson}.ipynb`));
      const releasedText = released.cells.map(sourceOf).join("\n");
      expect(releasedText).not.toMatch(/BEGIN SOLUTION|BEGIN HIDDEN TESTS/);
      expect(releasedText).toContain('throw new Error("Not implemented yet');
      expect(released.metadata.kernelspec).toMatchObject({ name: "tslab", language: "typescript" });

      // Three submissions made from the released notebook, as students would hand it back.
      const solved: Notebook = JSON.parse(JSON.stringify(released));
      for (const cell of solved.cells) {
        if ((cell.metadata?.nbgrader as { solution?: boolean } | undefined)?.solution)
          cell.source = cellById(reference, cell.id!).source;
      }
      const oneWrong: Notebook = JSON.parse(JSON.stringify(solved));
      const wrongCell = cellById(oneWrong, wrong.cell);
      expect(sourceOf(wrongCell)).toContain(wrong.from);
      wrongCell.source = sourceOf(wrongCell).replace(wrong.from, wrong.to);
      const versions: Record<(typeof STUDENTS)[number], Notebook> = {
        reference: solved,
        learner: released,
        onewrong: oneWrong,
      };
      for (const student of STUDENTS) {
        writeNb(path.join(course, "submitted", student, lesson, `${lesson}.ipynb`), versions[student]);
        writeNb(path.join(submissions, `${student}-${file}`), versions[student]);
      }

      await nbgrader(["autograde", lesson, "--create"], course);
      await nbgrader(["generate_feedback", lesson], course);
      for (const student of STUDENTS) {
        expect(
          fs.readFileSync(path.join(course, "feedback", student, lesson, `${lesson}.html`), "utf8"),
        ).toContain("Exercise");
      }

      // A passing check leaves no error and nothing on stderr; a failing one leaves an error output.
      const autograded = (student: string) =>
        gradeCellOutputs(readNb(path.join(course, "autograded", student, lesson, `${lesson}.ipynb`)));
      for (const outputs of autograded("reference").values()) {
        expect(outputs.filter((o) => o.output_type === "error" || o.name === "stderr")).toEqual([]);
      }
      for (const outputs of autograded("learner").values())
        expect(outputs.some((o) => o.output_type === "error")).toBe(true);
    }

    await nbgrader(["export"], course);
    const csv = fs
      .readFileSync(path.join(course, "grades.csv"), "utf8")
      .trim()
      .split("\n")
      .map((line) => line.split(","));
    const header = csv[0];
    const column = (name: string) => header.indexOf(name);
    const exported = new Map(
      csv
        .slice(1)
        .map((row) => [
          `${row[column("student_id")]}-${row[column("assignment")]}`,
          { score: Number(row[column("score")]), max: Number(row[column("max_score")]) },
        ]),
    );
    const perCell = await gradebookScores(course);

    const graded = await runCli(
      "grade.ts",
      [
        submissions,
        "--json",
        "--source",
        path.join(ROOT, "notebooks"),
        "--report-dir",
        path.join(scratch, "grades"),
      ],
      { initCwd: scratch },
    );
    expect(graded.code, graded.stderr).toBe(0);
    const results: SubmissionGrade[] = JSON.parse(graded.stdout).submissions;
    expect(results).toHaveLength(STUDENTS.length * LESSONS.length);

    for (const { file, wrong } of LESSONS) {
      const lesson = lessonName(file);
      const max = analyzeNotebook(readNb(path.join(ROOT, "notebooks", file))).exercises.reduce(
        (sum, e) => sum + e.points,
        0,
      );
      for (const student of STUDENTS) {
        const ours = results.find((r) => path.basename(r.file) === `${student}-${file}`)!;
        const theirs = exported.get(`${student}-${lesson}`)!;
        expect({ student, lesson, score: theirs.score, max: theirs.max }).toEqual({
          student,
          lesson,
          score: ours.score,
          max: ours.maxScore,
        });
        for (const exercise of ours.exercises) {
          expect({
            student,
            lesson,
            exercise: exercise.id,
            points: perCell[student][lesson][`exercise-${exercise.id.replace(/[^A-Za-z0-9_-]/g, "_")}`],
          }).toEqual({ student, lesson, exercise: exercise.id, points: exercise.points });
        }
      }
      // What the three submissions should score, so a grader that gives everyone the same cannot pass.
      const wrongPoints = analyzeNotebook(readNb(path.join(ROOT, "notebooks", file))).exercises.find(
        (e) => e.id === wrong.exercise,
      )!.points;
      expect([
        exported.get(`reference-${lesson}`)!.score,
        exported.get(`learner-${lesson}`)!.score,
        exported.get(`onewrong-${lesson}`)!.score,
      ]).toEqual([max, 0, max - wrongPoints]);
    }
  },
  CYCLE_TIMEOUT_MS,
);
