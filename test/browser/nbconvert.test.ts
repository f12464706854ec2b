/**
 * A notebook that calls `show`, executed in the real kernel and exported with Jupyter's nbconvert
 * to HTML, draws its figures offline: the HTML fallback in each figure's output carries plotly.js
 * (inlined once, by the first figure) so the page needs no network.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureJupyterEnv } from "../../scripts/jupyter/env";
import { ROOT } from "../../scripts/lib/paths";
import { runNotebook } from "../../scripts/jupyter/runner";
import { launchChromium, offlinePage } from "./chromium";
import { writeNotebook } from "../notebook-fixture";

const CELLS = [
  'import { plot, show, sigmoid } from "kernel-lib";',
  "show(plot.activation(sigmoid));",
  'show(plot.curves([{ name: "loss", x: [1, 2, 3], y: [1, 0.1, 0.01] }], { title: "Loss", xTitle: "epoch", yTitle: "loss", logY: true }));',
];

let dir: string;
let html: string;
let browser: Browser | undefined;

beforeAll(async () => {
  const jupyter = await ensureJupyterEnv({ log: () => {} });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-nbconvert-"));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  const source = path.join(dir, "show.ipynb");
  const executed = path.join(dir, "executed.ipynb");
  writeNotebook(source, CELLS);
  const run = await runNotebook(source, { outPath: executed, jupyter });
  expect(run.error).toBeNull();
  const convert = spawnSync(
    path.join(jupyter.binDir, "jupyter"),
    ["nbconvert", "--to", "html", executed, "--output", "executed"],
    { cwd: dir, env: jupyter.env, encoding: "utf8" },
  );
  expect(convert.status, convert.stderr).toBe(0);
  html = path.join(dir, "executed.html");
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("a notebook exported with nbconvert", () => {
  it("draws every figure from its HTML fallback with the network blocked", async () => {
    const { context, page, problems } = await offlinePage(browser!);
    await page.goto(`file://${html}`);
    await page.waitForFunction(
      () =>
        (
          globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<unknown> } }
        ).document.querySelectorAll(".js-plotly-plot svg.main-svg").length >= 2,
      undefined,
      { timeout: 60_000 },
    );
    const drawn = await page.evaluate(() => {
      const doc = (
        globalThis as unknown as {
          document: { querySelectorAll(s: string): ArrayLike<{ querySelector(s: string): unknown }> };
        }
      ).document;
      return Array.from(doc.querySelectorAll(".js-plotly-plot")).map(
        (div) => div.querySelector("svg.main-svg") !== null,
      );
    });
    expect(drawn).toEqual([true, true]);
    // nbconvert's own template asks the network for require.js and MathJax; those requests are
    // blocked, and nothing the figures need is among them.
    expect(
      problems.blocked.every((url) => /require\.js|mathjax/i.test(url)),
      problems.blocked.join("\n"),
    ).toBe(true);
    expect(problems.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
    // plotly.js is inlined once, by the first figure: its licence header appears exactly once.
    expect(fs.readFileSync(html, "utf8").match(/\* plotly\.js v\d+\.\d+\.\d+/g)).toHaveLength(1);
    await context.close();
  }, 120_000);
});
