/** Small tslab notebooks written by tests: the runner, the exporter and the browser tests use them. */
import fs from "node:fs";
import path from "node:path";
import type { Notebook } from "../scripts/jupyter/runner";

/**
 * A cell: a string is a code cell, `{ source, tags }` a code cell with tags, `{ markdown }` a Markdown cell.
 */
export type CellSpec = string | { source: string; tags: string[] } | { markdown: string };

/** A notebook for the tslab kernel (nbformat 4.5, cell ids "cell-1", "cell-2", …) holding `cells`. */
export function notebookOf(cells: CellSpec[]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" },
      language_info: { name: "typescript" },
    },
    cells: cells.map((cell, i) =>
      typeof cell === "object" && "markdown" in cell
        ? { cell_type: "markdown", id: `cell-${i + 1}`, source: cell.markdown, metadata: {} }
        : {
            cell_type: "code",
            id: `cell-${i + 1}`,
            source: typeof cell === "string" ? cell : cell.source,
            metadata: typeof cell === "string" ? {} : { tags: cell.tags },
            outputs: [],
            execution_count: null,
          },
    ),
  };
}

/** Writes `notebookOf(cells)` to `file` (creating its folder) and returns the path. */
export function writeNotebook(file: string, cells: CellSpec[]): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(notebookOf(cells), null, 1));
  return file;
}
