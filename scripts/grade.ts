/**
 * `npm run grade -- <submissions or folders...> [--json] [--report-dir DIR] [--source DIR] [--timeout S]`:
 * grades students' notebooks. Each submission runs in a fresh TypeScript kernel (the notebook
 * runner of the tests) from a temporary copy, with the reference's check cells and hidden tests
 * put back, a scrubbed environment, and HOME and working folder in a temporary folder that is
 * removed afterwards. Writes a Markdown report per submission and a CSV gradebook; exits 0 only
 * when every submission was graded. See scripts/README-assignments.md.
 *
 * Grading runs the students' code with the instructor's user rights: for real isolation, run it in
 * a container (the README shows how).
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { isWithin, realish, UsageError } from "./assign";
import {
  buildGradedNotebook,
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
import { ensureJupyterEnv, JupyterEnv, ROOT, withLock, writeFileAtomic } from "./jupyter-env";
import { serializeNotebook } from "./notebook-hygiene";
import { Notebook, runNotebook, RunResult } from "./notebook-runner";

const USAGE = "usage: npm run grade -- <submission notebooks or folders...> [--json] [--report-dir DIR] [--source DIR] [--timeout SECONDS]";

/** Seconds a cell may run before it counts as an endless loop. */
export const DEFAULT_GRADE_TIMEOUT_SECONDS = 60;
/** Heap limit of a grading kernel, so a runaway allocation ends the kernel, not the machine. */
const KERNEL_HEAP_MB = 2048;

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
}

interface Submission {
  path: string;
  /** Name shown in reports and the gradebook. */
  shown: string;
}

function parseArgs(argv: string[], base: string): Options {
  const options: Options = { inputs: [], json: false, reportDir: path.join(base, "grades"), source: path.join(ROOT, "notebooks"), timeoutSeconds: DEFAULT_GRADE_TIMEOUT_SECONDS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${arg} needs a value. ${USAGE}`);
      return v;
    };
    if (arg === "--json") options.json = true;
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
    for (const file of files) found.push({ path: file, shown: shownPath(file, base) });
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

/**
 * The environment of a grading kernel: PATH and what Python, Jupyter and node need, nothing else
 * of the instructor's; HOME and temp in the sandbox folder.
 */
export function sandboxEnv(jupyter: JupyterEnv, sandbox: string): NodeJS.ProcessEnv {
  const pick = (name: string) => jupyter.env[name];
  const env: NodeJS.ProcessEnv = {
    PATH: pick("PATH"),
    HOME: path.join(sandbox, "home"),
    TMPDIR: path.join(sandbox, "tmp"),
    LANG: "C.UTF-8",
    VIRTUAL_ENV: pick("VIRTUAL_ENV"),
    JUPYTER_PATH: pick("JUPYTER_PATH"),
    JUPYTER_DATA_DIR: pick("JUPYTER_DATA_DIR"),
    JUPYTER_CONFIG_DIR: pick("JUPYTER_CONFIG_DIR"),
    JUPYTER_CONFIG_PATH: pick("JUPYTER_CONFIG_PATH"),
    JUPYTER_PREFER_ENV_PATH: pick("JUPYTER_PREFER_ENV_PATH"),
    JUPYTER_RUNTIME_DIR: path.join(sandbox, "runtime"),
    PYTHONNOUSERSITE: "1",
    NODE_PATH: path.join(ROOT, "node_modules"),
    NODE_OPTIONS: `--max-old-space-size=${KERNEL_HEAP_MB}`,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return env;
}

/**
 * Runs a notebook in a fresh kernel inside a temporary sandbox folder (HOME, working folder with a
 * node_modules link to the project's, temp, Jupyter runtime), removed afterwards.
 */
export async function runSandboxed(nb: Notebook, jupyter: JupyterEnv, timeoutSeconds: number, maxRestarts: number): Promise<RunResult> {
  const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-grade-"));
  try {
    for (const dir of ["home", "work", "tmp", "runtime"]) fs.mkdirSync(path.join(sandbox, dir), { mode: 0o700 });
    // tslab resolves `kernel-lib` and its types from the working folder upwards.
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(sandbox, "work", "node_modules"), "dir");
    const file = path.join(sandbox, "submission.ipynb");
    fs.writeFileSync(file, serializeNotebook(nb));
    return await runNotebook(file, {
      jupyter: { ...jupyter, env: sandboxEnv(jupyter, sandbox) },
      cwd: path.join(sandbox, "work"),
      timeoutSeconds,
      recover: true,
      maxRestarts,
    });
  } finally {
    removeTree(sandbox);
  }
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
export async function gradeSubmission(submission: Submission, references: Reference[], options: { timeoutSeconds: number; jupyter: () => Promise<JupyterEnv> }): Promise<SubmissionGrade> {
  const result: SubmissionGrade = { file: submission.shown, reference: null, score: 0, maxScore: 0, exercises: [], error: null, graded: false, notes: [] };
  const fail = (error: string): SubmissionGrade => {
    result.error = error;
    for (const e of result.exercises) e.message ||= `Not graded: ${error}`;
    return result;
  };
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(submission.path);
  } catch (err) {
    return fail(`The file could not be read (${(err as Error).message}).`);
  }
  const before = sha256(bytes);
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
  const graded = buildGradedNotebook(nb!, reference.nb, format);
  result.notes.push(...graded.notes);
  let run: RunResult;
  try {
    const jupyter = await options.jupyter();
    // Kernel runs of this checkout take turns (as in the tests): two at once starve a small machine.
    run = await withLock("a kernel run", (line) => process.stderr.write(line + "\n"), () =>
      runSandboxed(graded.nb, jupyter, options.timeoutSeconds, Math.max(5, 2 * format.exercises.length)),
    );
  } catch (err) {
    return fail(`The notebook could not be run: ${(err as Error).message}`);
  }
  const setup = run.cells.find((c) => c.index === graded.setupIndex);
  if (!setup || setup.status !== "ok") {
    return fail(`The grader's setup cell failed, so nothing was graded (is kernel-lib built? run \`npm run build\`): ${setup?.error.trim() || setup?.stderr.trim() || run.error || "it did not run"}`);
  }
  const { grades, reached } = scoreExercises(format.exercises, graded, run, options.timeoutSeconds);
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
  for (const failure of otherFailures(format.exercises, graded, run, options.timeoutSeconds)) result.notes.push(`A cell outside the exercises failed: ${failure}`);
  result.error = errors.length > 0 ? errors.join(" ") : null;

  // The submitted file must be exactly as it was.
  const after = fs.existsSync(submission.path) ? sha256(fs.readFileSync(submission.path)) : "gone";
  if (after !== before) {
    result.graded = false;
    result.error = `${result.error ?? ""} The submitted file changed while it was graded (was it open in an editor, or did the notebook's code write to it?); grade it again.`.trim();
  }
  return result;
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

  let jupyter: Promise<JupyterEnv> | null = null;
  const getJupyter = () => (jupyter ??= ensureJupyterEnv());
  const log = (line: string) => process.stderr.write(line + "\n");
  const grades: SubmissionGrade[] = [];
  const date = new Date();
  for (const submission of submissions) {
    const started = Date.now();
    log(`Grading ${submission.shown} ...`);
    const grade = await gradeSubmission(submission, references, { timeoutSeconds: options.timeoutSeconds, jupyter: getJupyter });
    grades.push(grade);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    log(`  ${grade.score} / ${grade.maxScore}${grade.error ? ` — ${grade.error.split("\n")[0].slice(0, 160)}` : ""} (${seconds} s)`);
  }

  fs.mkdirSync(options.reportDir, { recursive: true });
  grades.forEach((grade, i) => writeFileAtomic(reportFiles[i], markdownReport(grade, { timeoutSeconds: options.timeoutSeconds, date })));
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
