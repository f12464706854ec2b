/**
 * Runs notebooks end to end in a fresh tslab kernel (nbclient in the project's venv, see
 * jupyter/run_notebook.py) and says which cell failed and why. Used by `npm test`,
 * `npm run notebooks`, and by tools that need executed notebooks (site export, grading).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureJupyterEnv, JupyterEnv } from "./env";
import { ROOT } from "../lib/paths";

/** Default seconds one cell may run before the notebook counts as failed. */
export const DEFAULT_CELL_TIMEOUT_SECONDS = 120;

/** A notebook as stored in an .ipynb file (nbformat 4). */
export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, any>;
  cells: NotebookCell[];
}

/** One cell of a {@link Notebook}. */
export interface NotebookCell {
  cell_type: "code" | "markdown" | "raw";
  id?: string;
  source: string | string[];
  metadata: Record<string, any>;
  outputs?: Record<string, any>[];
  execution_count?: number | null;
  attachments?: Record<string, any>;
}

/** What happened to one cell. `index` counts from 0; people see `index + 1` as the cell number. */
export interface CellResult {
  index: number;
  id: string | null;
  cellType: "code" | "markdown" | "raw";
  /** `skipped`: markdown, empty, or after an earlier failure. */
  status: "ok" | "failed" | "skipped";
  executionCount: number | null;
  stdout: string;
  stderr: string;
  /** The text of the cell's result (its last value), "" if it has none. */
  result: string;
  /** The cell's error as the learner reads it (name and message, then the traceback), "" if none. */
  error: string;
  /** Why the cell failed, e.g. "TypeScript reported an error". */
  reason: string | null;
}

/** Options for {@link runNotebook}. */
export interface RunOptions {
  /** Seconds each cell may take; default {@link DEFAULT_CELL_TIMEOUT_SECONDS}. */
  timeoutSeconds?: number;
  /** The kernel's working folder; default the notebook's folder. */
  cwd?: string;
  /** Extra environment variables for the kernel (on top of the venv's environment). */
  env?: NodeJS.ProcessEnv;
  /** Also write the executed notebook here. */
  outPath?: string;
  /** Run the cells after a failed one too (a grader wants every answer); default false. */
  keepGoing?: boolean;
  /**
   * After a cell times out or kills the kernel, go on from the next cell in a new kernel that first
   * re-runs the cells that had succeeded (implies `keepGoing`; for grading). Default false.
   */
  recover?: boolean;
  /** With `recover`, how many kernel restarts one run may use (default 5). */
  maxRestarts?: number;
  /** A prepared environment from {@link ensureJupyterEnv}; made when absent. */
  jupyter?: JupyterEnv;
}

/** The outcome of {@link runNotebook}. */
export interface RunResult {
  ok: boolean;
  /** The notebook that ran, as given. */
  path: string;
  /** One entry per cell, in order. */
  cells: CellResult[];
  /** The executed notebook, outputs included. */
  notebook: Notebook;
  /** The first failed cell, if any. */
  failure: CellResult | null;
  /** A readable account of what went wrong (notebook, cell number, source, stderr); null when ok. */
  error: string | null;
  /** With `recover`: the cells after which the kernel was restarted, and why. */
  restarts: { index: number; reason: string }[];
  durationMs: number;
}

/**
 * Executes a notebook top to bottom in a fresh tslab kernel and reports every cell. A cell fails on
 * an error reply, on a TypeScript diagnostic in its stderr, or on `UncaughtException` /
 * `UnhandledPromiseRejection`; the run stops there unless `keepGoing` is set. A cell tagged
 * `raises-exception` is meant to fail and counts as failed only when it runs without error.
 */
export async function runNotebook(notebookPath: string, options: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const jupyter = options.jupyter ?? (await ensureJupyterEnv());
  const absolute = path.resolve(notebookPath);
  if (!fs.existsSync(absolute)) throw new Error(`No notebook at ${notebookPath}.`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-run-"));
  try {
    const outFile = path.join(work, "executed.ipynb");
    const reportFile = path.join(work, "report.json");
    const args = [
      path.join(ROOT, "jupyter", "run_notebook.py"),
      absolute,
      "--out",
      outFile,
      "--report",
      reportFile,
      "--cwd",
      path.resolve(options.cwd ?? path.dirname(absolute)),
      "--timeout",
      String(options.timeoutSeconds ?? DEFAULT_CELL_TIMEOUT_SECONDS),
    ];
    if (options.keepGoing) args.push("--keep-going");
    if (options.recover) args.push("--recover", "--max-restarts", String(options.maxRestarts ?? 5));
    const { code, stderr } = await runCapturingStderr(jupyter.python, args, {
      ...jupyter.env,
      ...options.env,
    });
    if (!fs.existsSync(reportFile)) {
      throw new Error(
        `The notebook runner stopped before it finished ${notebookPath} (exit code ${code}):\n${stderr.trim()}`,
      );
    }
    const report = JSON.parse(fs.readFileSync(reportFile, "utf8"));
    const notebook: Notebook = JSON.parse(fs.readFileSync(outFile, "utf8"));
    if (options.outPath) fs.copyFileSync(outFile, options.outPath);
    const cells: CellResult[] = report.cells.map(toCellResult);
    const failure = report.failure ? toCellResult(report.failure) : null;
    let error: string | null = null;
    if (report.error)
      error = `${notebookPath}: the kernel run broke off: ${report.error}\n${stderr.trim()}`.trim();
    else if (failure) error = describeFailure(notebookPath, notebook, failure);
    const restarts = (report.restarts ?? []).map((r: any) => ({ index: r.index, reason: r.reason ?? "" }));
    return {
      ok: report.ok,
      path: notebookPath,
      cells,
      notebook,
      failure,
      error,
      restarts,
      durationMs: Date.now() - started,
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Every notebook under `dir` (default notebooks/), sorted, skipping .ipynb_checkpoints. */
export function listNotebooks(dir: string = path.join(ROOT, "notebooks")): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith(".") && entry.name !== "node_modules")
      found.push(...listNotebooks(full));
    else if (entry.isFile() && entry.name.endsWith(".ipynb")) found.push(full);
  }
  return found.sort();
}

/** A cell's source as one string. */
export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/**
 * "notebooks/x.ipynb: cell 3 failed (reason)" followed by the cell's first lines, its error and its stderr.
 */
export function describeFailure(notebookPath: string, notebook: Notebook, failure: CellResult): string {
  const lines = cellSource(notebook.cells[failure.index]).split("\n");
  const head = lines.slice(0, 6).map((line) => "  | " + line);
  if (lines.length > 6) head.push(`  | ... (${lines.length - 6} more lines)`);
  const stderr = failure.stderr
    .trim()
    .split("\n")
    .slice(0, 20)
    .map((line) => "  ! " + line);
  const error = failure.error
    .trim()
    .split("\n")
    .slice(0, 20)
    .map((line) => "  ! " + line);
  const shown = path.relative(process.cwd(), path.resolve(notebookPath));
  return [
    `${shown.startsWith("..") ? path.resolve(notebookPath) : shown}: cell ${failure.index + 1} of ${notebook.cells.length} failed (${failure.reason}).`,
    "Cell source:",
    ...head,
    ...(failure.error.trim() ? ["error:", ...error] : []),
    ...(failure.stderr.trim() ? ["stderr:", ...stderr] : failure.error.trim() ? [] : ["(no stderr)"]),
  ].join("\n");
}

/** A cell of run_notebook.py's JSON report as a {@link CellResult}. */
export function toCellResult(raw: any): CellResult {
  return {
    index: raw.index,
    id: raw.id ?? null,
    cellType: raw.cell_type,
    status: raw.status,
    executionCount: raw.execution_count ?? null,
    stdout: raw.stdout ?? "",
    stderr: raw.stderr ?? "",
    result: raw.result ?? "",
    error: raw.error ?? "",
    reason: raw.reason ?? null,
  };
}

function runCapturingStderr(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"], env });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", (err) => resolve({ code: 127, stderr: String(err) }));
    child.on("close", (code) => resolve({ code: code ?? 1, stderr }));
  });
}
