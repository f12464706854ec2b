import { describe, expect, it } from "vitest";
import {
  ProductKernel,
  TILE,
  matmulKernel,
  matmulNTKernel,
  matmulNTReference,
  matmulReference,
  matmulTNKernel,
  matmulTNReference,
} from "../../kernel-lib/src/kernels";
import { Matrix, matmul, matmulNT, matmulTN } from "../../kernel-lib/src/matrix";
import { rng } from "../../kernel-lib/src/random";

interface Product {
  name: string;
  fast: ProductKernel;
  reference: ProductKernel;
  /** The lengths of A and B for an m×n result with inner size k. */
  sizes: (m: number, n: number, k: number) => [number, number];
  /** The p-th term of entry (i, j), read in this product's layout. */
  term: (
    A: Float64Array,
    B: Float64Array,
    m: number,
    n: number,
    k: number,
    i: number,
    j: number,
    p: number,
  ) => number;
}

const products: Product[] = [
  {
    name: "A·B",
    fast: matmulKernel,
    reference: matmulReference,
    sizes: (m, n, k) => [m * k, k * n],
    term: (A, B, m, n, k, i, j, p) => A[i * k + p] * B[p * n + j],
  },
  {
    name: "Aᵀ·B",
    fast: matmulTNKernel,
    reference: matmulTNReference,
    sizes: (m, n, k) => [k * m, k * n],
    term: (A, B, m, n, k, i, j, p) => A[p * m + i] * B[p * n + j],
  },
  {
    name: "A·Bᵀ",
    fast: matmulNTKernel,
    reference: matmulNTReference,
    sizes: (m, n, k) => [m * k, n * k],
    term: (A, B, m, n, k, i, j, p) => A[i * k + p] * B[j * k + p],
  },
];

const random = rng(7);
function randomArray(length: number): Float64Array {
  const a = new Float64Array(length);
  for (let i = 0; i < length; i++) a[i] = random.normal();
  return a;
}

/** Shapes [m, n, k]: 1×1, sizes on both sides of the tile edge, and the layer shapes of the lessons' nets. */
const edge = [1, 2, 3, TILE - 1, TILE, TILE + 1, 2 * TILE - 1, 2 * TILE + 1, 10];
const shapes: [number, number, number][] = [
  [1, 1, 1],
  [1, 1, 0],
  [0, 3, 2],
  [3, 0, 2],
  [10, 30, 784],
  [784, 30, 10],
  [10, 784, 30],
  [64, 256, 257],
  [10, 16, 2],
  [10, 1, 16],
];
for (const m of edge) for (const n of edge) shapes.push([m, n, 1 + ((m * 7 + n * 3) % 13)]);
for (let t = 0; t < 40; t++) shapes.push([1 + random.int(40), 1 + random.int(40), random.int(60)]);

/** The first index where two arrays differ (Object.is, so NaN equals NaN and 0 differs from −0), or −1. */
function firstDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe.each(products)("fast $name kernel", ({ fast, reference, sizes, term }) => {
  it("equals the reference kernel bit for bit, on every shape including edge tiles", () => {
    for (const [m, n, k] of shapes) {
      const [lengthA, lengthB] = sizes(m, n, k);
      const A = randomArray(lengthA),
        B = randomArray(lengthB);
      const expected = new Float64Array(m * n).fill(NaN);
      const actual = new Float64Array(m * n).fill(-1);
      reference(m, n, k, A, B, expected, false);
      fast(m, n, k, A, B, actual, false);
      expect(firstDifference(actual, expected), `${m}×${n}, k = ${k}`).toBe(-1);
    }
  });

  it("adds into C in accumulate mode exactly as the reference does", () => {
    for (const [m, n, k] of shapes) {
      const [lengthA, lengthB] = sizes(m, n, k);
      const A = randomArray(lengthA),
        B = randomArray(lengthB);
      const start = randomArray(m * n);
      const expected = start.slice(),
        actual = start.slice();
      reference(m, n, k, A, B, expected, true);
      fast(m, n, k, A, B, actual, true);
      expect(firstDifference(actual, expected), `${m}×${n}, k = ${k}`).toBe(-1);
    }
  });

  it("agrees to within 1e-12 relative with the same terms summed in reverse order", () => {
    // Guards the shared summation order itself against a slip in the index maps.
    for (const [m, n, k] of [
      [7, 9, 33],
      [10, 30, 784],
    ] as const) {
      const [lengthA, lengthB] = sizes(m, n, k);
      const A = randomArray(lengthA),
        B = randomArray(lengthB);
      const C = new Float64Array(m * n);
      fast(m, n, k, A, B, C, false);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0,
            scale = 0;
          for (let p = k - 1; p >= 0; p--) {
            const t = term(A, B, m, n, k, i, j, p);
            s += t;
            scale += Math.abs(t);
          }
          expect(Math.abs(C[i * n + j] - s)).toBeLessThanOrEqual(1e-12 * scale);
        }
      }
    }
  });
});

describe("Matrix products use the fast kernels", () => {
  const A = Matrix.from([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const B = Matrix.from([
    [7, 8],
    [9, 10],
    [11, 12],
  ]);

  it("matmul, matmulTN and matmulNT give the textbook results", () => {
    expect(matmul(A, B).toArray()).toEqual([
      [58, 64],
      [139, 154],
    ]);
    expect(matmulTN(A, A).toArray()).toEqual([
      [17, 22, 27],
      [22, 29, 36],
      [27, 36, 45],
    ]);
    expect(matmulNT(A, A).toArray()).toEqual([
      [14, 32],
      [32, 77],
    ]);
  });

  it("accumulate adds into the output and the default overwrites it", () => {
    const out = Matrix.filled(2, 2, 1);
    matmul(A, B, out, true);
    expect(out.toArray()).toEqual([
      [59, 65],
      [140, 155],
    ]);
    matmul(A, B, out);
    expect(out.toArray()).toEqual([
      [58, 64],
      [139, 154],
    ]);
  });

  it("refuses to write a product over one of its operands", () => {
    const square = Matrix.from([
      [1, 2],
      [3, 4],
    ]);
    expect(() => matmul(square, square, square)).toThrow(/separate output/);
    expect(() => matmulTN(square, square, square)).toThrow(/separate output/);
    expect(() => matmulNT(square, square, square)).toThrow(/separate output/);
  });

  it("propagates NaN and Infinity from B even where A is zero (no zero skipping)", () => {
    const zero = Matrix.from([[0, 1]]);
    const withNaN = Matrix.from([[NaN], [2]]);
    expect(Number.isNaN(matmul(zero, withNaN).get(0, 0))).toBe(true);
  });
});
