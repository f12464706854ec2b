/**
 * The grader's logic without the kernel: which reference a submission belongs to, the notebook
 * that actually runs (the submission with the reference's check cells and hidden tests put back),
 * and the scores read from the executed notebook. scripts/grade.ts runs it and writes the reports.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import {
  analyzeNotebook,
  CheckCall,
  Exercise,
  findChecks,
  findRegions,
  gradedCheckSource,
  NotebookFormat,
  removeRegions,
} from "./format";
import {
  ANSWER_MIME,
  AnswerRecord,
  CallsRecord,
  EXPECTED_MIME,
  ExpectedRecord,
  judge,
  Verdict,
} from "../../kernel-lib/src/answers";
import { LANGUAGES, messagesIn } from "../../kernel-lib/src/messages";
import { notebookLanguage } from "../jupyter/editions";
import { JudgePlan, namesCheckSource, spiedCheckSource } from "./judging";
import { readNotebook, TSLAB_KERNELSPEC } from "../jupyter/hygiene";
import { cellSource, CellResult, listNotebooks, Notebook, NotebookCell, RunResult } from "../jupyter/runner";

/** How an exercise came out. */
export type ExerciseStatus = "passed" | "failed" | "error" | "missing" | "timeout";

/** One exercise's grade. */
export interface ExerciseGrade {
  id: string;
  points: number;
  maxPoints: number;
  status: ExerciseStatus;
  /** The check's feedback, or what went wrong. */
  message: string;
}

/** A reference notebook (from --source) and its exercises. */
export interface Reference {
  file: string;
  nb: Notebook | null;
  format: NotebookFormat | null;
  /** Why the reference itself cannot be used, or null. */
  problem: string | null;
  cellIds: Set<string>;
}

/** Every notebook under `dir`, read and checked against the exercise format. */
export function loadReferences(dir: string): Reference[] {
  return listNotebooks(dir).map((file): Reference => {
    try {
      const nb = readNotebook(file);
      const format = analyzeNotebook(nb);
      const problem =
        format.errors.length > 0 ? `it breaks the exercise format: ${format.errors.join("; ")}` : null;
      const cellIds = new Set(nb.cells.map((c) => c.id).filter((id): id is string => typeof id === "string"));
      return { file, nb, format, problem, cellIds };
    } catch (err) {
      return { file, nb: null, format: null, problem: (err as Error).message, cellIds: new Set() };
    }
  });
}

/** The language of a reference notebook (English when it cannot be read). */
function languageOf(reference: Reference): string {
  return reference.nb ? notebookLanguage(reference.nb) : "en";
}

/**
 * The reference a submission belongs to: the one with the same file name, else the one that shares
 * the most cell ids with it (at least half of the reference's cells); a reference in the
 * submission's own language (English or Korean, read from its Markdown) before any other.
 */
export function matchReference(
  file: string,
  nb: Notebook | null,
  references: Reference[],
): { reference: Reference; how: "file name" | "cell ids" } | null {
  // The editions share file names and cell ids: a submission is matched among the references in its own
  // language first.
  const language = nb && Array.isArray(nb.cells) ? notebookLanguage(nb) : "en";
  const ranked = [...references].sort(
    (a, b) => Number(languageOf(b) === language) - Number(languageOf(a) === language),
  );
  const byName = ranked.find((r) => path.basename(r.file) === path.basename(file));
  if (byName) return { reference: byName, how: "file name" };
  if (!nb || !Array.isArray(nb.cells)) return null;
  const ids = new Set(nb.cells.map((c) => c?.id).filter((id): id is string => typeof id === "string"));
  let best: { reference: Reference; shared: number } | null = null;
  for (const reference of ranked) {
    const shared = [...reference.cellIds].filter((id) => ids.has(id)).length;
    if (shared > 0 && shared >= reference.cellIds.size / 2 && (!best || shared > best.shared))
      best = { reference, shared };
  }
  return best ? { reference: best.reference, how: "cell ids" } : null;
}

/** Why a parsed JSON value is not a notebook the grader can run, or null. */
export function notebookProblem(value: unknown): string | null {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return "is valid JSON but not a Jupyter notebook (it is not an object with a list of cells)";
  const nb = value as Partial<Notebook>;
  if (!Array.isArray(nb.cells)) return "is valid JSON but not a Jupyter notebook (it has no list of cells)";
  if (nb.nbformat !== 4)
    return `is a notebook in format version ${JSON.stringify(nb.nbformat)}, not 4; open it in JupyterLab, save it and submit it again`;
  const bad = nb.cells.findIndex(
    (c) => c === null || typeof c !== "object" || typeof (c as NotebookCell).cell_type !== "string",
  );
  if (bad >= 0) return `is not a valid notebook: cell ${bad + 1} has no cell type`;
  return null;
}

/** Why the notebook's kernel is not the TypeScript kernel, or null (no kernelspec at all is accepted). */
export function kernelProblem(nb: Notebook): string | null {
  const spec = nb.metadata?.kernelspec;
  if (!spec || typeof spec !== "object") return null;
  if (
    (spec.name !== undefined && spec.name !== "tslab") ||
    (spec.language !== undefined && spec.language !== "typescript")
  ) {
    return `was saved with the kernel ${JSON.stringify(spec.display_name ?? spec.name)} (language ${JSON.stringify(spec.language)}), not TypeScript (tslab); reopen it, choose Kernel → Change Kernel… → TypeScript, run it, save and submit it again`;
  }
  return null;
}

/** The notebook the grader runs, and where everything landed in it. */
export interface GradedNotebook {
  nb: Notebook;
  /** For each cell of `nb`, its index in the submission, or null for a cell the grader added. */
  origin: (number | null)[];
  /** Index in `nb` of each exercise's check cell. */
  checkIndex: Map<string, number>;
  /** Indices in `nb` of each exercise's solution cells that the submission has. */
  solutionIndex: Map<string, number[]>;
  /** The exercise cells (solution cells) missing from the submission, per exercise. */
  missing: Map<string, string[]>;
  /** What the grader changed, for the report ("the check cell of 1.2 was edited; the original ran"). */
  notes: string[];
  /** Index in `nb` of the grader's setup cell. */
  setupIndex: number;
  /** The exercises whose checks a clean kernel decides from the learner's values (./judging.ts). */
  judged: Map<string, JudgePlan>;
}

/**
 * What the reference run recorded for the judge: each exercise's plan and the inputs its check gave the
 * learner's functions.
 */
export interface JudgeSetup {
  plans: Map<string, JudgePlan>;
  calls: Map<string, CallsRecord["calls"]>;
}

const SAFE_ID = /^[a-zA-Z0-9-_]{1,64}$/;

/** A clean copy of a submitted cell: its source and metadata, no outputs. */
function cleanCell(cell: NotebookCell): NotebookCell {
  const type = cell.cell_type === "code" || cell.cell_type === "markdown" ? cell.cell_type : "raw";
  const source =
    typeof cell.source === "string"
      ? cell.source
      : Array.isArray(cell.source)
        ? cell.source.map(String).join("")
        : "";
  const metadata =
    cell.metadata && typeof cell.metadata === "object" && !Array.isArray(cell.metadata)
      ? { ...cell.metadata }
      : {};
  const copy: NotebookCell = {
    cell_type: type,
    id: typeof cell.id === "string" ? cell.id : undefined,
    metadata,
    source,
  };
  if (type === "code") {
    // A learner's tag must not turn a failing cell into a passing one.
    if (Array.isArray(metadata.tags))
      metadata.tags = metadata.tags.filter((t: unknown) => t !== "raises-exception");
    copy.outputs = [];
    copy.execution_count = null;
  }
  return copy;
}

/**
 * The submission with the grader's check cells in place of the learner's, matched by cell id (else
 * by the exercise id they check); a deleted check cell is put back after its exercise cell. The
 * checks run through `checksName`, kernel-lib's answer recorders (kernel-lib/src/answers.ts) that a
 * setup cell at the top takes before any submitted code runs: they hand the learner's answers back
 * as data and decide nothing. With the reference's `expected` records, a check cell whose checks
 * name the learner's function or value is replaced by calls on the reference's test inputs alone,
 * so neither the reference's code nor the expected values (hidden tests included) reach the
 * learner's kernel. Any other check (a predicate, an expression, a check that trains a network) is
 * judged when `judging` allows it: the learner's kernel hands back the values of the names the
 * exercise cells define, and a clean kernel runs the reference's check on them. Only a check that
 * fits neither runs as written in the learner's kernel, and the report says so.
 */
export function buildGradedNotebook(
  submission: Notebook,
  reference: Notebook,
  format: NotebookFormat,
  checksName = `gradientLabChecks_${randomBytes(6).toString("hex")}`,
  expected?: Map<string, ExpectedRecord[]>,
  judging?: JudgeSetup,
): GradedNotebook {
  const judged = new Map<string, JudgePlan>();
  const cells = submission.cells.map(cleanCell);
  const origin: (number | null)[] = cells.map((_, i) => i);
  const notes: string[] = [];
  const claimed = new Set<NotebookCell>();
  const missing = new Map<string, string[]>();
  const gradedCells = new Map<string, NotebookCell>();

  const at = (id: string) => cells.findIndex((c) => c.id === id);
  for (const exercise of format.exercises) {
    const refCell = reference.cells[exercise.checkCell.index];
    const original = cellSource(refCell);
    let source = answerCheckSource(original, exercise.id, checksName, expected?.get(exercise.id));
    const plan = judging?.plans.get(exercise.id);
    const calls = judging?.calls.get(exercise.id);
    if (source === null && plan && calls && Object.values(calls).every((c) => c !== null)) {
      source = namesCheckSource(plan, checksName, calls);
      judged.set(exercise.id, plan);
    }
    if (expected?.has(exercise.id) && source === null) {
      notes.push(
        `The check of exercise ${exercise.id} ran as written in the submission's kernel (it reads no name the exercise cells define, assigns one, or gives a function inputs that are not plain data), so its verdict rests on values computed there.`,
      );
    }
    const graded: NotebookCell = {
      cell_type: "code",
      id: exercise.checkCell.id,
      metadata: JSON.parse(JSON.stringify(refCell.metadata ?? {})),
      source: source ?? gradedCheckSource(original, checksName),
      outputs: [],
      execution_count: null,
    };
    let index = at(exercise.checkCell.id);
    if (index < 0) {
      index = cells.findIndex(
        (c) => !claimed.has(c) && c.cell_type === "code" && callsCheck(cellSource(c), exercise.id),
      );
      if (index >= 0)
        notes.push(
          `The check cell of exercise ${exercise.id} had another cell id (cell ${index + 1}, id "${cells[index].id}"); the original check ran in its place.`,
        );
    }
    if (index >= 0) {
      const submitted = cellSource(cells[index]).trim();
      const handedOut = removeRegions(original, findRegions(original).regions, "hidden").trim();
      if (submitted !== handedOut && submitted !== original.trim()) {
        notes.push(
          `The check cell of exercise ${exercise.id} (cell ${origin[index]! + 1}, id "${cells[index].id}") was edited in the submission; the original check ran instead.`,
        );
      }
      cells[index] = graded;
    } else {
      // Put it back after the exercise's own cell, else after the nearest earlier reference cell the
      // submission has.
      let after = -1;
      for (const s of exercise.solutionCells) after = Math.max(after, at(s.id));
      for (let r = exercise.checkCell.index - 1; after < 0 && r >= 0; r--) {
        const id = reference.cells[r].id;
        if (typeof id === "string") after = at(id);
      }
      index = after < 0 ? cells.length : after + 1;
      cells.splice(index, 0, graded);
      origin.splice(index, 0, null);
      notes.push(
        `The check cell of exercise ${exercise.id} was missing from the submission; the grader put the original back.`,
      );
    }
    claimed.add(graded);
    gradedCells.set(exercise.id, graded);
  }

  // Check cells may use names defined in other cells (an import, a helper): say which of those changed.
  const exerciseCellIds = new Set(
    format.exercises.flatMap((e) => [e.checkCell.id, ...e.solutionCells.map((s) => s.id)]),
  );
  const edited: string[] = [];
  reference.cells.forEach((refCell) => {
    if (refCell.cell_type !== "code" || typeof refCell.id !== "string" || exerciseCellIds.has(refCell.id))
      return;
    const index = cells.findIndex((c) => c.id === refCell.id && !claimed.has(c));
    if (index >= 0 && cellSource(cells[index]).trim() !== cellSource(refCell).trim())
      edited.push(`cell ${origin[index]! + 1} (id "${refCell.id}")`);
  });
  if (edited.length > 0) {
    notes.push(
      `Code cells outside the exercises differ from the handed-out notebook: ${edited.join(", ")}. Learners may experiment there, but the checks may use names defined in them; look at them if a score surprises you.`,
    );
  }

  // Ids must be unique and valid for nbformat; results are read by position anyway.
  const used = new Set<string>();
  cells.forEach((cell, i) => {
    let id = typeof cell.id === "string" && SAFE_ID.test(cell.id) ? cell.id : `cell-${i + 1}`;
    for (let k = 2; used.has(id); k++) id = `${String(cell.id ?? "cell").slice(0, 50)}-${k}`;
    used.add(id);
    cell.id = id;
  });

  const setup: NotebookCell = {
    cell_type: "code",
    id: `gradient-lab-grader-${randomBytes(4).toString("hex")}`,
    metadata: {},
    source:
      "// Added by the Gradient Lab grader before any submitted code runs: the checks record your answers for the grader.\n" +
      `const ${checksName} = require("kernel-lib/dist/answers").answerChecks();`,
    outputs: [],
    execution_count: null,
  };
  cells.unshift(setup);
  origin.unshift(null);

  const checkIndex = new Map<string, number>();
  const solutionIndex = new Map<string, number[]>();
  for (const exercise of format.exercises) {
    checkIndex.set(exercise.id, cells.indexOf(gradedCells.get(exercise.id)!));
    const found: number[] = [];
    const lost: string[] = [];
    for (const s of exercise.solutionCells) {
      const i = cells.findIndex((c, k) => k > 0 && c.id === s.id && c.cell_type === "code");
      if (i >= 0) found.push(i);
      else lost.push(s.id);
    }
    solutionIndex.set(exercise.id, found);
    if (lost.length > 0) missing.set(exercise.id, lost);
  }
  const nb: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { ...TSLAB_KERNELSPEC } },
    cells,
  };
  return { nb, origin, checkIndex, solutionIndex, missing, notes, setupIndex: 0, judged };
}

/**
 * The check cell that only hands the learner's answers to the reference's test inputs back, or null
 * when the cell's checks cannot be turned into that (an expression instead of a name, inputs that
 * are not data, checkThat, a check called in a loop).
 */
export function answerCheckSource(
  original: string,
  id: string,
  checksName: string,
  expected: ExpectedRecord[] | undefined,
): string | null {
  if (!expected || expected.length === 0) return null;
  let calls: CheckCall[];
  try {
    calls = findChecks(original);
  } catch {
    return null;
  }
  if (calls.length !== expected.length) return null;
  const lines = [
    `// The grader's check of exercise ${id}: your answers to the test inputs go back to the grader, which compares them with the reference.`,
  ];
  for (const [k, call] of calls.entries()) {
    const record = expected[k];
    if (call.id !== id || record.id !== id || call.learner === null || call.method === "checkThat")
      return null;
    if (call.method === "checkFunction" && record.kind === "function" && record.cases) {
      lines.push(
        `${checksName}.answerFunction(${JSON.stringify(id)}, ${call.learner}, ${JSON.stringify(record.cases)});`,
      );
    } else if (call.method === "checkValue" && record.kind === "value") {
      lines.push(`${checksName}.checkValue(${JSON.stringify(id)}, ${call.learner});`);
    } else return null;
  }
  return lines.join("\n");
}

/**
 * The grader's copy of a reference notebook: the check cells record test inputs and expected values
 * through `checksName`, and where an exercise has a judge plan, the inputs its check gives the
 * learner's functions (through spies; see ./judging.ts).
 */
export function buildReferenceNotebook(
  reference: Notebook,
  format: NotebookFormat,
  checksName = `gradientLabExpected_${randomBytes(6).toString("hex")}`,
  plans: Map<string, JudgePlan> = new Map(),
): Notebook {
  const checkCells = new Map(format.exercises.map((e) => [e.checkCell.index, e.id]));
  const cells = reference.cells.map((cell, i): NotebookCell => {
    const copy = cleanCell(cell);
    const id = checkCells.get(i);
    const plan = id === undefined ? undefined : plans.get(id);
    if (plan) copy.source = spiedCheckSource(plan, checksName);
    else if (id !== undefined) copy.source = gradedCheckSource(cellSource(cell), checksName);
    return copy;
  });
  cells.unshift({
    cell_type: "code",
    id: `gradient-lab-grader-${randomBytes(4).toString("hex")}`,
    metadata: {},
    source: `const ${checksName} = require("kernel-lib/dist/answers").expectedChecks();`,
    outputs: [],
    execution_count: null,
  });
  return { nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { ...TSLAB_KERNELSPEC } }, cells };
}

/**
 * The expected records of each exercise from an executed {@link buildReferenceNotebook}, or why an exercise
 * has none.
 */
export function expectedRecords(
  format: NotebookFormat,
  run: RunResult,
): { expected: Map<string, ExpectedRecord[]>; problems: Map<string, string> } {
  const expected = new Map<string, ExpectedRecord[]>();
  const problems = new Map<string, string>();
  for (const exercise of format.exercises) {
    const index = exercise.checkCell.index + 1; // after the setup cell
    const result = run.cells.find((c) => c.index === index);
    const records = (run.notebook.cells[index]?.outputs ?? [])
      .map((o) => o?.data?.[EXPECTED_MIME])
      .filter((r) => r && typeof r === "object" && r.id === exercise.id) as ExpectedRecord[];
    if (result?.status === "ok" && records.length > 0) expected.set(exercise.id, records);
    else
      problems.set(
        exercise.id,
        `the reference notebook's check of exercise ${exercise.id} did not run: ${result ? cellError(result, 0) : "the run stopped before it"}`,
      );
  }
  return { expected, problems };
}

function callsCheck(source: string, id: string): boolean {
  try {
    return findChecks(source).some((c) => c.id === id);
  } catch {
    return false;
  }
}

/**
 * A short account of why a cell failed, as one sentence: the TypeScript diagnostics, the error thrown, a
 * timeout.
 */
export function cellError(result: CellResult, timeoutSeconds: number): string {
  const reason = result.reason ?? "";
  if (reason.startsWith("timed out"))
    return `it ran longer than ${timeoutSeconds} s and was stopped (an endless loop?).`;
  if (reason === "the kernel died")
    return "the kernel died while it ran (did the code call process.exit, or use too much memory?).";
  // The kernel's error output (name and message first) and anything the cell wrote to stderr.
  const stderr = [result.error ?? "", result.stderr ?? ""].join("\n");
  // One location per distinct message: a missing name is reported at each use.
  const diagnostics = new Map<string, string>();
  for (const m of stderr.matchAll(/^\s*(\d+):(\d+) - (.*)$/gm)) {
    const text = m[3].trim().replace(/\.$/, "");
    if (!diagnostics.has(text)) diagnostics.set(text, `line ${m[1]}, column ${m[2]}: ${text}`);
  }
  if (diagnostics.size > 0)
    return sentence(`TypeScript error at ${[...diagnostics.values()].slice(0, 3).join("; ")}`);
  const thrown =
    /^(?:Uncaught\s+)?(\w*(?:Error|Failure|Exception|Rejection))(?:\s*\[[^\]]*\])?:\s*(.+)$/m.exec(stderr);
  if (thrown) return sentence(`${thrown[1]}: ${thrown[2].trim()}`);
  const first = stderr
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l !== "");
  return sentence(first ?? (reason || "it failed"));
}

/** Shortened to `max` characters, ending with a full stop. */
function sentence(text: string, max = 400): string {
  const short = shorten(text, max);
  return /[.!?…)]$/.test(short) ? short : short + ".";
}

function shorten(text: string, max = 400): string {
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

/** The learner's answer records with this exercise id among a cell's outputs. */
export function answerRecords(cell: NotebookCell | undefined, id: string): AnswerRecord[] {
  const found: AnswerRecord[] = [];
  for (const output of cell?.outputs ?? []) {
    const record = output?.data?.[ANSWER_MIME];
    if (record && typeof record === "object" && record.id === id) found.push(record as AnswerRecord);
  }
  return found;
}

/**
 * The verdicts on an exercise's check calls: the k-th answer record of the check cell against the k-th
 * expected record.
 */
export function verdicts(
  expected: ExpectedRecord[],
  answers: AnswerRecord[],
): { passed: boolean; message: string }[] {
  if (answers.length === 0) return [];
  return expected.map((e, k) => {
    try {
      return judge(e, answers[k]);
    } catch {
      return { passed: false, message: "The check's answers are not data the grader can read." };
    }
  });
}

/**
 * Where a cell of the graded notebook came from, for messages ("cell 5, id "x""), numbered as in the
 * submission.
 */
export function describeCell(graded: GradedNotebook, index: number): string {
  const from = graded.origin[index];
  return from === null
    ? "the check cell put back by the grader"
    : `cell ${from + 1}, id "${graded.nb.cells[index].id}"`;
}

/** The grade of every exercise from an executed graded notebook. */
export function scoreExercises(
  exercises: Exercise[],
  graded: GradedNotebook,
  run: RunResult,
  timeoutSeconds: number,
  expected: Map<string, ExpectedRecord[]>,
  problems: Map<string, string> = new Map(),
  judgeVerdicts: Map<string, Verdict[] | string> = new Map(),
): { grades: ExerciseGrade[]; reached: boolean[] } {
  const results = new Map(run.cells.map((c) => [c.index, c]));
  const grades: ExerciseGrade[] = [];
  const reached: boolean[] = [];
  for (const exercise of exercises) {
    const checkAt = graded.checkIndex.get(exercise.id)!;
    const check = results.get(checkAt);
    const solutions = (graded.solutionIndex.get(exercise.id) ?? []).map((i) => ({
      i,
      result: results.get(i),
    }));
    const failedSolution = solutions.find((s) => s.result?.status === "failed");
    const judgedBy = graded.judged.has(exercise.id) ? judgeVerdicts.get(exercise.id) : undefined;
    const records = graded.judged.has(exercise.id)
      ? Array.isArray(judgedBy)
        ? judgedBy
        : []
      : verdicts(expected.get(exercise.id) ?? [], answerRecords(run.notebook.cells[checkAt], exercise.id));
    const grade: ExerciseGrade = {
      id: exercise.id,
      points: 0,
      maxPoints: exercise.points,
      status: "error",
      message: "",
    };
    reached.push(check !== undefined && check.status !== "skipped");

    if (problems.has(exercise.id)) {
      grade.message = `Not graded: ${problems.get(exercise.id)}`;
    } else if (check?.status === "ok" && typeof judgedBy === "string") {
      grade.message = `The check could not use your answers: ${judgedBy}`;
    } else if (!check || check.status === "skipped") {
      grade.message = `The check did not run${run.error ? `: ${run.error.split("\n")[0]}` : "."}`;
    } else if (check.status === "ok" && records.length > 0 && records.every((r) => r.passed)) {
      grade.status = "passed";
      grade.points = exercise.points;
      grade.message = records[records.length - 1].message;
    } else if (check.reason?.startsWith("timed out")) {
      grade.status = "timeout";
      grade.message = `The check ran longer than ${timeoutSeconds} s and was stopped (an endless loop in your code?).`;
    } else if (records.some((r) => !r.passed)) {
      grade.status = "failed";
      grade.message = records.find((r) => !r.passed)!.message;
    } else if (check.status === "ok") {
      grade.message =
        "The check ran but gave no answers (did the code replace kernel-lib's check functions?).";
    } else {
      grade.message = `The check could not run: ${cellError(check, timeoutSeconds)}`;
    }

    if (grade.status !== "passed") {
      // An exercise left as handed out is not an error of the notebook: the answer is just not there yet.
      const unfinished = LANGUAGES.map((l) => messagesIn(l).notImplemented(exercise.id).split(":")[0]);
      const said = `${grade.message}${failedSolution?.result?.error ?? ""}${failedSolution?.result?.stderr ?? ""}`;
      if (grade.status === "error" && unfinished.some((u) => said.includes(u))) grade.status = "failed";
      if (failedSolution?.result) {
        const timedOut = failedSolution.result.reason?.startsWith("timed out");
        if (timedOut) grade.status = "timeout";
        const then = grade.message.startsWith("The check could not run")
          ? grade.message.replace("The check", "So the check")
          : `The check said: ${grade.message}`;
        grade.message = `Your exercise cell (${describeCell(graded, failedSolution.i)}) failed: ${cellError(failedSolution.result, timeoutSeconds)} ${then}`;
      }
      const lost = graded.missing.get(exercise.id);
      if (lost) {
        grade.status = "missing";
        grade.message = `The exercise cell (id ${lost.map((id) => `"${id}"`).join(", ")}) is not in the submission: it was deleted, or its id changed. ${grade.message}`;
      }
    }
    grade.message = grade.message.trim();
    grades.push(grade);
  }
  return { grades, reached };
}

/** The submission's cells that failed and belong to no exercise ("cell 3 (id "x"): TypeScript error …"). */
export function otherFailures(
  exercises: Exercise[],
  graded: GradedNotebook,
  run: RunResult,
  timeoutSeconds: number,
): string[] {
  const exerciseCells = new Set<number>();
  for (const e of exercises) {
    exerciseCells.add(graded.checkIndex.get(e.id)!);
    for (const i of graded.solutionIndex.get(e.id) ?? []) exerciseCells.add(i);
  }
  return run.cells
    .filter((c) => c.status === "failed" && c.index !== graded.setupIndex && !exerciseCells.has(c.index))
    .map((c) => `${describeCell(graded, c.index)}: ${cellError(c, timeoutSeconds)}`);
}
