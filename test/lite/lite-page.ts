/**
 * Driving JupyterLite in headless Chromium for the browser-kernel tests: build a site once per
 * variant, open a notebook, type and run cells, wait for the kernel, read the outputs.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { ensureJupyterEnv } from "../../scripts/jupyter/env";
import { ROOT } from "../../scripts/lib/paths";
import { editionOfPath } from "../../scripts/jupyter/editions";
import { listNotebooks } from "../../scripts/jupyter/runner";
import { buildLiteSite } from "../../scripts/site/lite";

/** Builds a JupyterLite site of the lessons into a fresh temporary folder; returns the folder. */
export async function buildTestSite(withSolutions: boolean): Promise<string> {
  const jupyter = await ensureJupyterEnv({ log: () => {} });
  const dir = fs.mkdtempSync(
    path.join(os.tmpdir(), `gradient-lab-lite-test-${withSolutions ? "solutions" : "learner"}-`),
  );
  const outDir = path.join(dir, "lite");
  const notebooksDir = path.join(ROOT, "notebooks");
  await buildLiteSite({
    notebooks: listNotebooks(notebooksDir),
    notebooksDir,
    outDir,
    jupyter,
    withSolutions,
  });
  return outDir;
}

/** One output of a cell: its MIME type as JupyterLab renders it, and its text. */
export interface CellOutput {
  mime: string;
  text: string;
}

/**
 * Waits until the notebook's kernel has been idle for 1.5 s. Only the kernel's status counts: after
 * a failing cell, JupyterLab leaves the cells that were queued behind it marked `[*]`.
 */
export async function waitForKernelIdle(page: Page, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietSince = 0;
  while (Date.now() < deadline) {
    const status = await page
      .getAttribute(".jp-Notebook-ExecutionIndicator", "data-status")
      .catch(() => null);
    if (status !== "idle") quietSince = 0;
    else if (quietSince === 0) quietSince = Date.now();
    else if (Date.now() - quietSince > 1500) return;
    await page.waitForTimeout(250);
  }
  throw new Error(`The kernel was still busy after ${timeoutMs / 1000} s.`);
}

/** The outputs of every code cell, in order (an empty list for a cell without output). */
export async function cellOutputs(page: Page): Promise<CellOutput[][]> {
  return page.$$eval(".jp-Notebook .jp-CodeCell", (cells) =>
    cells.map((cell) =>
      Array.from(cell.querySelectorAll(".jp-OutputArea-output")).map((o) => ({
        mime: o.getAttribute("data-mime-type") ?? "",
        text: o.textContent ?? "",
      })),
    ),
  );
}

/** Runs a menu command, e.g. `menu(page, "Run", "Run All Cells")`. */
export async function menu(page: Page, top: string, item: string): Promise<void> {
  await page.click(`.lm-MenuBar-itemLabel:text-is("${top}")`);
  await page.click(`.lm-Menu-itemLabel:text-is("${item}")`);
}

/** Opens `lab/index.html?path=<file>` and waits for its kernel. */
export async function openNotebook(page: Page, siteUrl: string, file: string): Promise<void> {
  await page.goto(`${siteUrl}lab/index.html?path=${encodeURIComponent(file)}`);
  await page.waitForSelector(".jp-Notebook .jp-Cell", { timeout: 90_000 });
  await page.waitForSelector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', { timeout: 90_000 });
}

/** Types `code` into the active cell (which must be in edit mode) and runs it with Shift+Enter. */
export async function typeAndRun(page: Page, code: string): Promise<void> {
  await page.keyboard.insertText(code);
  await page.keyboard.press("Shift+Enter");
  await waitForKernelIdle(page);
}

/**
 * The English lessons of `ROOT/notebooks`, by file name (the Korean edition's code is the same; see
 * test/notebooks/editions.test.ts).
 */
export function lessonFiles(): string[] {
  const dir = path.join(ROOT, "notebooks");
  return listNotebooks(dir)
    .map((f) => path.relative(dir, f))
    .filter((f) => editionOfPath(f).language === "en");
}
