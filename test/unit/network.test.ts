import { describe, expect, it } from "vitest";
import {
  Dense,
  Matrix,
  Sequential,
  activations,
  gradCheckNetwork,
  leakyRelu,
  losses,
  mlp,
} from "../../kernel-lib/src";
import type { Activation, Loss, MlpOptions } from "../../kernel-lib/src";
import { binaryTargets, expectBitwiseEqual, oneHotRows, randn } from "./helpers";

/** The output layer / loss pairs the course uses, with targets of the right kind. */
const outputs: {
  name: string;
  output: NonNullable<MlpOptions["output"]>;
  loss: Loss;
  targets: (n: number, k: number) => Matrix;
}[] = [
  { name: "linear + mse", output: "linear", loss: losses.mse, targets: (n, k) => randn(n, k, 101) },
  {
    name: "sigmoid + binaryCrossEntropy",
    output: "sigmoid",
    loss: losses.binaryCrossEntropy,
    targets: (n, k) => binaryTargets(n, k, 102),
  },
  {
    name: "softmax + crossEntropy",
    output: "softmax",
    loss: losses.crossEntropy,
    targets: (n, k) => oneHotRows(n, k, 103),
  },
  { name: "sigmoid + mse", output: "sigmoid", loss: losses.mse, targets: (n, k) => binaryTargets(n, k, 104) },
];

const hiddenActivations: [string, Activation][] = [
  ...Object.entries(activations),
  ["leakyRelu(0.2)", leakyRelu(0.2)],
];

/** Layer sizes of a network with `depth` weight layers: 3 inputs, hidden widths 4–6, 3 outputs. */
function sizesFor(depth: number): number[] {
  const hidden = [5, 4, 6, 4, 5].slice(0, depth - 1);
  return [3, ...hidden, 3];
}

describe("whole networks against finite differences (Float64, relative error < 1e-6)", () => {
  const batch = 5;
  // Random normal inputs and weights: no pre-activation sits at a ReLU kink (checked by `ok`).
  const X = randn(batch, 3, 100);

  for (const out of outputs) {
    it(`depth 1, ${out.name}`, () => {
      const net = mlp([3, 3], { output: out.output, seed: 1 });
      const result = gradCheckNetwork(net, X, out.targets(batch, 3), out.loss);
      expect(result.checked).toBe(net.parameterCount);
      expect(result.maxRelativeError, result.where).toBeLessThan(1e-6);
    });
  }

  for (let depth = 2; depth <= 6; depth++) {
    for (const [actName, activation] of hiddenActivations) {
      it(`depth ${depth}, hidden ${actName}, every output`, () => {
        for (const out of outputs) {
          const net = mlp(sizesFor(depth), {
            activation,
            output: out.output,
            init: "xavierNormal",
            seed: depth,
          });
          const result = gradCheckNetwork(net, X, out.targets(batch, 3), out.loss);
          expect(result.checked).toBe(net.parameterCount);
          expect(result.maxRelativeError, `${out.name}: ${result.where}`).toBeLessThan(1e-6);
          expect(result.ok).toBe(true);
        }
      });
    }
  }

  it("mixed hidden activations, one per layer", () => {
    const net = mlp([3, 4, 4, 4, 3], {
      activation: ["tanh", "relu", leakyRelu(0.1)],
      output: "softmax",
      seed: 9,
    });
    expect(gradCheckNetwork(net, X, oneHotRows(batch, 3, 1), "crossEntropy").maxRelativeError).toBeLessThan(
      1e-6,
    );
  });
});

describe("backprop and backward", () => {
  const X = randn(4, 3, 1),
    y = oneHotRows(4, 2, 2);

  it("backprop accumulates: two calls give twice the gradients; zeroGrad resets them", () => {
    const net = mlp([3, 5, 2], { activation: "tanh", seed: 3 });
    net.backprop(X, y, losses.crossEntropy);
    const once = net.parameters().map((p) => p.grad.data.slice());
    net.backprop(X, y, losses.crossEntropy);
    net
      .parameters()
      .forEach((p, k) => p.grad.data.forEach((g, i) => expect(g).toBeCloseTo(2 * once[k][i], 14)));
    net.zeroGrad();
    for (const p of net.parameters()) expect(p.grad.data.every((g) => g === 0)).toBe(true);
  });

  it("backprop returns the loss of the batch; backward from ∂C/∂ŷ gives the same gradients", () => {
    const net = mlp([3, 5, 2], { activation: "relu", output: "linear", seed: 3 });
    const target = randn(4, 2, 5);
    const c = net.backprop(X, target, "mse");
    expect(c).toBe(losses.mse.value(net.forward(X), target));
    const viaBackprop = net.parameters().map((p) => p.grad.data.slice());
    net.zeroGrad();
    net.backward(losses.mse.grad(net.forward(X), target));
    net.parameters().forEach((p, k) => expectBitwiseEqual(p.grad.data, viaBackprop[k]));
  });

  it("backprop with a fused pair reports the loss computed from the logits", () => {
    const net = mlp([3, 5, 2], { seed: 3 });
    expect(net.backprop(X, y, "crossEntropy")).toBeCloseTo(losses.crossEntropy.value(net.forward(X), y), 14);
  });

  it("forward returns a copy; parameters list every W and b with its gradient", () => {
    const net = mlp([3, 4, 2], { seed: 1 });
    const a = net.forward(X);
    net.forward(randn(4, 3, 9));
    expect(a).not.toBe(net.outputLayer.a);
    expect(net.predict(X).data).toEqual(a.data);
    const params = net.parameters();
    expect(params.map((p) => p.name)).toEqual([
      "dense 1 (sigmoid).W",
      "dense 1 (sigmoid).b",
      "dense 2 (softmax).W",
      "dense 2 (softmax).b",
    ]);
    expect(params[0].value).toBe(net.layers[0].W);
    expect(params[0].grad).toBe(net.layers[0].dW);
    expect(net.parameterCount).toBe(3 * 4 + 4 + 4 * 2 + 2);
  });

  it("summary lists each layer and the total", () => {
    const text = mlp([784, 30, 10], { seed: 1 }).summary();
    expect(text).toMatch(/dense 1 \(sigmoid\)\s+784 → 30\s+sigmoid\s+23550/);
    expect(text).toMatch(/dense 2 \(softmax\)\s+30 → 10\s+softmax\s+310/);
    expect(text).toMatch(/total\s+23860/);
  });
});

describe("seeds", () => {
  const X = randn(6, 4, 7);
  const make = (seed: number) => mlp([4, 8, 8, 3], { activation: "relu", init: "he", seed });

  it("the same seed gives bitwise-identical weights and outputs", () => {
    const a = make(42),
      b = make(42);
    a.parameters().forEach((p, k) => expectBitwiseEqual(p.value, b.parameters()[k].value));
    expectBitwiseEqual(a.forward(X), b.forward(X));
  });

  it("different seeds give different weights", () => {
    const a = make(1),
      b = make(2);
    expect(Array.from(a.layers[0].W.data)).not.toEqual(Array.from(b.layers[0].W.data));
    expect(Array.from(a.forward(X).data)).not.toEqual(Array.from(b.forward(X).data));
  });

  it("layers of one network get different weights from the shared random source", () => {
    const net = mlp([4, 4, 4], { init: "he", seed: 1 });
    expect(Array.from(net.layers[0].W.data)).not.toEqual(Array.from(net.layers[1].W.data));
  });
});

describe("toJSON / fromJSON", () => {
  const X = randn(5, 3, 8);
  const nets: [string, Sequential][] = [
    ["sigmoid hidden, softmax output", mlp([3, 6, 4], { seed: 2, init: "nielsen" })],
    [
      "leakyRelu(0.3) hidden, linear output",
      mlp([3, 5, 5, 2], { activation: leakyRelu(0.3), output: "linear", seed: 3 }),
    ],
    [
      "every activation",
      mlp([3, 4, 4, 4, 4, 4, 4, 4, 4, 2], {
        activation: Object.keys(activations),
        output: "sigmoid",
        seed: 4,
      }),
    ],
  ];

  for (const [name, net] of nets) {
    it(`${name}: round-trips exactly (outputs bitwise equal, JSON text equal)`, () => {
      const text = JSON.stringify(net);
      const copy = Sequential.fromJSON(text);
      expect(JSON.stringify(copy)).toBe(text);
      expectBitwiseEqual(copy.forward(X), net.forward(X));
      copy.layers.forEach((l, i) => {
        expect(l.name).toBe(net.layers[i].name);
        expect(l.activation.name).toBe(net.layers[i].activation.name);
        expectBitwiseEqual(l.W, net.layers[i].W);
        expectBitwiseEqual(l.b, net.layers[i].b);
      });
      // From the object as well as from the text.
      expectBitwiseEqual(Sequential.fromJSON(net.toJSON()).forward(X), net.forward(X));
    });
  }

  it("stores leakyRelu's slope and restores it", () => {
    const json = nets[1][1].toJSON();
    expect(json.format).toBe("gradient-lab/sequential");
    expect(json.version).toBe(1);
    expect(json.layers[0].activation).toBe("leakyRelu");
    expect(json.layers[0].alpha).toBe(0.3);
    expect(json.layers[2].alpha).toBeUndefined();
    expect((Sequential.fromJSON(json).layers[0].activation as Activation).alpha).toBe(0.3);
  });

  it("a restored network trains like the original", () => {
    const net = mlp([3, 4, 2], { seed: 5 });
    const copy = Sequential.fromJSON(JSON.stringify(net));
    const y = oneHotRows(5, 2, 6);
    expect(copy.backprop(X, y, "crossEntropy")).toBe(net.backprop(X, y, "crossEntropy"));
    copy.parameters().forEach((p, k) => expectBitwiseEqual(p.grad, net.parameters()[k].grad));
  });
});

it("Sequential accepts hand-built layers that chain", () => {
  const net = new Sequential([
    new Dense(2, 3, { activation: "tanh", name: "hidden" }),
    new Dense(3, 1, { name: "out" }),
  ]);
  expect(net.outputLayer.name).toBe("out");
  expect(net.forward(Matrix.from([[1, 2]])).shape).toBe("1×1");
});
