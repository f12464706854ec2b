/**
 * What a learner sees when a cell fails: the error's name and message first, then the lines of
 * their own cells that led to it (numbered as the cell is written), then the kernel-lib functions
 * they called, by name. The kernel's own frames and absolute paths are left out.
 *
 * tslab compiles a cell from TypeScript to JavaScript before it runs, so a stack frame points at a
 * line of the compiled code. The compiler keeps the order of the code's tokens (it removes types
 * and adds export lines), so the longest common subsequence of the two token streams maps each
 * compiled line back to the line of the cell it came from.
 */

import * as ts from "@tslab/typescript-for-tslab";
import { inspect } from "node:util";

/** A cell that ran: what the learner wrote and the JavaScript that ran for it. */
export interface CellRecord {
  /** The execution count shown beside the cell, e.g. 3 for `[3]`. */
  count: number;
  /** The cell's TypeScript as written. */
  source: string;
  /** The JavaScript that ran (as passed to the VM). */
  compiled: string;
}

/** A Jupyter error: `ename`, `evalue` and the traceback lines (what `error` messages carry). */
export interface JupyterError {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** The file name given to a cell's compiled code, so stack frames say which cell they are in. */
export function cellFileName(count: number): string {
  return `cell-${count}`;
}

interface Token {
  text: string;
  line: number;
}

/** The significant tokens of `code` with their 0-based lines (comments and whitespace skipped). */
function tokens(code: string): Token[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, code);
  const out: Token[] = [];
  let line = 0;
  let counted = 0;
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    const pos = scanner.getTokenPos();
    for (; counted < pos; counted++) if (code.charCodeAt(counted) === 10) line++;
    out.push({ text: scanner.getTokenText(), line });
  }
  return out;
}

/** Past this many DP cells the mapping is skipped (a huge cell); frames then show no line. */
const MAX_DP_CELLS = 8_000_000;

/**
 * For each line of `compiled`, the 0-based line of `source` it came from (or -1): the source line of
 * the first token on that compiled line that the longest common token subsequence matches.
 */
export function lineMap(source: string, compiled: string): Int32Array {
  const a = tokens(compiled);
  const b = tokens(source);
  const compiledLines = compiled.split("\n").length;
  const map = new Int32Array(compiledLines).fill(-1);
  if (a.length === 0 || b.length === 0 || (a.length + 1) * (b.length + 1) > MAX_DP_CELLS) return map;
  // L[i][j] = LCS length of a[i…] and b[j…], stored row-major.
  const w = b.length + 1;
  const L = new Int32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      L[i * w + j] =
        a[i].text === b[j].text ? L[(i + 1) * w + j + 1] + 1 : Math.max(L[(i + 1) * w + j], L[i * w + j + 1]);
    }
  }
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    if (a[i].text === b[j].text) {
      if (map[a[i].line] === -1) map[a[i].line] = b[j].line;
      i++;
      j++;
    } else if (L[(i + 1) * w + j] >= L[i * w + j + 1]) i++;
    else j++;
  }
  return map;
}

/** One frame of a V8 stack: the function's name (if any), its file, line and column. */
interface Frame {
  fn: string;
  file: string;
  line: number;
}

function parseFrames(stack: string): Frame[] {
  const frames: Frame[] = [];
  for (const raw of stack.split("\n")) {
    const m = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/.exec(raw);
    if (m) frames.push({ fn: (m[1] ?? "").replace(/^async /, ""), file: m[2], line: Number(m[3]) });
  }
  return frames;
}

/**
 * A function's name as the learner wrote it, without the receivers that compiled code adds: a cell's
 * top-level functions are called through tslab's exports Proxy ("Proxy.f" → "f"), a kernel-lib
 * function through its module object ("Object.fit" → "fit").
 */
function ownName(fn: string): string {
  return fn.replace(/^(Object|Proxy|exports)\./, "");
}

const KERNEL_LIB_FILE = /[\\/]kernel-lib[\\/]dist[\\/]/;

/** Lines of the traceback for a stack: the learner's cell lines, then kernel-lib calls by name. */
function frameLines(stack: string, cells: Map<number, CellRecord>, current: number): string[] {
  const lines: string[] = [];
  const maps = new Map<number, Int32Array>();
  for (const frame of parseFrames(stack)) {
    const cell = /^cell-(\d+)$/.exec(frame.file);
    if (cell) {
      const record = cells.get(Number(cell[1]));
      if (!record) continue;
      let map = maps.get(record.count);
      if (!map) maps.set(record.count, (map = lineMap(record.source, record.compiled)));
      const sourceLine = map[frame.line - 1] ?? -1;
      const where = record.count === current ? "this cell" : `cell [${record.count}]`;
      const fn =
        frame.fn && !/^(Object\.<anonymous>|<anonymous>|eval)$/.test(frame.fn)
          ? `${ownName(frame.fn)}, `
          : "";
      if (sourceLine < 0) {
        lines.push(`  at ${fn}${where}`);
      } else {
        const text = record.source.split("\n")[sourceLine].trim();
        lines.push(`  at ${fn}line ${sourceLine + 1} of ${where}:  ${text}`);
      }
    } else if (KERNEL_LIB_FILE.test(frame.file) && frame.fn) {
      lines.push(`  in kernel-lib: ${ownName(frame.fn)}`);
    }
  }
  // kernel-lib's own calls between the learner's lines say little: keep the outermost of each run.
  return lines.filter(
    (l, i) => !(l.startsWith("  in kernel-lib") && lines[i + 1]?.startsWith("  in kernel-lib")),
  );
}

/** The Jupyter error for a value thrown while cell `current` ran. */
export function runtimeError(thrown: unknown, cells: Map<number, CellRecord>, current: number): JupyterError {
  if (
    thrown instanceof Error ||
    (thrown !== null && typeof thrown === "object" && "message" in thrown && "stack" in thrown)
  ) {
    const e = thrown as Error;
    const ename = e.name || e.constructor?.name || "Error";
    const evalue = String(e.message);
    const stack = typeof e.stack === "string" ? e.stack : "";
    return { ename, evalue, traceback: [`${ename}: ${evalue}`, ...frameLines(stack, cells, current)] };
  }
  const evalue = inspect(thrown);
  return {
    ename: "Error",
    evalue: `a value that is not an Error was thrown: ${evalue}`,
    traceback: [`Thrown value: ${evalue}`],
  };
}

/** A TypeScript diagnostic as tslab reports it: 0-based line and character and the message. */
export interface Diagnostic {
  line: number;
  character: number;
  message: string;
}

/**
 * The Jupyter error for TypeScript diagnostics of a cell: each as `line:column - message` (1-based,
 * the cell's own lines), followed by the line with a caret under the column. The traceback starts
 * with the first diagnostic, since notebooks show the traceback rather than the name.
 */
export function compileError(diagnostics: Diagnostic[], source: string): JupyterError {
  const lines = source.split("\n");
  const described = diagnostics.map((d) => `${d.line + 1}:${d.character + 1} - ${d.message}`);
  const traceback: string[] = [];
  diagnostics.forEach((d, i) => {
    traceback.push(described[i]);
    const text = lines[d.line];
    if (text !== undefined) {
      const gutter = `  ${d.line + 1} | `;
      traceback.push(`${gutter}${text}`, `${" ".repeat(gutter.length - 2)}| ${" ".repeat(d.character)}^`);
    }
  });
  return { ename: "TypeScriptError", evalue: described.join("; "), traceback };
}
