/**
 * Gradient Lab's one plot theme, shared by every figure. It must read on JupyterLab's light and
 * dark themes alike, so backgrounds are transparent, text is a mid grey with enough contrast on
 * white and on near-black, gridlines are a faint grey, and the colour sequence uses mid-lightness
 * hues that stand out on both.
 */

import type { Config, Layout } from "./types";

/** The colours of the theme. */
export const colours = {
  /**
   * Text, tick labels and axis lines: contrast ≈ 4.5:1 on white and ≈ 4.2:1 on JupyterLab's dark background.
   */
  text: "#777777",
  /** Gridlines. */
  grid: "rgba(128, 128, 128, 0.22)",
  /** The zero line of an axis, a little stronger than the grid. */
  zeroLine: "rgba(128, 128, 128, 0.55)",
  /** Shading of regions (e.g. where an activation saturates). */
  shade: "rgba(128, 128, 128, 0.18)",
  /** Transparent, for paper and plot backgrounds: the notebook's own background shows through. */
  transparent: "rgba(0, 0, 0, 0)",
  /** The fixed sequence of series colours: trace i gets `sequence[i % sequence.length]`. */
  sequence: [
    "#3b8bd0",
    "#e8743b",
    "#2ca58d",
    "#d64f6b",
    "#9c6ade",
    "#c9a227",
    "#4fb8c9",
    "#8c8c8c",
  ] as readonly string[],
};

/** A colour scale for magnitudes (Viridis: perceptually uniform, readable on light and dark). */
export const sequentialScale: [number, string][] = [
  [0, "#440154"],
  [0.25, "#3b528b"],
  [0.5, "#21918c"],
  [0.75, "#5ec962"],
  [1, "#fde725"],
];

/** The font of every figure. */
export const font = {
  family: "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif",
  size: 13,
  color: colours.text,
};

/** The colour for series number `i` (0-based), cycling through `colours.sequence`. */
export function colour(i: number): string {
  const seq = colours.sequence;
  return seq[((i % seq.length) + seq.length) % seq.length];
}

/** `colour` with transparency `alpha` in [0, 1], as an rgba() string. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** Options of an axis built by `axis`. */
export interface AxisOptions {
  /** Logarithmic scale (for values that span decades). */
  log?: boolean;
  /** Number format of tick labels, d3 style, e.g. ".0%" or ".1e". */
  tickformat?: string;
  /** A fixed range (for a log axis: in log10 units). */
  range?: [number, number];
  /** Any further plotly axis attributes. */
  [key: string]: unknown;
}

/** A themed plotly axis with a title. */
export function axis(title: string | undefined, opts: AxisOptions = {}): Layout {
  const { log, ...rest } = opts;
  return {
    title: title === undefined ? undefined : { text: title },
    type: log ? "log" : undefined,
    gridcolor: colours.grid,
    zerolinecolor: colours.zeroLine,
    linecolor: colours.grid,
    tickcolor: colours.grid,
    automargin: true,
    exponentformat: log ? "power" : "e",
    ...rest,
  };
}

/**
 * Tick spacing for a log axis over positive values from `lo` to `hi`: plotly's choice within one
 * decade; ticks at 1, 2 and 5 of every decade up to three decades; one labelled tick per power of
 * ten beyond that (plotly would label 2, 3, … 9 of every decade, which clutters).
 */
export function logTicks(lo: number, hi: number): Layout {
  if (!(lo > 0) || hi / lo <= 10) return {};
  return hi / lo <= 1000 ? { dtick: "D2" } : { dtick: 1 };
}

/**
 * Tick spacing for a linear axis over `values`: one tick per whole number when they are all whole
 * numbers within a short span (epochs, layers), so no tick falls at 1.5; plotly's choice otherwise.
 */
export function integerTicks(values: ArrayLike<number>): Layout {
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (!Number.isInteger(v)) return {};
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi >= lo && hi - lo <= 12 ? { tickmode: "linear", dtick: 1 } : {};
}

/** What `baseLayout` needs: the figure's title and its axes. */
export interface BaseLayoutOptions {
  /** The figure's title; ideally it states the finding. */
  title?: string;
  /** The x axis title. */
  xTitle?: string;
  /** The y axis title. */
  yTitle?: string;
  /** Logarithmic x axis. */
  logX?: boolean;
  /** Logarithmic y axis. */
  logY?: boolean;
  /** Height in pixels (plotly's default width follows the output area). */
  height?: number;
}

/** The theme's layout for a single-panel figure, with `extra` attributes laid over it. */
export function baseLayout(opts: BaseLayoutOptions, extra: Layout = {}): Layout {
  return {
    title: opts.title === undefined ? undefined : { text: opts.title, x: 0.02, xanchor: "left" },
    font,
    paper_bgcolor: colours.transparent,
    plot_bgcolor: colours.transparent,
    colorway: colours.sequence.slice(),
    height: opts.height ?? 420,
    margin: { l: 64, r: 24, t: opts.title ? 56 : 24, b: 56 },
    xaxis: axis(opts.xTitle, { log: opts.logX }),
    yaxis: axis(opts.yTitle, { log: opts.logY }),
    legend: { bgcolor: colours.transparent, font: { color: colours.text } },
    hoverlabel: { font: { family: font.family } },
    modebar: { bgcolor: colours.transparent, color: "#8c8c8c", activecolor: colour(0) },
    ...extra,
  };
}

/** The configuration of every figure: fills the output area's width, no plotly logo. */
export function baseConfig(): Config {
  return { responsive: true, displaylogo: false };
}
