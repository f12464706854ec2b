import { describe, expect, it } from "vitest";
import {
  Dense,
  LayerActivation,
  Matrix,
  activations,
  gradCheckLayer,
  leakyRelu,
  softmax,
} from "../../kernel-lib/src";
import { expectMatrixClose, naiveMatmul, randn } from "./helpers";

/** Every activation a Dense layer can have, softmax included. */
const layerActivations: [string, LayerActivation][] = [
  ...Object.entries(activations),
  ["leakyRelu(0.2)", leakyRelu(0.2)],
  ["softmax", softmax],
];

describe("Dense: dIn, dW and db against finite differences", () => {
  for (const [name, activation] of layerActivations) {
    it(`${name}: relative error < 1e-6`, () => {
      const layer = new Dense(4, 3, { activation, seed: 2 });
      // Random normal inputs: pre-activations land at the ReLU kink with probability 0.
      const result = gradCheckLayer(layer, randn(5, 4, 3));
      expect(result.checked).toBe(4 * 3 + 3 + 5 * 4); // W, b and the input X
      expect(result.maxRelativeError, result.where).toBeLessThan(1e-6);
      expect(result.ok).toBe(true);
    });
  }
});

describe("Dense forward and backward", () => {
  const X = randn(3, 4, 10);

  it("forward computes f(X·W + b)", () => {
    const layer = new Dense(4, 2, { activation: "tanh", seed: 1 });
    layer.b.data.set([0.5, -0.25]);
    const z = naiveMatmul(X.toArray(), layer.W.toArray()).map((row) =>
      row.map((v, j) => v + layer.b.data[j]),
    );
    expectMatrixClose(
      layer.forward(X),
      z.map((row) => row.map(Math.tanh)),
      1e-15,
    );
    expectMatrixClose(layer.z!, z, 1e-15);
    expect(layer.input).toBe(X);
  });

  it("backward gives dW = Xᵀ·δ, db = 1ᵀ·δ, dX = δ·Wᵀ (linear layer: δ = dA)", () => {
    const layer = new Dense(4, 2, { seed: 1 });
    const dA = randn(3, 2, 11);
    layer.forward(X);
    const dX = layer.backward(dA);
    expectMatrixClose(layer.dW, naiveMatmul(X.transpose().toArray(), dA.toArray()));
    expectMatrixClose(layer.db, [[0, 1].map((j) => dA.get(0, j) + dA.get(1, j) + dA.get(2, j))]);
    expectMatrixClose(dX, naiveMatmul(dA.toArray(), layer.W.transpose().toArray()));
  });

  it("backward accumulates: two backward passes give twice the gradients; zeroGrad resets them", () => {
    const layer = new Dense(4, 3, { activation: "sigmoid", seed: 4 });
    const dA = randn(3, 3, 12);
    layer.forward(X);
    layer.backward(dA);
    const dW1 = layer.dW.data.slice(),
      db1 = layer.db.data.slice();
    layer.backward(dA);
    // The second pass adds term by term onto the first sum, so equal up to rounding, not bitwise.
    for (let i = 0; i < dW1.length; i++) expect(layer.dW.data[i]).toBeCloseTo(2 * dW1[i], 14);
    for (let i = 0; i < db1.length; i++) expect(layer.db.data[i]).toBeCloseTo(2 * db1[i], 14);
    layer.zeroGrad();
    expect(layer.dW.data.every((v) => v === 0)).toBe(true);
    expect(layer.db.data.every((v) => v === 0)).toBe(true);
  });

  it("backward(dA, false) skips dX and still accumulates dW, db", () => {
    const layer = new Dense(4, 3, { seed: 4 });
    layer.forward(X);
    expect(layer.backward(randn(3, 3, 13), false)).toBeUndefined();
    expect(layer.dW.data.some((v) => v !== 0)).toBe(true);
  });

  it("handles a change of batch size between passes", () => {
    const layer = new Dense(4, 2, { activation: "relu", seed: 5 });
    expect(layer.forward(randn(7, 4, 1)).rows).toBe(7);
    expect(layer.forward(X).rows).toBe(3);
    expect(layer.backward(randn(3, 2, 2)).shape).toBe("3×4");
  });

  it("counts its parameters and starts with zero gradients and biases", () => {
    const layer = new Dense(5, 3);
    expect(layer.parameterCount).toBe(5 * 3 + 3);
    expect(layer.W.shape).toBe("5×3");
    expect(layer.b.shape).toBe("1×3");
    expect([...layer.dW.data, ...layer.db.data, ...layer.b.data].every((v) => v === 0)).toBe(true);
    expect(layer.activation.name).toBe("linear");
  });
});

it("a batch of one example works; a softmax layer's output row sums to 1", () => {
  const layer = new Dense(2, 2, { activation: "softmax", seed: 1 });
  const a = layer.forward(Matrix.from([[1, -1]]));
  expect(a.data[0] + a.data[1]).toBeCloseTo(1, 15);
});
