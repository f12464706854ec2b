/**
 * The shape of a figure: a plotly.js specification (`data`, `layout`, `config`) kept as plain,
 * JSON-ready objects. The types are deliberately loose (any plotly attribute is allowed) and need
 * neither the DOM library nor plotly's own type packages, so notebooks compile them as they are.
 */

/** One plotly trace, e.g. `{ type: "scatter", name: "loss", x: [...], y: [...] }`. */
export type Trace = { [key: string]: unknown; type?: string; name?: string };

/** A plotly layout: titles, axes, shapes, annotations, sliders, colours… */
export type Layout = { [key: string]: unknown };

/** Plotly's per-figure configuration, e.g. `{ responsive: true, displaylogo: false }`. */
export type Config = { [key: string]: unknown };

/** A complete figure as plotly.js draws it: `Plotly.newPlot(div, data, layout, config)`. */
export interface Figure {
  /** The traces, drawn in order (later ones on top). */
  data: Trace[];
  /** Titles, axes, colours, shapes and annotations. */
  layout: Layout;
  /** Plotly's configuration (mode bar, responsiveness); optional. */
  config?: Config;
}

/** A matrix-shaped source of numbers: `rows × cols` values in row-major order (a `Matrix` fits). */
export interface MatrixLike {
  /** Number of rows (one per example). */
  readonly rows: number;
  /** Number of columns (one per feature). */
  readonly cols: number;
  /** The entries, row after row. */
  readonly data: ArrayLike<number>;
}

/** A named curve for `curves`: the points (x[i], y[i]). */
export interface Series {
  /** Legend entry. */
  name: string;
  /** The x coordinates. */
  x: ArrayLike<number>;
  /** The y coordinates, same length as `x`. */
  y: ArrayLike<number>;
  /** Line style; "solid" unless given. */
  dash?: "solid" | "dot" | "dash" | "dashdot";
}
