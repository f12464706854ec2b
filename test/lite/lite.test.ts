/**
 * The course in the browser: the JupyterLite site `npm run export` writes to `lite/`, served from
 * 127.0.0.1 with no special headers, in headless Chromium, with every request beyond the local
 * server blocked and recorded. The lessons run on the TypeScript kernel of lite-kernel/ (a Web
 * Worker), with the solutions; a fresh notebook checks the kernel's
 * semantics; learners' edits survive a reload and a downloaded notebook is a valid submission.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { analyzeNotebook } from "../../scripts/assignments/format";
import { ROOT } from "../../scripts/lib/paths";
import { launchChromium, offlinePage, type PageProblems } from "../browser/chromium";
import {
  buildTestSite,
  cellOutputs,
  lessonFiles,
  menu,
  openNotebook,
  typeAndRun,
  waitForKernelIdle,
} from "./lite-page";
import { serveFolder, type StaticServer } from "./static-server";

const ERROR_MIME = "application/vnd.jupyter.stderr";

let browser: Browser;
const servers: StaticServer[] = [];
let learner: StaticServer;
let solutions: StaticServer;
/** The learner site again, served with cross-origin isolation headers. */
let isolated: StaticServer;

/**
 * Marks every code cell of the site's lessons `raises-exception`, so that Run All goes on past a
 * cell that fails (JupyterLab then asks the kernel not to stop on error): in the learner build each
 * unanswered exercise fails, and the test wants to see every check's feedback.
 */
function runPastErrors(site: string): void {
  for (const file of lessonFiles()) {
    const at = path.join(site, "files", file);
    const nb = JSON.parse(fs.readFileSync(at, "utf8"));
    for (const cell of nb.cells)
      if (cell.cell_type === "code")
        cell.metadata = { ...cell.metadata, tags: [...(cell.metadata?.tags ?? []), "raises-exception"] };
    fs.writeFileSync(at, JSON.stringify(nb));
  }
}

beforeAll(async () => {
  const learnerSite = await buildTestSite(false);
  runPastErrors(learnerSite);
  learner = await serveFolder(learnerSite);
  isolated = await serveFolder(learnerSite, true);
  solutions = await serveFolder(await buildTestSite(true));
  servers.push(learner, isolated, solutions);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  for (const s of servers) {
    await s.close();
    fs.rmSync(path.dirname(s.root), { recursive: true, force: true });
  }
});

/** Runs `fn` on a fresh page of `server`'s site and checks that nothing left the site. */
async function withPage(
  server: StaticServer,
  fn: (page: Page, problems: PageProblems) => Promise<void>,
): Promise<void> {
  // blob: URLs are data the page made itself (File → Download), not requests.
  const { context, page, problems } = await offlinePage(browser, [server.url, "blob:"]);
  try {
    await fn(page, problems);
    expect(problems.blocked).toEqual([]);
  } finally {
    await context.close();
  }
}

/** The code cells of a notebook in the page, as their source text. */
async function cellSources(page: Page): Promise<string[]> {
  // Line by line: innerText would be empty for cells scrolled out of view (content-visibility).
  return page.$$eval(".jp-Notebook .jp-CodeCell .jp-InputArea-editor", (els) =>
    els.map((e) => Array.from(e.querySelectorAll(".cm-line"), (line) => line.textContent ?? "").join("\n")),
  );
}

/** Starts a new notebook on the default kernel from the launcher; the first cell is in edit mode. */
async function newNotebook(page: Page, server: StaticServer): Promise<void> {
  await page.goto(`${server.url}lab/index.html`);
  await page.click('.jp-LauncherCard[data-category="Notebook"]', { timeout: 90_000 });
  await page.waitForSelector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', { timeout: 90_000 });
  await page.click(".jp-Notebook .jp-Cell .cm-content");
}

/** The text of every output of the last code cell. */
async function lastOutputs(page: Page): Promise<{ mime: string; text: string }[]> {
  const all = await cellOutputs(page);
  return all[all.length - 2] ?? [];
}

describe("a fresh notebook on the browser kernel", () => {
  test("keeps declarations across cells, reports type and runtime errors against the cell, restarts out of an endless loop, completes kernel-lib names", async () => {
    await withPage(learner, async (page) => {
      await newNotebook(page, learner);
      await page.waitForSelector(".jp-Notebook .jp-Cell .cm-content");

      await typeAndRun(page, "const a = 21;");
      await typeAndRun(page, "let b = 2;");
      await typeAndRun(page, "a * b");
      expect(await lastOutputs(page)).toEqual([{ mime: "text/plain", text: "42" }]);

      // Declaring a const again (as re-running its cell does) replaces it.
      await typeAndRun(page, "const a = 22;\na * b");
      expect(await lastOutputs(page)).toEqual([{ mime: "text/plain", text: "44" }]);

      await typeAndRun(page, 'const fine = 1;\nconst s: number = "x";');
      const typeError = await lastOutputs(page);
      expect(typeError).toHaveLength(1);
      expect(typeError[0].mime).toBe(ERROR_MIME);
      expect(typeError[0].text).toContain("2:7 - Type 'string' is not assignable to type 'number'.");

      await typeAndRun(page, 'function boom(): number {\n  throw new RangeError("too far");\n}\nboom()');
      const thrown = await lastOutputs(page);
      expect(thrown).toHaveLength(1);
      expect(thrown[0].mime).toBe(ERROR_MIME);
      expect(thrown[0].text).toMatch(/^RangeError: too far/);
      expect(thrown[0].text).toMatch(/at boom, line 2 of this cell:  throw new RangeError\("too far"\);/);
      expect(thrown[0].text).not.toMatch(/worker|kernel-lib\.js|https?:/);

      // An endless loop, ended by Kernel → Restart; the notebook goes on working.
      await page.keyboard.insertText("while (true) {}");
      await page.keyboard.press("Shift+Enter");
      await page.waitForSelector('.jp-Notebook-ExecutionIndicator[data-status="busy"]');
      await menu(page, "Kernel", "Restart Kernel…");
      await page.click(".jp-Dialog-button.jp-mod-accept");
      await page.waitForSelector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', { timeout: 30_000 });
      await page.click(".jp-Notebook .jp-Cell:last-child .cm-content");
      await typeAndRun(page, 'import { mlp } from "kernel-lib";\nmlp([2, 3, 1], { seed: 1 }).layers.length');
      expect(await lastOutputs(page)).toEqual([{ mime: "text/plain", text: "2" }]);

      // Tab after `ml` completes to mlp (the only name starting so, so it is inserted at once).
      await page.keyboard.insertText("ml");
      await page.keyboard.press("Tab");
      await page.waitForFunction(
        () => {
          const doc = (
            globalThis as unknown as {
              document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> };
            }
          ).document;
          const editors = doc.querySelectorAll(".jp-Notebook .jp-CodeCell .cm-content");
          const items = Array.from(doc.querySelectorAll(".jp-Completer-item")).map(
            (e) => e.textContent ?? "",
          );
          return (
            (editors[editors.length - 1].textContent ?? "").startsWith("mlp") ||
            items.some((t) => t.includes("mlp"))
          );
        },
        null,
        { timeout: 20_000 },
      );
    });
  }, 300_000);
});

describe("Kernel → Interrupt", () => {
  /** Runs `code`, interrupts it once the kernel is busy, and returns the cell's outputs. */
  async function interrupted(page: Page, code: string): Promise<{ mime: string; text: string }[]> {
    await page.keyboard.insertText(code);
    await page.keyboard.press("Shift+Enter");
    await page.waitForSelector('.jp-Notebook-ExecutionIndicator[data-status="busy"]');
    await page.waitForTimeout(500);
    await menu(page, "Kernel", "Interrupt Kernel");
    await waitForKernelIdle(page, 30_000);
    return lastOutputs(page);
  }

  test("stops an endless loop on a cross-origin isolated page and keeps what the notebook defined", async () => {
    await withPage(isolated, async (page) => {
      await newNotebook(page, isolated);
      expect(
        await page.evaluate(() => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated),
      ).toBe(true);
      await typeAndRun(page, "let passes = 0;\nconst kept = 42;");
      const outputs = await interrupted(page, "while (true) {\n  passes++;\n}");
      expect(outputs).toHaveLength(1);
      expect(outputs[0].mime).toBe(ERROR_MIME);
      expect(outputs[0].text).toMatch(/^InterruptError: Kernel → Interrupt stopped this cell/);
      expect(outputs[0].text).toContain("line 1 of this cell:  while (true) {");
      // The same worker goes on, with the notebook's state.
      await typeAndRun(page, "[kept, passes > 1000]");
      expect(await lastOutputs(page)).toEqual([{ mime: "text/plain", text: "[ 42, true ]" }]);
    });
  }, 300_000);

  test("stops a cell waiting on a promise on any page", async () => {
    await withPage(learner, async (page) => {
      await newNotebook(page, learner);
      const outputs = await interrupted(page, "const never = 7;\nawait new Promise(() => {});");
      expect(outputs.map((o) => o.mime)).toEqual([ERROR_MIME]);
      expect(outputs[0].text).toMatch(/^InterruptError: /);
      await typeAndRun(page, "never * 6");
      expect(await lastOutputs(page)).toEqual([{ mime: "text/plain", text: "42" }]);
    });
  }, 300_000);
});

describe("learners' work", () => {
  test("an edited notebook survives a reload, and its download is graded by npm run grade", async () => {
    const download = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-lite-download-")),
      "01-chain-rule.ipynb",
    );
    try {
      await withPage(learner, async (page) => {
        await openNotebook(page, learner.url, "01-chain-rule.ipynb");
        await page.click(".jp-Notebook .jp-CodeCell .cm-content");
        await page.keyboard.press("Control+Home");
        await page.keyboard.insertText("// my note\n");
        await page.keyboard.press("Control+s");
        await page.waitForSelector(".jp-mod-dirty", { state: "detached", timeout: 20_000 }).catch(() => {});
        await page.waitForTimeout(1000);
        await page.reload();
        await page.waitForSelector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', {
          timeout: 90_000,
        });
        expect((await cellSources(page))[0]).toMatch(/^\/\/ my note\n/);

        const [file] = await Promise.all([page.waitForEvent("download"), menu(page, "File", "Download")]);
        await file.saveAs(download);
      });
      const out = execFileSync(
        "npx",
        [
          "tsx",
          "scripts/grade.ts",
          download,
          "--json",
          "--report-dir",
          path.join(path.dirname(download), "grades"),
        ],
        {
          cwd: ROOT,
          encoding: "utf8",
          timeout: 280_000,
        },
      );
      const {
        submissions: [grade],
      } = JSON.parse(out.slice(out.indexOf("{"))) as {
        submissions: {
          graded: boolean;
          error: string | null;
          reference: string | null;
          exercises: { status: string }[];
        }[];
      };
      expect(grade.error).toBeNull();
      expect(grade.graded).toBe(true);
      expect(grade.reference).toMatch(/01-chain-rule\.ipynb$/);
      expect(grade.exercises.length).toBeGreaterThan(0);
    } finally {
      fs.rmSync(path.dirname(download), { recursive: true, force: true });
    }
  }, 400_000);
});

describe("every lesson runs in the browser", () => {
  for (const file of lessonFiles()) {
    test(`${file}, with solutions: Run All gives no error, draws every figure and passes every check`, async () => {
      await withPage(solutions, async (page, problems) => {
        await openNotebook(page, solutions.url, file);
        await menu(page, "Run", "Run All Cells");
        await waitForKernelIdle(page, 300_000);
        const outputs = (await cellOutputs(page)).flat();
        expect(outputs.filter((o) => o.mime === ERROR_MIME)).toEqual([]);
        const figures = await page.$$eval(".jp-OutputArea-output .js-plotly-plot", (els) =>
          els.map((e) => e.querySelector("svg.main-svg") !== null),
        );
        expect(figures.every((drawn) => drawn)).toBe(true);
        const checks = outputs.filter((o) => /^[✓✗] Exercise /.test(o.text));
        expect(checks.filter((c) => !c.text.startsWith("✓"))).toEqual([]);
        const sources = await cellSources(page);
        const calls = sources.reduce(
          (n, s) => n + (s.match(/exercises\.check(Function|Value|That)\(/g)?.length ?? 0),
          0,
        );
        expect(checks.length).toBe(calls);
        expect(problems.errors).toEqual([]);
      });
    }, 400_000);
  }
});

describe("every lesson of the learner build", () => {
  const lessonOf = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, "notebooks", file), "utf8"));
  const exercisesOf = (file: string) => analyzeNotebook(lessonOf(file)).exercises;
  for (const file of lessonFiles().filter((f) => exercisesOf(f).length > 0)) {
    test(`${file}, as handed out: Run All reaches every check, each fails, and each exercise says it is not implemented yet`, async () => {
      await withPage(learner, async (page, problems) => {
        await openNotebook(page, learner.url, file);
        await menu(page, "Run", "Run All Cells");
        await waitForKernelIdle(page, 300_000);
        const outputs = await cellOutputs(page);
        // Cell k of the notebook is code cell codeIndex[k] on the page.
        const cells: { cell_type: string }[] = lessonOf(file).cells;
        const codeIndex = cells.map((_, k) => cells.slice(0, k).filter((c) => c.cell_type === "code").length);
        const textOf = (k: number) => outputs[codeIndex[k]].map((o) => o.text).join("\n");
        for (const exercise of exercisesOf(file)) {
          const check = textOf(exercise.checkCell.index);
          // The check ran and failed: on the exception the unanswered exercise throws, or on the value it
          // left unset.
          expect([file, exercise.id, check]).toEqual([
            file,
            exercise.id,
            expect.stringMatching(new RegExp(`^✗ Exercise ${exercise.id.replace(".", "\\.")}: `)),
          ]);
          const said = [check, ...exercise.solutionCells.map((c) => textOf(c.index))].join("\n");
          expect([file, exercise.id, said]).toEqual([
            file,
            exercise.id,
            expect.stringContaining(`Exercise ${exercise.id} is not implemented yet`),
          ]);
        }
        expect(problems.errors).toEqual([]);
      });
    }, 400_000);
  }
});
