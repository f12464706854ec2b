/** Small shared helpers for the kernel-lib unit tests. */

import { expect } from "vitest";
import { Matrix, Random } from "../../kernel-lib/src";

/** n evenly spaced points from lo to hi inclusive. */
export function linspace(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

/** A rows × cols matrix of N(0, std²) entries from a seeded source. */
export function randn(rows: number, cols: number, seed: number | Random, std = 1): Matrix {
  const random = seed instanceof Random ? seed : new Random(seed);
  const m = new Matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = random.normal(0, std);
  return m;
}

/** n rows of one-hot targets over k classes, classes drawn from a seeded source. */
export function oneHotRows(n: number, k: number, seed: number): Matrix {
  const random = new Random(seed);
  const y = new Matrix(n, k);
  for (let i = 0; i < n; i++) y.set(i, random.int(k), 1);
  return y;
}

/** n × k targets of 0s and 1s. */
export function binaryTargets(n: number, k: number, seed: number): Matrix {
  const random = new Random(seed);
  return new Matrix(n, k).map(() => random.int(2));
}

/** The distance between two doubles in units in the last place (0 when bitwise equal). */
export function ulpDistance(a: number, b: number): number {
  if (a === b) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  const bits = new BigInt64Array(new Float64Array([a, b]).buffer);
  // Map the sign-magnitude bit patterns onto a monotone integer line.
  const ordered = (x: bigint) => (x < 0n ? -(x & 0x7fffffffffffffffn) : x);
  const d = ordered(bits[0]) - ordered(bits[1]);
  return Number(d < 0n ? -d : d);
}

/** The byte view of a Float64Array, for bitwise comparison. */
export function bytes(x: Float64Array | Matrix): Uint8Array {
  const d = x instanceof Matrix ? x.data : x;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** Asserts two arrays of doubles are bitwise identical (so −0 ≠ 0 and NaN payloads count). */
export function expectBitwiseEqual(a: Float64Array | Matrix, b: Float64Array | Matrix): void {
  expect(Buffer.from(bytes(a)).equals(Buffer.from(bytes(b)))).toBe(true);
}

/** A copy of every number that a layer or network holds as state, for "nothing changed" checks. */
export function snapshot(arrays: (Matrix | undefined)[]): (Float64Array | undefined)[] {
  return arrays.map((m) => m?.data.slice());
}

/** The naive triple loop C = A·B, the reference for the fast kernels. */
export function naiveMatmul(a: number[][], b: number[][]): number[][] {
  const m = a.length,
    k = b.length,
    n = k === 0 ? 0 : b[0].length;
  const c: number[][] = [];
  for (let i = 0; i < m; i++) {
    c.push([]);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i][p] * b[p][j];
      c[i].push(s);
    }
  }
  return c;
}

/** Asserts two matrices have the same shape and entries within `tol` (absolute). */
export function expectMatrixClose(actual: Matrix, expected: number[][], tol = 1e-12): void {
  expect(actual.rows).toBe(expected.length);
  for (let i = 0; i < actual.rows; i++) {
    expect(actual.cols).toBe(expected[i].length);
    for (let j = 0; j < actual.cols; j++)
      expect(Math.abs(actual.get(i, j) - expected[i][j])).toBeLessThanOrEqual(tol);
  }
}
