import { describe, expect, it } from "vitest";
import { leakyRelu, relu, sigmoid, tanh } from "../../kernel-lib/src/activations";
import {
  activationStats,
  DiagnosticsRecorder,
  gradientNorms,
  layerValues,
  snapshotWeights,
  updateRatios,
} from "../../kernel-lib/src/diagnostics";
import { Dense } from "../../kernel-lib/src/layers";
import { crossEntropy, mse } from "../../kernel-lib/src/losses";
import { Matrix } from "../../kernel-lib/src/matrix";
import { mlp, Sequential } from "../../kernel-lib/src/network";
import { SGD } from "../../kernel-lib/src/optim";
import { Random } from "../../kernel-lib/src/random";
import { fit } from "../../kernel-lib/src/train";
import { forwardOne, gradientsBrute, normOf } from "./brute";

function randomMatrix(rows: number, cols: number, seed: number, scale = 1): Matrix {
  const r = new Random(seed);
  return new Matrix(
    rows,
    cols,
    Float64Array.from({ length: rows * cols }, () => r.normal(0, scale)),
  );
}

function oneHotRows(n: number, k: number, seed: number): Matrix {
  const r = new Random(seed);
  const y = new Matrix(n, k);
  for (let i = 0; i < n; i++) y.set(i, r.int(k), 1);
  return y;
}

/** Relative closeness, for sums computed in a different order. */
function expectClose(actual: number, expected: number, rel = 1e-12): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));
}

const X = randomMatrix(7, 3, 1);
const y = oneHotRows(7, 2, 2);

describe("gradientNorms", () => {
  for (const activation of ["sigmoid", "tanh", "relu"]) {
    it(`equals ‖∂C/∂b‖ and ‖∂C/∂W‖ computed example by example (${activation}, softmax + cross-entropy)`, () => {
      const net = mlp([3, 4, 5, 2], { activation, seed: 3 });
      const brute = gradientsBrute(net, X, y);
      const got = gradientNorms(net, X, y, crossEntropy);
      expect(got.map((g) => g.layer)).toEqual(net.layers.map((l) => l.name));
      got.forEach((g, l) => {
        expectClose(g.gradNormB, normOf(brute.db[l]));
        expectClose(g.gradNormW, normOf(brute.dW[l]));
      });
    });
  }

  it("works for a sigmoid output with the quadratic cost (no fused gradient)", () => {
    const net = mlp([3, 4, 2], { activation: "tanh", output: "sigmoid", seed: 4 });
    const brute = gradientsBrute(net, X, y);
    gradientNorms(net, X, y, mse).forEach((g, l) => {
      expectClose(g.gradNormB, normOf(brute.db[l]));
      expectClose(g.gradNormW, normOf(brute.dW[l]));
    });
  });

  it("in minibatches: the dataset gradient by default, or the mean of minibatch norms", () => {
    const net = mlp([3, 4, 5, 2], { activation: "sigmoid", seed: 5 });
    const whole = gradientNorms(net, X, y, crossEntropy);
    const batched = gradientNorms(net, X, y, crossEntropy, { batchSize: 3 });
    batched.forEach((g, l) => {
      expectClose(g.gradNormB, whole[l].gradNormB);
      expectClose(g.gradNormW, whole[l].gradNormW);
    });
    // Minibatches of rows 0–2, 3–5, 6, weighted 3/7, 3/7, 1/7.
    const parts = [
      [0, 3],
      [3, 6],
      [6, 7],
    ].map(([s, e]) => {
      const rows = Array.from({ length: e - s }, (_, i) => s + i);
      return { weight: (e - s) / 7, g: gradientsBrute(net, X.selectRows(rows), y.selectRows(rows)) };
    });
    gradientNorms(net, X, y, crossEntropy, { batchSize: 3, average: "norm" }).forEach((g, l) => {
      expectClose(
        g.gradNormB,
        parts.reduce((s, p) => s + p.weight * normOf(p.g.db[l]), 0),
      );
      expectClose(
        g.gradNormW,
        parts.reduce((s, p) => s + p.weight * normOf(p.g.dW[l]), 0),
      );
    });
  });

  it("leaves the network's accumulated gradients as they were", () => {
    const net = mlp([3, 4, 2], { seed: 6 });
    net.backprop(X, y, crossEntropy);
    const before = net.layers.map((l) => [Array.from(l.dW.data), Array.from(l.db.data)]);
    gradientNorms(net, X, y, crossEntropy, { batchSize: 2 });
    expect(net.layers.map((l) => [Array.from(l.dW.data), Array.from(l.db.data)])).toEqual(before);
  });

  it("rejects bad arguments with the fix", () => {
    const net = mlp([3, 4, 2], { seed: 6 });
    expect(() => gradientNorms(net, X, y, crossEntropy, { batchSize: 0 })).toThrow(
      /batchSize must be a positive whole number, got 0/,
    );
    expect(() => gradientNorms(net, X, y.selectRows([0, 1]), crossEntropy)).toThrow(
      /one row of targets per row of X \(7\), got 2×2/,
    );
    expect(() => gradientNorms(net, X, y, "hinge")).toThrow(/unknown loss "hinge"/);
  });
});

/** A one-input layer whose pre-activations are z = x·w (b = 0): easy to count by hand. */
function handNet(activation: Dense["activation"], weights: number[]): Sequential {
  const layer = new Dense(1, weights.length, { activation, name: "hand" });
  layer.W.data.set(weights);
  return new Sequential([layer]);
}

describe("activationStats", () => {
  it("saturation share matches a hand count (sigmoid: σ′(z) < 0.01 ⇔ |z| > 4.595)", () => {
    // z per row: x = 1 → 0, 2, 6, −8 (2 saturated); x = −1 → 0, −2, −6, 8 (2); x = 0.5 → 0, 1, 3, −4 (0).
    const net = handNet(sigmoid, [0, 2, 6, -8]);
    const stats = activationStats(net, Matrix.column([1, -1, 0.5]));
    expect(stats[0].saturated).toBe(4 / 12);
    expect(stats[0].dead).toBeNaN();
    // With threshold 0.2, σ′(z) < 0.2 ⇔ |z| > 1.0613: also z = ±2 and 3 and −4 count → 9 of 12.
    expect(activationStats(net, Matrix.column([1, -1, 0.5]), { saturationThreshold: 0.2 })[0].saturated).toBe(
      9 / 12,
    );
    // tanh′(z) < 0.01 ⇔ |z| > 2.993: z = ±6, ±8, 3, −4 → 6 of 12.
    expect(activationStats(handNet(tanh, [0, 2, 6, -8]), Matrix.column([1, -1, 0.5]))[0].saturated).toBe(
      6 / 12,
    );
  });

  it("dead units match a hand count: a ReLU unit is dead when z ≤ 0 for every example", () => {
    // x ∈ {1, 2, 3}: w = −1 and w = 0 give z ≤ 0 everywhere (dead); w = 1 and 2 are alive.
    const X3 = Matrix.column([1, 2, 3]);
    const stats = activationStats(handNet(relu, [-1, 0, 1, 2]), X3)[0];
    expect(stats.dead).toBe(0.5);
    expect(stats.inactive).toBe(0.5);
    expect(stats.saturated).toBeNaN();
    // Leaky ReLU with the same weights: the same units are inactive, but f′ = α > 0, so none is dead.
    const leaky = activationStats(handNet(leakyRelu(0.1), [-1, 0, 1, 2]), X3)[0];
    expect(leaky.dead).toBe(0);
    expect(leaky.inactive).toBe(0.5);
  });

  it("agrees with a per-example check on a random ReLU network with dead units", () => {
    const net = mlp([3, 20, 20, 2], { activation: "relu", seed: 8 });
    for (const l of net.layers.slice(0, 2))
      for (let j = 0; j < l.b.cols; j++) l.b.data[j] = j % 3 === 0 ? -3 : 0.1;
    const Xd = randomMatrix(30, 3, 9);
    const stats = activationStats(net, Xd);
    const perExample = Array.from({ length: 30 }, (_, r) => forwardOne(net, Array.from(Xd.row(r))));
    for (let l = 0; l < 2; l++) {
      let dead = 0;
      for (let j = 0; j < 20; j++) if (perExample.every((p) => relu.df(p.z[l][j]) === 0)) dead++;
      expect(dead).toBeGreaterThan(0);
      expect(stats[l].dead).toBe(dead / 20);
    }
    expect(stats[2].dead).toBeNaN(); // softmax output
  });

  it("mean, std and saturation equal brute-force values over all (example, unit) pairs", () => {
    const net = mlp([3, 6, 6, 2], { activation: ["sigmoid", "tanh"], seed: 10, init: "normal" });
    const Xd = randomMatrix(25, 3, 11, 3);
    const stats = activationStats(net, Xd, { saturationThreshold: 0.05 });
    const perExample = Array.from({ length: 25 }, (_, r) => forwardOne(net, Array.from(Xd.row(r))));
    net.layers.forEach((layer, l) => {
      const a = perExample.flatMap((p) => p.a[l]);
      const z = perExample.flatMap((p) => p.z[l]);
      const mean = a.reduce((s, v) => s + v, 0) / a.length;
      const std = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
      expectClose(stats[l].mean, mean, 1e-12);
      expectClose(stats[l].std, std, 1e-12);
      if (l < 2) {
        const f = l === 0 ? sigmoid : tanh;
        expect(stats[l].saturated).toBe(z.filter((v) => f.df(v) < 0.05).length / z.length);
      }
    });
  });

  it("layerValues returns copies of z and a for histograms", () => {
    const net = mlp([3, 4, 2], { activation: "relu", seed: 12 });
    const values = layerValues(net, X);
    const p = forwardOne(net, Array.from(X.row(2)));
    expectClose(values[0].z[2 * 4 + 1], p.z[0][1]);
    expectClose(values[0].a[2 * 4 + 1], p.a[0][1]);
    net.forward(randomMatrix(7, 3, 13));
    expectClose(values[0].z[2 * 4 + 1], p.z[0][1]); // not overwritten by the next pass
    expect(values.map((v) => v.activation)).toEqual(["relu", "softmax"]);
  });

  it("rejects a bad threshold", () => {
    expect(() => activationStats(mlp([3, 2]), X, { saturationThreshold: 0 })).toThrow(
      /saturationThreshold must be a positive number/,
    );
  });
});

describe("updateRatios and the recorder", () => {
  it("updateRatios is ‖W_after − W_before‖ / ‖W_before‖ per layer", () => {
    const net = mlp([3, 4, 2], { seed: 14 });
    const before = snapshotWeights(net);
    net.backprop(X, y, crossEntropy);
    const grads = net.layers.map((l) => normOf([Array.from(l.dW.data)]));
    new SGD(net.parameters(), { lr: 0.5 }).step();
    updateRatios(before, net).forEach((r, l) =>
      expectClose(r, (0.5 * grads[l]) / normOf([Array.from(before[l].data)])),
    );
    expect(() => updateRatios(before.slice(1), net)).toThrow(/same layers with the same shapes/);
  });

  it("fit's samples at step 1 equal the direct measurements on that minibatch", () => {
    const net = mlp([3, 5, 4, 2], { activation: "tanh", seed: 15 });
    const start = Sequential.fromJSON(net.toJSON());
    const history = fit(
      net,
      { X, y },
      { lr: 0.3, epochs: 3, batchSize: 7, shuffle: false, record: { every: 2 }, progress: "off" },
    );
    expect(history.diagnostics.map((d) => d.step)).toEqual([1, 3]);
    const sample = history.diagnostics[0];
    const norms = gradientNorms(start, X, y, crossEntropy);
    const stats = activationStats(start, X);
    sample.layers.forEach((s, l) => {
      expect(s.layer).toBe(start.layers[l].name);
      expectClose(s.gradNormB, norms[l].gradNormB);
      expectClose(s.gradNormW, norms[l].gradNormW);
      expectClose(s.activationMean, stats[l].mean);
      expectClose(s.activationStd, stats[l].std);
      expect(s.saturated).toBe(stats[l].saturated);
      expectClose(s.updateRatio, (0.3 * norms[l].gradNormW) / normOf([Array.from(start.layers[l].W.data)]));
    });
  });

  it("rejects a bad sampling interval", () => {
    expect(() => new DiagnosticsRecorder(mlp([3, 2]), { every: 0 })).toThrow(
      /every must be a positive whole number/,
    );
  });
});
