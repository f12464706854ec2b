/**
 * `npm run assign -- <notebooks or folders...> --out <folder>`: writes the student versions of
 * reference notebooks. Each solution region becomes `throw exercises.notImplemented("<id>");`,
 * hidden tests are removed and outputs cleared; cell ids, metadata and everything else stay. The
 * references are only read. Nothing is written unless every notebook follows the exercise format
 * (scripts/exercise-format.ts); each file is written atomically. With `--nbgrader` it writes an
 * nbgrader course folder instead (scripts/nbgrader-course.ts).
 */
import fs from "node:fs";
import path from "node:path";
import { analyzeNotebook, Exercise, studentNotebook } from "./exercise-format";
import { ROOT, writeFileAtomic } from "./jupyter-env";
import { readNotebook, serializeNotebook } from "./notebook-hygiene";
import { nbgraderConfig, nbgraderSourceNotebook, sourcePath } from "./nbgrader-course";
import { listNotebooks, Notebook } from "./notebook-runner";

const USAGE = "usage: npm run assign -- <notebooks or folders...> --out <folder> [--nbgrader]";

/** A reference notebook to hand out and where its student version goes. */
export interface AssignTarget {
  source: string;
  /** The path under the output folder (the folder structure below an input folder is kept). */
  relative: string;
}

/** The notebooks named by `inputs` (files, or folders searched recursively), with their output paths. */
export function collectTargets(inputs: string[]): { targets: AssignTarget[]; sourceDirs: string[] } {
  const targets: AssignTarget[] = [];
  const sourceDirs: string[] = [];
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new UsageError(`${input} does not exist.`);
    if (fs.statSync(input).isDirectory()) {
      sourceDirs.push(input);
      const found = listNotebooks(input);
      if (found.length === 0) throw new UsageError(`${input} holds no .ipynb notebooks.`);
      for (const file of found) targets.push({ source: file, relative: path.relative(input, file) });
    } else {
      if (!input.endsWith(".ipynb")) throw new UsageError(`${input} is not a notebook (.ipynb).`);
      sourceDirs.push(path.dirname(input));
      targets.push({ source: input, relative: path.basename(input) });
    }
  }
  return { targets, sourceDirs };
}

/** Resolves symlinks of the longest existing part of `p`, so two spellings of one folder compare equal. */
export function realish(p: string): string {
  const absolute = path.resolve(p);
  if (fs.existsSync(absolute)) return fs.realpathSync(absolute);
  const parent = path.dirname(absolute);
  return parent === absolute ? absolute : path.join(realish(parent), path.basename(absolute));
}

/** Whether `inner` is `outer` or lies below it. */
export function isWithin(inner: string, outer: string): boolean {
  const rel = path.relative(realish(outer), realish(inner));
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/** Thrown for a mistake in the command line or its paths; the message says what to change. */
export class UsageError extends Error {}

/** The student versions of the targets, or every format error found (then nothing should be written). */
export function buildStudentVersions(targets: AssignTarget[], version: "student" | "nbgrader" = "student"): { notebooks: { target: AssignTarget; nb: Notebook; exercises: Exercise[] }[]; errors: string[] } {
  const errors: string[] = [];
  const notebooks: { target: AssignTarget; nb: Notebook; exercises: Exercise[] }[] = [];
  for (const target of targets) {
    let nb: Notebook;
    try {
      nb = readNotebook(target.source);
    } catch (err) {
      errors.push((err as Error).message);
      continue;
    }
    const format = analyzeNotebook(nb);
    if (format.errors.length > 0) {
      errors.push(...format.errors.map((e) => `${target.source}: ${e}`));
      continue;
    }
    try {
      notebooks.push({ target, nb: version === "student" ? studentNotebook(nb, format) : nbgraderSourceNotebook(nb, format), exercises: format.exercises });
    } catch (err) {
      errors.push(`${target.source}: ${(err as Error).message}`);
    }
  }
  return { notebooks, errors };
}

function parseArgs(argv: string[], base: string): { inputs: string[]; out: string; nbgrader: boolean } {
  const inputs: string[] = [];
  let out: string | undefined;
  let nbgrader = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--out") {
      out = argv[++i];
      if (!out) throw new UsageError(`--out needs a folder. ${USAGE}`);
    } else if (arg === "--nbgrader") {
      nbgrader = true;
    } else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (arg.startsWith("-")) {
      throw new UsageError(`Unknown option ${arg}. ${USAGE}`);
    } else {
      inputs.push(arg);
    }
  }
  if (inputs.length === 0) throw new UsageError(`Name the reference notebooks or their folder. ${USAGE}`);
  if (!out) throw new UsageError(`Say where the student versions go with --out <folder>. ${USAGE}`);
  return { inputs: inputs.map((p) => path.resolve(base, p)), out: path.resolve(base, out), nbgrader };
}

function main(): number {
  // npm runs scripts from the project root; paths are relative to where the command was typed.
  const base = process.env.INIT_CWD ?? process.cwd();
  const shown = (p: string) => path.relative(base, p) || ".";
  const { inputs, out, nbgrader } = parseArgs(process.argv.slice(2), base);
  // In an nbgrader course each notebook is an assignment of its own: source/<lesson>/<lesson>.ipynb.
  const destinationOf = (target: AssignTarget) => path.join(out, nbgrader ? sourcePath(target.relative) : target.relative);
  const { targets, sourceDirs } = collectTargets(inputs);
  for (const dir of sourceDirs) {
    if (isWithin(out, dir)) {
      throw new UsageError(`--out ${shown(out)} is inside the folder of the reference notebooks (${shown(dir)}); choose a folder outside it, so student versions never mix with or replace the references.`);
    }
  }
  const seen = new Map<string, string>();
  for (const target of targets) {
    const destination = realish(destinationOf(target));
    if (targets.some((t) => realish(t.source) === destination)) {
      throw new UsageError(`Writing ${shown(destinationOf(target))} would replace a reference notebook; choose another --out folder.`);
    }
    const other = seen.get(destination);
    if (other) throw new UsageError(`${shown(other)} and ${shown(target.source)} would both be written to ${shown(destination)}; hand them out in separate runs.`);
    seen.set(destination, target.source);
  }

  if (nbgrader) existingLink(path.join(out, "node_modules"), shown); // refused before anything is written
  const { notebooks, errors } = buildStudentVersions(targets, nbgrader ? "nbgrader" : "student");
  if (errors.length > 0) {
    console.error(`Nothing was written: ${errors.length === 1 ? "a notebook breaks" : "notebooks break"} the exercise format (see scripts/README-assignments.md):`);
    for (const error of errors) console.error(`  ${error.replace(base + path.sep, "")}`);
    return 1;
  }
  for (const { target, nb, exercises } of notebooks) {
    const destination = destinationOf(target);
    fs.mkdirSync(path.dirname(destination), { recursive: true });
    writeFileAtomic(destination, serializeNotebook(nb));
    const total = exercises.reduce((sum, e) => sum + e.points, 0);
    const list = exercises.map((e) => `${e.id} (${e.points} pt${e.points === 1 ? "" : "s"}${e.hiddenTests ? ", hidden tests" : ""})`).join(", ");
    console.log(`${shown(target.source)} -> ${shown(destination)}: ${exercises.length === 0 ? "no exercises" : `${exercises.length} exercise${exercises.length === 1 ? "" : "s"}, ${total} points: ${list}`}`);
  }
  if (nbgrader) writeCourseFiles(out, shown);
  return 0;
}

/** Where the link `link` points, or null when there is nothing there; refuses a file or folder in its place. */
function existingLink(link: string, shown: (p: string) => string): string | null {
  try {
    return fs.readlinkSync(link);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    if (code === "EINVAL") throw new UsageError(`${shown(link)} exists and is not a link; move it away, so the course's notebooks find kernel-lib in ${path.join(ROOT, "node_modules")}.`);
    throw err;
  }
}

/**
 * The course-wide files of an nbgrader course: its config (kept when it exists, since instructors
 * add their own settings to it) and a `node_modules` link to this project's packages, through which
 * the kernel finds kernel-lib from any notebook below the course folder.
 */
function writeCourseFiles(out: string, shown: (p: string) => string): void {
  const config = path.join(out, "nbgrader_config.py");
  if (fs.existsSync(config)) {
    console.log(`${shown(config)} exists and was kept; compare it with a fresh one (--out to an empty folder) if nbgrader misbehaves.`);
  } else {
    writeFileAtomic(config, nbgraderConfig());
    console.log(`${shown(config)}: the TypeScript kernel, the exercise markers and the code stub.`);
  }
  const link = path.join(out, "node_modules");
  const packages = path.join(ROOT, "node_modules");
  const existing = existingLink(link, shown);
  if (existing !== packages) {
    if (existing !== null) fs.rmSync(link);
    fs.symlinkSync(packages, link, "dir");
  }
  console.log(`${shown(link)} -> ${packages} (so the kernel finds kernel-lib)`);
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (err) {
    console.error(err instanceof UsageError ? err.message : (err as Error).stack ?? String(err));
    process.exitCode = err instanceof UsageError ? 2 : 1;
  }
}
