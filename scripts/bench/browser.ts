/**
 * The browser part of `npm run bench`: the course's JupyterLite site (built as `npm run export`
 * builds it, with solutions), served from 127.0.0.1 and driven in headless Chromium.
 *
 * - Lesson 02 run top to bottom (Run All until the kernel is idle) in the browser kernel, against
 *   the same notebook run in tslab by the notebook runner; the ratio browser ÷ tslab (target ≤ 1.5).
 * - On a cold cache (a fresh browser profile): seconds from opening a lesson to the first cell's
 *   result, and the bytes the server sent, raw and gzip-compressed as a static host would send them.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { launchChromium, offlinePage } from "../../test/browser/chromium";
import { cellOutputs, menu, openNotebook, waitForKernelIdle } from "../../test/lite/lite-page";
import { serveFolder } from "../../test/lite/static-server";
import { ensureJupyterEnv } from "../jupyter/env";
import { ROOT } from "../lib/paths";
import { listNotebooks, runNotebook } from "../jupyter/runner";
import { buildLiteSite } from "../site/lite";

/** What the browser bench measured. */
export interface BrowserBench {
  lesson: string;
  browserSeconds: number;
  tslabSeconds: number;
  /** browserSeconds ÷ tslabSeconds. */
  ratio: number;
  targetRatio: number;
  coldFirstResultSeconds: number;
  coldBytes: number;
  coldGzipBytes: number;
  coldFiles: number;
}

const LESSON = "02-sigmoid-vanishing.ipynb";

/** Measures the browser kernel; `log` receives progress lines. */
export async function measureBrowser(log: (line: string) => void): Promise<BrowserBench> {
  const jupyter = await ensureJupyterEnv({ log });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-bench-lite-"));
  const notebooksDir = path.join(ROOT, "notebooks");
  const browser = await launchChromium();
  try {
    log("  building the JupyterLite site …");
    const site = path.join(work, "lite");
    await buildLiteSite({
      notebooks: listNotebooks(notebooksDir),
      notebooksDir,
      outDir: site,
      jupyter,
      withSolutions: true,
    });

    log("  cold cache: opening lesson 00 …");
    const cold = await serveFolder(site);
    let coldFirstResultSeconds: number;
    {
      const { context, page } = await offlinePage(browser, [cold.url]);
      const t0 = performance.now();
      await openNotebook(page, cold.url, "00-welcome.ipynb");
      await page.click(".jp-Notebook .jp-CodeCell");
      await page.keyboard.press("Escape");
      await page.keyboard.press("Shift+Enter");
      await page.waitForSelector(".jp-Notebook .jp-CodeCell .jp-OutputArea-output", { timeout: 120_000 });
      coldFirstResultSeconds = (performance.now() - t0) / 1000;
      await context.close();
    }
    const files = cold.filesSent();
    const coldGzipBytes = files.reduce((sum, f) => sum + gzipSync(fs.readFileSync(f)).length, 0);
    const coldBytes = cold.bytesSent();
    await cold.close();

    log(`  ${LESSON} in the browser kernel …`);
    const server = await serveFolder(site);
    let browserSeconds: number;
    {
      const { context, page } = await offlinePage(browser, [server.url]);
      await openNotebook(page, server.url, LESSON);
      const t0 = performance.now();
      await menu(page, "Run", "Run All Cells");
      await waitForKernelIdle(page, 600_000);
      // The idle wait ends 1.5 s after the last cell finished; that quiet period is not run time.
      browserSeconds = (performance.now() - t0) / 1000 - 1.5;
      const errors = (await cellOutputs(page))
        .flat()
        .filter((o) => o.mime === "application/vnd.jupyter.stderr");
      if (errors.length > 0)
        throw new Error(`${LESSON} failed in the browser: ${errors[0].text.split("\n")[0]}`);
      await context.close();
    }
    await server.close();

    log(`  ${LESSON} in tslab …`);
    const result = await runNotebook(path.join(notebooksDir, LESSON), { jupyter });
    if (!result.ok) throw new Error(`${LESSON} failed in tslab: ${(result.error ?? "").split("\n")[0]}`);
    const tslabSeconds = result.durationMs / 1000;
    return {
      lesson: LESSON,
      browserSeconds,
      tslabSeconds,
      ratio: browserSeconds / tslabSeconds,
      targetRatio: 1.5,
      coldFirstResultSeconds,
      coldBytes,
      coldGzipBytes,
      coldFiles: files.length,
    };
  } finally {
    await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
