/** Reading and writing files so that an interrupted run never leaves half a file behind. */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** The text of `file`, or undefined when it cannot be read (missing, unreadable). */
export function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Writes `data` to `file` all at once: a temporary file in the same folder, then a rename. */
export function writeFileAtomic(file: string, data: string): void {
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
  try {
    fs.writeFileSync(temp, data);
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
}
