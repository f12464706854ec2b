/**
 * `Matrix`: a dense row-major matrix of Float64 values, and the products, maps and reductions the
 * layers need. A batch of examples is a matrix with one example per row.
 */

import { kernelArray, matmulChosen, matmulNTChosen, matmulTNChosen } from "./kernel-choice";
import { subarrayOf } from "./wasm/memory";

/** A dense matrix: `rows × cols` Float64 values in row-major order, entry (i, j) at `data[i * cols + j]`. */
export class Matrix {
  /** Number of rows (for a batch: the number of examples). */
  readonly rows: number;
  /** Number of columns (for a batch: the number of features or units). */
  readonly cols: number;
  /** The entries, row after row. */
  readonly data: Float64Array;

  /** A `rows × cols` matrix over `data` (shared, not copied), or of zeros when `data` is omitted. */
  constructor(rows: number, cols: number, data?: Float64Array) {
    Matrix.requireShape(rows, cols);
    if (data !== undefined && data.length !== rows * cols) {
      throw new Error(
        `Matrix: ${rows} × ${cols} needs ${rows * cols} values, got ${data.length}. Check the shape you passed.`,
      );
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data ?? new Float64Array(rows * cols);
  }

  private static requireShape(rows: number, cols: number): void {
    if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
      throw new Error(`Matrix: rows and cols must be non-negative integers, got ${rows} × ${cols}.`);
    }
  }

  /** A `rows × cols` matrix of zeros. */
  static zeros(rows: number, cols: number): Matrix {
    return new Matrix(rows, cols);
  }

  /**
   * A `rows × cols` matrix of zeros in the memory the WebAssembly kernels share with JavaScript, so
   * that products on it copy nothing (an ordinary matrix where those kernels are not in use or that
   * memory is full). Layers keep their weights, gradients and batch buffers in such matrices; use
   * one for data you multiply many times. Its `row`s keep its memory alive; a plain
   * `data.subarray(…)` does not, so keep the matrix while you use one.
   */
  static shared(rows: number, cols: number): Matrix {
    Matrix.requireShape(rows, cols);
    return new Matrix(rows, cols, kernelArray(rows * cols));
  }

  /** A `rows × cols` matrix with every entry equal to `value`. */
  static filled(rows: number, cols: number, value: number): Matrix {
    return new Matrix(rows, cols, new Float64Array(rows * cols).fill(value));
  }

  /** A matrix from nested arrays, one inner array per row: `Matrix.from([[1, 2], [3, 4]])`. */
  static from(rows: ArrayLike<ArrayLike<number>>): Matrix {
    const n = rows.length;
    const cols = n === 0 ? 0 : rows[0].length;
    const m = new Matrix(n, cols);
    for (let i = 0; i < n; i++) {
      if (rows[i].length !== cols) {
        throw new Error(
          `Matrix.from: row ${i} has ${rows[i].length} values but row 0 has ${cols}; all rows must have the same length.`,
        );
      }
      for (let j = 0; j < cols; j++) m.data[i * cols + j] = rows[i][j];
    }
    return m;
  }

  /** A column vector (`n × 1`) from a list of numbers. */
  static column(values: ArrayLike<number>): Matrix {
    return new Matrix(values.length, 1, Float64Array.from(values));
  }

  /** The shape as text, `"rows×cols"`, for messages. */
  get shape(): string {
    return `${this.rows}×${this.cols}`;
  }

  /** Entry (i, j). */
  get(i: number, j: number): number {
    return this.data[i * this.cols + j];
  }

  /** Sets entry (i, j) to `value`. */
  set(i: number, j: number, value: number): void {
    this.data[i * this.cols + j] = value;
  }

  /** Row `i` as a view on the same memory. */
  row(i: number): Float64Array {
    return subarrayOf(this.data, i * this.cols, (i + 1) * this.cols);
  }

  /** A copy with its own memory. */
  clone(): Matrix {
    return new Matrix(this.rows, this.cols, this.data.slice());
  }

  /** The entries as nested arrays, one per row. */
  toArray(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.row(i)));
    return out;
  }

  /** The transpose Aᵀ (a new matrix). */
  transpose(): Matrix {
    const t = new Matrix(this.cols, this.rows);
    for (let i = 0; i < this.rows; i++) {
      for (let j = 0; j < this.cols; j++) t.data[j * this.rows + i] = this.data[i * this.cols + j];
    }
    return t;
  }

  /** A new matrix with `f` applied to every entry. */
  map(f: (x: number, i: number, j: number) => number): Matrix {
    const out = new Matrix(this.rows, this.cols);
    for (let i = 0; i < this.rows; i++) {
      for (let j = 0; j < this.cols; j++) out.data[i * this.cols + j] = f(this.data[i * this.cols + j], i, j);
    }
    return out;
  }

  /** The rows at the given indices, in that order (a new matrix). */
  selectRows(indices: ArrayLike<number>): Matrix {
    const out = new Matrix(indices.length, this.cols);
    for (let r = 0; r < indices.length; r++) {
      const i = indices[r];
      if (!Number.isInteger(i) || i < 0 || i >= this.rows) {
        throw new Error(`Matrix.selectRows: index ${i} is outside 0…${this.rows - 1}.`);
      }
      out.data.set(this.row(i), r * this.cols);
    }
    return out;
  }

  /** A short readable rendering (rounded entries), for notebooks. */
  toString(): string {
    const maxRows = 8;
    const lines = [`Matrix ${this.shape}`];
    for (let i = 0; i < Math.min(this.rows, maxRows); i++) {
      const row = Array.from(this.row(i).subarray(0, 8), (x) => x.toPrecision(4).padStart(10));
      lines.push(`[${row.join(" ")}${this.cols > 8 ? " …" : ""}]`);
    }
    if (this.rows > maxRows) lines.push(`… ${this.rows - maxRows} more rows`);
    return lines.join("\n");
  }
}

function requireSameShape(op: string, a: Matrix, b: Matrix): void {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new Error(
      `${op}: shapes ${a.shape} and ${b.shape} differ; both operands must have the same shape.`,
    );
  }
}

function target(op: string, rows: number, cols: number, out: Matrix | undefined): Matrix {
  if (out === undefined) return new Matrix(rows, cols);
  if (out.rows !== rows || out.cols !== cols) {
    throw new Error(`${op}: the output matrix is ${out.shape} but the result is ${rows}×${cols}.`);
  }
  return out;
}

function requireSeparate(op: string, c: Matrix, a: Matrix, b: Matrix): void {
  if (c.data === a.data || c.data === b.data) {
    throw new Error(
      `${op}: the output matrix is also an operand; a product cannot be written over its own input. Pass a separate output matrix.`,
    );
  }
}

/**
 * C = A·B  [m×k]·[k×n] → [m×n]. With `accumulate`, C += A·B into `out`.
 * Computed by the WebAssembly SIMD kernels or the register-tiled TypeScript kernels (kernel-choice.ts
 * says which; `matmulReference` in kernels.ts is the plain loop both equal bit for bit).
 */
export function matmul(a: Matrix, b: Matrix, out?: Matrix, accumulate = false): Matrix {
  if (a.cols !== b.rows) {
    throw new Error(
      `matmul: A is ${a.shape} and B is ${b.shape}; A·B needs A's columns (${a.cols}) to equal B's rows (${b.rows}).`,
    );
  }
  const c = target("matmul", a.rows, b.cols, out);
  requireSeparate("matmul", c, a, b);
  matmulChosen(a.rows, b.cols, a.cols, a.data, b.data, c.data, accumulate);
  return c;
}

/** C = Aᵀ·B  [k×m]ᵀ·[k×n] → [m×n], without forming Aᵀ. With `accumulate`, C += Aᵀ·B. */
export function matmulTN(a: Matrix, b: Matrix, out?: Matrix, accumulate = false): Matrix {
  if (a.rows !== b.rows) {
    throw new Error(
      `matmulTN: A is ${a.shape} and B is ${b.shape}; Aᵀ·B needs A and B to have the same number of rows.`,
    );
  }
  const c = target("matmulTN", a.cols, b.cols, out);
  requireSeparate("matmulTN", c, a, b);
  matmulTNChosen(a.cols, b.cols, a.rows, a.data, b.data, c.data, accumulate);
  return c;
}

/**
 * C = A·Bᵀ  [m×k]·[n×k]ᵀ → [m×n], without forming Bᵀ: each entry is a dot product of two rows. With
 * `accumulate`, C += A·Bᵀ.
 */
export function matmulNT(a: Matrix, b: Matrix, out?: Matrix, accumulate = false): Matrix {
  if (a.cols !== b.cols) {
    throw new Error(
      `matmulNT: A is ${a.shape} and B is ${b.shape}; A·Bᵀ needs A and B to have the same number of columns.`,
    );
  }
  const c = target("matmulNT", a.rows, b.rows, out);
  requireSeparate("matmulNT", c, a, b);
  matmulNTChosen(a.rows, b.rows, a.cols, a.data, b.data, c.data, accumulate);
  return c;
}

/** A + B, entry by entry. */
export function add(a: Matrix, b: Matrix, out?: Matrix): Matrix {
  requireSameShape("add", a, b);
  const c = target("add", a.rows, a.cols, out);
  for (let i = 0; i < a.data.length; i++) c.data[i] = a.data[i] + b.data[i];
  return c;
}

/** A − B, entry by entry. */
export function sub(a: Matrix, b: Matrix, out?: Matrix): Matrix {
  requireSameShape("sub", a, b);
  const c = target("sub", a.rows, a.cols, out);
  for (let i = 0; i < a.data.length; i++) c.data[i] = a.data[i] - b.data[i];
  return c;
}

/** A ⊙ B, the entry-by-entry (Hadamard) product. */
export function hadamard(a: Matrix, b: Matrix, out?: Matrix): Matrix {
  requireSameShape("hadamard", a, b);
  const c = target("hadamard", a.rows, a.cols, out);
  for (let i = 0; i < a.data.length; i++) c.data[i] = a.data[i] * b.data[i];
  return c;
}

/** s·A, every entry times the scalar `s`. */
export function scale(a: Matrix, s: number, out?: Matrix): Matrix {
  const c = target("scale", a.rows, a.cols, out);
  for (let i = 0; i < a.data.length; i++) c.data[i] = a.data[i] * s;
  return c;
}

/** A + 1·vᵀ: adds the row vector `v` (length = A's columns) to every row of A. */
export function addRowVector(a: Matrix, v: Float64Array, out?: Matrix): Matrix {
  if (v.length !== a.cols) {
    throw new Error(
      `addRowVector: the vector has ${v.length} entries but A is ${a.shape}; it needs ${a.cols}.`,
    );
  }
  const c = target("addRowVector", a.rows, a.cols, out);
  for (let i = 0; i < a.rows; i++) {
    const r = i * a.cols;
    for (let j = 0; j < a.cols; j++) c.data[r + j] = a.data[r + j] + v[j];
  }
  return c;
}

/** Column sums 1ᵀ·A (length = A's columns); with `accumulate`, added into `out`. */
export function sumRows(a: Matrix, out?: Float64Array, accumulate = false): Float64Array {
  const s = out ?? new Float64Array(a.cols);
  if (s.length !== a.cols)
    throw new Error(`sumRows: the output has ${s.length} entries but A has ${a.cols} columns.`);
  if (!accumulate) s.fill(0);
  for (let i = 0; i < a.rows; i++) {
    const r = i * a.cols;
    for (let j = 0; j < a.cols; j++) s[j] += a.data[r + j];
  }
  return s;
}

/** The sum of all entries. */
export function sum(a: Matrix): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i];
  return s;
}

/** The mean of all entries. */
export function mean(a: Matrix): number {
  return a.data.length === 0 ? NaN : sum(a) / a.data.length;
}

/** The Euclidean (for a matrix: Frobenius) norm ‖x‖ = √(Σ xᵢ²) of a matrix or vector. */
export function norm(x: Matrix | Float64Array): number {
  const d = x instanceof Matrix ? x.data : x;
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i] * d[i];
  return Math.sqrt(s);
}

/** For each row, the index of its largest entry (a classifier's predicted class). */
export function argmaxRows(a: Matrix): Int32Array {
  const out = new Int32Array(a.rows);
  for (let i = 0; i < a.rows; i++) {
    const r = i * a.cols;
    let best = 0;
    for (let j = 1; j < a.cols; j++) if (a.data[r + j] > a.data[r + best]) best = j;
    out[i] = best;
  }
  return out;
}
