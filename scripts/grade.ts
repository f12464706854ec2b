/**
 * `npm run grade -- <submissions or folders...> [--json] [--report-dir DIR] [--source DIR] [--timeout S] [--jobs N] [--no-sandbox]`:
 * grades students' notebooks. The submissions are copied and hashed into a private folder first.
 * Each reference runs once in a clean kernel that records its test inputs and expected values;
 * each submission runs in a fresh TypeScript kernel in its own bubblewrap sandbox
 * (scripts/sandbox.ts), with the grader's check cells in place of the learner's, which only hand
 * the learner's answers back; the verdicts are decided here. Writes each Markdown report as soon
 * as its submission is graded and the CSV gradebook at the end; exits 0 only when every
 * submission was graded. The README's "Assignments" section describes it for instructors.
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ExpectedRecord, NamesRecord, Verdict } from "../kernel-lib/src/answers";
import type { NotebookFormat } from "./exercise-format";
import { buildJudgeNotebook, callsRecords, judgePlans, judgeVerdicts, namesRecord } from "./judging";
import { isWithin, realish, UsageError } from "./assign";
import {
  buildGradedNotebook,
  cellError,
  GradedNotebook,
  JudgeSetup,
  buildReferenceNotebook,
  expectedRecords,
  describeCell,
  ExerciseGrade,
  kernelProblem,
  loadReferences,
  matchReference,
  notebookProblem,
  otherFailures,
  Reference,
  scoreExercises,
} from "./grading";
import { setLanguage } from "../kernel-lib/src/messages";
import { notebookLanguage } from "./editions";
import { ensureJupyterEnv, JupyterEnv, ROOT, writeFileAtomic } from "./jupyter-env";
import { serializeNotebook } from "./notebook-hygiene";
import { CellResult, Notebook, RunResult, toCellResult } from "./notebook-runner";
import { DEFAULT_LIMITS, kernelBinds, kernelEnv, killSandboxes, runInSandbox, SANDBOX_DIR, sandboxProblem, survivors } from "./sandbox";

const USAGE = "usage: npm run grade -- <submission notebooks or folders...> [--json] [--report-dir DIR] [--source DIR] [--timeout SECONDS] [--jobs N] [--no-sandbox]";

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
  /** What was wrong with the file as a whole (unreadable, wrong kernel, missing cells, kernel died), or null. */
  error: string | null;
  /** Whether every exercise's check ran; false when the file could not be run at all. */
  graded: boolean;
  /** What the grader changed or noticed (edited or missing check cells, restarts, failing cells). */
  notes: string[];
}

interface Options {
  inputs: string[];
  json: boolean;
  reportDir: string;
  source: string;
  timeoutSeconds: number;
  /** Submissions graded at once. */
  jobs: number;
  /** Run students' code without the bubblewrap sandbox (only where it cannot be had, for code one trusts). */
  noSandbox: boolean;
}

interface Submission {
  path: string;
  /** Name shown in reports and the gradebook. */
  shown: string;
  /** The grader's private copy, taken before any student code runs, or null when the file could not be read. */
  copy: string | null;
  /** The SHA-256 of the submitted bytes. */
  sha256: string | null;
  readError?: string;
}

function parseArgs(argv: string[], base: string): Options {
  const options: Options = { inputs: [], json: false, reportDir: path.join(base, "grades"), source: path.join(ROOT, "notebooks"), timeoutSeconds: DEFAULT_GRADE_TIMEOUT_SECONDS, jobs: os.availableParallelism?.() ?? os.cpus().length, noSandbox: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${arg} needs a value. ${USAGE}`);
      return v;
    };
    if (arg === "--json") options.json = true;
    else if (arg === "--no-sandbox") options.noSandbox = true;
    else if (arg === "--jobs") {
      options.jobs = Number(value());
      if (!(options.jobs >= 1) || !Number.isInteger(options.jobs) || options.jobs > 64) throw new UsageError(`--jobs needs a whole number of submissions to grade at once, 1 to 64. ${USAGE}`);
    }
    else if (arg === "--report-dir") options.reportDir = path.resolve(base, value());
    else if (arg === "--source") options.source = path.resolve(base, value());
    else if (arg === "--timeout") {
      options.timeoutSeconds = Number(value());
      if (!(options.timeoutSeconds > 0) || !Number.isInteger(options.timeoutSeconds)) throw new UsageError(`--timeout needs a whole number of seconds per cell. ${USAGE}`);
    } else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (arg.startsWith("-")) throw new UsageError(`Unknown option ${arg}. ${USAGE}`);
    else options.inputs.push(path.resolve(base, arg));
  }
  if (options.inputs.length === 0) throw new UsageError(`Name the submitted notebooks or their folder. ${USAGE}`);
  return options;
}

/** The submitted files: files as named (whatever their extension), folders searched for .ipynb files. */
function collectSubmissions(inputs: string[], base: string): Submission[] {
  const found: Submission[] = [];
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return entry.name.startsWith(".") || entry.name === "node_modules" ? [] : walk(full);
      return entry.isFile() && entry.name.endsWith(".ipynb") ? [full] : [];
    });
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new UsageError(`${path.relative(base, input) || input} does not exist.`);
    const files = fs.statSync(input).isDirectory() ? walk(input).sort() : [input];
    if (files.length === 0) throw new UsageError(`${path.relative(base, input)} holds no .ipynb files.`);
    for (const file of files) found.push({ path: file, shown: shownPath(file, base), copy: null, sha256: null });
  }
  return found;
}

/** A path relative to where the command ran, or absolute when it lies elsewhere. */
function shownPath(file: string, base: string): string {
  const rel = path.relative(base, file);
  return rel === "" || rel.startsWith("..") || path.isAbsolute(rel) ? file : rel;
}

function sha256(bytes: Buffer): string {
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
   * The judge's verdicts per reference and learner's answers (scripts/judging.ts): the judge is the
   * seeded reference run on those answers as data, so the same answers get the same verdicts, and a
   * class whose correct answers agree needs one judge run for them all.
   */
  judgements: Map<string, Promise<Map<string, Verdict[] | string>>>;
}

/** A reference's expected answers per exercise, the exercises whose reference check did not run, and what the judge needs. */
interface Expectations {
  expected: Map<string, ExpectedRecord[]>;
  problems: Map<string, string>;
  judging: JudgeSetup;
}

/**
 * Runs a notebook in a fresh kernel: in its own sandbox (see scripts/sandbox.ts), or with
 * `--no-sandbox` in a temporary folder of the grader's, removed afterwards. Never throws for what the
 * notebook does; its output is capped.
 */
export async function runGradingKernel(nb: Notebook, context: GradeContext, slot: number, maxRestarts: number): Promise<RunResult> {
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
    const command = [jupyter.python, path.join(ROOT, "jupyter", "run_notebook.py"), "-", "--result-fd", "3", "--cwd", `${base}/work`, "--timeout", String(context.timeoutSeconds), "--recover", "--max-restarts", String(maxRestarts)];
    const deadlineMs = (nb.cells.length + maxRestarts * nb.cells.length + 4) * (context.timeoutSeconds + 10) * 1000;
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
    if (!parsed || !parsed.report || !Array.isArray(parsed.report.cells) || !parsed.notebook || !Array.isArray(parsed.notebook.cells)) {
      const why = run.timedOut ? "it ran past the grader's deadline" : run.result === null ? "its output passed the grader's size limit" : `the notebook runner stopped (exit ${run.code ?? run.signal}): ${run.stderrTail.trim().split("\n").slice(-3).join(" ")}`;
      throw new Error(why);
    }
    const { report, notebook } = parsed;
    const cells: CellResult[] = report.cells.map(toCellResult);
    const failure = cells.find((c) => c.status === "failed") ?? null;
    const error = report.error ? `the kernel run broke off: ${String(report.error)}` : failure ? `cell ${failure.index + 1} failed (${failure.reason})` : null;
    const restarts = (Array.isArray(report.restarts) ? report.restarts : []).map((r: any) => ({ index: Number(r.index), reason: String(r.reason ?? "") }));
    return { ok: report.ok === true, path: "submission", cells, notebook, failure, error, restarts, durationMs: Date.now() - started };
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
        const run = await runGradingKernel(buildReferenceNotebook(reference.nb!, format, undefined, plans), context, slot, 2 * format.exercises.length + 5);
        return { ...expectedRecords(format, run), judging: { plans, calls: callsRecords(format, run, plans) } };
      } catch (err) {
        const problems = new Map(format.exercises.map((e) => [e.id, `the reference notebook could not be run: ${(err as Error).message}`]));
        return { expected: new Map(), problems, judging: { plans, calls: new Map() } };
      }
    })();
    context.expectations.set(reference.file, found);
  }
  return found;
}

/** Removes a folder the submitted code may have made hard to remove (read-only folders). */
function removeTree(dir: string): void {
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
export async function gradeSubmission(submission: Submission, references: Reference[], context: GradeContext, slot: number): Promise<SubmissionGrade> {
  const result: SubmissionGrade = { file: submission.shown, reference: null, score: 0, maxScore: 0, exercises: [], error: null, graded: false, notes: [] };
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
    return fail(`No reference notebook matches this file: its name is not one of ${references.map((r) => path.basename(r.file)).join(", ")}, and it shares too few cell ids with any of them. Name it after the lesson it answers, or check --source.`);
  }
  const reference = match.reference;
  const kernel = kernelProblem(nb!);
  if (kernel) return fail(`The notebook ${kernel}.`);
  if (reference.problem || !reference.nb || !reference.format) return fail(`The reference notebook ${path.basename(reference.file)} cannot be used: ${reference.problem}`);

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
    return fail(`The grader's setup cell failed, so nothing was graded (is kernel-lib built? run \`npm run build\`): ${(setup?.error.trim() || setup?.stderr.trim() || run.error || "it did not run").slice(0, 600)}`);
  }
  const verdicts = await judgeSubmission(reference.file, reference.nb, format, graded, run, judging, context, slot);
  // Feedback in the submission's language (scoring is synchronous, so no other submission sees the switch).
  const previousLanguage = setLanguage(notebookLanguage(nb!));
  let scored: ReturnType<typeof scoreExercises>;
  try {
    scored = scoreExercises(format.exercises, graded, run, context.timeoutSeconds, expected, problems, verdicts);
  } finally {
    setLanguage(previousLanguage);
  }
  const { grades, reached } = scored;
  result.exercises = grades;
  result.score = grades.reduce((sum, e) => sum + e.points, 0);
  result.graded = reached.every(Boolean);

  const errors: string[] = [];
  if (graded.missing.size > 0) {
    const list = [...graded.missing].map(([id, cells]) => `${id} (cell id ${cells.map((c) => `"${c}"`).join(", ")})`);
    errors.push(`Missing exercise cells: ${list.join("; ")}. They were deleted, or their ids changed (e.g. by copying them into a new notebook); those exercises score 0 unless their check passes anyway.`);
  }
  for (const restart of run.restarts) {
    const where = describeCell(graded, restart.index);
    if (restart.reason === "the kernel died") errors.push(`The kernel died while running ${where}; the grader started a new kernel, re-ran the cells before it and went on.`);
    else result.notes.push(`${where[0].toUpperCase()}${where.slice(1)} ${restart.reason}; the grader stopped that kernel, started a new one, re-ran the cells before it and went on.`);
  }
  if (!result.graded) errors.push(`The run stopped before every check ran: ${(run.error ?? "no reason given").split("\n")[0]}`);
  if (problems.size > 0) {
    result.graded = false;
    errors.push(`Some exercises could not be graded because ${[...problems.values()][0]}. Fix the reference notebook (run it with \`npm run notebooks\`) and grade again.`);
  }
  for (const failure of otherFailures(format.exercises, graded, run, context.timeoutSeconds)) result.notes.push(`A cell outside the exercises failed: ${failure}`);
  result.error = errors.length > 0 ? errors.join(" ") : null;

  return result;
}

/**
 * The verdicts of the judged exercises: the reference's checks run in a clean kernel on the values
 * the submission's kernel handed back (scripts/judging.ts), once per distinct set of answers in the
 * batch. Never throws; a judge that fails leaves each exercise the reason.
 */
async function judgeSubmission(referenceFile: string, reference: Notebook, format: NotebookFormat, graded: GradedNotebook, run: RunResult, judging: JudgeSetup, context: GradeContext, slot: number): Promise<Map<string, Verdict[] | string>> {
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
async function runJudge(reference: Notebook, format: NotebookFormat, answers: Map<string, NamesRecord>, judging: JudgeSetup, context: GradeContext, slot: number): Promise<Map<string, Verdict[] | string>> {
  const judge = buildJudgeNotebook(reference, format, judging.plans, answers, judging.calls, `gradientLabJudge_${randomBytes(6).toString("hex")}`);
  try {
    const judged = await runGradingKernel(judge.nb, context, slot, 2 * answers.size + 5);
    return judgeVerdicts(judged, judge.checkIndex, (index) => {
      const result = judged.cells.find((c) => c.index === index);
      return result ? cellError(result, context.timeoutSeconds) : "the judge's run stopped before the check.";
    });
  } catch (err) {
    return new Map([...answers.keys()].map((id) => [id, `the clean kernel that checks them could not run: ${(err as Error).message}`]));
  }
}

function escapeCell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

const STATUS_LABEL: Record<ExerciseGrade["status"], string> = {
  passed: "✓ passed",
  failed: "✗ failed",
  error: "✗ error",
  missing: "✗ missing",
  timeout: "✗ timeout",
};

/** The Markdown report of one submission. */
export function markdownReport(grade: SubmissionGrade, context: { timeoutSeconds: number; date: Date }): string {
  const lines = [
    `# Grade report: ${grade.file}`,
    "",
    `- **Score: ${grade.score} / ${grade.maxScore}**${grade.graded ? "" : " (not fully graded)"}`,
    `- Reference notebook: ${grade.reference ?? "none matched"}`,
    `- Graded ${context.date.toISOString().replace("T", " ").slice(0, 16)} UTC in a fresh TypeScript kernel; a cell may run ${context.timeoutSeconds} s.`,
    "",
  ];
  if (grade.error) lines.push("## Problems with the file", "", grade.error, "");
  if (grade.exercises.length > 0) {
    lines.push("## Exercises", "", "| Exercise | Result | Points | Feedback |", "|---|---|---|---|");
    for (const e of grade.exercises) lines.push(`| ${escapeCell(e.id)} | ${STATUS_LABEL[e.status]} | ${e.points} / ${e.maxPoints} | ${escapeCell(e.message)} |`);
    lines.push("");
  }
  if (grade.notes.length > 0) lines.push("## Notes", "", ...grade.notes.map((n) => `- ${n}`), "");
  return lines.join("\n");
}

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The gradebook: one row per submission, one column per exercise (points earned), total, max, error. */
export function gradebookCsv(grades: SubmissionGrade[]): string {
  const ids: string[] = [];
  for (const g of grades) for (const e of g.exercises) if (!ids.includes(e.id)) ids.push(e.id);
  const rows = [["file", "reference", ...ids, "total", "max", "error"]];
  for (const g of grades) {
    const points = new Map(g.exercises.map((e) => [e.id, e.points]));
    rows.push([g.file, g.reference ?? "", ...ids.map((id) => (points.has(id) ? String(points.get(id)) : "")), String(g.score), String(g.maxScore), g.error ?? ""]);
  }
  return rows.map((row) => row.map(csvField).join(",")).join("\n") + "\n";
}

/** The report file name for a submission: its shown path with folders joined by "__". */
function reportName(shown: string, taken: Set<string>): string {
  const stem = shown.replace(/\.ipynb$/, "").replace(/^(\.\.[\\/])+/, "").replace(/[\\/]/g, "__").replace(/[^\w.\-]/g, "_") || "submission";
  let name = `${stem}.md`;
  for (let k = 2; taken.has(name); k++) name = `${stem}-${k}.md`;
  taken.add(name);
  return name;
}

/** Copies each readable submission into `dir` and records its hash, before any student code runs. */
function takeCopies(submissions: Submission[], dir: string): void {
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
async function reapSurvivors(slot: number): Promise<number> {
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

/** "12 s", "3 min" */
function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 90 ? `${s} s` : `${Math.round(s / 60)} min`;
}

async function main(): Promise<number> {
  const base = process.env.INIT_CWD ?? process.cwd();
  const options = parseArgs(process.argv.slice(2), base);
  if (!fs.existsSync(options.source) || !fs.statSync(options.source).isDirectory()) throw new UsageError(`The reference folder ${options.source} does not exist; name it with --source.`);
  const references = loadReferences(options.source);
  if (references.length === 0) throw new UsageError(`The reference folder ${options.source} holds no notebooks; name the folder of the reference notebooks with --source.`);
  const submissions = collectSubmissions(options.inputs, base);
  if (isWithin(options.reportDir, options.source)) throw new UsageError(`--report-dir must not be inside the reference folder ${options.source}.`);
  const taken = new Set<string>();
  const reportFiles = submissions.map((s) => path.join(options.reportDir, reportName(s.shown, taken)));
  const gradebook = path.join(options.reportDir, "gradebook.csv");
  for (const file of [...reportFiles, gradebook]) {
    if (submissions.some((s) => realish(s.path) === realish(file))) throw new UsageError(`A report would overwrite the submission ${file}; choose another --report-dir.`);
  }
  const problem = options.noSandbox ? null : sandboxProblem();
  if (problem) {
    throw new UsageError(
      `Refusing to run students' code without a sandbox: ${problem} Install bubblewrap (\`apt-get install bubblewrap\`), or grade in the container the README shows. ` +
        "Only for code you trust, --no-sandbox runs it with your own rights.",
    );
  }
  const log = (line: string) => process.stderr.write(line + "\n");
  if (options.noSandbox) log("Warning: --no-sandbox: the submissions' code runs with your rights and can read and change your files.");
  if (fs.existsSync(options.reportDir) && fs.readdirSync(options.reportDir).length > 0) {
    log(`Warning: the report folder ${path.relative(base, options.reportDir) || "."} is not empty; use a fresh folder per batch so no earlier file is mistaken for this batch's.`);
  }

  const privateDir = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-grade-"));
  const cleanUp = () => {
    killSandboxes();
    removeTree(privateDir);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    cleanUp();
    log(`Stopped by ${signal}; the reports written so far are complete, the gradebook was not written.`);
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    takeCopies(submissions, path.join(privateDir, "submissions"));
    let jupyter: Promise<JupyterEnv> | null = null;
    const context: GradeContext = {
      timeoutSeconds: options.timeoutSeconds,
      jupyter: () => (jupyter ??= ensureJupyterEnv()),
      sandbox: !options.noSandbox,
      privateDir,
      expectations: new Map(),
      judgements: new Map(),
    };
    fs.mkdirSync(options.reportDir, { recursive: true });
    const grades: SubmissionGrade[] = new Array(submissions.length);
    const date = new Date();
    const started = Date.now();
    let next = 0;
    let done = 0;
    const jobs = Math.min(options.jobs, submissions.length);
    const unwritten: string[] = [];
    log(`Grading ${submissions.length} submission${submissions.length === 1 ? "" : "s"}, ${jobs} at a time${options.noSandbox ? "" : ", each in its own sandbox"} ...`);
    const worker = async (slot: number) => {
      while (next < submissions.length) {
        const i = next++;
        const submission = submissions[i];
        const t0 = Date.now();
        let grade: SubmissionGrade;
        try {
          grade = await gradeSubmission(submission, references, context, slot);
        } catch (err) {
          grade = { file: submission.shown, reference: null, score: 0, maxScore: 0, exercises: [], error: `The grader failed on this file: ${(err as Error).message}`, graded: false, notes: [] };
        }
        const outlived = await reapSurvivors(slot);
        if (outlived > 0) grade.notes.push(`${outlived} process${outlived === 1 ? "" : "es"} of the submission outlived its sandbox and were killed.`);
        grades[i] = grade;
        try {
          writeFileAtomic(reportFiles[i], markdownReport(grade, { timeoutSeconds: options.timeoutSeconds, date }));
        } catch (err) {
          unwritten.push(`${reportFiles[i]} (${(err as Error).message})`);
        }
        done++;
        const elapsed = Date.now() - started;
        const eta = done < submissions.length ? `, about ${duration((elapsed / done) * (submissions.length - done))} left` : "";
        log(`[${done}/${submissions.length}${eta}] ${submission.shown}: ${grade.score} / ${grade.maxScore}${grade.error ? ` — ${grade.error.split("\n")[0].slice(0, 160)}` : ""} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      }
    };
    // Every worker finishes before the private folder goes, even when one of them fails.
    const outcomes = await Promise.allSettled(Array.from({ length: jobs }, (_, slot) => worker(slot)));
    for (const outcome of outcomes) if (outcome.status === "rejected") throw outcome.reason;
    if (unwritten.length > 0) throw new Error(`These reports could not be written, so the gradebook was not written either: ${unwritten.join("; ")}. Free the report folder and grade again.`);

    // The originals must still be what was graded.
    submissions.forEach((submission, i) => {
      if (submission.sha256 === null) return;
      let now = "gone";
      try {
        now = sha256(fs.readFileSync(submission.path));
      } catch {
        // reported as changed
      }
      if (now !== submission.sha256) {
        const grade = grades[i];
        grade.graded = false;
        grade.error = `${grade.error ?? ""} The submitted file changed while it was graded (was it open in an editor?); the grade is for the file as it was when grading began. Grade it again.`.trim();
        writeFileAtomic(reportFiles[i], markdownReport(grade, { timeoutSeconds: options.timeoutSeconds, date }));
      }
    });
    const folderGiven = options.inputs.some((p) => fs.statSync(p).isDirectory());
    if (folderGiven || grades.length > 1) writeFileAtomic(gradebook, gradebookCsv(grades));

    if (options.json) {
      process.stdout.write(JSON.stringify({ submissions: grades }, null, 1) + "\n");
    } else {
      const width = Math.max(...grades.map((g) => g.file.length));
      for (const g of grades) {
        const summary = g.exercises.map((e) => `${e.id} ${e.status}`).join(", ");
        console.log(`${g.file.padEnd(width)}  ${`${g.score}/${g.maxScore}`.padStart(7)}  ${g.error && !g.graded ? `not graded: ${g.error.split("\n")[0].slice(0, 120)}` : summary}`);
      }
      console.log(`Reports in ${path.relative(base, options.reportDir) || "."}/${folderGiven || grades.length > 1 ? " (gradebook.csv and one .md per submission)" : ""}.`);
    }
    const ungraded = grades.filter((g) => !g.graded).length;
    if (ungraded > 0) log(`${ungraded} of ${grades.length} submission${grades.length === 1 ? " was" : "s were"} not graded; see the reports.`);
    return ungraded === 0 ? 0 : 1;
  } finally {
    cleanUp();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (err) => {
      console.error(err instanceof UsageError ? err.message : (err as Error).stack ?? String(err));
      process.exitCode = err instanceof UsageError ? 2 : 1;
    },
  );
}
