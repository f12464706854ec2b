/**
 * The learner's own copy of the lessons, which `npm start` opens: the learner versions of the
 * reference notebooks (each solution replaced exactly as `npm run assign` does), in a git-ignored
 * folder of the project, so that the learner's work never mixes with the references and never
 * fights with `git pull`.
 *
 * A lesson is copied only when the copy has no notebook of that name yet: a lesson added to the
 * course later is copied in on the next start, and a notebook the learner has (or has not) changed
 * is never written again. To start a lesson afresh, delete its file in the copy and start again.
 */
import fs from "node:fs";
import path from "node:path";
import { buildStudentVersions, collectTargets } from "./student-versions";
import { messagesIn } from "../../kernel-lib/src/messages";
import { notebookLanguage } from "../jupyter/editions";
import { cellSource, Notebook, NotebookCell } from "../jupyter/runner";
import { ROOT } from "../lib/paths";
import { writeFileAtomic } from "../lib/files";
import { serializeNotebook } from "../jupyter/hygiene";

/** Where the learner's copy lives by default: `my-lessons/` in the project (git-ignored). */
export const DEFAULT_LEARNER_DIR = path.join(ROOT, "my-lessons");

/** What {@link syncLearnerCopy} did, as paths relative to the learner's folder. */
export interface LearnerCopyResult {
  /** Lessons written now (new to the learner's copy). */
  created: string[];
  /** Lessons already in the copy, left exactly as they were. */
  kept: string[];
}

/** Thrown when the reference notebooks cannot be turned into learner versions; the message says why. */
export class LearnerCopyError extends Error {}

// The line `npm run assign` puts in place of a solution (scripts/assignments/format.ts, notImplementedLine).
const PLACEHOLDER = /^(\s*)throw (?:exercises|require\("kernel-lib"\)\.exercises)\.notImplemented\(/;

/**
 * Adds, above each line that replaced a solution, a comment naming the reference notebook, so the
 * solution is one deliberate step away and never on screen by default.
 */
function pointToReference(nb: Notebook, reference: string): Notebook {
  const language = notebookLanguage(nb);
  const cells = nb.cells.map((cell): NotebookCell => {
    if (cell.cell_type !== "code") return cell;
    const lines = cellSource(cell).split("\n");
    if (!lines.some((line) => PLACEHOLDER.test(line))) return cell;
    const out: string[] = [];
    for (const line of lines) {
      const match = PLACEHOLDER.exec(line);
      if (match) out.push(`${match[1]}// ${messagesIn(language).yourCodeHere(reference)}`);
      out.push(line);
    }
    const text = out.join("\n");
    return { ...cell, source: Array.isArray(cell.source) ? text.split(/(?<=\n)/) : text };
  });
  return { ...nb, cells };
}

/**
 * Makes sure `learnerDir` holds a learner version of every notebook in `sourceDir` (same relative
 * paths). Writes only the notebooks missing from `learnerDir`, each atomically; never changes or
 * removes a file that is there. Throws {@link LearnerCopyError}, before writing anything, when a
 * notebook that would be written breaks the exercise format.
 */
export function syncLearnerCopy(
  sourceDir: string,
  learnerDir: string = DEFAULT_LEARNER_DIR,
): LearnerCopyResult {
  if (!fs.existsSync(sourceDir) || !fs.statSync(sourceDir).isDirectory()) {
    throw new LearnerCopyError(
      `The lessons folder ${sourceDir} does not exist: run this from a complete checkout of the project.`,
    );
  }
  if (fs.existsSync(learnerDir) && !fs.statSync(learnerDir).isDirectory()) {
    throw new LearnerCopyError(
      `${learnerDir} is a file, but your copy of the lessons goes there: move the file away and start again.`,
    );
  }
  const { targets } = collectTargets([sourceDir]);
  const missing = targets.filter((t) => !fs.existsSync(path.join(learnerDir, t.relative)));
  const kept = targets.filter((t) => !missing.includes(t)).map((t) => t.relative);
  const { notebooks, errors } = buildStudentVersions(missing);
  if (errors.length > 0) {
    throw new LearnerCopyError(
      `Could not make your copy of the lessons, because ${errors.length === 1 ? "a lesson breaks" : "lessons break"} the exercise format:\n  ${errors.join("\n  ")}`,
    );
  }
  const created: string[] = [];
  for (const { target, nb } of notebooks) {
    const destination = path.join(learnerDir, target.relative);
    const reference = path.relative(ROOT, target.source).split(path.sep).join("/");
    fs.mkdirSync(path.dirname(destination), { recursive: true });
    writeFileAtomic(destination, serializeNotebook(pointToReference(nb, reference)));
    created.push(target.relative);
  }
  return { created, kept };
}
