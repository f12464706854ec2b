import { describe, expect, it } from "vitest";
import { FusedLoss, Loss, Matrix, Random, gradCheckLoss, losses, mlp } from "../../kernel-lib/src";
import { binaryTargets, oneHotRows, randn } from "./helpers";

const { mse, binaryCrossEntropy, crossEntropy, softmaxCrossEntropy } = losses;

/** Row-wise softmax of logits. */
function softmaxRows(z: Matrix): Matrix {
  const out = new Matrix(z.rows, z.cols);
  for (let i = 0; i < z.rows; i++) {
    const row = Array.from(z.row(i));
    const m = Math.max(...row);
    const e = row.map((x) => Math.exp(x - m));
    const total = e.reduce((s, x) => s + x, 0);
    e.forEach((x, j) => out.set(i, j, x / total));
  }
  return out;
}

const sigmoidOf = (z: Matrix) => z.map((x) => 1 / (1 + Math.exp(-x)));

/**
 * Worst relative error between fused.grad(output(z), y) and central differences of fused.value(z, y) in z.
 */
function fusedGradError(
  fused: FusedLoss,
  output: (z: Matrix) => Matrix,
  z: Matrix,
  y: Matrix,
  h = 1e-5,
): number {
  const analytic = fused.grad(output(z), y);
  let worst = 0;
  for (let i = 0; i < z.data.length; i++) {
    const plus = z.clone(),
      minus = z.clone();
    plus.data[i] += h;
    minus.data[i] -= h;
    const numeric = (fused.value(plus, y) - fused.value(minus, y)) / (2 * h);
    const a = analytic.data[i];
    worst = Math.max(worst, Math.abs(a - numeric) / Math.max(Math.abs(a), Math.abs(numeric), 1e-8));
  }
  return worst;
}

describe("loss gradients ∂C/∂ŷ against finite differences", () => {
  const n = 6,
    k = 4;
  // Predictions where each loss is smooth: any real for mse, (0, 1) for the cross-entropies.
  const cases: [string, Loss, Matrix, Matrix][] = [
    ["mse", mse, randn(n, k, 1), randn(n, k, 2)],
    ["binaryCrossEntropy", binaryCrossEntropy, sigmoidOf(randn(n, k, 3)), binaryTargets(n, k, 4)],
    // Label-smoothed targets 0.1 / 0.9. (Random soft targets may land within 1e-4 of ŷ, where ∂C/∂ŷ is
    // so small that the finite difference's rounding noise, ~1e-11, exceeds a relative 1e-6.)
    [
      "binaryCrossEntropy, soft targets",
      binaryCrossEntropy,
      sigmoidOf(randn(n, k, 5)),
      binaryTargets(n, k, 6).map((t) => 0.1 + 0.8 * t),
    ],
    ["crossEntropy", crossEntropy, softmaxRows(randn(n, k, 7)), oneHotRows(n, k, 8)],
  ];
  for (const [name, loss, yHat, y] of cases) {
    it(`${name}: relative error < 1e-6`, () => {
      const result = gradCheckLoss(loss, yHat, y);
      expect(result.checked).toBe(n * k);
      expect(result.maxRelativeError, result.where).toBeLessThan(1e-6);
      expect(result.ok).toBe(true);
    });
  }

  it("gradCheckLoss accepts a loss by name", () => {
    expect(gradCheckLoss("mse", randn(2, 2, 1), randn(2, 2, 2)).ok).toBe(true);
  });
});

describe("fused losses: ∂C/∂z from the logits", () => {
  const n = 5,
    k = 3;
  const z = randn(n, k, 21, 2);

  it("softmax + crossEntropy: ∂C/∂z = (softmax(z) − y)/n matches finite differences of the fused value", () => {
    expect(crossEntropy.fused!.output).toBe("softmax");
    expect(fusedGradError(crossEntropy.fused!, softmaxRows, z, oneHotRows(n, k, 22))).toBeLessThan(1e-6);
  });

  it("sigmoid + binaryCrossEntropy: ∂C/∂z = (σ(z) − y)/n matches finite differences of the fused value", () => {
    expect(binaryCrossEntropy.fused!.output).toBe("sigmoid");
    expect(fusedGradError(binaryCrossEntropy.fused!, sigmoidOf, z, binaryTargets(n, k, 23))).toBeLessThan(
      1e-6,
    );
  });

  it("the fused values equal the plain losses of the activated outputs for moderate logits", () => {
    const y = oneHotRows(n, k, 24),
      t = binaryTargets(n, k, 25);
    expect(crossEntropy.fused!.value(z, y)).toBeCloseTo(crossEntropy.value(softmaxRows(z), y), 13);
    expect(binaryCrossEntropy.fused!.value(z, t)).toBeCloseTo(binaryCrossEntropy.value(sigmoidOf(z), t), 13);
  });

  it("a network's output layer receives exactly the fused δ = (ŷ − y)/n", () => {
    for (const [output, loss, y] of [
      ["softmax", crossEntropy, oneHotRows(n, k, 26)],
      ["sigmoid", binaryCrossEntropy, binaryTargets(n, k, 27)],
    ] as const) {
      const net = mlp([2, k], { output, seed: 3 });
      const X = randn(n, 2, 28);
      net.backprop(X, y, loss);
      const yHat = net.forward(X);
      const delta = net.outputLayer.delta!;
      for (let i = 0; i < delta.data.length; i++) expect(delta.data[i]).toBe((yHat.data[i] - y.data[i]) / n);
    }
  });
});

describe("softmaxCrossEntropy", () => {
  /** −(1/n) Σ y ln softmax(z), written out the obvious way. */
  function naive(z: Matrix, y: Matrix): number {
    let s = 0;
    for (let i = 0; i < z.rows; i++) {
      const total = Array.from(z.row(i)).reduce((t, x) => t + Math.exp(x), 0);
      for (let j = 0; j < z.cols; j++) s -= y.get(i, j) * Math.log(Math.exp(z.get(i, j)) / total);
    }
    return s / z.rows;
  }

  it("equals the naive formula for moderate logits", () => {
    const z = randn(8, 5, 31, 3),
      y = oneHotRows(8, 5, 32);
    expect(softmaxCrossEntropy(z, y)).toBeCloseTo(naive(z, y), 12);
  });

  it("is finite and exact for logits of ±1000, where the naive formula overflows", () => {
    const z = Matrix.from([
      [1000, -1000, 0],
      [1000, -1000, 0],
      [-1000, -1000, -1000],
    ]);
    const y = Matrix.from([
      [1, 0, 0], // the right class by a margin of 1000: loss ln(1 + e⁻¹⁰⁰⁰ + e⁻²⁰⁰⁰) = 0
      [0, 1, 0], // the wrong class by 2000: loss 2000
      [0, 0, 1], // equal logits: loss ln 3
    ]);
    expect(Number.isFinite(naive(z, y))).toBe(false);
    expect(softmaxCrossEntropy(z, y)).toBeCloseTo((0 + 2000 + Math.log(3)) / 3, 10);
  });

  it("the fused binary cross-entropy is finite for logits of ±1000", () => {
    const z = Matrix.from([[1000], [-1000], [1000], [-1000]]);
    const y = Matrix.from([[1], [0], [0], [1]]);
    // Right answers cost 0; confident wrong answers cost |z| = 1000.
    expect(binaryCrossEntropy.fused!.value(z, y)).toBe((0 + 0 + 1000 + 1000) / 4);
  });
});

describe("loss values on hand-computed examples", () => {
  it("mse = (1/n) Σ ½‖ŷ − y‖²", () => {
    // Differences (1, 0) and (0, −2): ½(1 + 0) + ½(0 + 4) = 2.5 over n = 2 examples → 1.25.
    const yHat = Matrix.from([
      [1, 2],
      [3, 4],
    ]);
    const y = Matrix.from([
      [0, 2],
      [3, 6],
    ]);
    expect(mse.value(yHat, y)).toBe(1.25);
    // ∂C/∂ŷ = (ŷ − y)/n
    expect(mse.grad(yHat, y).toArray()).toEqual([
      [0.5, 0],
      [0, -1],
    ]);
  });

  it("binary cross-entropy", () => {
    // −[ln 0.9 + ln(1 − 0.2)]/2 = (0.1053605157 + 0.2231435513)/2 = 0.1642520335
    const yHat = Matrix.from([[0.9], [0.2]]);
    const y = Matrix.from([[1], [0]]);
    expect(binaryCrossEntropy.value(yHat, y)).toBeCloseTo(0.16425203348601843, 15);
    // ∂C/∂ŷ = (ŷ − y)/(n ŷ(1 − ŷ)): −0.1/(2·0.09) = −0.5556, 0.2/(2·0.16) = 0.625
    const g = binaryCrossEntropy.grad(yHat, y);
    expect(g.data[0]).toBeCloseTo(-5 / 9, 14);
    expect(g.data[1]).toBeCloseTo(0.625, 14);
  });

  it("categorical cross-entropy", () => {
    // −[ln 0.7 + ln 0.5]/2 = (0.3566749439 + 0.6931471806)/2 = 0.5249110622
    const yHat = Matrix.from([
      [0.7, 0.2, 0.1],
      [0.25, 0.25, 0.5],
    ]);
    const y = Matrix.from([
      [1, 0, 0],
      [0, 0, 1],
    ]);
    expect(crossEntropy.value(yHat, y)).toBeCloseTo(0.5249110622493, 12);
    // ∂C/∂ŷ = −y/(n ŷ): −1/1.4 and −1/1.0 at the true classes, 0 elsewhere.
    const g = crossEntropy.grad(yHat, y).toArray();
    expect(g[0][0]).toBeCloseTo(-1 / 1.4, 15);
    expect(g[1][2]).toBe(-1);
    expect(Math.abs(g[0][1]) + Math.abs(g[1][0])).toBe(0);
  });

  it("softmax cross-entropy from logits", () => {
    // z = (1, 2, 3), class 3: ln(e¹ + e² + e³) − 3 = ln(1 + e⁻¹ + e⁻²) = 0.4076059644
    expect(softmaxCrossEntropy(Matrix.from([[1, 2, 3]]), Matrix.from([[0, 0, 1]]))).toBeCloseTo(
      0.40760596444438,
      13,
    );
    // Two equal logits: ln 2.
    expect(softmaxCrossEntropy(Matrix.from([[0, 0]]), Matrix.from([[1, 0]]))).toBe(Math.LN2);
  });

  it("a prediction of exactly 0 for the true class costs a large finite amount, not ∞", () => {
    const c = crossEntropy.value(Matrix.from([[0, 1]]), Matrix.from([[1, 0]]));
    expect(Number.isFinite(c)).toBe(true);
    expect(c).toBeGreaterThan(600);
  });

  it("losses are looked up by name", () => {
    expect(losses.getLoss("mse")).toBe(mse);
    expect(losses.getLoss(crossEntropy)).toBe(crossEntropy);
    expect(Object.keys(losses.byName).sort()).toEqual(["binaryCrossEntropy", "crossEntropy", "mse"]);
  });
});

it("gradient sizes scale as 1/n: doubling the batch by repetition leaves C and halves each ∂C/∂ŷ entry", () => {
  const random = new Random(1);
  const yHat = randn(3, 2, random),
    y = randn(3, 2, random);
  const twice = (m: Matrix) => new Matrix(6, 2, Float64Array.from([...m.data, ...m.data]));
  expect(mse.value(twice(yHat), twice(y))).toBeCloseTo(mse.value(yHat, y), 14);
  const g1 = mse.grad(yHat, y),
    g2 = mse.grad(twice(yHat), twice(y));
  for (let i = 0; i < g1.data.length; i++) expect(g2.data[i]).toBeCloseTo(g1.data[i] / 2, 15);
});
