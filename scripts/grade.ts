/**
 * `npm run grade -- <submissions or folders...> [--json] [--report-dir DIR] [--source DIR] [--timeout S]
 * [--jobs N] [--no-sandbox]`: grades students' notebooks (scripts/assignments/grader.ts). The submissions are
 * copied and hashed into a private folder first; each runs in a fresh TypeScript kernel in its own bubblewrap
 * sandbox. Writes each Markdown report as soon as its submission is graded and the CSV gradebook at the end;
 * exits 0 only when every submission was graded. docs/assignments.md describes it for instructors.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  DEFAULT_GRADE_TIMEOUT_SECONDS,
  GradeContext,
  gradeSubmission,
  reapSurvivors,
  removeTree,
  sha256,
  Submission,
  SubmissionGrade,
  takeCopies,
} from "./assignments/grader";
import { loadReferences } from "./assignments/grading";
import { gradebookCsv, markdownReport, reportName } from "./assignments/reports";
import { killSandboxes, sandboxProblem } from "./assignments/sandbox";
import { ensureJupyterEnv, JupyterEnv } from "./jupyter/env";
import { readCommandLine, runMain, UsageError } from "./lib/cli";
import { writeFileAtomic } from "./lib/files";
import { isWithin, realish, ROOT, shownPath } from "./lib/paths";

const USAGE =
  "usage: npm run grade -- <submission notebooks or folders...> [--json] [--report-dir DIR] [--source DIR] [--timeout SECONDS] [--jobs N] [--no-sandbox]";

const OPTIONS = {
  json: { type: "boolean" },
  "report-dir": { type: "string", needs: "a folder" },
  source: { type: "string", needs: "a folder" },
  timeout: { type: "string", needs: "a whole number of seconds per cell" },
  jobs: { type: "string", needs: "a whole number of submissions to grade at once, 1 to 64" },
  "no-sandbox": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

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

/** The command line, with paths resolved against `base`; null when it asked for help. */
function parseArgs(argv: string[], base: string): Options | null {
  const { values, positionals } = readCommandLine(argv, OPTIONS, USAGE);
  if (values.help) return null;
  const jobs =
    values.jobs === undefined ? (os.availableParallelism?.() ?? os.cpus().length) : Number(values.jobs);
  if (!(jobs >= 1) || !Number.isInteger(jobs) || jobs > 64)
    throw new UsageError(`--jobs needs a whole number of submissions to grade at once, 1 to 64. ${USAGE}`);
  const timeoutSeconds =
    values.timeout === undefined ? DEFAULT_GRADE_TIMEOUT_SECONDS : Number(values.timeout);
  if (!(timeoutSeconds > 0) || !Number.isInteger(timeoutSeconds))
    throw new UsageError(`--timeout needs a whole number of seconds per cell. ${USAGE}`);
  if (positionals.length === 0)
    throw new UsageError(`Name the submitted notebooks or their folder. ${USAGE}`);
  return {
    inputs: positionals.map((p) => path.resolve(base, p)),
    json: values.json ?? false,
    reportDir: path.resolve(base, values["report-dir"] ?? "grades"),
    source: values.source === undefined ? path.join(ROOT, "notebooks") : path.resolve(base, values.source),
    timeoutSeconds,
    jobs,
    noSandbox: values["no-sandbox"] ?? false,
  };
}

/** The submitted files: files as named (whatever their extension), folders searched for .ipynb files. */
function collectSubmissions(inputs: string[], base: string): Submission[] {
  const found: Submission[] = [];
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory())
        return entry.name.startsWith(".") || entry.name === "node_modules" ? [] : walk(full);
      return entry.isFile() && entry.name.endsWith(".ipynb") ? [full] : [];
    });
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new UsageError(`${path.relative(base, input) || input} does not exist.`);
    const files = fs.statSync(input).isDirectory() ? walk(input).sort() : [input];
    if (files.length === 0) throw new UsageError(`${path.relative(base, input)} holds no .ipynb files.`);
    for (const file of files)
      found.push({ path: file, shown: shownPath(file, base), copy: null, sha256: null });
  }
  return found;
}

/** "12 s", "3 min" */
function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 90 ? `${s} s` : `${Math.round(s / 60)} min`;
}

async function main(): Promise<number> {
  const base = process.env.INIT_CWD ?? process.cwd();
  const options = parseArgs(process.argv.slice(2), base);
  if (!options) {
    console.log(USAGE);
    return 0;
  }
  if (!fs.existsSync(options.source) || !fs.statSync(options.source).isDirectory())
    throw new UsageError(`The reference folder ${options.source} does not exist; name it with --source.`);
  const references = loadReferences(options.source);
  if (references.length === 0)
    throw new UsageError(
      `The reference folder ${options.source} holds no notebooks; name the folder of the reference notebooks with --source.`,
    );
  const submissions = collectSubmissions(options.inputs, base);
  if (isWithin(options.reportDir, options.source))
    throw new UsageError(`--report-dir must not be inside the reference folder ${options.source}.`);
  const taken = new Set<string>();
  const reportFiles = submissions.map((s) => path.join(options.reportDir, reportName(s.shown, taken)));
  const gradebook = path.join(options.reportDir, "gradebook.csv");
  for (const file of [...reportFiles, gradebook]) {
    if (submissions.some((s) => realish(s.path) === realish(file)))
      throw new UsageError(`A report would overwrite the submission ${file}; choose another --report-dir.`);
  }
  const problem = options.noSandbox ? null : sandboxProblem();
  if (problem) {
    throw new UsageError(
      `Refusing to run students' code without a sandbox: ${problem} Install bubblewrap (\`apt-get install bubblewrap\`), or grade in the container docs/assignments.md shows. ` +
        "Only for code you trust, --no-sandbox runs it with your own rights.",
    );
  }
  const log = (line: string) => process.stderr.write(line + "\n");
  if (options.noSandbox)
    log(
      "Warning: --no-sandbox: the submissions' code runs with your rights and can read and change your files.",
    );
  if (fs.existsSync(options.reportDir) && fs.readdirSync(options.reportDir).length > 0) {
    log(
      `Warning: the report folder ${path.relative(base, options.reportDir) || "."} is not empty; use a fresh folder per batch so no earlier file is mistaken for this batch's.`,
    );
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
    log(
      `Grading ${submissions.length} submission${submissions.length === 1 ? "" : "s"}, ${jobs} at a time${options.noSandbox ? "" : ", each in its own sandbox"} ...`,
    );
    const worker = async (slot: number) => {
      while (next < submissions.length) {
        const i = next++;
        const submission = submissions[i];
        const t0 = Date.now();
        let grade: SubmissionGrade;
        try {
          grade = await gradeSubmission(submission, references, context, slot);
        } catch (err) {
          grade = {
            file: submission.shown,
            reference: null,
            score: 0,
            maxScore: 0,
            exercises: [],
            error: `The grader failed on this file: ${(err as Error).message}`,
            graded: false,
            notes: [],
          };
        }
        const outlived = await reapSurvivors(slot);
        if (outlived > 0)
          grade.notes.push(
            `${outlived} process${outlived === 1 ? "" : "es"} of the submission outlived its sandbox and were killed.`,
          );
        grades[i] = grade;
        try {
          writeFileAtomic(
            reportFiles[i],
            markdownReport(grade, { timeoutSeconds: options.timeoutSeconds, date }),
          );
        } catch (err) {
          unwritten.push(`${reportFiles[i]} (${(err as Error).message})`);
        }
        done++;
        const elapsed = Date.now() - started;
        const eta =
          done < submissions.length
            ? `, about ${duration((elapsed / done) * (submissions.length - done))} left`
            : "";
        log(
          `[${done}/${submissions.length}${eta}] ${submission.shown}: ${grade.score} / ${grade.maxScore}${grade.error ? ` — ${grade.error.split("\n")[0].slice(0, 160)}` : ""} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
        );
      }
    };
    // Every worker finishes before the private folder goes, even when one of them fails.
    const outcomes = await Promise.allSettled(Array.from({ length: jobs }, (_, slot) => worker(slot)));
    for (const outcome of outcomes) if (outcome.status === "rejected") throw outcome.reason;
    if (unwritten.length > 0)
      throw new Error(
        `These reports could not be written, so the gradebook was not written either: ${unwritten.join("; ")}. Free the report folder and grade again.`,
      );

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
        grade.error =
          `${grade.error ?? ""} The submitted file changed while it was graded (was it open in an editor?); the grade is for the file as it was when grading began. Grade it again.`.trim();
        writeFileAtomic(
          reportFiles[i],
          markdownReport(grade, { timeoutSeconds: options.timeoutSeconds, date }),
        );
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
        console.log(
          `${g.file.padEnd(width)}  ${`${g.score}/${g.maxScore}`.padStart(7)}  ${g.error && !g.graded ? `not graded: ${g.error.split("\n")[0].slice(0, 120)}` : summary}`,
        );
      }
      console.log(
        `Reports in ${path.relative(base, options.reportDir) || "."}/${folderGiven || grades.length > 1 ? " (gradebook.csv and one .md per submission)" : ""}.`,
      );
    }
    const ungraded = grades.filter((g) => !g.graded).length;
    if (ungraded > 0)
      log(
        `${ungraded} of ${grades.length} submission${grades.length === 1 ? " was" : "s were"} not graded; see the reports.`,
      );
    return ungraded === 0 ? 0 : 1;
  } finally {
    cleanUp();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}

runMain(main);
