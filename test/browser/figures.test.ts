/**
 * Every figure builder's HTML fallback, drawn by plotly.js in headless Chromium from a file:// page
 * with no network: the outputs a notebook would show, in order, with plotly.js inlined once.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Matrix, relu, sigmoid } from "../../kernel-lib/src";
import * as plot from "../../kernel-lib/src/plot";
import { setPlotlyEmbedding, show } from "../../kernel-lib/src";
import type { PlotlyEmbedding } from "../../kernel-lib/src";
import { plotlyPath } from "../../kernel-lib/src/display/plotly-file";
import { fakeHistory } from "../plot/fixtures";
import { launchChromium, offlinePage } from "./chromium";
import type { PageGlobals } from "./chromium";

const PLOTLY_MARKER = "window.Plotly = Plotly";

/** One figure of each builder (several for the builders with distinct modes). */
function figures(): [string, plot.Figure][] {
  const h = fakeHistory(8);
  // Two interleaved rings of 2-D points.
  const n = 60;
  const X = new Matrix(n, 2);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const t = (2 * Math.PI * i) / n;
    X.set(i, 0, (1 + c) * Math.cos(t));
    X.set(i, 1, (1 + c) * Math.sin(t));
    labels.push(c);
  }
  const radius = (g: Matrix, i: number) => Math.hypot(g.get(i, 0), g.get(i, 1));
  const digitsX = new Matrix(
    6,
    784,
    Float64Array.from({ length: 6 * 784 }, (_, k) => ((k % 784) % 28 > 10 && (k % 784) % 28 < 18 ? 1 : 0)),
  );
  const depthStates = [2, 4, 6].map((d) => ({
    label: String(d),
    figure: plot.curves([{ name: "layer 1", x: [1, 2, 3], y: [10 ** -d, 2 * 10 ** -d, 3 * 10 ** -d] }], {
      title: `depth ${d}`,
      logY: true,
    }),
  }));
  return [
    ["activation", plot.activation(sigmoid)],
    ["activation relu", plot.activation(relu, { range: [-3, 3] })],
    [
      "curves",
      plot.curves(
        [
          { name: "a", x: [1, 2, 3], y: [1, 0.1, 0.01] },
          { name: "b", x: [1, 2, 3], y: [2, 0.2, 0.02] },
        ],
        { title: "Curves", xTitle: "x", yTitle: "y", logY: true },
      ),
    ],
    ["history", plot.history(h, { showSteps: true })],
    ["history accuracy", plot.history(h, { metric: "accuracy" })],
    ["layerBars", plot.layerBars([1e-4, 1e-3, 1e-2], { logY: true, yTitle: "‖∂C/∂b‖" })],
    ["layerHeatmap", plot.layerHeatmap(h)],
    ["gradientFlow", plot.gradientFlow(h, { title: "The first hidden layer learns 100× more slowly" })],
    [
      "layerHistograms",
      plot.layerHistograms(
        [
          [0.1, 0.2, 0.2, 0.9],
          [0.5, 0.5, 0.6],
          [0.9, 0.95, 1],
        ],
        { xTitle: "activation a" },
      ),
    ],
    [
      "decisionBoundary classes",
      plot.decisionBoundary(
        X,
        labels,
        (g) => Int32Array.from({ length: g.rows }, (_, i) => (radius(g, i) > 1.5 ? 1 : 0)),
        { resolution: 40 },
      ),
    ],
    [
      "decisionBoundary probability",
      plot.decisionBoundary(
        X,
        labels,
        (g) => Array.from({ length: g.rows }, (_, i) => 1 / (1 + Math.exp(-4 * (radius(g, i) - 1.5)))),
        { resolution: 40 },
      ),
    ],
    [
      "digits",
      plot.digits(digitsX, [1, 1, 1, 7, 7, 7], { count: 6, columns: 3, predicted: [1, 7, 1, 7, 7, 1] }),
    ],
    ["slider", plot.slider(depthStates, { sliderTitle: "depth" })],
  ];
}

/** The text/html outputs `show` sends for `figs`, as a notebook would receive them. */
function htmlOutputs(figs: plot.Figure[], mode: PlotlyEmbedding): string[] {
  const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
  const html: string[] = [];
  jupyter.lastWriteDisplayData = (m: { data: { [mime: string]: unknown } }) =>
    html.push(m.data["text/html"] as string);
  try {
    setPlotlyEmbedding(mode);
    for (const f of figs) show(f);
  } finally {
    jupyter.lastWriteDisplayData = null;
    setPlotlyEmbedding("once");
  }
  return html;
}

function page(body: string[], head = ""): string {
  const outputs = body.map((h, i) => `<div class="output" data-index="${i}">\n${h}\n</div>`).join("\n");
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>Gradient Lab figures</title>${head}</head>\n<body style="font-family: sans-serif">\n${outputs}\n</body></html>\n`;
}

let browser: Browser;
let dir: string;

beforeAll(async () => {
  browser = await launchChromium();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-figures-"));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Waits until every figure on the page is drawn; returns per figure its trace count and SVG count. */
async function drawnFigures(p: import("playwright-core").Page, count: number) {
  await p.waitForFunction(
    (n) => {
      const els = Array.from(
        (globalThis as unknown as PageGlobals).document.querySelectorAll(".gradient-lab-plot"),
      );
      return (
        els.length === n &&
        els.every((el) => el.classList.contains("js-plotly-plot") && el.querySelector("svg.main-svg"))
      );
    },
    count,
    { timeout: 60_000 },
  );
  return p.evaluate(() =>
    Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll(".gradient-lab-plot")).map(
      (el) => ({
        traces: el.data?.length ?? 0,
        svgs: el.querySelectorAll("svg.main-svg").length,
      }),
    ),
  );
}

describe("figures in Chromium, offline", () => {
  it("draws every builder's figure, with plotly.js inlined once on the page", async () => {
    const named = figures();
    const html = htmlOutputs(
      named.map(([, f]) => f),
      "once",
    );
    const text = page(html);
    expect(text.split(PLOTLY_MARKER)).toHaveLength(2);
    const file = path.join(dir, "once.html");
    fs.writeFileSync(file, text);

    const { context, page: p, problems } = await offlinePage(browser);
    await p.goto(pathToFileURL(file).href);
    const drawn = await drawnFigures(p, named.length);
    drawn.forEach((d, i) => {
      expect(d.svgs, named[i][0]).toBeGreaterThan(0);
      expect(d.traces, named[i][0]).toBe(named[i][1].data.length);
    });
    const scripts = await p.evaluate(
      (marker) =>
        Array.from((globalThis as unknown as PageGlobals).document.scripts).filter((s) =>
          (s.textContent ?? "").includes(marker),
        ).length,
      PLOTLY_MARKER,
    );
    expect(scripts).toBe(1);

    // The slider steps through its states in the browser: click the rail's right end.
    const sliderIndex = named.findIndex(([n]) => n === "slider");
    const visibleBefore = await p.evaluate(
      (i) =>
        (globalThis as unknown as PageGlobals).document
          .querySelectorAll(".gradient-lab-plot")
          [i].data?.map((t) => t.visible),
      sliderIndex,
    );
    expect(visibleBefore).toEqual([true, false, false]);
    const rail = p.locator(".gradient-lab-plot").nth(sliderIndex).locator(".slider-rail-rect");
    await rail.scrollIntoViewIfNeeded();
    const box = await rail.boundingBox();
    await p.mouse.click(box!.x + box!.width - 2, box!.y + box!.height / 2);
    await p.waitForFunction(
      (i) =>
        (globalThis as unknown as PageGlobals).document.querySelectorAll(".gradient-lab-plot")[i].data?.[2]
          .visible === true,
      sliderIndex,
      { timeout: 10_000 },
    );
    const title = await p.evaluate(
      (i) =>
        (globalThis as unknown as PageGlobals).document.querySelectorAll(".gradient-lab-plot")[i].layout
          ?.title?.text,
      sliderIndex,
    );
    expect(title).toBe("depth 6");

    expect(problems.errors).toEqual([]);
    expect(problems.blocked).toEqual([]);
    await context.close();
  }, 120_000);

  it('draws figures in mode "none" from a page-provided plotly.js loaded after them', async () => {
    const named = figures().slice(0, 3);
    const html = htmlOutputs(
      named.map(([, f]) => f),
      "none",
    );
    expect(html.every((h) => !h.includes(PLOTLY_MARKER))).toBe(true);
    fs.copyFileSync(plotlyPath(), path.join(dir, "plotly.min.js"));
    // The shared script comes last, as a static site might place it: figures wait for it.
    const file = path.join(dir, "none.html");
    fs.writeFileSync(file, page([...html, '<script src="plotly.min.js"></script>']));
    const { context, page: p, problems } = await offlinePage(browser);
    await p.goto(pathToFileURL(file).href);
    const drawn = await drawnFigures(p, named.length);
    expect(drawn.map((d) => d.traces)).toEqual(named.map(([, f]) => f.data.length));
    expect(problems.errors).toEqual([]);
    expect(problems.blocked).toEqual([]);
    await context.close();
  }, 120_000);

  it("shows the computational graph SVG", async () => {
    const { Value } = await import("../../kernel-lib/src");
    const a = new Value(2, "a");
    const L = a.mul(new Value(-3, "b")).named("L");
    L.backward();
    const file = path.join(dir, "graph.html");
    fs.writeFileSync(file, page([await plot.graphSvg(L)]));
    const { context, page: p, problems } = await offlinePage(browser);
    await p.goto(pathToFileURL(file).href);
    expect(await p.locator("svg g.node").count()).toBe(4);
    expect(await p.locator("svg").first().textContent()).toContain("grad -3.0000");
    expect(problems.errors).toEqual([]);
    await context.close();
  }, 60_000);
});
