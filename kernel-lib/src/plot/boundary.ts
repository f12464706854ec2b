/**
 * `decisionBoundary`: a 2-D dataset as a scatter, one colour per class, over the regions a
 * classifier assigns to each class, evaluated on a grid of points.
 */

import { Matrix } from "../matrix";
import { baseConfig, baseLayout, colour, colours, withAlpha } from "./theme";
import type { Figure, MatrixLike, Trace } from "./types";
import { checkCount } from "./util";
import { asFigure } from "./figure";
import { messages as words } from "../messages";

/**
 * What a classifier returns for a batch of points: class indices, P(class 1) for two classes, or one row of
 * class scores per point.
 */
export type Prediction = Int32Array | Float64Array | number[] | Matrix;

/** Options of `decisionBoundary`. */
export interface DecisionBoundaryOptions {
  /** Grid points per axis; 100 by default (so `predict` sees 10 000 points). */
  resolution?: number;
  /** Margin around the data, as a share of its extent; 0.1 by default. */
  padding?: number;
  /** Class names for the legend; "class 0", "class 1", … by default. */
  classNames?: string[];
  /** The title. */
  title?: string;
  /** The x axis title; "x₁" by default. */
  xTitle?: string;
  /** The y axis title; "x₂" by default. */
  yTitle?: string;
  /** Height in pixels. */
  height?: number;
}

/** The largest entry (0 for an empty list), without spreading a long array into arguments. */
function maxOf(values: number[]): number {
  let m = 0;
  for (const v of values) if (v > m) m = v;
  return m;
}

/** The predicted class of each point, or null when the prediction is a probability for two classes. */
function toClasses(p: Prediction, n: number): { classes: number[] | null; prob: number[] | null } {
  if (p instanceof Matrix) {
    if (p.rows !== n)
      throw new Error(`plot.decisionBoundary: predict returned ${p.rows} rows for ${n} grid points.`);
    if (p.cols === 1) return { classes: null, prob: Array.from(p.data) };
    const classes = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let j = 1; j < p.cols; j++) if (p.data[i * p.cols + j] > p.data[i * p.cols + best]) best = j;
      classes[i] = best;
    }
    return { classes, prob: null };
  }
  if (p.length !== n)
    throw new Error(
      `plot.decisionBoundary: predict returned ${p.length} values for ${n} grid points; return one per point.`,
    );
  const values = Array.from(p as ArrayLike<number>);
  return values.every(Number.isInteger) ? { classes: values, prob: null } : { classes: null, prob: values };
}

/**
 * The points of `X` (n × 2) coloured by `labels`, over the decision regions of `predict`. `predict`
 * receives the grid as an m × 2 `Matrix` and returns, per point, a class index, P(class 1) (for two
 * classes; the 0.5 contour is drawn as the boundary), or a row of class scores (argmax is taken).
 *
 * @example
 * const { X, y, labels } = data.moons({ seed: 1 });
 * const net = mlp([2, 16, 2], { activation: "relu", init: "he", seed: 1 });
 * fit(net, { X, y }, { lr: 0.5, epochs: 20, progress: "off" });
 * show(plot.decisionBoundary(X, labels, (points) => net.forward(points)));
 */
export function decisionBoundary(
  X: MatrixLike,
  labels: ArrayLike<number>,
  predict: (points: Matrix) => Prediction,
  opts: DecisionBoundaryOptions = {},
): Figure {
  if (X.cols !== 2)
    throw new Error(`plot.decisionBoundary: X must have 2 columns (x₁, x₂), got ${X.rows}×${X.cols}.`);
  if (labels.length !== X.rows)
    throw new Error(`plot.decisionBoundary: ${X.rows} points but ${labels.length} labels.`);
  const res = opts.resolution ?? 100;
  checkCount("plot.decisionBoundary", "resolution", res);
  const pad = opts.padding ?? 0.1;
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (let i = 0; i < X.rows; i++) {
    const a = X.data[2 * i],
      b = X.data[2 * i + 1];
    if (a < x0) x0 = a;
    if (a > x1) x1 = a;
    if (b < y0) y0 = b;
    if (b > y1) y1 = b;
  }
  if (!(x0 <= x1)) [x0, x1, y0, y1] = [-1, 1, -1, 1];
  const dx = (x1 - x0 || 1) * pad,
    dy = (y1 - y0 || 1) * pad;
  x0 -= dx;
  x1 += dx;
  y0 -= dy;
  y1 += dy;

  // Grid in row-major order: point (i, j) at x = gx[j], y = gy[i].
  const gx = Array.from({ length: res }, (_, j) => x0 + ((x1 - x0) * j) / (res - 1 || 1));
  const gy = Array.from({ length: res }, (_, i) => y0 + ((y1 - y0) * i) / (res - 1 || 1));
  const grid = new Matrix(res * res, 2);
  for (let i = 0; i < res; i++)
    for (let j = 0; j < res; j++) grid.data.set([gx[j], gy[i]], 2 * (i * res + j));
  const { classes, prob } = toClasses(predict(grid), res * res);

  const labelList = Array.from(labels, Number);
  let k = 1 + maxOf(labelList);
  if (classes) k = Math.max(k, 1 + maxOf(classes));
  if (prob) k = Math.max(k, 2);
  const names = opts.classNames ?? Array.from({ length: k }, (_, c) => words().classN(c));
  const round = (v: number) => Number(v.toPrecision(4));
  const rowsOf = (v: number[]) =>
    Array.from({ length: res }, (_, i) => v.slice(i * res, (i + 1) * res).map(round));

  const data: Trace[] = [];
  if (classes) {
    // A discrete colour scale: class c fills [c/k, (c+1)/k] of the range.
    const colorscale: [number, string][] = [];
    for (let c = 0; c < k; c++) {
      colorscale.push([c / k, withAlpha(colour(c), 0.28)], [(c + 1) / k, withAlpha(colour(c), 0.28)]);
    }
    data.push({
      type: "heatmap",
      name: "predicted class",
      x: gx.map(round),
      y: gy.map(round),
      z: rowsOf(classes),
      zmin: -0.5,
      zmax: k - 0.5,
      colorscale,
      showscale: false,
      hoverinfo: "skip",
    });
  } else {
    const p = prob as number[];
    data.push({
      type: "contour",
      name: "P(class 1)",
      x: gx.map(round),
      y: gy.map(round),
      z: rowsOf(p),
      zmin: 0,
      zmax: 1,
      contours: { start: 0, end: 1, size: 0.1 },
      line: { width: 0 },
      opacity: 0.4,
      // Contour fills ignore alpha in the colour scale: the trace's opacity lets the page show through.
      colorscale: [
        [0, colour(0)],
        [0.5, "#bdbdbd"],
        [1, colour(1)],
      ],
      colorbar: { title: { text: `P(${names[1]})`, side: "right" }, outlinewidth: 0, len: 0.8 },
      hoverinfo: "skip",
    });
    data.push({
      type: "contour",
      name: "boundary P = 0.5",
      x: gx.map(round),
      y: gy.map(round),
      z: rowsOf(p),
      showscale: false,
      contours: { start: 0.5, end: 0.5, size: 1, coloring: "none" },
      line: { width: 2, dash: "dash", color: colours.text },
      hoverinfo: "skip",
    });
  }
  for (let c = 0; c < k; c++) {
    const xs: number[] = [],
      ys: number[] = [];
    for (let i = 0; i < X.rows; i++) {
      if (labelList[i] === c) {
        xs.push(X.data[2 * i]);
        ys.push(X.data[2 * i + 1]);
      }
    }
    data.push({
      type: "scatter",
      mode: "markers",
      name: names[c],
      x: xs,
      y: ys,
      marker: { color: colour(c), size: 7, line: { width: 1, color: "rgba(255, 255, 255, 0.7)" } },
    });
  }
  const layout = baseLayout(
    {
      title: opts.title ?? words().decisionBoundary,
      xTitle: opts.xTitle ?? "x₁",
      yTitle: opts.yTitle ?? "x₂",
      height: opts.height ?? 480,
    },
    // A horizontal legend below the plot keeps the right side free for the colour bar.
    {
      legend: {
        orientation: "h",
        x: 0.5,
        y: -0.22,
        xanchor: "center",
        yanchor: "top",
        bgcolor: colours.transparent,
      },
      margin: { l: 64, r: 24, t: 56, b: 100 },
    },
  );
  // Equal scales on both axes; the plot area shrinks to fit rather than the ranges growing.
  Object.assign(layout.xaxis as object, {
    range: [x0, x1],
    showgrid: false,
    zeroline: false,
    constrain: "domain",
  });
  Object.assign(layout.yaxis as object, {
    range: [y0, y1],
    showgrid: false,
    zeroline: false,
    scaleanchor: "x",
    scaleratio: 1,
    constrain: "domain",
  });
  return asFigure({ data, layout, config: baseConfig() });
}
