/** Where the project lives, and how paths given on the command line are compared. */
import fs from "node:fs";
import path from "node:path";

/** The repository root (the folder holding package.json). */
export const ROOT = path.resolve(__dirname, "..", "..");

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

/** `file` relative to `base` (where the command ran), or absolute when it lies elsewhere. */
export function shownPath(file: string, base: string): string {
  const rel = path.relative(base, file);
  return rel === "" || rel.startsWith("..") || path.isAbsolute(rel) ? file : rel;
}
