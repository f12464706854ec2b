/**
 * The kernel's Web Worker: type-checks and runs cells away from the page, so the notebook stays
 * responsive while a network trains, and Restart can end any cell by terminating the worker.
 *
 * Messages in: `{ id, type: "execute" | "complete" | "inspect", code, cursor? }`.
 * Messages out: `{ id, type: "reply", content }` answering a request, and, while cells run,
 * `{ type: "stream", name, text }` and `{ type: "display", message, update }`.
 */
import { CellChecker } from "./checker";
import { formatArgs, mimeBundle } from "./inspect";
import { REQUIRE, rewriteCell } from "./rewrite";
import { runtimeError } from "./traceback";
import { MODULES } from "./modules";
import { DECLARATION_FILES } from "./declarations";
import type { LineMap } from "./sourcemap";

/** Where the kernel's files are served (the folder of this script), for assets such as the digits. */
const BASE_URL = new URL(".", self.location.href).href;

const post = (message: unknown) => (self as unknown as Worker).postMessage(message);

/** The host interface kernel-lib's browser build calls to show outputs and read site files. */
(globalThis as Record<symbol, unknown>)[Symbol.for("gradient-lab.host")] = {
  display(message: { data: unknown; metadata?: unknown; transient?: unknown }, update: boolean): void {
    post({ type: "display", message: { metadata: {}, transient: {}, ...message }, update });
  },
  readAsset(name: string): Uint8Array {
    const xhr = new XMLHttpRequest();
    xhr.open("GET", new URL(`assets/${name}`, BASE_URL).href, false);
    xhr.responseType = "arraybuffer";
    xhr.send();
    if (xhr.status !== 200) throw new Error(`Could not read the site file assets/${name} (HTTP ${xhr.status}).`);
    return new Uint8Array(xhr.response as ArrayBuffer);
  },
};

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
let cellCount = 0;
/** Line maps of every cell run, by its file name in stack traces, for errors thrown later. */
const lineMaps = new Map<string, LineMap>();

/** Runs one cell: type check, then run; the reply content of `execute_request`. */
async function execute(code: string): Promise<Record<string, unknown>> {
  checker ??= new CellChecker(DECLARATION_FILES);
  const errors = checker.check(code);
  if (errors.length > 0) {
    const lines = errors.map((e) => (e.line > 0 ? `${e.line}:${e.column} - ${e.message}` : e.message));
    return { status: "error", ename: "TypeScript", evalue: lines.join("\n"), traceback: lines };
  }
  const file = `cell${++cellCount}.js`;
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
  const { id, type, code, cursor } = event.data as { id: number; type: string; code: string; cursor: number };
  let content: unknown;
  try {
    if (type === "execute") content = await execute(code);
    else if (type === "complete") content = (checker ??= new CellChecker(DECLARATION_FILES)).complete(code, cursor);
    else if (type === "inspect") content = (checker ??= new CellChecker(DECLARATION_FILES)).inspect(code, cursor);
  } catch (err) {
    content = { status: "error", ...runtimeError(err, lineMaps) };
  }
  post({ id, type: "reply", content });
};

post({ type: "ready" });
