/**
 * A runtime error as a Jupyter error, in the same shape as the desktop kernel's (kernel/src/traceback.ts):
 * its name and message first, then the learner's own cell lines that led to it, each as
 * `  at f, line 2 of cell [5]:  <the line>` (or "of this cell" for the cell that ran). Frames inside
 * kernel-lib, the kernel or the browser are left out, since they point at bundled code the learner
 * never wrote.
 */
import type { CellDiagnostic } from "./checker";
import type { LineMap } from "./sourcemap";

/** The fields of a Jupyter `error` output. */
export interface JupyterError {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** A cell that ran: its execution count, its lines as written, and compiled line → cell line. */
export interface CellLines {
  count: number;
  source: string[];
  lines: LineMap;
}

/**
 * `err`, thrown while cell `current` ran, as a Jupyter error; `cells` maps each cell's file name to its
 * lines.
 */
export function runtimeError(err: unknown, cells: Map<string, CellLines>, current: number): JupyterError {
  if (!(err instanceof Error)) {
    const shown = typeof err === "string" ? `'${err}'` : String(err);
    return {
      ename: "Error",
      evalue: `a value that is not an Error was thrown: ${shown}`,
      traceback: [`Thrown value: ${shown}`],
    };
  }
  const ename = err.name || "Error";
  const evalue = err.message;
  const frames: string[] = [];
  for (const line of (err.stack ?? "").split("\n")) {
    const m = /at (?:async )?(?:(.+?) \()?(cell\d+\.js):(\d+):\d+\)?$/.exec(line.trim());
    if (!m) continue;
    const [, fn, file, jsLine] = m;
    const cell = cells.get(file);
    const cellLine = cell?.lines.get(Number(jsLine));
    if (!cell || cellLine === undefined) continue;
    const name = fn && !fn.startsWith("eval") ? `${fn}, ` : "";
    const where = cell.count === current ? "this cell" : `cell [${cell.count}]`;
    frames.push(`  at ${name}line ${cellLine} of ${where}:  ${(cell.source[cellLine - 1] ?? "").trim()}`);
  }
  return { ename, evalue, traceback: [`${ename}: ${evalue}`, ...frames] };
}

/**
 * Type errors as a Jupyter error, as the desktop kernel shows them: each `line:column - message`,
 * followed by the line with a caret under the column.
 */
export function compileError(errors: CellDiagnostic[], source: string): JupyterError {
  const lines = source.split("\n");
  const described = errors.map((e) => (e.line > 0 ? `${e.line}:${e.column} - ${e.message}` : e.message));
  const traceback: string[] = [];
  errors.forEach((e, i) => {
    traceback.push(described[i]);
    const text = e.line > 0 ? lines[e.line - 1] : undefined;
    if (text !== undefined) {
      const gutter = `  ${e.line} | `;
      traceback.push(
        `${gutter}${text}`,
        `${" ".repeat(gutter.length - 2)}| ${" ".repeat(Math.max(0, e.column - 1))}^`,
      );
    }
  });
  return { ename: "TypeScriptError", evalue: described.join("; "), traceback };
}
