/**
 * `digits`: a grid of small greyscale images (MNIST digits: rows of 784 = 28 × 28 values in [0, 1]),
 * drawn as one mosaic heatmap with each image's label above it.
 */

import { baseConfig, baseLayout, colour, colours } from "./theme";
import type { Figure, Layout, MatrixLike } from "./types";
import { checkCount } from "./util";
import { asFigure } from "./figure";
import { messages as words } from "../messages";

/** Options of `digits`. */
export interface DigitsOptions {
  /** How many images, from row `start` on; 16 by default. */
  count?: number;
  /** Images per row of the grid; 8 by default. */
  columns?: number;
  /** The first row of `X` shown; 0 by default. */
  start?: number;
  /** Predicted classes: each title then reads "label → prediction", highlighted when they differ. */
  predicted?: ArrayLike<number>;
  /** The title. */
  title?: string;
}

/**
 * Rows `start … start + count − 1` of `X` as square greyscale images (ink dark on a light tile, so
 * they read on light and dark notebook themes), titled with `labels` (and `predicted`, if given).
 *
 * @example
 * const digitsSet = data.mnist({ count: 16, seed: 1 });
 * show(plot.digits(digitsSet.X, digitsSet.labels, { count: 16, title: "The first 16 digits" }));
 */
export function digits(X: MatrixLike, labels?: ArrayLike<number>, opts: DigitsOptions = {}): Figure {
  const side = Math.round(Math.sqrt(X.cols));
  if (side * side !== X.cols)
    throw new Error(
      `plot.digits: each row must be a square image (e.g. 784 = 28×28 values), got ${X.cols} columns.`,
    );
  const start = opts.start ?? 0;
  const count = Math.min(opts.count ?? 16, X.rows - start);
  checkCount("plot.digits", "count (within X's rows)", count);
  const columns = Math.min(opts.columns ?? 8, count);
  checkCount("plot.digits", "columns", columns);
  const rows = Math.ceil(count / columns);
  const gapX = 2;
  const gapY = Math.max(4, Math.round(side / 3));
  const W = columns * (side + gapX) - gapX;
  const H = rows * (side + gapY);

  const z: (number | null)[][] = Array.from({ length: H }, () => new Array<number | null>(W).fill(null));
  const annotations: Layout[] = [];
  for (let k = 0; k < count; k++) {
    const r = Math.floor(k / columns),
      c = k % columns;
    const top = r * (side + gapY) + gapY,
      left = c * (side + gapX);
    const base = (start + k) * X.cols;
    for (let i = 0; i < side; i++) {
      for (let j = 0; j < side; j++)
        z[top + i][left + j] = Math.round(X.data[base + i * side + j] * 1000) / 1000;
    }
    if (labels || opts.predicted) {
      const truth = labels ? labels[start + k] : undefined;
      const pred = opts.predicted ? opts.predicted[start + k] : undefined;
      const wrong = truth !== undefined && pred !== undefined && truth !== pred;
      const text = truth !== undefined && pred !== undefined ? `${truth} → ${pred}` : String(truth ?? pred);
      annotations.push({
        x: left + (side - 1) / 2,
        y: top - 0.5,
        xref: "x",
        yref: "y",
        yanchor: "bottom",
        showarrow: false,
        text,
        font: { size: 12, color: wrong ? colour(3) : colours.text },
      });
    }
  }
  const hidden = { visible: false, showgrid: false, zeroline: false };
  const layout = baseLayout(
    {
      title: opts.title ?? (opts.predicted ? words().imagesPredicted : words().imagesLabelled),
      height: Math.round(60 + Math.min(900, (H * 620) / W)),
    },
    {
      annotations,
      margin: { l: 10, r: 10, t: 50, b: 10 },
      xaxis: { ...hidden, range: [-0.5, W - 0.5] },
      yaxis: { ...hidden, range: [H - 0.5, -0.5], scaleanchor: "x", scaleratio: 1 },
    },
  );
  return asFigure({
    data: [
      {
        type: "heatmap",
        name: "pixels",
        z,
        zmin: 0,
        zmax: 1,
        showscale: false,
        colorscale: [
          [0, "#f7f7f7"],
          [1, "#111111"],
        ],
        hoverongaps: false,
        hovertemplate: "%{z:.2f}<extra></extra>",
      },
    ],
    layout,
    config: baseConfig(),
  });
}
