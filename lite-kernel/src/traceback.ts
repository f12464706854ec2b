/**
 * A runtime error as a Jupyter error: its name, its message, and a traceback of the learner's own
 * cell lines only. Frames inside kernel-lib, the kernel or the browser are left out, since they
 * point at bundled code the learner never wrote.
 */
import type { LineMap } from "./sourcemap";

/** The fields of a Jupyter `error` output. */
export interface JupyterError {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** `err` as a Jupyter error; `lineMaps` maps each cell's file name to its line map. */
export function runtimeError(err: unknown, lineMaps: Map<string, LineMap>): JupyterError {
  if (!(err instanceof Error)) return { ename: "Error", evalue: `Uncaught ${String(err)}`, traceback: [`Uncaught ${String(err)}`] };
  const ename = err.name || "Error";
  const evalue = err.message;
  const frames: string[] = [];
  for (const line of (err.stack ?? "").split("\n")) {
    const m = /at (?:async )?(?:(.+?) \()?(cell(\d+)\.js):(\d+):\d+\)?$/.exec(line.trim());
    if (!m) continue;
    const [, fn, file, cell, jsLine] = m;
    const cellLine = lineMaps.get(file)?.get(Number(jsLine));
    if (cellLine === undefined) continue;
    const name = fn && fn !== "eval" && !fn.startsWith("eval") ? fn : "<cell>";
    frames.push(`    at ${name} (cell ${cell}, line ${cellLine})`);
  }
  return { ename, evalue, traceback: [`${ename}: ${evalue}`, ...frames] };
}
