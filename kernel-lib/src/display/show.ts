/**
 * `show`: puts a figure inline in the notebook as ONE output carrying three representations —
 * plotly's JSON (`application/vnd.plotly.v1+json`, drawn natively by JupyterLab), a self-contained
 * HTML page fragment (`text/html`, for nbconvert and exported pages, no network needed) and a text
 * summary (`text/plain`). `showGraph` does the same for a computational graph drawn as SVG.
 * Outside a kernel both print the text summary instead.
 */

import type { Value } from "../value";
import { figureBundle } from "./bundle";
import { markPlotlyInlined, nextNeedsPlotly, plotlyEmbedding } from "./embed";
import type { PlotlyEmbedding } from "./embed";
import { graphSvg } from "../plot/graph";
import type { GraphOptions } from "../plot/graph";
import { DisplayChannel, inKernel } from "./channel";
import type { MimeBundle } from "./channel";
import type { Figure } from "../plot/types";
import { checkFigure, jsonReady, summary } from "../plot/util";

/** Options of `show`. */
export interface ShowOptions {
  /** Where plotly.js goes in this figure's HTML; the session's mode (see `setPlotlyEmbedding`) by default. */
  embed?: PlotlyEmbedding;
}

/**
 * Shows `fig` inline, as one output with plotly JSON, self-contained HTML and a text summary.
 * plotly.js goes into the HTML according to the embedding mode ("once" per kernel session by
 * default). Outside a kernel, prints the text summary to stdout.
 *
 * @example
 * show(plot.activation(sigmoid));                                // f and f′, the saturated regions shaded
 * show(plot.curves([{ name: "z²", x: [0, 1, 2], y: [0, 1, 4] }]), { embed: "every-figure" });
 */
export function show(fig: Figure, opts: ShowOptions = {}): void {
  checkFigure("show", fig);
  if (!inKernel()) {
    console.log(summary(jsonReady(fig)));
    return;
  }
  const includePlotly = nextNeedsPlotly(opts.embed ?? plotlyEmbedding());
  const bundle = figureBundle(fig, includePlotly);
  const delivered = new DisplayChannel().send(bundle);
  if (delivered === "none") {
    console.log(bundle["text/plain"]);
    return;
  }
  if (includePlotly) markPlotlyInlined();
}

/**
 * The MIME bundle of `fig` for a notebook output that is about to be shown (a cell's last value):
 * carries plotly.js when the session's embedding mode says the next figure needs it, and counts it
 * as shown.
 */
export function figureOutputBundle(fig: Figure): MimeBundle {
  const includePlotly = nextNeedsPlotly(plotlyEmbedding());
  const bundle = figureBundle(fig, includePlotly);
  if (includePlotly) markPlotlyInlined();
  return bundle;
}

/** The text line that stands for `root`'s computational graph where no picture can be shown. */
export function graphText(root: Value | string): string {
  return typeof root === "string"
    ? "Graph (DOT)"
    : `Computational graph of ${root.label || "a value"}: ${root.topologicalOrder().length} values; data = ${root.data}, grad = ${root.grad}`;
}

/**
 * Draws the computational graph of `root` (a `Value`, or DOT text) with Graphviz and shows it inline
 * as SVG, micrograd-style: each value with its label, data and grad. Asynchronous (Graphviz loads as
 * WebAssembly): `await showGraph(L)`. Outside a kernel, prints a text summary.
 *
 * @example
 * const x = new Value(0.5, "x"), w = new Value(-2, "w");
 * const a = x.mul(w).sigmoid();
 * a.backward();
 * await showGraph(a); // x and w with their data and grad, the operations between them
 */
export async function showGraph(root: Value | string, opts: GraphOptions = {}): Promise<void> {
  // Pin the current cell's writer: the SVG is ready only after an await.
  const channel = new DisplayChannel(undefined, true);
  const svg = await graphSvg(root, opts);
  const text = graphText(root);
  if (channel.send({ "image/svg+xml": svg, "text/plain": text }) === "none") console.log(text);
}
