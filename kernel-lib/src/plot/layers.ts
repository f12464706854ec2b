/**
 * Per-layer figures: `layerBars` (one bar per layer), `layerHeatmap` (layer × training step with a
 * logarithmic colour scale) and `gradientFlow` (‖∂C/∂b‖ per layer over training on a log axis),
 * the course's main evidence that early layers of a deep sigmoid network learn slowly.
 */

import type { History, LayerSample } from "../history";
import { axis, baseConfig, baseLayout, colour, colours, logTicks, sequentialScale } from "./theme";
import type { Figure, Trace } from "./types";
import { extent, plain, powerLabel, short } from "./util";
import { asFigure } from "./figure";
import { messages as words } from "../messages";

/** A per-layer quantity the diagnostics record. */
export type LayerQuantity =
  "gradNormB" | "gradNormW" | "activationMean" | "activationStd" | "saturated" | "dead" | "updateRatio";

/** Every quantity the diagnostics record. */
const QUANTITIES: readonly LayerQuantity[] = [
  "gradNormB",
  "gradNormW",
  "activationMean",
  "activationStd",
  "saturated",
  "dead",
  "updateRatio",
];

/** The axis title of a recorded quantity, in the current language. */
function quantityTitle(q: LayerQuantity): string {
  const w = words();
  const titles: { [k in LayerQuantity]: string } = {
    gradNormB: "‖∂C/∂b‖",
    gradNormW: "‖∂C/∂W‖",
    activationMean: w.meanActivation,
    activationStd: w.stdActivation,
    saturated: w.shareSaturated,
    dead: w.shareDead,
    updateRatio: w.updateRatio,
  };
  return titles[q];
}

/** Quantities that span decades, drawn on log scales. */
function isLogQuantity(q: LayerQuantity): boolean {
  return q === "gradNormB" || q === "gradNormW" || q === "updateRatio";
}

/** Options of `layerBars`. */
export interface LayerBarsOptions {
  /** Layer names; "layer 1", "layer 2", … by default. */
  layers?: string[];
  /** The title; ideally it states the finding. */
  title?: string;
  /** The y axis title, e.g. "‖∂C/∂b‖" or "share of dead units". */
  yTitle?: string;
  /** The x axis title; "layer" by default. */
  xTitle?: string;
  /** Logarithmic y axis. */
  logY?: boolean;
  /** Height in pixels. */
  height?: number;
}

/**
 * One bar per layer (input side first), labelled with its value: e.g. the gradient norm or dead share of each
 * layer.
 *
 * @example
 * const { X, y } = data.moons({ seed: 1 });
 * const net = mlp([2, 8, 8, 8, 2], { activation: "sigmoid", seed: 1 });
 * const norms = diagnostics.gradientNorms(net, X, y, losses.crossEntropy).map((g) => g.gradNormB);
 * show(plot.layerBars(norms, { yTitle: "‖∂C/∂b‖", logY: true }));
 */
export function layerBars(values: ArrayLike<number>, opts: LayerBarsOptions = {}): Figure {
  const names = opts.layers ?? Array.from({ length: values.length }, (_, i) => words().layerN(i + 1));
  if (names.length !== values.length) {
    throw new Error(
      `plot.layerBars: got ${values.length} values but ${names.length} layer names; give one name per value.`,
    );
  }
  const y = plain(values);
  const layout = baseLayout(
    {
      title: opts.title,
      xTitle: opts.xTitle ?? words().layer,
      yTitle: opts.yTitle,
      logY: opts.logY,
      height: opts.height,
    },
    { showlegend: false },
  );
  if (opts.logY) Object.assign(layout.yaxis as object, logTicks(...extent(values, true)));
  return asFigure({
    data: [
      {
        type: "bar",
        name: opts.yTitle ?? words().value,
        x: names,
        y,
        marker: { color: colour(0) },
        text: y.map((v) => (v === null ? "" : short(v))),
        textposition: "outside",
        cliponaxis: false,
        hovertemplate: "%{x}: %{y:.3g}<extra></extra>",
      },
    ],
    layout,
    config: baseConfig(),
  });
}

/**
 * The values of `quantity` per layer over the recorded steps: `values[layer][sample]`.
 *
 * @example
 * const net = mlp([2, 8, 8, 2], { seed: 1 });
 * const history = fit(net, data.moons({ seed: 1 }), { lr: 0.5, epochs: 2, progress: "off" });
 * const { layers, steps, values } = plot.layerSeries(history, "gradNormB"); // values[layer][sample]
 */
export function layerSeries(
  h: History,
  quantity: LayerQuantity,
): { layers: string[]; steps: number[]; values: number[][] } {
  if (!h || !Array.isArray(h.diagnostics))
    throw new Error("plot: expected the History that fit returns (with a diagnostics array).");
  if (h.diagnostics.length === 0) {
    throw new Error(
      "plot: this history has no diagnostics samples; train with diagnostics recording switched on to plot per-layer quantities.",
    );
  }
  if (!QUANTITIES.includes(quantity)) {
    throw new Error(
      `plot: unknown layer quantity "${String(quantity)}"; use one of ${QUANTITIES.join(", ")}.`,
    );
  }
  const first = h.diagnostics[0].layers;
  const layers = first.map((l: LayerSample) => l.layer);
  const values = layers.map(() => [] as number[]);
  const steps: number[] = [];
  for (const sample of h.diagnostics) {
    steps.push(sample.step);
    for (let l = 0; l < layers.length; l++)
      values[l].push(sample.layers[l] ? sample.layers[l][quantity] : NaN);
  }
  return { layers, steps, values };
}

/** Options of `layerHeatmap`. */
export interface LayerHeatmapOptions {
  /** Layer names (rows), input side first; from the history or "layer 1", … by default. */
  layers?: string[];
  /** x coordinates of the columns (e.g. step numbers); from the history or 1, 2, … by default. */
  x?: ArrayLike<number>;
  /** With a History: which quantity; "gradNormB" by default. */
  quantity?: LayerQuantity;
  /** The title. */
  title?: string;
  /** The x axis title; "training step" by default. */
  xTitle?: string;
  /** The colour bar's title; the quantity's name by default. */
  colorTitle?: string;
  /** Height in pixels. */
  height?: number;
}

/**
 * A layer × step heatmap of positive values (e.g. gradient norms) on a logarithmic colour scale:
 * the colour encodes log₁₀ of the value and the colour bar is labelled with the real values
 * (1e-5, 1e-4, …), so layers whose values differ by decades stay distinguishable. Zero or negative
 * entries are left blank. Pass a History (with `quantity`) or the rows yourself, one per layer.
 *
 * @example
 * const net = mlp([2, 8, 8, 8, 2], { activation: "sigmoid", seed: 1 });
 * const history = fit(net, data.moons({ seed: 1 }), { lr: 0.5, epochs: 5, progress: "off" });
 * show(plot.layerHeatmap(history, { quantity: "gradNormB" }));
 */
export function layerHeatmap(source: History | ArrayLike<number>[], opts: LayerHeatmapOptions = {}): Figure {
  let rows: ArrayLike<number>[];
  let names: string[] | undefined = opts.layers;
  let x: ArrayLike<number> | undefined = opts.x;
  const quantity = opts.quantity ?? "gradNormB";
  if (Array.isArray(source)) {
    rows = source;
  } else {
    const s = layerSeries(source as History, quantity);
    rows = s.values;
    names = names ?? s.layers;
    x = x ?? s.steps;
  }
  const width = rows.length > 0 ? rows[0].length : 0;
  names = names ?? rows.map((_, i) => words().layerN(i + 1));
  if (names.length !== rows.length)
    throw new Error(`plot.layerHeatmap: ${rows.length} rows but ${names.length} layer names.`);
  const xs = x ? plain(x) : Array.from({ length: width }, (_, i) => i + 1);
  const z: (number | null)[][] = [];
  const real: (number | null)[][] = [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of rows) {
    if (row.length !== width)
      throw new Error(
        `plot.layerHeatmap: every row must have ${width} values (one per step); got one with ${row.length}.`,
      );
    const [a, b] = extent(row, true);
    if (a < lo) lo = a;
    if (b > hi) hi = b;
    z.push(Array.from(row, (v) => (v > 0 && Number.isFinite(v) ? Math.log10(v) : null)));
    real.push(plain(row));
  }
  // Colour range snapped to whole decades; one labelled tick per decade (every 2nd beyond 8 decades).
  const zmin = Number.isFinite(lo) ? Math.floor(Math.log10(lo)) : -1;
  let zmax = Number.isFinite(hi) ? Math.ceil(Math.log10(hi)) : 0;
  if (zmax === zmin) zmax = zmin + 1;
  const every = zmax - zmin > 8 ? 2 : 1;
  const tickvals: number[] = [];
  for (let k = zmin; k <= zmax; k += every) tickvals.push(k);
  const label = opts.colorTitle ?? (Array.isArray(source) ? words().value : quantityTitle(quantity));
  const data: Trace[] = [
    {
      type: "heatmap",
      name: label,
      x: xs,
      y: names,
      z,
      customdata: real,
      zmin,
      zmax,
      colorscale: sequentialScale,
      colorbar: {
        title: { text: label, side: "right" },
        tickvals,
        ticktext: tickvals.map(powerLabel),
        outlinewidth: 0,
      },
      hovertemplate: `%{y}<br>${words().step} %{x}<br>${label} = %{customdata:.3g}<extra></extra>`,
      hoverongaps: false,
    },
  ];
  const layout = baseLayout(
    {
      title: opts.title ?? words().perLayerLogColour(label),
      xTitle: opts.xTitle ?? words().trainingStep,
      height: opts.height ?? Math.max(260, 90 + 44 * rows.length),
    },
    { yaxis: axis(words().layer, { autorange: "reversed", type: "category", showgrid: false }) },
  );
  (layout.xaxis as { showgrid?: boolean }).showgrid = false;
  return asFigure({ data, layout, config: baseConfig() });
}

/** Options of `gradientFlow`. */
export interface GradientFlowOptions {
  /** Which quantity per layer; "gradNormB" (‖∂C/∂b‖, the speed of learning) by default. */
  quantity?: LayerQuantity;
  /** Include the output layer; false by default (only the hidden layers, as in Nielsen's figure). */
  includeOutput?: boolean;
  /** Legend names, one per plotted layer (e.g. "hidden layer 1"); the layers' own names by default. */
  layers?: string[];
  /** The title; ideally it states the finding, e.g. "The first hidden layer learns 100× more slowly". */
  title?: string;
  /** Height in pixels. */
  height?: number;
}

/**
 * ‖∂C/∂b‖ (or another recorded quantity) of each layer over the recorded training steps, one line
 * per layer on a logarithmic y axis: when gradients vanish, the lines of early layers sit decades
 * below those of later ones.
 *
 * @example
 * const net = mlp([784, 30, 30, 30, 10], { activation: "sigmoid", init: "nielsen", seed: 1 });
 * const digits = data.mnist({ count: 500, seed: 1 });
 * const history = fit(net, digits, { lr: 0.1, epochs: 2, batchSize: 10, progress: "off" });
 * show(plot.gradientFlow(history)); // the first hidden layer's line sits lowest
 */
export function gradientFlow(h: History, opts: GradientFlowOptions = {}): Figure {
  const quantity = opts.quantity ?? "gradNormB";
  const s = layerSeries(h, quantity);
  const count = opts.includeOutput || s.layers.length < 2 ? s.layers.length : s.layers.length - 1;
  const names = opts.layers ?? s.layers.slice(0, count);
  if (names.length !== count) {
    throw new Error(
      `plot.gradientFlow: ${names.length} layer names for ${count} plotted layers; give one name per layer${opts.includeOutput ? "" : " (the output layer is left out unless includeOutput is true)"}.`,
    );
  }
  const data: Trace[] = [];
  for (let l = 0; l < count; l++) {
    data.push({
      type: "scatter",
      mode: s.steps.length > 1 ? "lines" : "markers",
      name: names[l],
      x: s.steps.slice(),
      y: plain(s.values[l]),
      line: { color: colour(l), width: 2 },
      marker: { color: colour(l), size: 6 },
      hovertemplate: `${names[l]}<br>${words().step} %{x}: %{y:.3g}<extra></extra>`,
    });
  }
  const title = quantityTitle(quantity);
  const log = isLogQuantity(quantity);
  const layout = baseLayout(
    {
      title:
        opts.title ??
        (opts.includeOutput
          ? words().perLayerOverTraining(title)
          : words().perHiddenLayerOverTraining(title)),
      xTitle: words().trainingStep,
      yTitle: title,
      logY: log,
      height: opts.height,
    },
    { hovermode: "closest", legend: { bgcolor: colours.transparent } },
  );
  if (quantity === "saturated" || quantity === "dead")
    (layout.yaxis as { tickformat?: string }).tickformat = ".0%";
  if (log) Object.assign(layout.yaxis as object, logTicks(...extent(s.values.slice(0, count).flat(), true)));
  return asFigure({ data, layout, config: baseConfig() });
}
