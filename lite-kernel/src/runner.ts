/**
 * Runs cells one after another: type check against the cells before, then run at the top level of
 * the worker (see rewrite.ts), and turn the outcome into the content of an `execute_reply` plus
 * the cell's result.
 */
import { CellChecker } from "./checker";
import { mimeBundle, type MimeBundle } from "./inspect";
import { REQUIRE, rewriteCell } from "./rewrite";
import type { LineMap } from "./sourcemap";
import { runtimeError } from "./traceback";

/** The outcome of one cell: `ok` with its result (if any), or a Jupyter error. */
export type CellOutcome =
  | { status: "ok"; result?: MimeBundle }
  | { status: "error"; ename: string; evalue: string; traceback: string[] };

/** Type-checks and runs cells in this realm's global scope. */
export class CellRunner {
  readonly checker: CellChecker;
  /** Line maps of every cell run, by its file name in stack traces, for errors thrown later. */
  private readonly lineMaps = new Map<string, LineMap>();

  /** `declarationFiles`: the checker's files; `modules`: what `import` can load, by name. */
  constructor(declarationFiles: Record<string, string>, modules: Record<string, unknown>) {
    this.checker = new CellChecker(declarationFiles);
    (globalThis as Record<string, unknown>)[REQUIRE] = (name: string): unknown => {
      if (!(name in modules)) {
        throw new Error(`Cannot find module '${name}': in the browser only ${Object.keys(modules).map((m) => `"${m}"`).join(" and ")} can be imported.`);
      }
      return modules[name];
    };
  }

  /** Runs `code` as the cell with execution count `count`. */
  async execute(code: string, count: number): Promise<CellOutcome> {
    const errors = this.checker.check(code);
    if (errors.length > 0) {
      const lines = errors.map((e) => (e.line > 0 ? `${e.line}:${e.column} - ${e.message}` : e.message));
      return { status: "error", ename: "TypeScript", evalue: lines.join("\n"), traceback: lines };
    }
    // Named after the execution count, so a traceback's `cell 5` is the cell marked [5].
    const file = `cell${count}.js`;
    const cell = rewriteCell(code, file);
    this.lineMaps.set(file, cell.lines);
    try {
      if (cell.names.length > 0) (0, eval)(`var ${cell.names.join(", ")};`);
      const value = await (0, eval)(cell.code);
      return value === undefined ? { status: "ok" } : { status: "ok", result: await mimeBundle(value) };
    } catch (err) {
      return { status: "error", ...runtimeError(err, this.lineMaps) };
    }
  }

  /** A thrown error of the kernel itself, as a Jupyter error. */
  error(err: unknown): CellOutcome {
    return { status: "error", ...runtimeError(err, this.lineMaps) };
  }
}
