/**
 * The real lessons: `npm run assign` hands out every notebook in notebooks/ (a copy taken at the
 * start), and one `npm run grade` call gives the reference notebooks full marks and their student
 * versions zero with "not implemented" feedback. Two kernel runs per English lesson with exercises
 * (about 10–30 s each), and two for one Korean lesson, which must be matched to the Korean
 * reference and get Korean feedback (the other Korean lessons share its code with the English ones,
 * test/notebooks/editions.test.ts).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { analyzeNotebook } from "../../scripts/assignments/format";
import type { SubmissionGrade } from "../../scripts/assignments/grader";
import { ROOT } from "../../scripts/lib/paths";
import { listNotebooks } from "../../scripts/jupyter/runner";
import { readNb, runCli } from "./helpers";
import { messagesIn } from "../../kernel-lib/src/messages";
import { editionOfPath } from "../../scripts/jupyter/editions";

/** The one Korean lesson graded here. */
const KOREAN_SAMPLE = "01-chain-rule.ipynb";

const LESSONS_TIMEOUT_MS = 40 * 60_000;

let scratch: string;
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-lessons-"));
});
afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

test(
  "the lessons' reference notebooks score full marks and their student versions zero",
  async () => {
    // A copy, so that lesson authors saving their notebooks meanwhile cannot change what is graded.
    const notebooksDir = path.join(scratch, "notebooks");
    fs.cpSync(path.join(ROOT, "notebooks"), notebooksDir, {
      recursive: true,
      filter: (src) => !src.includes(".ipynb_checkpoints"),
    });
    const handout = path.join(scratch, "handout");
    const assigned = await runCli("assign.ts", [notebooksDir, "--out", handout]);
    expect(assigned.code, assigned.stderr).toBe(0);
    expect(
      listNotebooks(handout)
        .map((f) => path.relative(handout, f))
        .sort(),
    ).toEqual(
      listNotebooks(notebooksDir)
        .map((f) => path.relative(notebooksDir, f))
        .sort(),
    );

    const languageOf = (file: string) => editionOfPath(path.relative(notebooksDir, file)).language;
    const lessons = listNotebooks(notebooksDir)
      .filter((file) => analyzeNotebook(readNb(file)).exercises.length > 0)
      .filter(
        (file) =>
          languageOf(file) === "en" || path.relative(notebooksDir, file) === path.join("ko", KOREAN_SAMPLE),
      );
    if (lessons.length === 0) return; // nothing to grade yet
    const students = lessons.map((file) => path.join(handout, path.relative(notebooksDir, file)));
    const graded = await runCli(
      "grade.ts",
      [
        ...lessons,
        ...students,
        "--json",
        "--source",
        notebooksDir,
        "--report-dir",
        path.join(scratch, "grades"),
      ],
      { initCwd: scratch },
    );
    console.log(
      `grading ${lessons.length} lessons twice took ${(graded.ms / 1000).toFixed(1)} s\n${graded.stderr}`,
    );
    expect(graded.code, graded.stderr).toBe(0);
    const results: SubmissionGrade[] = JSON.parse(graded.stdout).submissions;
    const resultOf = (file: string) => results.find((r) => path.resolve(scratch, r.file) === file)!;
    expect(results).toHaveLength(2 * lessons.length);

    for (const file of lessons) {
      const reference = resultOf(file);
      const exercises = analyzeNotebook(readNb(file)).exercises;
      expect(reference.exercises.map((e) => e.id)).toEqual(exercises.map((e) => e.id));
      expect(
        reference.exercises.filter((e) => e.status !== "passed"),
        file,
      ).toEqual([]);
      expect(reference.score).toBe(reference.maxScore);
      expect(reference.maxScore).toBe(exercises.reduce((sum, e) => sum + e.points, 0));
      expect(reference.error).toBeNull();
      // Every lesson's checks are decided outside the student's kernel: none falls back to running as
      // written.
      expect(
        reference.notes.filter((n) => /ran as written/.test(n)),
        file,
      ).toEqual([]);
      expect(reference.reference && path.resolve(scratch, reference.reference)).toBe(file);
      if (languageOf(file) === "ko")
        for (const e of reference.exercises) expect(e.message).toMatch(/[\uac00-\ud7af]/u);
    }
    for (const file of students) {
      const student = resultOf(file);
      // The student version is named like both editions' references; it is matched by its language.
      expect(student.reference && path.resolve(scratch, student.reference)).toBe(
        path.join(notebooksDir, path.relative(handout, file)),
      );
      expect(student.score, file).toBe(0);
      expect(student.maxScore).toBeGreaterThan(0);
      for (const e of student.exercises) {
        expect(e.status, `${file} ${e.id}`).toBe("failed");
        expect(e.message, `${file} ${e.id}`).toContain(
          messagesIn(languageOf(path.join(notebooksDir, path.relative(handout, file))))
            .notImplemented(e.id)
            .split(":")[0],
        );
      }
    }
  },
  LESSONS_TIMEOUT_MS,
);
