/**
 * Wall time of executing every notebook in notebooks/ with scripts/jupyter/runner.ts, with the
 * WebAssembly kernels and with GRADIENT_LAB_KERNELS=typescript (interleaved, notebook by notebook),
 * and whether both runs printed the same text (they should: the kernels give the same bits).
 */
import fs from "node:fs";
import path from "node:path";
import type { Notebook } from "../jupyter/runner";
import { ROOT } from "../lib/paths";
import { log, rotate } from "./timing";

export interface NotebookFigure {
  /** Wall time of the suite with kernel-lib's default kernels (WebAssembly SIMD where available). */
  seconds: number | null;
  /** The same suite with GRADIENT_LAB_KERNELS=typescript (the kernels before WebAssembly). */
  secondsTypescript: number | null;
  count: number;
  passed: number;
  /** Notebooks whose two runs printed the same text (streams and text/plain results, cell by cell). */
  samePrinted: number;
  /** Seconds per notebook, with each kernel choice, and whether both printed the same text. */
  perNotebook: { notebook: string; seconds: number; secondsTypescript: number; samePrinted: boolean }[];
  missing?: string;
}

/** The notebook suite with both kernel choices; `missing` says why there is no figure. */
export async function measureNotebooks(skip: boolean): Promise<NotebookFigure> {
  const none = {
    seconds: null,
    secondsTypescript: null,
    count: 0,
    passed: 0,
    samePrinted: 0,
    perNotebook: [],
  };
  if (skip) return { ...none, missing: "skipped (--skip-notebooks)" };
  let runner: typeof import("../jupyter/runner");
  try {
    runner = await import("../jupyter/runner");
  } catch (e) {
    return {
      ...none,
      missing: `scripts/jupyter/runner.ts did not load: ${(e as Error).message.split("\n")[0]}`,
    };
  }
  const notebooks = fs.existsSync(path.join(ROOT, "notebooks")) ? runner.listNotebooks() : [];
  if (notebooks.length === 0) return { ...none, missing: "there are no notebooks in notebooks/ yet" };
  try {
    const { ensureJupyterEnv } = await import("../jupyter/env");
    const jupyter = await ensureJupyterEnv({ log });
    let passed = 0;
    const perNotebook: NotebookFigure["perNotebook"] = [];
    // Each notebook with both kernel choices, alternating which goes first, so load hits both alike.
    for (const [index, nb] of notebooks.entries()) {
      const times: { [kernels: string]: number } = {};
      const printedBy: { [kernels: string]: string } = {};
      for (const kernels of rotate(["auto", "typescript"], index)) {
        log(`  notebook ${path.relative(ROOT, nb)} (GRADIENT_LAB_KERNELS=${kernels}) …`);
        const t0 = performance.now();
        const result = await runner.runNotebook(nb, { jupyter, env: { GRADIENT_LAB_KERNELS: kernels } });
        times[kernels] = (performance.now() - t0) / 1000;
        printedBy[kernels] = printed(result.notebook);
        if (result.ok) passed += kernels === "auto" ? 1 : 0;
        else log(`    failed: ${(result.error ?? "").split("\n")[0]}`);
      }
      perNotebook.push({
        notebook: path.relative(path.join(ROOT, "notebooks"), nb),
        seconds: times.auto,
        secondsTypescript: times.typescript,
        samePrinted: printedBy.auto === printedBy.typescript,
      });
    }
    const total = (key: "seconds" | "secondsTypescript") => perNotebook.reduce((sum, r) => sum + r[key], 0);
    return {
      seconds: total("seconds"),
      secondsTypescript: total("secondsTypescript"),
      count: notebooks.length,
      passed,
      samePrinted: perNotebook.filter((r) => r.samePrinted).length,
      perNotebook,
    };
  } catch (e) {
    return {
      ...none,
      count: notebooks.length,
      missing: `the notebook runner failed: ${(e as Error).message.split("\n")[0]}`,
    };
  }
}

/**
 * What a run printed, cell by cell: its streams and the text/plain of its results and displays
 * (figures and the live training view are left out: their HTML carries ids and timing).
 */
function printed(nb: Notebook): string {
  return nb.cells
    .map((cell) =>
      (cell.outputs ?? [])
        .map((o) => {
          const out = o as { output_type: string; text?: string | string[]; data?: Record<string, unknown> };
          const text = out.output_type === "stream" ? out.text : out.data?.["text/plain"];
          return Array.isArray(text) ? text.join("") : typeof text === "string" ? text : "";
        })
        .join(""),
    )
    .join("\n\u241e\n");
}
