/**
 * Line charts: `curves` for any set of named (x, y) series, and `history` for the training and
 * validation loss (or accuracy) per epoch that `fit` records.
 */

import type { History } from "../history";
import { baseConfig, baseLayout, colour, integerTicks, logTicks, withAlpha } from "./theme";
import type { BaseLayoutOptions } from "./theme";
import type { Figure, Series, Trace } from "./types";
import { extent, plain } from "./util";
import { asFigure } from "./figure";
import { messages as words } from "../messages";

/**
 * Options of `curves`: the title, axes (log scales for values that span decades) and height, and the drawing
 * mode.
 */
export interface CurvesOptions extends BaseLayoutOptions {
  /** "lines" (default), "markers" or "lines+markers". */
  mode?: "lines" | "markers" | "lines+markers";
}

/**
 * Several curves y(x) on shared axes, one colour each from the theme's sequence.
 *
 * @example
 * const z = [-4, -2, 0, 2, 4];
 * show(plot.curves([
 *   { name: "σ′(z)", x: z, y: z.map((v) => sigmoid.df(v)) },
 *   { name: "tanh′(z)", x: z, y: z.map((v) => tanh.df(v)), dash: "dash" },
 * ], { title: "tanh′ peaks 4× higher than σ′", xTitle: "z" }));
 */
export function curves(series: Series[], opts: CurvesOptions = {}): Figure {
  if (!Array.isArray(series)) throw new Error("plot.curves: expected an array of series { name, x, y }.");
  const data: Trace[] = series.map((s, i) => {
    if (s.x.length !== s.y.length) {
      throw new Error(
        `plot.curves: series "${s.name}" has ${s.x.length} x values but ${s.y.length} y values; they must match.`,
      );
    }
    return {
      type: "scatter",
      mode: opts.mode ?? "lines",
      name: s.name,
      x: plain(s.x),
      y: plain(s.y),
      line: { color: colour(i), width: 2, dash: s.dash ?? "solid" },
      marker: { color: colour(i), size: 6 },
    };
  });
  const layout = baseLayout(
    {
      title: opts.title,
      xTitle: opts.xTitle,
      yTitle: opts.yTitle,
      logX: opts.logX,
      logY: opts.logY,
      height: opts.height,
    },
    { hovermode: "x unified", showlegend: series.length > 1 },
  );
  for (const [ax, log] of [
    ["x", opts.logX],
    ["y", opts.logY],
  ] as const) {
    const all = series.flatMap((s) => Array.from(s[ax]));
    Object.assign(
      layout[`${ax}axis`] as object,
      log ? logTicks(...extent(all, true)) : ax === "x" ? integerTicks(all) : {},
    );
  }
  return asFigure({ data, layout, config: baseConfig() });
}

/** Options of `history`. */
export interface HistoryPlotOptions {
  /** What to plot: "loss" (default) or "accuracy". */
  metric?: "loss" | "accuracy";
  /** The title; by default says what is plotted. */
  title?: string;
  /** Logarithmic y axis (loss only); false by default. */
  logY?: boolean;
  /** Also draw every minibatch loss as a faint line (loss only); false by default. */
  showSteps?: boolean;
  /** Height in pixels. */
  height?: number;
}

/**
 * Training vs validation loss (or accuracy) per epoch from a `fit` history. The validation curve
 * is drawn when the history has one; a growing gap between the two means overfitting.
 *
 * @example
 * const net = mlp([2, 16, 2], { activation: "relu", init: "he", seed: 1 });
 * const moons = data.moons({ seed: 1 });
 * const history = fit(net, moons, { lr: 0.5, epochs: 10, validationSplit: 0.2, progress: "off" });
 * show(plot.history(history));
 */
export function history(h: History, opts: HistoryPlotOptions = {}): Figure {
  if (!h || !Array.isArray(h.epochs))
    throw new Error("plot.history: expected the History that fit returns (with an epochs array).");
  const metric = opts.metric ?? "loss";
  const isLoss = metric === "loss";
  const epochs = h.epochs.map((e) => e.epoch);
  const train = h.epochs.map((e) => (isLoss ? e.loss : e.accuracy));
  const val = h.epochs.map((e) => (isLoss ? e.valLoss : e.valAccuracy));
  const mode = epochs.length > 1 ? "lines+markers" : "markers";
  const data: Trace[] = [];

  if (isLoss && opts.showSteps && h.steps.length > 0) {
    // Place step k of epoch e at e − 1 + (its position in the epoch) / (steps in the epoch).
    const perEpoch = new Map<number, number>();
    for (const s of h.steps) perEpoch.set(s.epoch, (perEpoch.get(s.epoch) ?? 0) + 1);
    const seen = new Map<number, number>();
    const x: number[] = [];
    for (const s of h.steps) {
      const k = (seen.get(s.epoch) ?? 0) + 1;
      seen.set(s.epoch, k);
      x.push(s.epoch - 1 + k / (perEpoch.get(s.epoch) as number));
    }
    data.push({
      type: "scatter",
      mode: "lines",
      name: words().minibatchLoss,
      x,
      y: plain(h.steps.map((s) => s.loss)),
      line: { color: withAlpha(colour(0), 0.3), width: 1 },
      hoverinfo: "skip",
    });
  }
  data.push({
    type: "scatter",
    mode,
    name: words().training(words().metric(metric)),
    x: epochs,
    y: plain(train),
    line: { color: colour(0), width: 2 },
    marker: { color: colour(0), size: 6 },
  });
  if (val.some((v) => Number.isFinite(v))) {
    data.push({
      type: "scatter",
      mode,
      name: words().validation(words().metric(metric)),
      x: epochs,
      y: plain(val),
      line: { color: colour(1), width: 2, dash: "dash" },
      marker: { color: colour(1), size: 6 },
    });
  }

  const layout = baseLayout(
    {
      title: opts.title ?? (isLoss ? words().lossPerEpoch : words().accuracyPerEpoch),
      xTitle: words().epoch,
      yTitle: isLoss ? words().lossAxis : words().accuracy,
      logY: isLoss && opts.logY,
      height: opts.height,
    },
    { hovermode: "x unified" },
  );
  if (!isLoss) (layout.yaxis as { tickformat?: string }).tickformat = ".0%";
  return asFigure({ data, layout, config: baseConfig() });
}
