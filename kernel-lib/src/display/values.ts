/**
 * How kernel-lib's values show themselves in the notebook (the protocol of ./protocol.ts): a
 * `Matrix` as a table, a network as a layer summary, a figure as its plot, a `Value` as its graph,
 * a training history as its loss curves and a data set as its shapes and first rows (or digits).
 * Everything here builds MIME bundles; `display(value)` sends one to the notebook.
 */

import { inspectValue } from "../environment";
import { Dense } from "../layers";
import { Matrix } from "../matrix";
import { Sequential } from "../network";
import { Value } from "../value";
import type { History } from "../history";
import type { Dataset } from "../data/dataset";
import * as curves from "../plot/curves";
import { digits } from "../plot/digits";
import { graphSvg } from "../plot/graph";
import { DisplayChannel } from "./channel";
import { figureOutputBundle, graphText } from "./show";
import type { Figure } from "../plot/types";
import { MimeBundle, mimeBundleOf, registerRepresenter, representAs } from "./protocol";

/** Rows and columns of a matrix shown in full; past these the middle ones are elided. */
const MAX_ROWS = 10;
const MAX_COLS = 10;

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Which of `n` indices are shown when at most `max` fit: all, or the first and last few with a gap (−1). */
function shownIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const head = Math.ceil((max - 1) / 2);
  const tail = max - 1 - head;
  return [
    ...Array.from({ length: head }, (_, i) => i),
    -1,
    ...Array.from({ length: tail }, (_, i) => n - tail + i),
  ];
}

/** An entry as text: whole numbers as they are, others in 4 significant digits. */
function entry(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e6) return String(x);
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? x.toExponential(3) : String(Number(x.toPrecision(4)));
}

/** A matrix as an aligned text grid with a header line, eliding middle rows (⋮) and columns (…). */
export function matrixText(m: Matrix): string {
  const rows = shownIndices(m.rows, MAX_ROWS);
  const cols = shownIndices(m.cols, MAX_COLS);
  const cells = rows.map((i) => cols.map((j) => (j < 0 ? "…" : i < 0 ? "⋮" : entry(m.get(i, j)))));
  const widths = cols.map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  const lines = cells.map((r) => "  " + r.map((cell, c) => cell.padStart(widths[c])).join("  "));
  return [`Matrix ${m.rows}×${m.cols}`, ...lines].join("\n");
}

/** A matrix as an HTML table: the shape in the caption, row and column numbers, numbers right-aligned. */
export function matrixHtml(m: Matrix): string {
  const rows = shownIndices(m.rows, MAX_ROWS);
  const cols = shownIndices(m.cols, MAX_COLS);
  const th = (s: string) => `<th style="text-align:right;opacity:0.6;font-weight:normal">${s}</th>`;
  const td = (s: string) => `<td style="text-align:right;font-family:monospace">${s}</td>`;
  const head = `<tr>${th("")}${cols.map((j) => th(j < 0 ? "…" : String(j))).join("")}</tr>`;
  const body = rows.map(
    (i) =>
      `<tr>${th(i < 0 ? "⋮" : String(i))}${cols.map((j) => td(j < 0 ? "…" : i < 0 ? "⋮" : entry(m.get(i, j)))).join("")}</tr>`,
  );
  const elided = m.rows > MAX_ROWS || m.cols > MAX_COLS ? " (middle rows and columns elided)" : "";
  return (
    `<table class="gradient-lab-matrix"><caption style="text-align:left">Matrix ${m.rows} × ${m.cols}${elided}</caption>` +
    `<thead>${head}</thead><tbody>${body.join("")}</tbody></table>`
  );
}

/** One row per layer of a network's summary: name, activation, shape, parameters, initializer. */
function layerRows(net: Sequential): string[][] {
  return net.stack.map((l) => [
    l.name,
    l instanceof Dense ? l.activation.name : l.kind,
    `${l.numInputs} → ${l.numOutputs}`,
    l.parameterCount.toLocaleString("en-US"),
    l instanceof Dense ? l.init : "",
  ]);
}

/** The summary's last row: the network's input → output widths and its parameter count. */
function totalRow(net: Sequential): string[] {
  return [
    "total",
    "",
    `${net.numInputs} → ${net.numOutputs}`,
    net.parameterCount.toLocaleString("en-US"),
    "",
  ];
}

const SUMMARY_HEADER = ["layer", "activation", "shape (in → out)", "parameters", "initializer"];

/** A network's summary as text: one aligned row per layer, then the totals. */
export function networkText(net: Sequential): string {
  const rows = layerRows(net);
  const total = totalRow(net);
  const all = [SUMMARY_HEADER, ...rows, total];
  const widths = SUMMARY_HEADER.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (c === 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "─".repeat(w)).join("  ");
  return [
    `Sequential: ${net.stack.length} layers`,
    line(SUMMARY_HEADER),
    rule,
    ...rows.map(line),
    rule,
    line(total),
  ].join("\n");
}

/** A network's summary as an HTML table. */
export function networkHtml(net: Sequential): string {
  const cell = (tag: string, s: string, right: boolean) =>
    `<${tag} style="text-align:${right ? "right" : "left"}">${escapeHtml(s)}</${tag}>`;
  const row = (r: string[], tag: string) => `<tr>${r.map((s, c) => cell(tag, s, c === 3)).join("")}</tr>`;
  const total = totalRow(net);
  return (
    `<table class="gradient-lab-summary"><caption style="text-align:left">Sequential: ${net.stack.length} layers</caption>` +
    `<thead>${row(SUMMARY_HEADER, "th")}</thead><tbody>${layerRows(net)
      .map((r) => row(r, "td"))
      .join("")}</tbody>` +
    `<tfoot>${row(total, "th")}</tfoot></table>`
  );
}

/** A training history: its loss curves, and a line with the last epoch's numbers as text. */
function historyBundle(h: History): MimeBundle {
  const last = h.epochs[h.epochs.length - 1];
  const text = last
    ? `History: ${h.epochs.length} epochs; last epoch loss ${entry(last.loss)}` +
      (Number.isFinite(last.accuracy) ? `, accuracy ${entry(last.accuracy)}` : "") +
      (Number.isFinite(last.valLoss) ? `, validation loss ${entry(last.valLoss)}` : "")
    : "History: no epochs yet";
  if (!last) return { "text/plain": text };
  return { ...figureOutputBundle(curves.history(h)), "text/plain": text };
}

/** A data set: its shapes and class count, then its first rows (or its first digits, for square images). */
function datasetBundle(ds: Dataset): MimeBundle {
  const head = `Dataset: ${ds.X.rows} examples, X ${ds.X.rows}×${ds.X.cols}, y ${ds.y.rows}×${ds.y.cols}, ${ds.classes} classes`;
  const side = Math.round(Math.sqrt(ds.X.cols));
  const count = Math.min(8, ds.X.rows);
  const labels = Array.from(ds.labels.subarray(0, count)).join(", ");
  const text = `${head}\nfirst labels: ${labels}${ds.X.rows > count ? ", …" : ""}`;
  if (side * side === ds.X.cols && side >= 8 && count > 0) {
    return {
      ...figureOutputBundle(digits(ds.X, ds.labels, { count, columns: count, title: head })),
      "text/plain": text,
    };
  }
  const first = ds.X.selectRows(Array.from({ length: count }, (_, i) => i));
  return {
    "text/html": `<div>${escapeHtml(head)}; the first rows of X and their labels (${escapeHtml(labels)}):</div>${matrixHtml(first)}`,
    "text/plain": `${text}\n${matrixText(first)}`,
  };
}

registerRepresenter("matrix", (m: Matrix) => ({ "text/html": matrixHtml(m), "text/plain": matrixText(m) }));
registerRepresenter("network", (net: Sequential) => ({
  "text/html": networkHtml(net),
  "text/plain": networkText(net),
}));
registerRepresenter("figure", (fig: Figure) => figureOutputBundle(fig));
registerRepresenter("value", async (v: Value) => ({
  "image/svg+xml": await graphSvg(v),
  "text/plain": `${v.toString()}\n${graphText(v)}`,
}));
registerRepresenter("history", historyBundle);
registerRepresenter("dataset", datasetBundle);
representAs(Matrix.prototype, "matrix");
representAs(Sequential.prototype, "network");
representAs(Value.prototype, "value");

/** Plain text of any value, as a cell's last value prints it. */
function plainText(value: unknown): string {
  return typeof value === "string" ? value : inspectValue(value);
}

/**
 * Shows `value` in the notebook as a cell's last value would be shown: richly when it implements
 * the display protocol (a matrix, network, figure, `Value`, history or data set from kernel-lib, or
 * any object with a `[Symbol.for("Jupyter.display")]()` method), else as text. Returns a Promise
 * when the representation takes time to make (a `Value`'s graph); outside a kernel, prints the text.
 */
export function display(value: unknown): void | Promise<void> {
  // Pin the writer of the cell running now: a graph is ready only after an await.
  const channel = new DisplayChannel(undefined, true);
  const send = (bundle: MimeBundle) => {
    if (channel.send(bundle) === "none")
      console.log(typeof bundle["text/plain"] === "string" ? bundle["text/plain"] : plainText(value));
  };
  const bundle = mimeBundleOf(value);
  if (bundle === null) return send({ "text/plain": plainText(value) });
  if (bundle instanceof Promise) return bundle.then(send);
  send(bundle);
}
