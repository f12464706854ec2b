/**
 * The learner's copy that `npm start` opens: learner versions of every lesson (solutions replaced
 * as `npm run assign` does), created once, never overwritten, with lessons added later copied in.
 * Fast: no Jupyter is started (`npm start -- --copy-only` stops after the copy).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { buildStudentVersions, collectTargets } from "../../scripts/assignments/student-versions";
import { analyzeNotebook, MARKERS } from "../../scripts/assignments/format";
import { ROOT } from "../../scripts/lib/paths";
import { readNotebook, serializeNotebook } from "../../scripts/jupyter/hygiene";
import { cellSource, listNotebooks } from "../../scripts/jupyter/runner";
import { LearnerCopyError, syncLearnerCopy } from "../../scripts/assignments/learner-copy";
import { messagesIn } from "../../kernel-lib/src/messages";
import { editionOfPath } from "../../scripts/jupyter/editions";

const LESSONS = path.join(ROOT, "notebooks");
const lessonNames = listNotebooks(LESSONS).map((f) => path.relative(LESSONS, f));
let work: string;

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-learner-"));
});
afterEach(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

/** Every file below `dir` with its bytes and modification time. */
function snapshot(dir: string): Map<string, { text: string; mtimeMs: number }> {
  return new Map(
    listNotebooks(dir).map((f) => [
      path.relative(dir, f),
      { text: fs.readFileSync(f, "utf8"), mtimeMs: fs.statSync(f).mtimeMs },
    ]),
  );
}

test("the first start writes a learner version of every lesson, with no solution in it", () => {
  const mine = path.join(work, "my-lessons");
  const result = syncLearnerCopy(LESSONS, mine);
  expect(result.created.sort()).toEqual(lessonNames);
  expect(result.kept).toEqual([]);

  const { notebooks } = buildStudentVersions(collectTargets([LESSONS]).targets);
  let exercisesSeen = 0;
  for (const { target, nb: assigned, exercises } of notebooks) {
    const text = fs.readFileSync(path.join(mine, target.relative), "utf8");
    for (const marker of Object.values(MARKERS))
      expect(text, `${target.relative} holds ${marker}`).not.toContain(marker);
    // No line of any reference solution survives.
    const reference = readNotebook(target.source);
    const format = analyzeNotebook(reference);
    for (const [index, info] of format.cells) {
      const lines = cellSource(reference.cells[index]).split("\n");
      for (const region of info.regions.filter((r) => r.kind === "solution")) {
        const body = lines
          .slice(region.begin + 1, region.end)
          .join("\n")
          .trim();
        if (body.length > 0)
          expect(text, `${target.relative}: a solution of cell ${index + 1} is in the copy`).not.toContain(
            body,
          );
      }
    }
    // Each solution became assign's placeholder, with one comment above it naming the reference.
    const copy = JSON.parse(text);
    const reference_ = `notebooks/${target.relative.split(path.sep).join("/")}`;
    // The comment is in the lesson's language: Korean in notebooks/ko/.
    const pointer = `// ${messagesIn(editionOfPath(target.relative).language).yourCodeHere(reference_)}`;
    for (const exercise of exercises.filter((e) => e.solutionCells.length > 0)) {
      exercisesSeen++;
      const cell = cellSource(copy.cells[exercise.solutionCells[0].index]);
      expect(cell).toContain(`${pointer}\n`);
      expect(cell.split(`${pointer}\n`)[1]).toMatch(
        new RegExp(`^\\s*throw exercises\\.notImplemented\\("${exercise.id.replace(/\./g, "\\.")}"\\);`),
      );
    }
    // Apart from those comments, the copy is exactly what `npm run assign` writes.
    const withoutPointers = copy.cells.map((c: { source: string | string[] }) =>
      cellSource(c as never)
        .split("\n")
        .filter((l) => !l.includes(pointer))
        .join("\n"),
    );
    expect(withoutPointers).toEqual(assigned.cells.map((c) => cellSource(c)));
  }
  expect(exercisesSeen).toBeGreaterThan(5);
});

test("later starts write nothing, keep the learner's edits, and recreate only a deleted lesson", () => {
  const mine = path.join(work, "my-lessons");
  syncLearnerCopy(LESSONS, mine);
  const edited = path.join(mine, lessonNames[1]);
  const nb = JSON.parse(fs.readFileSync(edited, "utf8"));
  nb.cells[0].source = ["# My notes on this lesson\n"];
  fs.writeFileSync(edited, serializeNotebook(nb));
  const deleted = path.join(mine, lessonNames[2]);
  const original = fs.readFileSync(deleted, "utf8");
  fs.rmSync(deleted);
  const before = snapshot(mine);

  const again = syncLearnerCopy(LESSONS, mine);
  expect(again.created).toEqual([lessonNames[2]]);
  expect(again.kept.sort()).toEqual(lessonNames.filter((n) => n !== lessonNames[2]));
  const after = snapshot(mine);
  for (const [name, file] of before) expect(after.get(name), name).toEqual(file);
  expect(fs.readFileSync(edited, "utf8")).toContain("# My notes on this lesson");
  expect(fs.readFileSync(deleted, "utf8")).toBe(original); // started afresh

  const third = syncLearnerCopy(LESSONS, mine);
  expect(third.created).toEqual([]);
  expect(snapshot(mine)).toEqual(after);
});

test("a lesson added to the course is copied in on the next start", () => {
  const course = path.join(work, "course");
  const mine = path.join(work, "mine");
  fs.mkdirSync(course);
  for (const name of lessonNames.slice(0, 2))
    fs.copyFileSync(path.join(LESSONS, name), path.join(course, name));
  expect(syncLearnerCopy(course, mine).created).toEqual(lessonNames.slice(0, 2));
  const firstCopy = snapshot(mine);

  fs.copyFileSync(path.join(LESSONS, lessonNames[3]), path.join(course, lessonNames[3]));
  const result = syncLearnerCopy(course, mine);
  expect(result.created).toEqual([lessonNames[3]]);
  expect(result.kept).toEqual(lessonNames.slice(0, 2));
  const now = snapshot(mine);
  for (const [name, file] of firstCopy) expect(now.get(name)).toEqual(file);
  expect(fs.readFileSync(path.join(mine, lessonNames[3]), "utf8")).not.toContain(MARKERS.beginSolution);
});

test("a lesson that breaks the exercise format stops the copy before anything is written", () => {
  const course = path.join(work, "course");
  const mine = path.join(work, "mine");
  fs.mkdirSync(course);
  fs.copyFileSync(path.join(LESSONS, lessonNames[1]), path.join(course, lessonNames[1]));
  const broken = readNotebook(path.join(LESSONS, lessonNames[2]));
  const cell = broken.cells.find(
    (c) => c.cell_type === "code" && cellSource(c).includes(MARKERS.endSolution),
  )!;
  cell.source = cellSource(cell).replace(MARKERS.endSolution, "");
  fs.writeFileSync(path.join(course, lessonNames[2]), serializeNotebook(broken));
  expect(() => syncLearnerCopy(course, mine)).toThrow(LearnerCopyError);
  expect(() => syncLearnerCopy(course, mine)).toThrow(/breaks the exercise format/);
  expect(fs.existsSync(mine) ? listNotebooks(mine) : []).toEqual([]);
});

test("npm start makes the copy itself: --copy-only writes it once and stops without Jupyter", () => {
  const mine = path.join(work, "my lessons");
  const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
  const run = (...extra: string[]) =>
    spawnSync(tsx, [path.join(ROOT, "scripts", "start.ts"), ...extra, "--copy-only", "--my-lessons", mine], {
      encoding: "utf8",
      cwd: ROOT,
      env: { ...process.env, INIT_CWD: ROOT },
    });
  const first = run();
  expect(first.stderr).toBe("");
  expect(first.status).toBe(0);
  expect(first.stdout).toContain(`(${lessonNames.length} notebooks, without the solutions)`);
  expect(listNotebooks(mine).map((f) => path.relative(mine, f))).toEqual(lessonNames);
  const written = snapshot(mine);

  // The same copy holds both editions: starting at the Korean one (--ko) writes nothing new.
  const second = run("--ko");
  expect(second.stderr).toBe("");
  expect(second.status).toBe(0);
  expect(second.stdout).toBe("");
  expect(snapshot(mine)).toEqual(written);
}, 60_000);
