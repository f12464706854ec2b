/** Adam against steps worked by hand, in fit, and its errors. */

import { describe, expect, it } from "vitest";
import { Adam, Matrix, data, fit, mlp } from "../../kernel-lib/src";
import type { Parameter } from "../../kernel-lib/src";

function param(w: number[]): Parameter {
  return { name: "w", value: new Matrix(1, w.length, Float64Array.from(w)), grad: new Matrix(1, w.length) };
}

describe("Adam: hand-worked steps", () => {
  it("two steps with lr = 0.1, β₁ = 0.9, β₂ = 0.999, ε = 1e-8 on gradients 2 then −1", () => {
    const p = param([1]);
    const adam = new Adam([p], { lr: 0.1 });
    p.grad.data[0] = 2;
    adam.step();
    // m = 0.1·2 = 0.2, v = 0.001·4 = 0.004; m̂ = 0.2/0.1 = 2, v̂ = 0.004/0.001 = 4; w = 1 − 0.1·2/(2 + 1e-8).
    expect(p.value.data[0]).toBeCloseTo(1 - 0.2 / (2 + 1e-8), 15);
    const w1 = p.value.data[0];
    p.grad.data[0] = -1;
    adam.step();
    // m = 0.9·0.2 − 0.1 = 0.08, v = 0.999·0.004 + 0.001 = 0.004996; m̂ = 0.08/0.19, v̂ = 0.004996/0.001999.
    expect(p.value.data[0]).toBeCloseTo(
      w1 - (0.1 * (0.08 / 0.19)) / (Math.sqrt(0.004996 / 0.001999) + 1e-8),
      14,
    );
    expect(p.value.data[0]).toBeCloseTo(0.873366, 6);
    expect(adam.t).toBe(2);
  });

  it("the first step is about lr·sign(g) whatever the gradient's scale, and a zero gradient does not move", () => {
    const p = param([0, 0, 0, 0]);
    const adam = new Adam([p], { lr: 0.01 });
    p.grad.data.set([1e-6, -3, 5e4, 0]);
    adam.step();
    const w = Array.from(p.value.data);
    expect(w[0]).toBeCloseTo(-0.01 * (1e-6 / (1e-6 + 1e-8)), 15);
    expect(w[1]).toBeCloseTo(0.01, 9);
    expect(w[2]).toBeCloseTo(-0.01, 9);
    expect(w[3]).toBe(0);
  });

  it("with β₁ = 0 and β₂ near 0 each step is lr·g/(|g| + ε) (no memory)", () => {
    const p = param([0.5]);
    const adam = new Adam([p], { lr: 0.2, beta1: 0, beta2: 1e-12 });
    for (const g of [4, -0.5, 2]) {
      const before = p.value.data[0];
      p.grad.data[0] = g;
      adam.step();
      expect(p.value.data[0]).toBeCloseTo(before - (0.2 * g) / (Math.abs(g) + 1e-8), 10);
    }
  });
});

describe("Adam in fit", () => {
  it("trains moons to high accuracy and is reproducible", () => {
    const moons = data.moons({ count: 200, seed: 1 });
    const run = () => {
      const net = mlp([2, 16, 16, 2], { activation: "relu", init: "he", seed: 1 });
      return fit(net, moons, {
        optimizer: new Adam(net.parameters(), { lr: 0.01 }),
        epochs: 30,
        progress: "off",
      });
    };
    const h = run();
    expect(run().epochs).toEqual(h.epochs);
    expect(h.epochs[29].accuracy).toBeGreaterThan(0.95);
  });

  it("a NaN with Adam names Adam's lr in the advice", () => {
    const net = mlp([2, 4, 2], { seed: 1 });
    const opt = new Adam(net.parameters(), { lr: 0.5 });
    const moons = data.moons({ count: 20, seed: 1 });
    moons.X.data[0] = NaN;
    expect(() => fit(net, moons, { optimizer: opt, epochs: 1, progress: "off", shuffle: false })).toThrow(
      /lr = 0\.5/,
    );
  });
});

describe("Adam errors", () => {
  it("missing parameters and bad hyperparameters say what was wrong and what to use", () => {
    expect(() => new Adam([])).toThrow(
      /Adam: needs the parameters to update, e.g. new Adam\(net.parameters\(\)/,
    );
    expect(() => new Adam([param([1])], { lr: 0 })).toThrow(
      /Adam: lr \(the step size\) must be a finite number in \(0, ∞\), got 0/,
    );
    expect(() => new Adam([param([1])], { beta1: 1 })).toThrow(
      /Adam: beta1 must be a finite number in \[0, 1\), got 1. Use about 0.9/,
    );
    expect(() => new Adam([param([1])], { beta2: -0.1 })).toThrow(
      /beta2 must be a finite number in \[0, 1\)/,
    );
    expect(() => new Adam([param([1])], { eps: 0 })).toThrow(
      /eps must be a finite number in \(0, ∞\), got 0/,
    );
    const net = mlp([2, 2]);
    expect(() => fit(net, data.moons({ count: 10 }), { optimizer: {} as Adam })).toThrow(
      /fit: optimizer must be an SGD or an Adam/,
    );
  });
});
