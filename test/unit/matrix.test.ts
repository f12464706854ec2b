import { describe, expect, it } from "vitest";
import {
  Matrix,
  Random,
  add,
  addRowVector,
  argmaxRows,
  hadamard,
  matmul,
  matmulNT,
  matmulTN,
  mean,
  norm,
  scale,
  sub,
  sum,
  sumRows,
} from "../../kernel-lib/src";
import { expectMatrixClose, naiveMatmul, randn } from "./helpers";

/**
 * (m, k, n) for A [m×k]·B [k×n]: 1×1, vectors, odd sizes, sizes around the 4×4 tile edge, and an empty batch.
 */
const shapes: [number, number, number][] = [
  [1, 1, 1],
  [1, 5, 1],
  [5, 1, 1],
  [1, 1, 6],
  [3, 1, 4],
  [2, 3, 2],
  [4, 4, 4],
  [5, 7, 3],
  [9, 13, 6],
  [17, 3, 11],
  [8, 16, 12],
  [0, 3, 2],
];

/** A random matrix with about a third of its entries exactly 0, to exercise any skipping of zeros. */
function sparse(rows: number, cols: number, seed: number): Matrix {
  const random = new Random(seed);
  return randn(rows, cols, seed).map((x) => (random.next() < 1 / 3 ? 0 : x));
}

const T = (m: Matrix) => m.transpose().toArray();

describe("matrix products against the naive triple loop", () => {
  shapes.forEach(([m, k, n], s) => {
    const A = sparse(m, k, 10 + s),
      B = randn(k, n, 50 + s);
    const C0 = randn(m, n, 90 + s);
    const expected = naiveMatmul(A.toArray(), B.toArray());
    const plusC0 = expected.map((row, i) => row.map((v, j) => v + C0.get(i, j)));

    it(`${m}×${k} · ${k}×${n}: matmul, matmulTN, matmulNT`, () => {
      expectMatrixClose(matmul(A, B), expected);
      expectMatrixClose(matmulTN(A.transpose(), B), expected);
      expectMatrixClose(matmulNT(A, B.transpose()), expected);
    });

    it(`${m}×${k} · ${k}×${n}: into an output matrix, overwriting or accumulating (C += A·B)`, () => {
      const out = () => C0.clone();
      expectMatrixClose(matmul(A, B, out()), expected);
      expectMatrixClose(matmul(A, B, out(), true), plusC0);
      expectMatrixClose(matmulTN(A.transpose(), B, out(), true), plusC0);
      expectMatrixClose(matmulNT(A, B.transpose(), out(), true), plusC0);
      expectMatrixClose(matmulTN(A.transpose(), B, out()), expected);
      expectMatrixClose(matmulNT(A, B.transpose(), out()), expected);
      const target = out();
      expect(matmul(A, B, target)).toBe(target);
    });
  });

  it("a 0-inner-dimension product is all zeros", () => {
    expectMatrixClose(matmul(new Matrix(2, 0), new Matrix(0, 3)), [
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it("a known 2×3 · 3×2 product", () => {
    const A = Matrix.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const B = Matrix.from([
      [7, 8],
      [9, 10],
      [11, 12],
    ]);
    expect(matmul(A, B).toArray()).toEqual([
      [58, 64],
      [139, 154],
    ]);
    expect(matmulTN(Matrix.from(T(A)), B).toArray()).toEqual([
      [58, 64],
      [139, 154],
    ]);
    expect(matmulNT(A, Matrix.from(T(B))).toArray()).toEqual([
      [58, 64],
      [139, 154],
    ]);
  });
});

describe("element-wise operations and reductions", () => {
  const A = Matrix.from([
    [1, -2, 3],
    [4, 5, -6],
  ]);
  const B = Matrix.from([
    [0.5, 1, -1],
    [2, 0, 3],
  ]);

  it("add, sub, hadamard, scale", () => {
    expect(add(A, B).toArray()).toEqual([
      [1.5, -1, 2],
      [6, 5, -3],
    ]);
    expect(sub(A, B).toArray()).toEqual([
      [0.5, -3, 4],
      [2, 5, -9],
    ]);
    expect(hadamard(A, B).toArray()).toEqual([
      [0.5, -2, -3],
      [8, 0, -18],
    ]);
    expect(scale(A, -2).toArray()).toEqual([
      [-2, 4, -6],
      [-8, -10, 12],
    ]);
  });

  it("write into an output matrix, which may be an operand", () => {
    const out = A.clone();
    expect(add(out, B, out)).toBe(out);
    expect(out.toArray()).toEqual([
      [1.5, -1, 2],
      [6, 5, -3],
    ]);
    scale(out, 2, out);
    expect(out.toArray()).toEqual([
      [3, -2, 4],
      [12, 10, -6],
    ]);
  });

  it("addRowVector adds v to every row", () => {
    expect(addRowVector(A, Float64Array.from([10, 20, 30])).toArray()).toEqual([
      [11, 18, 33],
      [14, 25, 24],
    ]);
  });

  it("sumRows gives column sums, and accumulates into an output", () => {
    expect(Array.from(sumRows(A))).toEqual([5, 3, -3]);
    const acc = Float64Array.from([1, 1, 1]);
    expect(sumRows(A, acc, true)).toBe(acc);
    expect(Array.from(acc)).toEqual([6, 4, -2]);
    expect(Array.from(sumRows(A, acc))).toEqual([5, 3, -3]);
  });

  it("sum, mean, norm", () => {
    expect(sum(A)).toBe(5);
    expect(mean(A)).toBe(5 / 6);
    expect(Number.isNaN(mean(new Matrix(0, 3)))).toBe(true);
    // √(1 + 4 + 9 + 16 + 25 + 36) = √91
    expect(norm(A)).toBe(Math.sqrt(91));
    expect(norm(Float64Array.from([3, 4]))).toBe(5);
  });

  it("argmaxRows picks each row's largest entry, the first on ties", () => {
    expect(Array.from(argmaxRows(A))).toEqual([2, 1]);
    expect(
      Array.from(
        argmaxRows(
          Matrix.from([
            [1, 7, 7],
            [-3, -1, -2],
            [0, 0, 0],
          ]),
        ),
      ),
    ).toEqual([1, 1, 0]);
  });
});

describe("Matrix construction and access", () => {
  it("from / toArray round-trip, row-major storage", () => {
    const rows = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    const m = Matrix.from(rows);
    expect([m.rows, m.cols, m.shape]).toEqual([2, 3, "2×3"]);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(m.toArray()).toEqual(rows);
    expect(m.get(1, 0)).toBe(4);
    expect(Matrix.from([]).shape).toBe("0×0");
  });

  it("the constructor shares its data; clone copies it; row is a view", () => {
    const data = Float64Array.from([1, 2, 3, 4]);
    const m = new Matrix(2, 2, data);
    expect(m.data).toBe(data);
    const c = m.clone();
    c.set(0, 0, 9);
    expect(m.get(0, 0)).toBe(1);
    m.row(1)[0] = 7;
    expect(m.get(1, 0)).toBe(7);
  });

  it("zeros, filled, column", () => {
    expect(Matrix.zeros(2, 2).toArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(Matrix.filled(1, 3, 2.5).toArray()).toEqual([[2.5, 2.5, 2.5]]);
    expect(Matrix.column([1, 2, 3]).toArray()).toEqual([[1], [2], [3]]);
  });

  it("transpose", () => {
    const m = Matrix.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(m.transpose().toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(m.transpose().transpose().toArray()).toEqual(m.toArray());
  });

  it("selectRows picks rows in the given order, repeats allowed", () => {
    const m = Matrix.from([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    expect(m.selectRows([2, 0, 2]).toArray()).toEqual([
      [2, 2],
      [0, 0],
      [2, 2],
    ]);
    expect(m.selectRows(Int32Array.from([1])).toArray()).toEqual([[1, 1]]);
  });

  it("map passes value, row and column", () => {
    expect(
      Matrix.zeros(2, 2)
        .map((_, i, j) => 10 * i + j)
        .toArray(),
    ).toEqual([
      [0, 1],
      [10, 11],
    ]);
  });

  it("toString shows the shape and rounded entries", () => {
    const text = Matrix.from([[1 / 3, 2]]).toString();
    expect(text).toMatch(/^Matrix 1×2\n/);
    expect(text).toContain("0.3333");
  });
});
