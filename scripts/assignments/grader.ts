/**
 * Grading one batch of submissions: each reference runs once in a clean kernel that records its
 * test inputs and expected values; each submission runs in a fresh TypeScript kernel in its own
 * bubblewrap sandbox (./sandbox.ts), with the grader's check cells in place of the learner's, which
 * only hand the learner's answers back; the verdicts are decided here and by the judge
 * (./judging.ts). `npm run grade` (scripts/grade.ts) drives it.
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { ExpectedRecord, NamesRecord, Verdict } from "../../kernel-lib/src/answers";
import { setLanguage } from "../../kernel-lib/src/messages";
import { notebookLanguage } from "../jupyter/editions";
import type { JupyterEnv } from "../jupyter/env";
import { serializeNotebook } from "../jupyter/hygiene";
import { CellResult, Notebook, RunResult, toCellResult } from "../jupyter/runner";
import { shownPath, ROOT } from "../lib/paths";
import type { NotebookFormat } from "./format";
import {
  buildGradedNotebook,
  buildReferenceNotebook,
  cellError,
  describeCell,
  ExerciseGrade,
  expectedRecords,
  GradedNotebook,
  JudgeSetup,
  kernelProblem,
  matchReference,
  notebookProblem,
  otherFailures,
  Reference,
  scoreExercises,
} from "./grading";
import { buildJudgeNotebook, callsRecords, judgePlans, judgeVerdicts, namesRecord } from "./judging";
import { DEFAULT_LIMITS, kernelBinds, kernelEnv, runInSandbox, SANDBOX_DIR, survivors } from "./sandbox";

/** Seconds a cell may run before it counts as an endless loop. */
export const DEFAULT_GRADE_TIMEOUT_SECONDS = 60;
/** JS heap limit of a grading kernel; the sandbox caps all of its memory at DEFAULT_LIMITS.memoryMb. */
const KERNEL_HEAP_MB = 1536;

/** One submission's result; `--json` prints these. */
export interface SubmissionGrade {
  /** The submitted file, as named on the command line (relative to where the command ran). */
  file: string;
  /** The reference notebook it was graded against, or null. */
  reference: string | null;
  score: number;
  maxScore: number;
  exercises: ExerciseGrade[];
  /**
   * What was wrong with the file as a whole (unreadable, wrong kernel, missing cells, kernel died), or null.
   */
  error: string | null;
  /** Whether every exercise's check ran; false when the file could not be run at all. */
  graded: boolean;
  /** What the grader changed or noticed (edited or missing check cells, restarts, failing cells). */
  notes: string[];
}

/** A submitted file and the grader's private copy of it. */
export interface Submission {
  path: string;
  /** Name shown in reports and the gradebook. */
  shown: string;
  /**
   * The grader's private copy, taken before any student code runs, or null when the file could not be read.
   */
  copy: string | null;
  /** The SHA-256 of the submitted bytes. */
  sha256: string | null;
  readError?: string;
}

/** The SHA-256 of `bytes`, in hex. */
export function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Everything the grading of one batch shares. */
export interface GradeContext {
  timeoutSeconds: number;
  jupyter: () => Promise<JupyterEnv>;
  /** Run kernels in the bubblewrap sandbox (false only with --no-sandbox). */
  sandbox: boolean;
  /** The grader's private folder (copies of the submissions, unsandboxed runs); kernels never see it. */
  privateDir: string;
  /** The expected answers of each reference, computed once per batch in a clean kernel. */
  expectations: Map<string, Promise<Expectations>>;
  /**
   * The judge's verdicts per reference and learner's answers (./judging.ts): the judge is the
   * seeded reference run on those answers as data, so the same answers get the same verdicts, and a
   * class whose correct answers agree needs one judge run for them all.
   */
  judgements: Map<string, Promise<Map<string, Verdict[] | string>>>;
}

/**
 * A reference's expected answers per exercise, the exercises whose reference check did not run, and what the
 * judge needs.
 */
interface Expectations {
  expected: Map<string, ExpectedRecord[]>;
  problems: Map<string, string>;
  judging: JudgeSetup;
}

/**
 * Runs a notebook in a fresh kernel: in its own sandbox (see ./sandbox.ts), or with
 * `--no-sandbox` in a temporary folder of the grader's, removed afterwards. Never throws for what the
 * notebook does; its output is capped.
 */
export async function runGradingKernel(
  nb: Notebook,
  context: GradeContext,
  slot: number,
  maxRestarts: number,
): Promise<RunResult> {
  const jupyter = await context.jupyter();
  const started = Date.now();
  const folder = context.sandbox ? null : fs.mkdtempSync(path.join(context.privateDir, "run-"));
  try {
    let base = SANDBOX_DIR;
    if (folder) {
      base = folder;
      for (const dir of ["home", "work", "tmp", "runtime"]) fs.mkdirSync(path.join(folder, dir));
      fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(folder, "work", "node_modules"), "dir");
    }
    const command = [
      jupyter.python,
      path.join(ROOT, "jupyter", "run_notebook.py"),
      "-",
      "--result-fd",
      "3",
      "--cwd",
      `${base}/work`,
      "--timeout",
      String(context.timeoutSeconds),
      "--recover",
      "--max-restarts",
      String(maxRestarts),
    ];
    const deadlineMs =
      (nb.cells.length + maxRestarts * nb.cells.length + 4) * (context.timeoutSeconds + 10) * 1000;
    const run = await runInSandbox(command, {
      input: serializeNotebook(nb),
      slot,
      limits: DEFAULT_LIMITS,
      env: kernelEnv(jupyter, KERNEL_HEAP_MB, base),
      binds: kernelBinds(jupyter),
      deadlineMs,
      sandbox: context.sandbox,
    });
    let parsed: { report: any; notebook: Notebook } | null = null;
    try {
      parsed = run.result && run.result.length > 0 ? JSON.parse(run.result.toString("utf8")) : null;
    } catch {
      parsed = null;
    }
    if (
      !parsed ||
      !parsed.report ||
      !Array.isArray(parsed.report.cells) ||
      !parsed.notebook ||
      !Array.isArray(parsed.notebook.cells)
    ) {
      const why = run.timedOut
        ? "it ran past the grader's deadline"
        : run.result === null
          ? "its output passed the grader's size limit"
          : `the notebook runner stopped (exit ${run.code ?? run.signal}): ${run.stderrTail.trim().split("\n").slice(-3).join(" ")}`;
      throw new Error(why);
    }
    const { report, notebook } = parsed;
    const cells: CellResult[] = report.cells.map(toCellResult);
    const failure = cells.find((c) => c.status === "failed") ?? null;
    const error = report.error
      ? `the kernel run broke off: ${String(report.error)}`
      : failure
        ? `cell ${failure.index + 1} failed (${failure.reason})`
        : null;
    const restarts = (Array.isArray(report.restarts) ? report.restarts : []).map((r: any) => ({
      index: Number(r.index),
      reason: String(r.reason ?? ""),
    }));
    return {
      ok: report.ok === true,
      path: "submission",
      cells,
      notebook,
      failure,
      error,
      restarts,
      durationMs: Date.now() - started,
    };
  } finally {
    if (folder) removeTree(folder);
  }
}

/** The expected answers of a reference, from one run of it in a clean kernel (memoized per batch). */
function expectationsOf(reference: Reference, context: GradeContext, slot: number): Promise<Expectations> {
  let found = context.expectations.get(reference.file);
  if (!found) {
    found = (async () => {
      const format = reference.format!;
      const plans = judgePlans(reference.nb!, format);
      try {
        const run = await runGradingKernel(
          buildReferenceNotebook(reference.nb!, format, undefined, plans),
          context,
          slot,
          2 * format.exercises.length + 5,
        );
        return {
          ...expectedRecords(format, run),
          judging: { plans, calls: callsRecords(format, run, plans) },
        };
      } catch (err) {
        const problems = new Map(
          format.exercises.map((e) => [
            e.id,
            `the reference notebook could not be run: ${(err as Error).message}`,
          ]),
        );
        return { expected: new Map(), problems, judging: { plans, calls: new Map() } };
      }
    })();
    context.expectations.set(reference.file, found);
  }
  return found;
}

/** Removes a folder the submitted code may have made hard to remove (read-only folders). */
export function removeTree(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    const unlock = (p: string) => {
      try {
        const stat = fs.lstatSync(p);
        if (stat.isDirectory()) {
          fs.chmodSync(p, 0o700);
          for (const name of fs.readdirSync(p)) unlock(path.join(p, name));
        }
      } catch {
        // gone already
      }
    };
    unlock(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Grades one submitted file; never throws for a bad submission, and never writes to it. */
export async function gradeSubmission(
  submission: Submission,
  references: Reference[],
  context: GradeContext,
  slot: number,
): Promise<SubmissionGrade> {
  const result: SubmissionGrade = {
    file: submission.shown,
    reference: null,
    score: 0,
    maxScore: 0,
    exercises: [],
    error: null,
    graded: false,
    notes: [],
  };
  const fail = (error: string): SubmissionGrade => {
    result.error = error;
    for (const e of result.exercises) e.message ||= `Not graded: ${error}`;
    return result;
  };
  if (submission.copy === null) return fail(`The file could not be read (${submission.readError}).`);
  const bytes = fs.readFileSync(submission.copy);
  let parsed: unknown = null;
  let parseError: string | null = null;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    parseError = `The file is not valid JSON, so it is not a notebook (${(err as Error).message}); it may be truncated or saved by another program. Open it in JupyterLab, save it and submit it again.`;
  }
  const nbProblem = parseError ?? notebookProblem(parsed);
  const nb = nbProblem ? null : (parsed as Notebook);
  const match = matchReference(submission.path, nb, references);
  if (match) {
    const { reference } = match;
    result.reference = shownPath(reference.file, process.env.INIT_CWD ?? process.cwd());
    result.notes.push(`Matched to the reference ${path.basename(reference.file)} by ${match.how}.`);
    for (const e of reference.format?.exercises ?? []) {
      result.exercises.push({ id: e.id, points: 0, maxPoints: e.points, status: "error", message: "" });
    }
    result.maxScore = result.exercises.reduce((sum, e) => sum + e.maxPoints, 0);
  }
  if (nbProblem) return fail(nbProblem.startsWith("The file") ? nbProblem : `The file ${nbProblem}.`);
  if (!match) {
    return fail(
      `No reference notebook matches this file: its name is not one of ${references.map((r) => path.basename(r.file)).join(", ")}, and it shares too few cell ids with any of them. Name it after the lesson it answers, or check --source.`,
    );
  }
  const reference = match.reference;
  const kernel = kernelProblem(nb!);
  if (kernel) return fail(`The notebook ${kernel}.`);
  if (reference.problem || !reference.nb || !reference.format)
    return fail(
      `The reference notebook ${path.basename(reference.file)} cannot be used: ${reference.problem}`,
    );

  const format = reference.format;
  const { expected, problems, judging } = await expectationsOf(reference, context, slot);
  const graded = buildGradedNotebook(nb!, reference.nb, format, undefined, expected, judging);
  result.notes.push(...graded.notes);
  let run: RunResult;
  try {
    run = await runGradingKernel(graded.nb, context, slot, Math.max(5, 2 * format.exercises.length));
  } catch (err) {
    return fail(`The notebook could not be run: ${(err as Error).message}`);
  }
  const setup = run.cells.find((c) => c.index === graded.setupIndex);
  if (!setup || setup.status !== "ok") {
    return fail(
      `The grader's setup cell failed, so nothing was graded (is kernel-lib built? run \`npm run build\`): ${(setup?.error.trim() || setup?.stderr.trim() || run.error || "it did not run").slice(0, 600)}`,
    );
  }
  const verdicts = await judgeSubmission(
    reference.file,
    reference.nb,
    format,
    graded,
    run,
    judging,
    context,
    slot,
  );
  // Feedback in the submission's language (scoring is synchronous, so no other submission sees the switch).
  const previousLanguage = setLanguage(notebookLanguage(nb!));
  let scored: ReturnType<typeof scoreExercises>;
  try {
    scored = scoreExercises(
      format.exercises,
      graded,
      run,
      context.timeoutSeconds,
      expected,
      problems,
      verdicts,
    );
  } finally {
    setLanguage(previousLanguage);
  }
  const { grades, reached } = scored;
  result.exercises = grades;
  result.score = grades.reduce((sum, e) => sum + e.points, 0);
  result.graded = reached.every(Boolean);

  const errors: string[] = [];
  if (graded.missing.size > 0) {
    const list = [...graded.missing].map(
      ([id, cells]) => `${id} (cell id ${cells.map((c) => `"${c}"`).join(", ")})`,
    );
    errors.push(
      `Missing exercise cells: ${list.join("; ")}. They were deleted, or their ids changed (e.g. by copying them into a new notebook); those exercises score 0 unless their check passes anyway.`,
    );
  }
  for (const restart of run.restarts) {
    const where = describeCell(graded, restart.index);
    if (restart.reason === "the kernel died")
      errors.push(
        `The kernel died while running ${where}; the grader started a new kernel, re-ran the cells before it and went on.`,
      );
    else
      result.notes.push(
        `${where[0].toUpperCase()}${where.slice(1)} ${restart.reason}; the grader stopped that kernel, started a new one, re-ran the cells before it and went on.`,
      );
  }
  if (!result.graded)
    errors.push(`The run stopped before every check ran: ${(run.error ?? "no reason given").split("\n")[0]}`);
  if (problems.size > 0) {
    result.graded = false;
    errors.push(
      `Some exercises could not be graded because ${[...problems.values()][0]}. Fix the reference notebook (run it with \`npm run notebooks\`) and grade again.`,
    );
  }
  for (const failure of otherFailures(format.exercises, graded, run, context.timeoutSeconds))
    result.notes.push(`A cell outside the exercises failed: ${failure}`);
  result.error = errors.length > 0 ? errors.join(" ") : null;

  return result;
}

/**
 * The verdicts of the judged exercises: the reference's checks run in a clean kernel on the values
 * the submission's kernel handed back (./judging.ts), once per distinct set of answers in the
 * batch. Never throws; a judge that fails leaves each exercise the reason.
 */
async function judgeSubmission(
  referenceFile: string,
  reference: Notebook,
  format: NotebookFormat,
  graded: GradedNotebook,
  run: RunResult,
  judging: JudgeSetup,
  context: GradeContext,
  slot: number,
): Promise<Map<string, Verdict[] | string>> {
  const answers = new Map<string, NamesRecord>();
  for (const id of graded.judged.keys()) {
    const record = namesRecord(run.notebook.cells[graded.checkIndex.get(id)!], id);
    if (record) answers.set(id, record);
  }
  if (answers.size === 0) return new Map();
  const key = JSON.stringify([referenceFile, [...answers].sort(([a], [b]) => (a < b ? -1 : 1))]);
  let verdicts = context.judgements.get(key);
  if (!verdicts) {
    verdicts = runJudge(reference, format, answers, judging, context, slot);
    context.judgements.set(key, verdicts);
    // Only a judge run that decided every exercise is reused; a failed one is tried again.
    void verdicts.then((found) => {
      if ([...found.values()].some((v) => typeof v === "string")) context.judgements.delete(key);
    });
  }
  return verdicts;
}

/** One judge run on `answers`; never throws. */
async function runJudge(
  reference: Notebook,
  format: NotebookFormat,
  answers: Map<string, NamesRecord>,
  judging: JudgeSetup,
  context: GradeContext,
  slot: number,
): Promise<Map<string, Verdict[] | string>> {
  const judge = buildJudgeNotebook(
    reference,
    format,
    judging.plans,
    answers,
    judging.calls,
    `gradientLabJudge_${randomBytes(6).toString("hex")}`,
  );
  try {
    const judged = await runGradingKernel(judge.nb, context, slot, 2 * answers.size + 5);
    return judgeVerdicts(judged, judge.checkIndex, (index) => {
      const result = judged.cells.find((c) => c.index === index);
      return result ? cellError(result, context.timeoutSeconds) : "the judge's run stopped before the check.";
    });
  } catch (err) {
    return new Map(
      [...answers.keys()].map((id) => [
        id,
        `the clean kernel that checks them could not run: ${(err as Error).message}`,
      ]),
    );
  }
}

/** Copies each readable submission into `dir` and records its hash, before any student code runs. */
export function takeCopies(submissions: Submission[], dir: string): void {
  fs.mkdirSync(dir, { mode: 0o700 });
  submissions.forEach((submission, i) => {
    try {
      const bytes = fs.readFileSync(submission.path);
      submission.sha256 = sha256(bytes);
      submission.copy = path.join(dir, `${i}.ipynb`);
      fs.writeFileSync(submission.copy, bytes, { mode: 0o600 });
    } catch (err) {
      submission.readError = (err as Error).message;
    }
  });
}

/**
 * Waits until no process of the sandbox in `slot` is left (its namespace's processes are reaped a
 * moment after it ends); kills any still there after two seconds and returns how many that was.
 */
export async function reapSurvivors(slot: number): Promise<number> {
  for (let wait = 0; wait < 20; wait++) {
    if (survivors(slot).length === 0) return 0;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const left = survivors(slot);
  for (const pid of left) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
  return left.length;
}
