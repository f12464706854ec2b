/**
 * `slider`: several precomputed states of a figure behind one plotly slider, so a learner can step
 * through them (e.g. depth 2…10, or epoch 1…30) in the browser without running the cell again.
 */

import { baseConfig, baseLayout, colour, colours } from "./theme";
import type { Figure, Layout, Trace } from "./types";
import { titleOf } from "./util";
import { asFigure } from "./figure";

/** One position of the slider: its label and what to draw there (a whole figure, or only traces). */
export type SliderState =
  { label: string; figure: Figure } | { label: string; data: Trace[]; title?: string };

/** Options of `slider`. */
export interface SliderOptions {
  /** The title shown when a state has none of its own. */
  title?: string;
  /** The slider's name, shown before the current label, e.g. "depth". */
  sliderTitle?: string;
  /** The x axis title (when states carry only traces). */
  xTitle?: string;
  /** The y axis title (when states carry only traces). */
  yTitle?: string;
  /** The state shown first; 0 by default. */
  active?: number;
  /** Keep the axes' ranges fixed over all states (so states compare by eye); true by default. */
  fixedRanges?: boolean;
  /** Height in pixels. */
  height?: number;
}

/** The finite extent of the numbers in `arrays`, in log10 units for a log axis; null when there are none. */
function rangeOf(arrays: unknown[], log: boolean): [number, number] | null {
  let lo = Infinity,
    hi = -Infinity;
  for (const a of arrays) {
    if (!Array.isArray(a)) continue;
    for (const v of a) {
      if (typeof v !== "number" || !Number.isFinite(v) || (log && v <= 0)) continue;
      const u = log ? Math.log10(v) : v;
      if (u < lo) lo = u;
      if (u > hi) hi = u;
    }
  }
  if (!(lo <= hi)) return null;
  const pad = (hi - lo || Math.abs(hi) || 1) * 0.05;
  return [lo - pad, hi + pad];
}

/**
 * One figure holding every state's traces, with a slider whose steps show one state at a time
 * (plotly "update" steps toggling trace visibility and setting the title). The first state's
 * figure (if given) supplies the layout.
 *
 * @example
 * const z = [-4, -2, 0, 2, 4];
 * show(plot.slider([1, 2, 4].map((gain) => ({
 *   label: `×${gain}`,
 *   data: [{ type: "scatter", name: "σ′(gain·z)", x: z, y: z.map((v) => sigmoid.df(gain * v)) }],
 * })), { sliderTitle: "gain", xTitle: "z" }));
 */
export function slider(states: SliderState[], opts: SliderOptions = {}): Figure {
  if (!Array.isArray(states) || states.length === 0)
    throw new Error(
      "plot.slider: expected a non-empty array of states { label, figure } or { label, data }.",
    );
  const active = opts.active ?? 0;
  if (!Number.isInteger(active) || active < 0 || active >= states.length) {
    throw new Error(`plot.slider: active must be a state index in 0…${states.length - 1}, got ${active}.`);
  }
  const first = states[0];
  const layout: Layout =
    "figure" in first
      ? { ...first.figure.layout }
      : baseLayout({ title: opts.title, xTitle: opts.xTitle, yTitle: opts.yTitle, height: opts.height });

  const data: Trace[] = [];
  const owner: number[] = [];
  const titles: string[] = [];
  states.forEach((s, k) => {
    const traces = "figure" in s ? s.figure.data : s.data;
    const title = "figure" in s ? titleOf(s.figure) : s.title;
    titles.push(title || opts.title || titleOf({ data: [], layout }) || s.label);
    traces.forEach((t, i) => {
      const copy: Trace = { ...t, visible: k === active };
      // Same colour for the i-th trace of every state (plotly would otherwise keep cycling colours).
      if ((copy.type ?? "scatter") === "scatter" || copy.type === "bar") {
        const c = colour(i);
        copy.line = { color: c, ...(t.line as object | undefined) };
        copy.marker = { color: c, ...(t.marker as object | undefined) };
      }
      data.push(copy);
      owner.push(k);
    });
  });

  if (opts.fixedRanges ?? true) {
    for (const ax of ["x", "y"] as const) {
      const key = `${ax}axis`;
      const a = { ...((layout[key] as Layout | undefined) ?? {}) };
      if (a.range !== undefined) continue;
      const onAxis = data.filter((t) => (t[`${ax}axis`] ?? ax) === ax && (t.type ?? "scatter") === "scatter");
      const r = rangeOf(
        onAxis.map((t) => t[ax]),
        a.type === "log",
      );
      if (r) {
        a.range = r;
        a.autorange = false;
        layout[key] = a;
      }
    }
  }

  const steps = states.map((s, k) => ({
    label: s.label,
    method: "update",
    args: [{ visible: owner.map((o) => o === k) }, { "title.text": titles[k] }],
  }));
  layout.title = {
    ...((layout.title as Layout | undefined) ?? { x: 0.02, xanchor: "left" }),
    text: titles[active],
  };
  layout.margin = { ...((layout.margin as Layout | undefined) ?? {}), b: 110 };
  // Room for the slider below the plot.
  layout.height = opts.height ?? ((layout.height as number | undefined) ?? 420) + 60;
  layout.sliders = [
    {
      active,
      steps,
      pad: { t: 60, b: 10 },
      len: 0.95,
      x: 0.025,
      currentvalue: {
        prefix: opts.sliderTitle ? `${opts.sliderTitle}: ` : "",
        font: { color: colours.text },
        xanchor: "left",
      },
      font: { color: colours.text },
      bgcolor: "rgba(128, 128, 128, 0.25)",
      activebgcolor: "#9a9a9a",
      bordercolor: "rgba(128, 128, 128, 0.5)",
      tickcolor: "rgba(128, 128, 128, 0.6)",
    },
  ];
  return asFigure({
    data,
    layout,
    config: "figure" in first && first.figure.config ? first.figure.config : baseConfig(),
  });
}
