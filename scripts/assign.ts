/**
 * `npm run assign -- <notebooks or folders...> --out <folder>`: writes the student versions of
 * reference notebooks. Each solution region becomes `throw exercises.notImplemented("<id>");`,
 * hidden tests are removed and outputs cleared; cell ids, metadata and everything else stay. The
 * references are only read. Nothing is written unless every notebook follows the exercise format
 * (scripts/assignments/format.ts); each file is written atomically. With `--nbgrader` it writes
 * an nbgrader course folder instead (scripts/assignments/nbgrader-course.ts).
 */
import fs from "node:fs";
import path from "node:path";
import { nbgraderConfig, sourcePath } from "./assignments/nbgrader-course";
import { AssignTarget, buildStudentVersions, collectTargets } from "./assignments/student-versions";
import { serializeNotebook } from "./jupyter/hygiene";
import { readCommandLine, runMain, UsageError } from "./lib/cli";
import { writeFileAtomic } from "./lib/files";
import { isWithin, realish, ROOT } from "./lib/paths";

const USAGE = "usage: npm run assign -- <notebooks or folders...> --out <folder> [--nbgrader]";

const OPTIONS = {
  out: { type: "string", needs: "a folder" },
  nbgrader: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** The command line, with paths resolved against `base`; null when it asked for help. */
function parseArgs(
  argv: string[],
  base: string,
): { inputs: string[]; out: string; nbgrader: boolean } | null {
  const { values, positionals: inputs } = readCommandLine(argv, OPTIONS, USAGE);
  if (values.help) return null;
  if (inputs.length === 0) throw new UsageError(`Name the reference notebooks or their folder. ${USAGE}`);
  if (!values.out) throw new UsageError(`Say where the student versions go with --out <folder>. ${USAGE}`);
  return {
    inputs: inputs.map((p) => path.resolve(base, p)),
    out: path.resolve(base, values.out),
    nbgrader: values.nbgrader ?? false,
  };
}

function main(): number {
  // npm runs scripts from the project root; paths are relative to where the command was typed.
  const base = process.env.INIT_CWD ?? process.cwd();
  const shown = (p: string) => path.relative(base, p) || ".";
  const args = parseArgs(process.argv.slice(2), base);
  if (!args) {
    console.log(USAGE);
    return 0;
  }
  const { inputs, out, nbgrader } = args;
  // In an nbgrader course each notebook is an assignment of its own: source/<lesson>/<lesson>.ipynb.
  const destinationOf = (target: AssignTarget) =>
    path.join(out, nbgrader ? sourcePath(target.relative) : target.relative);
  const { targets, sourceDirs } = collectTargets(inputs);
  for (const dir of sourceDirs) {
    if (isWithin(out, dir)) {
      throw new UsageError(
        `--out ${shown(out)} is inside the folder of the reference notebooks (${shown(dir)}); choose a folder outside it, so student versions never mix with or replace the references.`,
      );
    }
  }
  const seen = new Map<string, string>();
  for (const target of targets) {
    const destination = realish(destinationOf(target));
    if (targets.some((t) => realish(t.source) === destination)) {
      throw new UsageError(
        `Writing ${shown(destinationOf(target))} would replace a reference notebook; choose another --out folder.`,
      );
    }
    const other = seen.get(destination);
    if (other)
      throw new UsageError(
        `${shown(other)} and ${shown(target.source)} would both be written to ${shown(destination)}; hand them out in separate runs.`,
      );
    seen.set(destination, target.source);
  }

  if (nbgrader) existingLink(path.join(out, "node_modules"), shown); // refused before anything is written
  const { notebooks, errors } = buildStudentVersions(targets, nbgrader ? "nbgrader" : "student");
  if (errors.length > 0) {
    console.error(
      `Nothing was written: ${errors.length === 1 ? "a notebook breaks" : "notebooks break"} the exercise format (see docs/assignments.md):`,
    );
    for (const error of errors) console.error(`  ${error.replace(base + path.sep, "")}`);
    return 1;
  }
  for (const { target, nb, exercises } of notebooks) {
    const destination = destinationOf(target);
    fs.mkdirSync(path.dirname(destination), { recursive: true });
    writeFileAtomic(destination, serializeNotebook(nb));
    const total = exercises.reduce((sum, e) => sum + e.points, 0);
    const list = exercises
      .map(
        (e) => `${e.id} (${e.points} pt${e.points === 1 ? "" : "s"}${e.hiddenTests ? ", hidden tests" : ""})`,
      )
      .join(", ");
    console.log(
      `${shown(target.source)} -> ${shown(destination)}: ${exercises.length === 0 ? "no exercises" : `${exercises.length} exercise${exercises.length === 1 ? "" : "s"}, ${total} points: ${list}`}`,
    );
  }
  if (nbgrader) writeCourseFiles(out, shown);
  return 0;
}

/**
 * Where the link `link` points, or null when there is nothing there; refuses a file or folder in its place.
 */
function existingLink(link: string, shown: (p: string) => string): string | null {
  try {
    return fs.readlinkSync(link);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    if (code === "EINVAL")
      throw new UsageError(
        `${shown(link)} exists and is not a link; move it away, so the course's notebooks find kernel-lib in ${path.join(ROOT, "node_modules")}.`,
      );
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
    console.log(
      `${shown(config)} exists and was kept; compare it with a fresh one (--out to an empty folder) if nbgrader misbehaves.`,
    );
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

runMain(main);
