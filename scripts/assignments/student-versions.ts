/**
 * The student versions of reference notebooks: which notebooks a list of files and folders names,
 * and each one with its solutions replaced by stubs and its hidden tests removed (or in nbgrader's
 * form). Shared by `npm run assign`, the learner's copy and the JupyterLite build.
 */
import fs from "node:fs";
import path from "node:path";
import { UsageError } from "../lib/cli";
import { readNotebook } from "../jupyter/hygiene";
import { listNotebooks, Notebook } from "../jupyter/runner";
import { analyzeNotebook, Exercise, studentNotebook } from "./format";
import { nbgraderSourceNotebook } from "./nbgrader-course";

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

/** The student versions of the targets, or every format error found (then nothing should be written). */
export function buildStudentVersions(
  targets: AssignTarget[],
  version: "student" | "nbgrader" = "student",
): { notebooks: { target: AssignTarget; nb: Notebook; exercises: Exercise[] }[]; errors: string[] } {
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
      notebooks.push({
        target,
        nb: version === "student" ? studentNotebook(nb, format) : nbgraderSourceNotebook(nb, format),
        exercises: format.exercises,
      });
    } catch (err) {
      errors.push(`${target.source}: ${(err as Error).message}`);
    }
  }
  return { notebooks, errors };
}
