/** BatchNorm: exact gradients through the batch statistics, the two modes, running statistics, errors. */

import { describe, expect, it } from "vitest";
import {
  BatchNorm,
  Dense,
  Matrix,
  Residual,
  Sequential,
  evaluate,
  fit,
  gradCheck,
  gradCheckLayer,
  gradCheckNetwork,
  losses,
  mlp,
} from "../../kernel-lib/src";
import { oneHotRows, randn } from "../unit/helpers";

describe("BatchNorm: gradients against finite differences", () => {
  for (const activation of ["linear", "sigmoid", "tanh", "relu"]) {
    it(`training mode, ${activation}: γ, β and dX (through the batch mean and variance) agree to 1e-6`, () => {
      const bn = new BatchNorm(3, { activation });
      bn.gamma.data.set([1.5, -0.7, 0.4]);
      bn.beta.data.set([0.2, -0.1, 0.3]);
      const result = gradCheckLayer(bn, randn(6, 3, 4, 2));
      expect(result.checked).toBe(3 + 3 + 6 * 3);
      expect(result.maxRelativeError, result.where).toBeLessThan(1e-6);
    });
  }

  it("evaluation mode: the layer is affine per feature and its gradients agree too", () => {
    const bn = new BatchNorm(3, { activation: "sigmoid" });
    bn.runningMean.set([0.5, -1, 2]);
    bn.runningVar.set([2, 0.5, 3]);
    bn.setTraining(false);
    const result = gradCheck(bn, randn(4, 3, 5));
    expect(result.maxRelativeError, result.where).toBeLessThan(1e-6);
  });

  it("a network Dense → BatchNorm → Dense: every W, b, γ, β agrees in training mode", () => {
    const net = new Sequential([
      new Dense(4, 5, { seed: 1 }),
      new BatchNorm(5, { activation: "sigmoid" }),
      new Dense(5, 3, { activation: "softmax", seed: 2 }),
    ]);
    const bn = net.stack[1] as BatchNorm;
    bn.gamma.data.set([1.2, 0.8, -0.5, 1.1, 0.9]);
    const result = gradCheckNetwork(net, randn(8, 4, 6), oneHotRows(8, 3, 7), losses.crossEntropy);
    expect(result.checked).toBe(net.parameterCount);
    expect(result.maxRelativeError, result.where).toBeLessThan(1e-6);
  });

  it("the bias of the Dense layer before it gets exactly zero gradient in training mode", () => {
    const net = new Sequential([
      new Dense(4, 5, { seed: 1 }),
      new BatchNorm(5, { activation: "tanh" }),
      new Dense(5, 2, { seed: 2 }),
    ]);
    net.zeroGrad();
    net.backprop(randn(8, 4, 3), randn(8, 2, 4), losses.mse);
    for (const g of net.layers[0].db.data) expect(Math.abs(g)).toBeLessThan(1e-15);
    expect(Math.max(...net.layers[0].dW.data.map(Math.abs))).toBeGreaterThan(1e-3);
  });
});

describe("BatchNorm forward and modes", () => {
  it("training mode: each feature of z has mean β and standard deviation |γ|·√(σ²/(σ² + ε)) over the batch", () => {
    const bn = new BatchNorm(2);
    bn.gamma.data.set([3, -0.5]);
    bn.beta.data.set([1, -2]);
    const X = randn(50, 2, 1, 10);
    const z = bn.forward(X);
    const stats = (col: number[]) => {
      const m = col.reduce((a, b) => a + b) / col.length;
      return [m, col.reduce((a, b) => a + (b - m) ** 2, 0) / col.length];
    };
    for (let j = 0; j < 2; j++) {
      const [m, v] = stats(Array.from({ length: 50 }, (_, r) => z.get(r, j)));
      const [, vx] = stats(Array.from({ length: 50 }, (_, r) => X.get(r, j)));
      expect(m).toBeCloseTo(bn.beta.data[j], 12);
      expect(Math.sqrt(v)).toBeCloseTo(Math.abs(bn.gamma.data[j]) * Math.sqrt(vx / (vx + 1e-5)), 12);
    }
  });

  it("running statistics move towards the batch mean and the unbiased variance", () => {
    const bn = new BatchNorm(1, { momentum: 0.5 });
    const X = Matrix.column([1, 2, 3, 6]); // mean 3, unbiased variance 14/3
    bn.forward(X);
    expect(bn.runningMean[0]).toBeCloseTo(0.5 * 0 + 0.5 * 3, 14);
    expect(bn.runningVar[0]).toBeCloseTo(0.5 * 1 + 0.5 * (14 / 3), 14);
  });

  it("evaluation mode uses the running statistics: an example's output no longer depends on the rest of the batch", () => {
    const bn = new BatchNorm(1);
    bn.runningMean[0] = 2;
    bn.runningVar[0] = 4 - 1e-5;
    bn.setTraining(false);
    expect(Array.from(bn.forward(Matrix.column([4, 0, 10])).data)).toEqual([1, -1, 4]);
    expect(bn.forward(Matrix.column([4])).data[0]).toBe(1);
    // In training mode the same example's output depends on its batch.
    bn.setTraining(true);
    const a = bn.forward(Matrix.column([4, 0, 1])).data[0];
    const b = bn.forward(Matrix.column([4, 3, 5])).data[0];
    expect(a).not.toBeCloseTo(b, 3);
  });

  it("net.train() and net.eval() switch every BatchNorm, inside residual blocks too; evaluate uses evaluation mode and restores the mode", () => {
    const bn = new BatchNorm(4);
    const net = new Sequential([new Dense(2, 4), bn, new Dense(4, 2, { activation: "softmax" })]);
    expect(net.training).toBe(true);
    net.eval();
    expect(net.training).toBe(false);
    expect(bn.training).toBe(false);
    net.train();
    expect(bn.training).toBe(true);
    const data = { X: randn(10, 2, 1), y: oneHotRows(10, 2, 2) };
    const before = Array.from(bn.runningMean);
    evaluate(net, data);
    expect(Array.from(bn.runningMean)).toEqual(before); // no running-statistics update in evaluation mode
    expect(bn.training).toBe(true);
  });

  it("fit trains in training mode, updates the running statistics, and restores the mode it found", () => {
    const net = new Sequential([
      new Dense(2, 4, { seed: 1 }),
      new BatchNorm(4, { activation: "relu" }),
      new Dense(4, 2, { activation: "softmax", seed: 2 }),
    ]);
    const bn = net.stack[1] as BatchNorm;
    net.eval();
    const X = randn(40, 2, 3, 2);
    X.data.forEach((v, i) => (X.data[i] = v + 5));
    fit(net, { X, y: oneHotRows(40, 2, 4) }, { lr: 0.1, epochs: 3, progress: "off" });
    expect(net.training).toBe(false);
    expect(bn.training).toBe(false);
    expect(Math.max(...Array.from(bn.runningMean).map(Math.abs))).toBeGreaterThan(0.1);
  });

  it("fit is reproducible with BatchNorm, and evaluation accuracy uses the running statistics", () => {
    const run = () => {
      const net = new Sequential([
        new Dense(2, 8, { seed: 1 }),
        new BatchNorm(8, { activation: "sigmoid" }),
        new Dense(8, 2, { activation: "softmax", seed: 2 }),
      ]);
      const X = randn(60, 2, 5);
      const y = new Matrix(60, 2);
      for (let r = 0; r < 60; r++) y.set(r, X.get(r, 0) > 0 ? 1 : 0, 1);
      const h = fit(net, { X, y }, { lr: 0.5, epochs: 10, validation: { X, y }, progress: "off" });
      return h.epochs.map((e) => [e.loss, e.valAccuracy]);
    };
    const a = run();
    expect(run()).toEqual(a);
    expect(a[a.length - 1][1]).toBeGreaterThan(0.9);
  });
});

describe("mlp with batchNorm", () => {
  it("puts a BatchNorm with the activation after each hidden layer's linear Dense; the output layer stays as it was", () => {
    const net = mlp([4, 6, 5, 3], { activation: "sigmoid", batchNorm: true, seed: 1 });
    expect(net.stack.map((l) => l.name)).toEqual([
      "dense 1 (linear)",
      "batchnorm 1 (sigmoid)",
      "dense 2 (linear)",
      "batchnorm 2 (sigmoid)",
      "dense 3 (softmax)",
    ]);
    expect(net.layers.map((l) => l.name)).toEqual([
      "dense 1 (linear)",
      "dense 2 (linear)",
      "dense 3 (softmax)",
    ]);
    // The same seed draws the same weights with and without batch normalization.
    const plain = mlp([4, 6, 5, 3], { activation: "sigmoid", seed: 1 });
    net.layers.forEach((l, i) => expect(l.W.data).toEqual(plain.layers[i].W.data));
    const result = gradCheckNetwork(net, randn(7, 4, 2), oneHotRows(7, 3, 3), losses.crossEntropy);
    expect(result.maxRelativeError, result.where).toBeLessThan(1e-6);
    expect(() => mlp([2, 3, 2], { batchNorm: "yes" as any })).toThrow(
      /mlp: batchNorm must be true or false, got "yes"/,
    );
  });
});

describe("BatchNorm errors", () => {
  it("bad sizes and options name the layer, the value and the fix", () => {
    expect(() => new BatchNorm(0)).toThrow(
      /BatchNorm "batchnorm": numFeatures must be a positive whole number, got 0/,
    );
    expect(() => new BatchNorm(3, { eps: 0 })).toThrow(/eps must be a small positive number, got 0/);
    expect(() => new BatchNorm(3, { momentum: 1.5 })).toThrow(/momentum must be in \(0, 1\].*got 1\.5/);
    expect(() => new BatchNorm(3, { activation: "sigmoidd" })).toThrow(/sigmoidd/);
  });

  it("a wrong input width, or a batch of one in training mode, is refused before anything changes", () => {
    const bn = new BatchNorm(3, { name: "bn1" });
    expect(() => bn.forward(randn(4, 2, 1))).toThrow(
      /bn1: the input is 4×2 but this layer takes 3 inputs per example/,
    );
    expect(() => bn.forward(randn(1, 3, 1))).toThrow(
      /bn1: training mode needs at least 2 examples per batch.*got 1.*net\.eval\(\)/,
    );
    expect(Array.from(bn.runningMean)).toEqual([0, 0, 0]);
    bn.setTraining(false);
    expect(bn.forward(randn(1, 3, 1)).rows).toBe(1);
  });

  it("fit refuses, before training, minibatches that would leave one example for a BatchNorm (inside a residual block too)", () => {
    const net = new Sequential([
      new Dense(2, 4, { seed: 1 }),
      new Residual([new BatchNorm(4, { name: "bn inner" })]),
      new Dense(4, 2, { activation: "softmax" }),
    ]);
    const w = net.layers[0].W.data.slice();
    const data = { X: randn(21, 2, 1), y: oneHotRows(21, 2, 2) };
    expect(() => fit(net, data, { lr: 0.1, batchSize: 10, progress: "off" })).toThrow(
      /fit: bn inner normalizes over each minibatch.*21 training examples in minibatches of 10 leave a minibatch of 1/,
    );
    expect(() => fit(net, data, { lr: 0.1, batchSize: 1, progress: "off" })).toThrow(/minibatches of 1/);
    expect(net.layers[0].W.data).toEqual(w);
    expect(() => fit(net, data, { lr: 0.1, batchSize: 7, epochs: 1, progress: "off" })).not.toThrow();
  });

  it("backward before forward, or with the wrong shape, says so", () => {
    const bn = new BatchNorm(3, { name: "bn1" });
    expect(() => bn.backward(randn(2, 3, 1))).toThrow(/bn1: backward was called before forward/);
    bn.forward(randn(4, 3, 1));
    expect(() => bn.backward(randn(4, 2, 1))).toThrow(
      /bn1: backward expects a gradient of shape 4×3.*got 4×2/,
    );
  });

  it("a network with BatchNorm shows it in its summary and refuses to save to JSON with a reason", () => {
    const net = new Sequential([
      new Dense(2, 4),
      new BatchNorm(4, { activation: "relu", name: "bn 1" }),
      new Dense(4, 2),
    ]);
    expect(net.summary()).toMatch(/bn 1\s+4 → 4\s+batch norm, relu\s+8/);
    expect(net.layers.length).toBe(2);
    expect(net.stack.length).toBe(3);
    expect(net.parameters().map((p) => p.name)).toEqual([
      "dense.W",
      "dense.b",
      "bn 1.gamma",
      "bn 1.beta",
      "dense.W",
      "dense.b",
    ]);
    expect(() => net.toJSON()).toThrow(
      /Sequential.toJSON: saving supports networks of Dense layers only, and this one holds bn 1/,
    );
    expect(() => new Sequential([new Dense(2, 4), new BatchNorm(4)])).toThrow(
      /the last layer must be a Dense layer.*new Dense\(4, k/,
    );
    expect(() => mlp([2, 3, 2]).toJSON()).not.toThrow();
  });
});
