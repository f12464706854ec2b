import { describe, expect, it } from "vitest";
import { Matrix, Parameter, SGD, losses, mlp } from "../../kernel-lib/src";
import { linspace } from "./helpers";

/** One parameter w = (1, 2) with gradient g = (0.5, −1). */
function parameter(): Parameter {
  return { name: "w", value: Matrix.from([[1, 2]]), grad: Matrix.from([[0.5, -1]]) };
}

function expectValues(p: Parameter, expected: number[]): void {
  expected.forEach((v, i) => expect(p.value.data[i]).toBeCloseTo(v, 15));
}

describe("SGD update rules", () => {
  it("one plain step: w ← w − η g", () => {
    const p = parameter();
    new SGD([p], { lr: 0.1 }).step();
    // (1 − 0.1·0.5, 2 − 0.1·(−1)) = (0.95, 2.1)
    expectValues(p, [0.95, 2.1]);
  });

  it("two momentum steps: v ← μv − η g, w ← w + v", () => {
    const p = parameter();
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    opt.step();
    // v₁ = −0.1·(0.5, −1) = (−0.05, 0.1);  w₁ = (0.95, 2.1)
    expectValues(p, [0.95, 2.1]);
    opt.step();
    // v₂ = 0.9·v₁ − 0.1·g = (−0.045 − 0.05, 0.09 + 0.1) = (−0.095, 0.19);  w₂ = (0.855, 2.29)
    expectValues(p, [0.855, 2.29]);
  });

  it("weight decay adds λw to the gradient: w ← w − η(g + λw)", () => {
    const p = parameter();
    new SGD([p], { lr: 0.1, weightDecay: 0.01 }).step();
    // g′ = (0.5 + 0.01, −1 + 0.02) = (0.51, −0.98);  w = (1 − 0.051, 2 + 0.098)
    expectValues(p, [0.949, 2.098]);
  });

  it("weight decay with momentum", () => {
    const p = parameter();
    const opt = new SGD([p], { lr: 0.1, momentum: 0.5, weightDecay: 0.01 });
    opt.step(); // v₁ = (−0.051, 0.098), w₁ = (0.949, 2.098)
    opt.step(); // g′ = (0.50949, −0.97902); v₂ = 0.5·v₁ − 0.1·g′ = (−0.076449, 0.146902)
    expectValues(p, [0.949 - 0.076449, 2.098 + 0.146902]);
  });

  it("zeroGrad clears every gradient; hyperparameters can be changed between steps", () => {
    const p = parameter();
    const opt = new SGD([p], { lr: 0.1 });
    opt.lr = 0.2;
    opt.step();
    expectValues(p, [0.9, 2.2]);
    opt.zeroGrad();
    expect(Array.from(p.grad.data)).toEqual([0, 0]);
    expect([opt.lr, opt.momentum, opt.weightDecay]).toEqual([0.2, 0, 0]);
  });
});

it("training a tiny network for a few hundred steps fits a toy regression", () => {
  // y = sin(x) on 32 points in [−2, 2], full-batch SGD with momentum.
  const xs = linspace(-2, 2, 32);
  const X = Matrix.column(xs),
    y = Matrix.column(xs.map(Math.sin));
  const net = mlp([1, 8, 1], { activation: "tanh", output: "linear", seed: 1 });
  const opt = new SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
  const start = losses.mse.value(net.forward(X), y);
  let loss = start;
  for (let step = 0; step < 300; step++) {
    opt.zeroGrad();
    loss = net.backprop(X, y, losses.mse);
    opt.step();
  }
  const end = losses.mse.value(net.forward(X), y);
  expect(end).toBeLessThan(loss); // the last step still helped
  expect(end).toBeLessThan(start / 20);
  expect(end).toBeLessThan(5e-3);
});
