/**
 * `activation`: an activation function f(z) and its derivative f′(z) on one figure, with the
 * saturated regions (where |f′(z)| is below a threshold, so almost no gradient passes) shaded.
 */

import { baseConfig, baseLayout, colour, colours } from "./theme";
import type { Figure, Layout } from "./types";
import { short } from "./util";
import { asFigure } from "./figure";
import { messages as words } from "../messages";

/** What `activation` needs from an activation (every kernel-lib activation fits). */
export interface ActivationLike {
  /** Its name, e.g. "sigmoid". */
  name: string;
  /** f(z). */
  f(z: number): number;
  /** f′(z). */
  df(z: number): number;
  /** Where |f′(z)| < threshold, as z-intervals (may extend to ±∞); computed from samples when absent. */
  saturatedRegions?(threshold: number): [number, number][];
}

/** Options of `activation`. */
export interface ActivationPlotOptions {
  /** The z-interval drawn; [-6, 6] by default. */
  range?: [number, number];
  /** |f′(z)| below this counts as saturated; 0.01 by default. Use 0 to shade nothing. */
  threshold?: number;
  /** Number of sample points; 401 by default. */
  points?: number;
  /** The title; by default names the function and the threshold. */
  title?: string;
  /** The label of shaded regions; "saturated", or "f′ = 0" where the derivative is exactly 0 throughout. */
  shadeLabel?: string;
  /** Height in pixels. */
  height?: number;
}

/** Whether df is exactly 0 at every sample of [x0, x1]. */
function flatZero(df: (z: number) => number, x0: number, x1: number): boolean {
  for (let i = 0; i <= 50; i++) if (df(x0 + ((x1 - x0) * i) / 50) !== 0) return false;
  return true;
}

/** The z-intervals inside [lo, hi] where |df(z)| < threshold, found from samples. */
function sampledRegions(
  df: (z: number) => number,
  lo: number,
  hi: number,
  n: number,
  threshold: number,
): [number, number][] {
  const out: [number, number][] = [];
  let start: number | null = null;
  for (let i = 0; i < n; i++) {
    const z = lo + ((hi - lo) * i) / (n - 1);
    const flat = Math.abs(df(z)) < threshold;
    if (flat && start === null) start = z;
    if (!flat && start !== null) {
      out.push([start, z]);
      start = null;
    }
  }
  if (start !== null) out.push([start, hi]);
  return out;
}

/**
 * The activation `act` as two curves, a = f(z) and f′(z), over `range`, with every region where
 * |f′(z)| < `threshold` shaded grey and labelled "saturated": inputs there pass almost no gradient
 * backwards (δ = ∂C/∂a · f′(z) ≈ 0).
 *
 * @example
 * show(plot.activation(tanh, { range: [-4, 4] }));
 */
export function activation(act: ActivationLike, opts: ActivationPlotOptions = {}): Figure {
  const [lo, hi] = opts.range ?? [-6, 6];
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) {
    throw new Error(`plot.activation: range must be [lo, hi] with lo < hi, got [${lo}, ${hi}].`);
  }
  if (typeof act?.f !== "function" || typeof act?.df !== "function") {
    throw new Error(
      "plot.activation: expected an activation with f(z) and df(z), e.g. plot.activation(sigmoid).",
    );
  }
  const threshold = opts.threshold ?? 0.01;
  const n = Math.max(2, Math.floor(opts.points ?? 401));
  const z: number[] = [];
  const a: (number | null)[] = [];
  const d: (number | null)[] = [];
  for (let i = 0; i < n; i++) {
    const zi = lo + ((hi - lo) * i) / (n - 1);
    z.push(Number(zi.toPrecision(12)));
    const fi = act.f(zi);
    const di = act.df(zi);
    a.push(Number.isFinite(fi) ? fi : null);
    d.push(Number.isFinite(di) ? di : null);
  }
  const name = act.name || "f";

  const regions =
    threshold > 0
      ? act.saturatedRegions
        ? act.saturatedRegions(threshold)
        : sampledRegions(act.df, lo, hi, n, threshold)
      : [];
  const shapes: Layout[] = [];
  const annotations: Layout[] = [];
  for (const [r0, r1] of regions) {
    const x0 = Math.max(lo, r0);
    const x1 = Math.min(hi, r1);
    if (!(x1 > x0)) continue;
    shapes.push({
      type: "rect",
      xref: "x",
      yref: "paper",
      x0,
      x1,
      y0: 0,
      y1: 1,
      fillcolor: colours.shade,
      line: { width: 0 },
      layer: "below",
    });
    annotations.push({
      x: (x0 + x1) / 2,
      y: 1,
      xref: "x",
      yref: "paper",
      yanchor: "bottom",
      text: opts.shadeLabel ?? (flatZero(act.df, x0, x1) ? `${name}′ = 0` : words().saturated),
      showarrow: false,
      font: { size: 11, color: colours.text },
    });
  }

  const title = opts.title ?? words().activationTitle(name, short(threshold));
  return asFigure({
    data: [
      {
        type: "scatter",
        mode: "lines",
        name: `${name}(z)`,
        x: z,
        y: a,
        line: { color: colour(0), width: 2.5 },
      },
      {
        type: "scatter",
        mode: "lines",
        name: `${name}′(z)`,
        x: z,
        y: d,
        line: { color: colour(1), width: 2.5, dash: "dash" },
      },
    ],
    layout: baseLayout(
      { title, xTitle: words().preActivation, yTitle: words().value, height: opts.height },
      {
        shapes,
        annotations,
        hovermode: "x unified",
        legend: { x: 0.02, y: 0.98, bgcolor: colours.transparent },
      },
    ),
    config: baseConfig(),
  });
}
