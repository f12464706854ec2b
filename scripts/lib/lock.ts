/** A lock shared by every process working on this checkout (a folder in the temp dir). */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readText } from "./files";
import { ROOT } from "./paths";

/**
 * Runs `fn` while holding the lock called `name`, shared by every process working on this checkout
 * (a folder in the temp dir, created atomically). A lock whose owner process is gone is taken over.
 */
export async function withLock<T>(
  name: string,
  log: (line: string) => void,
  fn: () => Promise<T>,
): Promise<T> {
  const lockDir = lockPath(name);
  const ownerFile = path.join(lockDir, "pid");
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(ownerFile, String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const owner = Number(readText(ownerFile));
    if (owner && !isAlive(owner)) {
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!announced && owner) {
      log(`Waiting for another Gradient Lab process (pid ${owner}) to finish ${name} ...`);
      announced = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/** The folder that stands for the lock `name` of this checkout while someone holds it. */
export function lockPath(name: string): string {
  const key = createHash("sha256").update(`${ROOT}\n${name}`).digest("hex").slice(0, 16);
  return path.join(os.tmpdir(), `gradient-lab-${key}.lock`);
}

/** Whether process `pid` is still running (signal 0 probes without touching it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
