/** Shared helpers of the assignment tests: fixtures, notebook builders and running the CLIs. */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "../../scripts/lib/paths";
import { Notebook, NotebookCell } from "../../scripts/jupyter/runner";

export const FIXTURES = path.join(ROOT, "test", "assignments", "fixtures");
/** The folder of the fixture reference notebooks (`--source`). */
export const REFERENCE_DIR = path.join(FIXTURES, "reference");
/** The fixture reference: exercises P.1 (2 points), P.2 (1 point), P.3 (2 points, hidden tests). */
export const PRACTICE = path.join(REFERENCE_DIR, "practice.ipynb");

/** Answers that pass every check of the practice notebook, by exercise id. */
export const PRACTICE_ANSWERS: Record<string, string> = {
  "P.1": "const s = sigmoid(z);\nreturn s * (1 - s);",
  "P.2": "steepestSlope = 0.25;",
  "P.3":
    "let dead = 0;\nfor (let j = 0; j < a[0].length; j++) if (a.every((row) => row[j] === 0)) dead++;\nreturn dead;",
};

export function readNb(file: string): Notebook {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

export function writeNb(file: string, nb: Notebook): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(nb, null, 1) + "\n");
  return file;
}

export function sourceOf(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

export function cellById(nb: Notebook, id: string): NotebookCell {
  const cell = nb.cells.find((c) => c.id === id);
  if (!cell) throw new Error(`no cell ${id}`);
  return cell;
}

export function setSource(nb: Notebook, id: string, source: string): void {
  cellById(nb, id).source = source;
}

/** A student notebook with the `throw exercises.notImplemented("<id>")` lines replaced by answers. */
export function solve(student: Notebook, answers: Record<string, string>): Notebook {
  const copy: Notebook = JSON.parse(JSON.stringify(student));
  for (const cell of copy.cells) {
    if (cell.cell_type !== "code") continue;
    cell.source = sourceOf(cell).replace(
      /^([ \t]*)throw (?:exercises|require\("kernel-lib"\)\.exercises)\.notImplemented\("([^"]+)"\);$/gm,
      (line, indent: string, id: string) =>
        id in answers
          ? answers[id]
              .split("\n")
              .map((l) => indent + l)
              .join("\n")
          : line,
    );
  }
  return copy;
}

/** A tslab notebook of the given cells (`[id, type, source]`). */
export function makeNotebook(cells: [string, "code" | "markdown", string][]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
    cells: cells.map(([id, type, source]) =>
      type === "code"
        ? { cell_type: "code", id, metadata: {}, source, outputs: [], execution_count: null }
        : { cell_type: "markdown", id, metadata: {}, source },
    ),
  };
}

export function sha256File(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** Every file under `dir` with its hash, keyed by relative path. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = sha256File(full);
    }
  };
  walk(dir);
  return out;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `scripts/<script>` with tsx, as `npm run` would, from `initCwd`. */
export function runCli(
  script: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; initCwd?: string } = {},
): Promise<CliResult> {
  const started = Date.now();
  const tsx = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
  const env = { ...process.env, ...options.env, INIT_CWD: options.initCwd ?? ROOT };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsx, path.join(ROOT, "scripts", script), ...args], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr, ms: Date.now() - started }));
  });
}
