/**
 * `tsx jupyter/hub/copy-lessons.ts <folder>`: puts the learner's version of every lesson that is
 * missing from `<folder>` there (as `npm start` does for `my-lessons/`), never touching a file that
 * exists. JupyterHub runs it before each student's server starts (start-singleuser.sh).
 */
import path from "node:path";
import { ROOT } from "../../scripts/lib/paths";
import { LearnerCopyError, syncLearnerCopy } from "../../scripts/assignments/learner-copy";
import { runMain, UsageError } from "../../scripts/lib/cli";

function main(): void {
  const target = process.argv[2];
  if (!target)
    throw new UsageError("usage: tsx jupyter/hub/copy-lessons.ts <folder for the student's lessons>");
  const { created, kept } = syncLearnerCopy(path.join(ROOT, "notebooks"), path.resolve(target));
  console.log(
    `Gradient Lab lessons in ${target}: ${created.length} copied, ${kept.length} kept as they were.`,
  );
}

runMain(main, [LearnerCopyError]);
