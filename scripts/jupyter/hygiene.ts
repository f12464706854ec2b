/**
 * What a committed lesson notebook must look like (nbformat 4.5 with cell ids, the tslab
 * kernelspec, no outputs, no execution counts), and the stripping that gets it there.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { writeFileAtomic } from "../lib/files";
import type { Notebook, NotebookCell } from "./runner";

/** The kernelspec every lesson notebook names. */
export const TSLAB_KERNELSPEC = {
  name: "tslab",
  display_name: "TypeScript",
  language: "typescript",
} as const;

const CELL_ID = /^[a-zA-Z0-9-_]{1,64}$/;
const CELL_TYPES = new Set(["code", "markdown", "raw"]);

/** Reads and parses an .ipynb file; the error names the file when the JSON is broken. */
export function readNotebook(file: string): Notebook {
  const text = fs.readFileSync(file, "utf8");
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(
      `${file} is not valid JSON (${(err as Error).message}); open it in a text editor or restore it from git.`,
    );
  }
}

/**
 * The ways a notebook breaks the rules for committed lessons, one readable line each; empty when clean.
 * Structural checks only; the tests also run nbformat's own schema validation.
 */
export function hygieneProblems(nb: Notebook): string[] {
  const problems: string[] = [];
  if (nb.nbformat !== 4 || !(nb.nbformat_minor >= 5)) {
    problems.push(
      `is nbformat ${nb.nbformat}.${nb.nbformat_minor}; lessons need 4.5 or newer (cell ids): run \`npm run strip\` on it`,
    );
  }
  const spec = nb.metadata?.kernelspec ?? {};
  for (const [key, value] of Object.entries(TSLAB_KERNELSPEC)) {
    if (spec[key] !== value) {
      problems.push(
        `kernelspec.${key} is ${JSON.stringify(spec[key])}, not "${value}": choose Kernel → Change Kernel… → TypeScript in JupyterLab and save`,
      );
    }
  }
  const language = nb.metadata?.language_info?.name;
  if (language !== "typescript") {
    problems.push(
      `language_info.name is ${JSON.stringify(language)}, not "typescript": save the notebook from JupyterLab with the TypeScript kernel`,
    );
  }
  if (!Array.isArray(nb.cells)) return [...problems, "has no cells list"];
  const seen = new Set<string>();
  nb.cells.forEach((cell, index) => {
    const where = `cell ${index + 1}`;
    if (!CELL_TYPES.has(cell.cell_type))
      problems.push(`${where} has unknown cell_type ${JSON.stringify(cell.cell_type)}`);
    if (typeof cell.id !== "string" || !CELL_ID.test(cell.id)) {
      problems.push(`${where} has no valid id (1-64 letters, digits, - or _): run \`npm run strip\` on it`);
    } else if (seen.has(cell.id)) {
      problems.push(`${where} repeats the id "${cell.id}": give one of them a new id`);
    } else {
      seen.add(cell.id);
    }
    if (cell.cell_type !== "code") return;
    if (cell.outputs === undefined || cell.outputs.length > 0)
      problems.push(`${where} has outputs: run \`npm run strip\` on it`);
    if (cell.execution_count !== null)
      problems.push(`${where} has an execution count: run \`npm run strip\` on it`);
    if (cell.metadata?.execution !== undefined)
      problems.push(`${where} has execution timing metadata: run \`npm run strip\` on it`);
  });
  return problems;
}

/**
 * A copy of `nb` ready to commit: outputs, execution counts and timing metadata removed; cell ids
 * added where missing (which makes it nbformat 4.5). Everything else stays as it was.
 */
export function stripNotebook(nb: Notebook): Notebook {
  const seen = new Set<string>();
  const cells = nb.cells.map((cell): NotebookCell => {
    const copy: NotebookCell = { ...cell, metadata: { ...cell.metadata } };
    while (typeof copy.id !== "string" || !CELL_ID.test(copy.id) || seen.has(copy.id)) {
      copy.id = randomBytes(4).toString("hex");
    }
    seen.add(copy.id);
    if (copy.cell_type === "code") {
      copy.outputs = [];
      copy.execution_count = null;
      delete copy.metadata.execution;
    }
    return copy;
  });
  return { ...nb, nbformat: 4, nbformat_minor: Math.max(5, nb.nbformat_minor), cells };
}

/**
 * The file text Jupyter itself writes: keys sorted, one-space indent, trailing newline (so diffs stay small).
 */
export function serializeNotebook(nb: Notebook): string {
  return JSON.stringify(nb, sortKeys, 1) + "\n";
}

/** Writes `nb` to `file` atomically (temporary file, then rename). */
export function writeNotebook(file: string, nb: Notebook): void {
  writeFileAtomic(file, serializeNotebook(nb));
}

function sortKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
