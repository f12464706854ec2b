/**
 * Gradient clipping: by global norm (norm after, direction kept) and by value; as a fit option with its
 * record.
 */

import { describe, expect, it } from "vitest";
import {
  Matrix,
  NonFiniteError,
  Sequential,
  clipGradNorm,
  clipGradValue,
  fit,
  gradNorm,
  mlp,
  losses,
} from "../../kernel-lib/src";
import type { Parameter } from "../../kernel-lib/src";
import { randn } from "../unit/helpers";

function params(...grads: number[][]): Parameter[] {
  return grads.map((g, i) => ({
    name: `p${i}`,
    value: new Matrix(1, g.length),
    grad: new Matrix(1, g.length, Float64Array.from(g)),
  }));
}
const flat = (ps: Parameter[]) => ps.flatMap((p) => Array.from(p.grad.data));

describe("clipGradNorm", () => {
  it("scales every gradient by maxNorm/‖g‖: the global norm becomes maxNorm and the direction is kept", () => {
    const ps = params([3, 0], [0, 4, 12]); // ‖g‖ = 13
    const before = flat(ps);
    expect(clipGradNorm(ps, 6.5)).toBe(13);
    expect(gradNorm(ps)).toBeCloseTo(6.5, 14);
    flat(ps).forEach((g, i) => expect(g).toBeCloseTo(before[i] / 2, 15));
  });

  it("leaves a gradient below the limit alone", () => {
    const ps = params([0.3, -0.4]);
    expect(clipGradNorm(ps, 1)).toBeCloseTo(0.5, 15);
    expect(flat(ps)).toEqual([0.3, -0.4]);
  });

  it("works on a network's gradients, with huge entries that would overflow a naive sum of squares", () => {
    const net = mlp([3, 4, 2], { seed: 1 });
    net.zeroGrad();
    net.backprop(randn(5, 3, 1), randn(5, 2, 2), losses.mse);
    for (const p of net.parameters()) p.grad.data.forEach((v, i) => (p.grad.data[i] = v * 1e200));
    const cosine = (a: number[], b: number[]) =>
      a.reduce((s, v, i) => s + v * b[i], 0) / Math.hypot(...a) / Math.hypot(...b);
    const before = flat(net.parameters()).map((v) => v / 1e200);
    expect(Number.isFinite(gradNorm(net))).toBe(true);
    clipGradNorm(net, 2);
    expect(gradNorm(net)).toBeCloseTo(2, 12);
    expect(cosine(before, flat(net.parameters()))).toBeCloseTo(1, 12);
  });

  it("refuses a non-finite gradient and a bad limit", () => {
    expect(() => clipGradNorm(params([NaN, 1]), 1)).toThrow(
      /clipGradNorm: the gradient norm is NaN, so there is no direction to keep/,
    );
    expect(() => clipGradNorm(params([1]), 0)).toThrow(
      /clipGradNorm: maxNorm must be a positive finite number, got 0/,
    );
    expect(() => clipGradNorm("net" as any, 1)).toThrow(
      /clipGradNorm: expects a network or its parameters\(\), got string/,
    );
  });
});

describe("clipGradValue", () => {
  it("cuts each entry to [−limit, limit] and counts the entries it changed", () => {
    const ps = params([3, -0.5], [-7, 1]);
    expect(clipGradValue(ps, 1)).toBe(2);
    expect(flat(ps)).toEqual([1, -0.5, -1, 1]);
    expect(clipGradValue(ps, 1)).toBe(0);
    expect(() => clipGradValue(ps, -1)).toThrow(
      /clipGradValue: limit must be a positive finite number, got -1/,
    );
  });
});

describe("fit with clipping", () => {
  /** A deep tanh network with large weights and a large learning rate: without clipping, it diverges. */
  const setup = () => {
    const net = mlp([4, 16, 16, 16, 1], { activation: "tanh", output: "linear", init: "xavier", seed: 3 });
    for (const l of net.layers) l.W.data.forEach((v, i) => (l.W.data[i] = 3 * v));
    const X = randn(64, 4, 5);
    const y = randn(64, 1, 6, 20);
    return { net, X, y };
  };

  it("records the norm before clipping and whether each step clipped; epochs count their clipped steps", () => {
    const { net, X, y } = setup();
    const h = fit(net, { X, y }, { lr: 0.01, epochs: 3, batchSize: 16, clipNorm: 1, progress: "off" });
    const clipped = h.steps.filter((s) => s.clipped).length;
    expect(h.steps.every((s) => typeof s.gradNorm === "number" && s.clipped === s.gradNorm! > 1)).toBe(true);
    expect(clipped).toBeGreaterThan(0);
    expect(h.epochs.reduce((n, e) => n + e.clippedSteps!, 0)).toBe(clipped);
  });

  it("the steps' updates are bounded: every update-to-data step uses a gradient of norm ≤ clipNorm", () => {
    const { net, X, y } = setup();
    const before = net.parameters().map((p) => p.value.data.slice());
    fit(net, { X, y }, { lr: 0.1, epochs: 1, batchSize: 64, clipNorm: 0.5, progress: "off" });
    // One step of plain SGD: ‖Δw‖ = lr·‖clipped g‖ ≤ 0.1·0.5.
    let change = 0;
    net.parameters().forEach((p, k) => p.value.data.forEach((v, i) => (change += (v - before[k][i]) ** 2)));
    expect(Math.sqrt(change)).toBeLessThanOrEqual(0.05 + 1e-12);
  });

  it("clipping saves a run that diverges without it (ReLU regression, lr = 0.1)", () => {
    const X = randn(64, 4, 5);
    const y = new Matrix(64, 1);
    for (let r = 0; r < 64; r++) y.data[r] = 10 * (X.get(r, 0) - X.get(r, 1)) + 5;
    const run = (clipNorm?: number) =>
      fit(
        mlp([4, 32, 32, 32, 1], { activation: "relu", output: "linear", init: "he", seed: 3 }),
        { X, y },
        { lr: 0.1, epochs: 30, batchSize: 16, clipNorm, progress: "off" },
      );
    expect(() => run()).toThrow(NonFiniteError);
    const h = run(1);
    expect(h.epochs).toHaveLength(30);
    expect(h.epochs[29].loss).toBeLessThan(h.epochs[0].loss / 20);
  });

  it("without clipping the records are as before (no gradNorm, clipped or clippedSteps)", () => {
    const { net, X, y } = setup();
    const h = fit(net, { X, y }, { lr: 0.001, epochs: 1, batchSize: 32, progress: "off" });
    expect(Object.keys(h.steps[0])).toEqual(["step", "epoch", "loss"]);
    expect(Object.keys(h.epochs[0])).toEqual(["epoch", "loss", "accuracy", "valLoss", "valAccuracy"]);
  });

  it("bad clipping options are refused before training", () => {
    const { net, X, y } = setup();
    const w = net.layers[0].W.data.slice();
    expect(() => fit(net, { X, y }, { lr: 0.1, clipNorm: -1 })).toThrow(
      /fit: clipNorm must be a positive finite number, got -1/,
    );
    expect(() => fit(net, { X, y }, { lr: 0.1, clipValue: Infinity })).toThrow(
      /fit: clipValue must be a positive finite number, got Infinity/,
    );
    expect(() => fit(net, { X, y }, { lr: 0.1, clipNorm: 1, clipValue: 1 })).toThrow(
      /give either clipNorm .* or clipValue .*, not both/,
    );
    expect(net.layers[0].W.data).toEqual(w);
  });

  it("clipValue records the steps where some entry was cut", () => {
    const { net, X, y } = setup();
    const h = fit(net, { X, y }, { lr: 0.01, epochs: 1, batchSize: 16, clipValue: 0.01, progress: "off" });
    expect(h.steps.some((s) => s.clipped)).toBe(true);
    expect(h.epochs[0].clippedSteps).toBe(h.steps.filter((s) => s.clipped).length);
  });
});

// Keeps Sequential referenced for the type of net in the helpers above.
export type { Sequential };
