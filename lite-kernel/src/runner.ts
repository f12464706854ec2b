/**
 * Runs cells one after another: type check against the cells before, then run at the top level of
 * the worker (see rewrite.ts), and turn the outcome into the content of an `execute_reply` plus
 * the cell's result.
 */
import { CellChecker } from "./checker";
import { mimeBundle, type MimeBundle } from "./inspect";
import { INTERRUPT_POINT, REQUIRE, rewriteCell } from "./rewrite";
import { CellLines, compileError, runtimeError } from "./traceback";

/** The outcome of one cell: `ok` with its result (if any), or a Jupyter error. */
export type CellOutcome =
  | { status: "ok"; result?: MimeBundle }
  | { status: "error"; ename: string; evalue: string; traceback: string[] };

/** Thrown into the running cell by Kernel → Interrupt. */
export class InterruptError extends Error {
  constructor() {
    super("Kernel → Interrupt stopped this cell. Everything the cells before it defined is kept.");
    this.name = "InterruptError";
  }
}

/**
 * Type-checks and runs cells in this realm's global scope.
 *
 * Interrupting: a cell waiting on a promise is stopped by {@link CellRunner.interrupt} (a message
 * the worker handles while the cell awaits). A cell that computes without pausing keeps the worker
 * busy, so no message reaches it; where the page is cross-origin isolated, the page shares a flag
 * with the worker ({@link CellRunner.useInterruptFlag}) that every loop of a cell and every output
 * it sends checks, and a raised flag throws {@link InterruptError} there.
 */
export class CellRunner {
  readonly checker: CellChecker;
  /** Every cell run (its lines and line map), by its file name in stack traces, for errors thrown later. */
  private readonly cells = new Map<string, CellLines>();
  /** The execution count of the cell running now. */
  private current = 0;
  /**
   * The flag the page raises to interrupt (shared memory), or null where the page is not cross-origin
   * isolated.
   */
  private flag: Int32Array | null = null;
  /** Rejects the running cell's wait, if a cell runs. */
  private stop: ((err: Error) => void) | null = null;

  /** `declarationFiles`: the checker's files; `modules`: what `import` can load, by name. */
  constructor(declarationFiles: Record<string, string>, modules: Record<string, unknown>) {
    this.checker = new CellChecker(declarationFiles);
    (globalThis as Record<string, unknown>)[REQUIRE] = (name: string): unknown => {
      if (!(name in modules)) {
        throw new Error(
          `Cannot find module '${name}': in the browser only ${Object.keys(modules)
            .map((m) => `"${m}"`)
            .join(" and ")} can be imported.`,
        );
      }
      return modules[name];
    };
    (globalThis as Record<string, unknown>)[INTERRUPT_POINT] = (): void => {
      if (this.flag !== null && Atomics.load(this.flag, 0) !== 0) throw new InterruptError();
    };
  }

  /** Shares the page's interrupt flag (an Int32Array of one element over a SharedArrayBuffer). */
  useInterruptFlag(buffer: SharedArrayBuffer): void {
    this.flag = new Int32Array(buffer);
  }

  /** Stops a cell that waits on a promise; a computing cell sees the shared flag instead. */
  interrupt(): void {
    this.stop?.(new InterruptError());
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
    // The flag stays raised until the next cell, so a learner's catch-all cannot keep a loop going.
    if (this.flag !== null) Atomics.store(this.flag, 0, 0);
    const stopped = new Promise<never>((_, reject) => (this.stop = reject));
    try {
      if (cell.names.length > 0) (0, eval)(`var ${cell.names.join(", ")};`);
      const value = await Promise.race([(0, eval)(cell.code), stopped]);
      return value === undefined ? { status: "ok" } : { status: "ok", result: await mimeBundle(value) };
    } catch (err) {
      return { status: "error", ...runtimeError(err, this.cells, this.current) };
    } finally {
      this.stop = null;
    }
  }

  /** A thrown error of the kernel itself, as a Jupyter error. */
  error(err: unknown): CellOutcome {
    return { status: "error", ...runtimeError(err, this.cells, this.current) };
  }
}
