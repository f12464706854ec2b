/**
 * `layerHistograms`: the distribution of a per-layer quantity (activations, pre-activations,
 * gradients) as one histogram per layer, side by side, on a shared x range so layers compare.
 */

import { axis, baseConfig, baseLayout, colour, colours } from "./theme";
import type { Figure, Layout, Trace } from "./types";
import { checkCount } from "./util";
import { asFigure } from "./figure";
import { messages as words } from "../messages";

/** Options of `layerHistograms`. */
export interface LayerHistogramsOptions {
  /** Panel titles, one per layer; "layer 1", … by default. */
  layers?: string[];
  /** The figure's title. */
  title?: string;
  /** The x axis title of every panel, e.g. "activation a". */
  xTitle?: string;
  /** Number of bins; 40 by default. */
  bins?: number;
  /** Panels per row; all in one row up to 5 layers by default. */
  columns?: number;
  /**
   * The x range shared by every panel; the data's range by default. Values outside it count in the edge bins.
   */
  range?: [number, number];
  /** x intervals to shade in every panel, e.g. an activation's saturated regions (±Infinity allowed). */
  shade?: [number, number][];
  /** Height in pixels. */
  height?: number;
}

/**
 * One histogram per layer (input side first), as share of values per bin, each in its own panel
 * with the same bins. Counting is done here, so the figure stays small however many values there are.
 *
 * @example
 * const { X } = data.moons({ seed: 1 });
 * const net = mlp([2, 16, 16, 2], { activation: "sigmoid", seed: 1 });
 * const values = diagnostics.layerValues(net, X).slice(0, -1); // the hidden layers
 * show(plot.layerHistograms(values.map((l) => l.z), { shade: sigmoid.saturatedRegions(0.01) }));
 */
export function layerHistograms(arrays: ArrayLike<number>[], opts: LayerHistogramsOptions = {}): Figure {
  const n = arrays.length;
  checkCount("plot.layerHistograms", "the number of layers", n);
  const names = opts.layers ?? arrays.map((_, i) => words().layerN(i + 1));
  if (names.length !== n)
    throw new Error(`plot.layerHistograms: ${n} arrays but ${names.length} layer names.`);
  const bins = opts.bins ?? 40;
  checkCount("plot.layerHistograms", "bins", bins);
  const columns = Math.min(n, opts.columns ?? (n <= 5 ? n : Math.ceil(n / Math.ceil(n / 5))));
  const rows = Math.ceil(n / columns);

  let [lo, hi] = opts.range ?? [Infinity, -Infinity];
  if (!opts.range) {
    for (const a of arrays)
      for (let i = 0; i < a.length; i++)
        if (Number.isFinite(a[i])) {
          if (a[i] < lo) lo = a[i];
          if (a[i] > hi) hi = a[i];
        }
    if (!(lo <= hi)) [lo, hi] = [0, 1];
    if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
  }
  const width = (hi - lo) / bins;
  const centres = Array.from({ length: bins }, (_, b) => Number((lo + (b + 0.5) * width).toPrecision(10)));

  const data: Trace[] = [];
  const extra: Layout = {};
  const annotations: Layout[] = [];
  const shapes: Layout[] = [];
  for (let l = 0; l < n; l++) {
    const counts = new Array<number>(bins).fill(0);
    let total = 0;
    const a = arrays[l];
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (Number.isNaN(v)) continue;
      // Values beyond the range pile into the edge bins, so every value is counted somewhere.
      counts[Math.max(0, Math.min(bins - 1, Math.floor((v - lo) / width)))]++;
      total++;
    }
    const suffix = l === 0 ? "" : String(l + 1);
    data.push({
      type: "bar",
      name: names[l],
      x: centres,
      y: counts.map((c) => (total > 0 ? c / total : 0)),
      width,
      xaxis: `x${suffix}`,
      yaxis: `y${suffix}`,
      marker: { color: colour(l), line: { width: 0 } },
      hovertemplate: `${names[l]}<br>%{x:.3g}: %{y:.1%}<extra></extra>`,
    });
    extra[`xaxis${suffix}`] = axis(opts.xTitle, { range: [lo, hi] });
    extra[`yaxis${suffix}`] = axis(l % columns === 0 ? words().shareOfValues : undefined, {
      tickformat: ".0%",
      rangemode: "tozero",
    });
    for (const [from, to] of opts.shade ?? []) {
      const x0 = Math.max(from, lo),
        x1 = Math.min(to, hi);
      if (!(x0 < x1)) continue;
      shapes.push({
        type: "rect",
        xref: `x${suffix}`,
        yref: `y${suffix} domain`,
        x0,
        x1,
        y0: 0,
        y1: 1,
        fillcolor: colours.shade,
        line: { width: 0 },
        layer: "below",
      });
    }
    annotations.push({
      text: names[l],
      showarrow: false,
      xref: `x${suffix} domain`,
      yref: `y${suffix} domain`,
      x: 0.5,
      y: 1.02,
      xanchor: "center",
      yanchor: "bottom",
      font: { size: 12, color: colours.text },
    });
  }
  const layout = baseLayout(
    { title: opts.title, height: opts.height ?? 80 + 260 * rows },
    {
      ...extra,
      showlegend: false,
      bargap: 0,
      annotations,
      shapes,
      grid: { rows, columns, pattern: "independent", xgap: 0.12, ygap: 0.3 },
    },
  );
  return asFigure({ data, layout, config: baseConfig() });
}
