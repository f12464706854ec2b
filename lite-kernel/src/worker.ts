/**
 * The kernel's Web Worker: type-checks and runs cells away from the page, so the notebook stays
 * responsive while a network trains, and Restart can end any cell by terminating the worker.
 *
 * Messages in: `{ id, type: "execute" | "complete" | "inspect", code, cursor?, count? }` (count:
 * the cell's execution count).
 * Messages out: `{ id, type: "reply", content }` answering a request, and, while cells run,
 * `{ type: "stream", name, text }` and `{ type: "display", message, update }`.
 */
import "./host";
import { CellChecker } from "./checker";
import { formatArgs, mimeBundle } from "./inspect";
import { REQUIRE, rewriteCell } from "./rewrite";
import { runtimeError } from "./traceback";
import { MODULES } from "./modules";
import { DECLARATION_FILES } from "./declarations";
import type { LineMap } from "./sourcemap";

const post = (message: unknown) => (self as unknown as Worker).postMessage(message);

(globalThis as Record<string, unknown>)[REQUIRE] = (name: string): unknown => {
  const mod = MODULES[name];
  if (mod === undefined) {
    throw new Error(`Cannot find module '${name}': in the browser only "kernel-lib" and "tslab" can be imported.`);
  }
  return mod;
};

for (const [method, stream] of [
  ["log", "stdout"],
  ["info", "stdout"],
  ["debug", "stdout"],
  ["error", "stderr"],
  ["warn", "stderr"],
] as const) {
  console[method] = (...args: unknown[]) => post({ type: "stream", name: stream, text: formatArgs(args) + "\n" });
}

let checker: CellChecker | null = null;
/** Line maps of every cell run, by its file name in stack traces, for errors thrown later. */
const lineMaps = new Map<string, LineMap>();

/** Runs one cell: type check, then run; the reply content of `execute_request`. */
async function execute(code: string, count: number): Promise<Record<string, unknown>> {
  checker ??= new CellChecker(DECLARATION_FILES);
  const errors = checker.check(code);
  if (errors.length > 0) {
    const lines = errors.map((e) => (e.line > 0 ? `${e.line}:${e.column} - ${e.message}` : e.message));
    return { status: "error", ename: "TypeScript", evalue: lines.join("\n"), traceback: lines };
  }
  // Named after the cell's execution count, so a traceback's `cell 5` is the cell marked [5].
  const file = `cell${count}.js`;
  const cell = rewriteCell(code, file);
  lineMaps.set(file, cell.lines);
  try {
    if (cell.names.length > 0) (0, eval)(`var ${cell.names.join(", ")};`);
    const value = await (0, eval)(cell.code);
    if (value === undefined) return { status: "ok" };
    return { status: "ok", result: await mimeBundle(value) };
  } catch (err) {
    return { status: "error", ...runtimeError(err, lineMaps) };
  }
}

self.onmessage = async (event: MessageEvent) => {
  const { id, type, code, cursor, count } = event.data as { id: number; type: string; code: string; cursor: number; count: number };
  let content: unknown;
  try {
    if (type === "execute") content = await execute(code, count);
    else if (type === "complete") content = (checker ??= new CellChecker(DECLARATION_FILES)).complete(code, cursor);
    else if (type === "inspect") content = (checker ??= new CellChecker(DECLARATION_FILES)).inspect(code, cursor);
  } catch (err) {
    content = { status: "error", ...runtimeError(err, lineMaps) };
  }
  post({ id, type: "reply", content });
};

post({ type: "ready" });
