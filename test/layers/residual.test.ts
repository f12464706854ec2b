/** Residual: y = x + F(x) with exact gradients, the projection when widths differ, and the identity path. */

import { describe, expect, it } from "vitest";
import {
  BatchNorm,
  Dense,
  Matrix,
  Residual,
  Sequential,
  diagnostics,
  gradCheckLayer,
  gradCheckNetwork,
  losses,
} from "../../kernel-lib/src";
import { expectMatrixClose, oneHotRows, randn } from "../unit/helpers";

const block = (width: number, seed: number) =>
  new Residual([
    new Dense(width, width, { activation: "tanh", seed }),
    new Dense(width, width, { seed: seed + 1 }),
  ]);

describe("Residual: gradients against finite differences", () => {
  it("identity skip: F's W and b and dX agree to 1e-6", () => {
    const result = gradCheckLayer(block(3, 1), randn(4, 3, 2));
    expect(result.checked).toBe(2 * (9 + 3) + 4 * 3);
    expect(result.maxRelativeError, result.where).toBeLessThan(1e-6);
  });

  it("projection (4 → 2): F's and the projection's parameters and dX agree to 1e-6", () => {
    const r = new Residual([new Dense(4, 3, { activation: "relu", seed: 1 }), new Dense(3, 2, { seed: 2 })], {
      seed: 3,
    });
    expect(r.projection).toBeDefined();
    expect(r.kind).toBe("x·P + F(x)");
    const result = gradCheckLayer(r, randn(5, 4, 4));
    expect(result.checked).toBe(4 * 3 + 3 + 3 * 2 + 2 + 4 * 2 + 2 + 5 * 4);
    expect(result.maxRelativeError, result.where).toBeLessThan(1e-6);
  });

  it("a network of nested blocks with BatchNorm inside: every parameter agrees", () => {
    const inner = new Residual([
      new Dense(4, 4, { seed: 5 }),
      new BatchNorm(4, { activation: "tanh" }),
      new Dense(4, 4, { seed: 6 }),
    ]);
    const net = new Sequential([
      new Dense(3, 4, { activation: "tanh", seed: 1 }),
      new Residual([inner, new Dense(4, 4, { activation: "sigmoid", seed: 7 })]),
      new Dense(4, 2, { activation: "softmax", seed: 2 }),
    ]);
    const result = gradCheckNetwork(net, randn(6, 3, 8), oneHotRows(6, 2, 9), losses.crossEntropy);
    expect(result.checked).toBe(net.parameterCount);
    expect(result.maxRelativeError, result.where).toBeLessThan(1e-6);
  });
});

describe("Residual forward, identity path and bookkeeping", () => {
  it("forward is x + F(x)", () => {
    const r = block(3, 1);
    const X = randn(4, 3, 2);
    const F = r.body[1].forward(r.body[0].forward(X)).clone();
    const y = r.forward(X);
    expectMatrixClose(
      y,
      X.toArray().map((row, i) => row.map((v, j) => v + F.get(i, j))),
      1e-15,
    );
  });

  it("with F's last layer at zero, the block is the identity and passes ∂C/∂y unchanged to x", () => {
    const r = block(3, 1);
    (r.body[1] as Dense).W.data.fill(0);
    const X = randn(4, 3, 2);
    expectMatrixClose(r.forward(X), X.toArray(), 0);
    const dY = randn(4, 3, 3);
    expectMatrixClose(r.backward(dY)!, dY.toArray(), 0);
  });

  it("the gradient reaching the first layer of a deep stack keeps its size with skips and vanishes without them (sigmoid, depth 20)", () => {
    const depth = 20,
      width = 8;
    const plain = new Sequential([
      new Dense(2, width, { activation: "tanh", seed: 1 }),
      ...Array.from(
        { length: depth },
        (_, i) => new Dense(width, width, { activation: "sigmoid", init: "xavier", seed: 10 + i }),
      ),
      new Dense(width, 1, { seed: 2 }),
    ]);
    const skip = new Sequential([
      new Dense(2, width, { activation: "tanh", seed: 1 }),
      ...Array.from(
        { length: depth },
        (_, i) =>
          new Residual([new Dense(width, width, { activation: "sigmoid", init: "xavier", seed: 10 + i })]),
      ),
      new Dense(width, 1, { seed: 2 }),
    ]);
    const X = randn(32, 2, 3),
      y = randn(32, 1, 4);
    // ‖∂C/∂b‖ of the first block's layer over the last block's (net.layers[0] is the input layer).
    const ratio = (net: Sequential) => {
      const g = diagnostics.gradientNorms(net, X, y, losses.mse);
      return g[1].gradNormB / g[depth].gradNormB;
    };
    expect(ratio(plain)).toBeLessThan(1e-6);
    expect(ratio(skip)).toBeGreaterThan(0.1);
  });

  it("net.layers lists the Dense layers inside blocks (not the projection); parameters() lists everything", () => {
    const r = new Residual([new Dense(4, 2, { name: "f1" })], { name: "res" });
    const net = new Sequential([new Dense(3, 4, { name: "in" }), r, new Dense(2, 1, { name: "out" })]);
    expect(net.layers.map((l) => l.name)).toEqual(["in", "f1", "out"]);
    expect(net.parameters().map((p) => p.name)).toEqual([
      "in.W",
      "in.b",
      "f1.W",
      "f1.b",
      "res projection.W",
      "res projection.b",
      "out.W",
      "out.b",
    ]);
    expect(net.parameterCount).toBe(16 + 10 + 10 + 3);
    expect(net.summary()).toMatch(/res\s+4 → 2\s+x·P \+ F\(x\)\s+20/);
  });
});

describe("Residual errors", () => {
  it("an empty body, a non-layer, or widths that do not chain are refused with the fix", () => {
    expect(() => new Residual([])).toThrow(/Residual "residual": needs at least one layer for F/);
    expect(() => new Residual([{} as Dense])).toThrow(/body\[0\] is not a layer/);
    expect(() => new Residual([new Dense(3, 4, { name: "a" }), new Dense(5, 3, { name: "b" })])).toThrow(
      /b takes 5 inputs but a gives 4/,
    );
  });

  it("a wrong input width and backward before forward say so", () => {
    const r = block(3, 1);
    expect(() => r.backward(randn(2, 3, 1))).toThrow(/residual: backward was called before forward/);
    expect(() => r.forward(randn(2, 4, 1))).toThrow(
      /residual: the input is 2×4 but this layer takes 3 inputs per example/,
    );
    r.forward(randn(2, 3, 1));
    expect(() => r.backward(new Matrix(2, 2))).toThrow(/backward expects a gradient of shape 2×3.*got 2×2/);
  });
});
