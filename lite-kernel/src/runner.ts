/**
 * Runs cells one after another: type check against the cells before, then run at the top level of
 * the worker (see rewrite.ts), and turn the outcome into the content of an `execute_reply` plus
 * the cell's result.
 */
import { CellChecker } from "./checker";
import { mimeBundle, type MimeBundle } from "./inspect";
import { REQUIRE, rewriteCell } from "./rewrite";
import { CellLines, compileError, runtimeError } from "./traceback";

/** The outcome of one cell: `ok` with its result (if any), or a Jupyter error. */
export type CellOutcome =
  | { status: "ok"; result?: MimeBundle }
  | { status: "error"; ename: string; evalue: string; traceback: string[] };

/** Type-checks and runs cells in this realm's global scope. */
export class CellRunner {
  readonly checker: CellChecker;
  /** Every cell run (its lines and line map), by its file name in stack traces, for errors thrown later. */
  private readonly cells = new Map<string, CellLines>();
  /** The execution count of the cell running now. */
  private current = 0;

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
    if (errors.length > 0) return { status: "error", ...compileError(errors, code) };
    // Named after the execution count, so a traceback's `cell 5` is the cell marked [5].
    const file = `cell${count}.js`;
    const cell = rewriteCell(code, file);
    this.cells.set(file, { count, source: code.split("\n"), lines: cell.lines });
    this.current = count;
    try {
      if (cell.names.length > 0) (0, eval)(`var ${cell.names.join(", ")};`);
      const value = await (0, eval)(cell.code);
      return value === undefined ? { status: "ok" } : { status: "ok", result: await mimeBundle(value) };
    } catch (err) {
      return { status: "error", ...runtimeError(err, this.cells, this.current) };
    }
  }

  /** A thrown error of the kernel itself, as a Jupyter error. */
  error(err: unknown): CellOutcome {
    return { status: "error", ...runtimeError(err, this.cells, this.current) };
  }
}
