/**
 * The self-contained HTML form of a figure (the `text/html` fallback that exported pages and
 * nbconvert show) and the rule for where plotly.js itself goes:
 *
 * - "once" (default): the first figure shown in a kernel session carries plotly.js (≈ 4.8 MB) in a
 *   `<script>`; every later figure's HTML only calls `Plotly.newPlot`, waiting for `window.Plotly`.
 * - "every-figure": every figure carries plotly.js (each output stands alone; large pages).
 * - "none": no figure carries it; the page provides `window.Plotly` (e.g. a static site loading
 *   one shared plotly.min.js).
 *
 * The environment variable GRADIENT_LAB_PLOTLY (once | every-figure | none) sets the starting mode,
 * so an exporter can choose without editing notebooks. In the browser kernel there is no
 * environment: the mode starts as "once", and plotly.js is read from the site when first needed.
 */

import { environmentVariable } from "../environment";
import { readPlotly } from "./plotly-file";
import type { Figure } from "../plot/types";

/** Where plotly.js goes in the HTML of shown figures (see the module comment). */
export type PlotlyEmbedding = "once" | "every-figure" | "none";

const MODES: readonly PlotlyEmbedding[] = ["once", "every-figure", "none"];

interface EmbeddingState {
  mode: PlotlyEmbedding;
  /** Whether a figure carrying plotly.js has been sent in this process ("once" mode). */
  inlined: boolean;
}

// Kept on globalThis, so two loaded copies of kernel-lib in one kernel still inline plotly.js once.
const STATE_KEY = Symbol.for("gradient-lab.plot.embedding");

function state(): EmbeddingState {
  const g = globalThis as unknown as { [key: symbol]: EmbeddingState | undefined };
  let s = g[STATE_KEY];
  if (!s) {
    const env = environmentVariable("GRADIENT_LAB_PLOTLY") as PlotlyEmbedding | undefined;
    s = { mode: env && MODES.includes(env) ? env : "once", inlined: false };
    g[STATE_KEY] = s;
  }
  return s;
}

/**
 * Sets where plotly.js goes in the HTML of the figures shown from now on. Setting "once" again
 * re-arms it: the next figure carries plotly.js again (useful after clearing the output that had it).
 */
export function setPlotlyEmbedding(mode: PlotlyEmbedding): void {
  if (!MODES.includes(mode))
    throw new Error(`setPlotlyEmbedding: mode must be one of ${MODES.join(", ")}; got "${String(mode)}".`);
  const s = state();
  s.mode = mode;
  s.inlined = false;
}

/** The current plotly.js embedding mode. */
export function plotlyEmbedding(): PlotlyEmbedding {
  return state().mode;
}

/** Whether the next figure's HTML should carry plotly.js under `mode` (the current mode by default). */
export function nextNeedsPlotly(mode: PlotlyEmbedding = state().mode): boolean {
  return mode === "every-figure" || (mode === "once" && !state().inlined);
}

/** Records that a figure carrying plotly.js reached the notebook. */
export function markPlotlyInlined(): void {
  state().inlined = true;
}

let source: string | null = null;

/** The text of plotly.min.js (read once, then kept), safe to place inside a `<script>` element. */
export function plotlySource(): string {
  if (source === null) {
    source = readPlotly().replace(/<\/script/gi, "<\\/script");
  }
  return source;
}

/** JSON placed in a `<script>`: no `</script>` or line separators can end or break it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

let counter = 0;
const sessionTag = Math.random().toString(36).slice(2, 8);

/** A fresh element id for a figure's `<div>`. */
export function newFigureId(): string {
  counter += 1;
  return `gradient-lab-plot-${sessionTag}-${counter}`;
}

/** Options of `figureHtml`. */
export interface FigureHtmlOptions {
  /** Put plotly.js itself in a `<script>` before the figure. */
  includePlotly: boolean;
  /** The id of the figure's `<div>`; a fresh one by default. */
  id?: string;
}

/**
 * The HTML that draws `fig` with no network access: a `<div>`, plotly.js when `includePlotly`, and a
 * script that calls `Plotly.newPlot` as soon as `window.Plotly` exists (polling for up to a minute,
 * since another output on the page may define it later; then it says what is missing).
 */
export function figureHtml(fig: Figure, opts: FigureHtmlOptions): string {
  const id = opts.id ?? newFigureId();
  const height = typeof fig.layout?.height === "number" ? fig.layout.height : 450;
  const parts = [`<div id="${id}" class="gradient-lab-plot" style="width:100%;height:${height}px;"></div>`];
  if (opts.includePlotly) {
    parts.push(
      `<script type="text/javascript">/* plotly.js (MIT licence), inlined once by kernel-lib */\n${plotlySource()}\n</script>`,
    );
  }
  parts.push(`<script type="text/javascript">
(function () {
  var id = ${scriptJson(id)};
  var fig = ${scriptJson({ data: fig.data, layout: fig.layout, config: fig.config ?? {} })};
  function draw() {
    var el = document.getElementById(id);
    if (!el || el.getAttribute("data-drawn")) return;
    el.setAttribute("data-drawn", "1");
    window.Plotly.newPlot(el, fig.data, fig.layout, fig.config);
  }
  if (window.Plotly) { draw(); return; }
  var waited = 0;
  var timer = setInterval(function () {
    if (window.Plotly) { clearInterval(timer); draw(); return; }
    waited += 100;
    if (waited >= 60000) {
      clearInterval(timer);
      var el = document.getElementById(id);
      if (el) el.textContent = "This figure needs plotly.js, which is not on this page. In the notebook, run setPlotlyEmbedding(\\"every-figure\\") before show(), or restart the kernel and run all cells.";
    }
  }, 100);
})();
</script>`);
  return parts.join("\n");
}
