/**
 * Every error path: bad input throws a message naming the layer or argument, what was given and
 * what was expected, before any state changes.
 */

import { describe, expect, it } from "vitest";
import {
  Dense,
  Matrix,
  Random,
  SGD,
  Sequential,
  Value,
  add,
  addRowVector,
  getActivation,
  getInitializer,
  gradCheck,
  he,
  leakyRelu,
  losses,
  matmul,
  matmulNT,
  matmulTN,
  mlp,
  normal,
  sumRows,
  uniform,
} from "../../kernel-lib/src";
import { randn, snapshot } from "./helpers";

/** A table of [what is wrong, the call, the message it must give]. */
type Case = [string, () => unknown, RegExp];

function expectErrors(cases: Case[]): void {
  for (const [what, call, message] of cases) it(what, () => expect(call).toThrow(message));
}

/** A fresh hidden layer [4 → 2] named "hidden", after a forward pass on a 5-example batch. */
function hiddenLayer(): Dense {
  const layer = new Dense(4, 2, { activation: "sigmoid", name: "hidden", seed: 1 });
  layer.forward(randn(5, 4, 2));
  return layer;
}

describe("Dense", () => {
  expectErrors([
    [
      "forward with the wrong number of input columns",
      () => hiddenLayer().forward(new Matrix(5, 3)),
      /hidden: the input is 5×3 but this layer takes 4 inputs per example.*numInputs = 3/,
    ],
    [
      "forward with a plain array",
      () => hiddenLayer().forward([[1, 2, 3, 4]] as unknown as Matrix),
      /hidden: forward expects a Matrix.*got object.*Matrix\.from/,
    ],
    [
      "backward with the wrong gradient shape",
      () => hiddenLayer().backward(new Matrix(5, 3)),
      /hidden: backward expects a gradient of shape 5×2 .* got 5×3/,
    ],
    [
      "backward with the wrong batch size",
      () => hiddenLayer().backward(new Matrix(4, 2)),
      /hidden: backward expects a gradient of shape 5×2 .* got 4×2/,
    ],
    [
      "backward before forward",
      () => new Dense(4, 2, { name: "hidden" }).backward(new Matrix(5, 2)),
      /hidden: backward was called before forward.*forward\(X\)/,
    ],
    [
      "backwardFromDelta before forward",
      () => new Dense(4, 2, { name: "out" }).backwardFromDelta(new Matrix(5, 2)),
      /out: backwardFromDelta was called before forward/,
    ],
    [
      "zero inputs",
      () => new Dense(0, 2, { name: "hidden" }),
      /Dense "hidden": numInputs must be a positive whole number, got 0/,
    ],
    [
      "a fractional number of units",
      () => new Dense(3, 2.5),
      /Dense "dense": numOutputs must be a positive whole number, got 2\.5/,
    ],
    [
      "a negative number of units",
      () => new Dense(3, -1),
      /numOutputs must be a positive whole number, got -1/,
    ],
    [
      "an unknown activation",
      () => new Dense(3, 2, { activation: "sigmod", name: "hidden" }),
      /Dense "hidden": unknown activation "sigmod"\. Use one of sigmoid, tanh, relu/,
    ],
    [
      "an unknown initializer",
      () => new Dense(3, 2, { init: "glorot", name: "hidden" }),
      /Dense "hidden": unknown initializer "glorot"\. Use one of normal, uniform, xavier/,
    ],
  ]);

  it("forward with a bad shape changes nothing: weights, gradients and caches stay as they were", () => {
    const layer = hiddenLayer();
    layer.backward(randn(5, 2, 3));
    const refs = [layer.input, layer.z, layer.a, layer.delta];
    const before = snapshot([layer.W, layer.b, layer.dW, layer.db, ...refs]);
    expect(() => layer.forward(new Matrix(7, 3))).toThrow(/the input is 7×3/);
    [layer.input, layer.z, layer.a, layer.delta].forEach((m, i) => expect(m).toBe(refs[i])); // the same buffers…
    expect(snapshot([layer.W, layer.b, layer.dW, layer.db, ...refs])).toEqual(before); // …holding the same numbers
  });

  it("backward with a bad shape changes nothing: gradients and δ stay as they were", () => {
    const layer = hiddenLayer();
    layer.backward(randn(5, 2, 3));
    const before = snapshot([layer.W, layer.b, layer.dW, layer.db, layer.delta]);
    expect(() => layer.backward(new Matrix(5, 3))).toThrow(/backward expects/);
    expect(snapshot([layer.W, layer.b, layer.dW, layer.db, layer.delta])).toEqual(before);
  });
});

describe("Sequential and mlp", () => {
  expectErrors([
    [
      "layers whose sizes do not chain",
      () => new Sequential([new Dense(3, 2, { name: "a" }), new Dense(3, 1, { name: "b" })]),
      /Sequential: b takes 3 inputs but a gives 2.*numInputs equal the previous layer's numOutputs/,
    ],
    ["no layers", () => new Sequential([]), /Sequential: needs at least one layer/],
    [
      "a fractional size",
      () => mlp([3, 2.5, 1]),
      /mlp: sizes\[1\] must be a positive whole number .*got 2\.5 in \[3,2\.5,1\]/,
    ],
    ["a zero size", () => mlp([3, 0, 1]), /mlp: sizes\[1\] must be a positive whole number .*got 0/],
    ["a negative size", () => mlp([-3, 4, 1]), /mlp: sizes\[0\] must be a positive whole number .*got -3/],
    ["a size that is not a number", () => mlp([3, "4" as unknown as number, 1]), /mlp: sizes\[1\] .*got "4"/],
    ["only one size", () => mlp([3]), /mlp: sizes must list at least the input and output sizes.*got \[3\]/],
    ["no sizes", () => mlp([]), /mlp: sizes must list at least .*got \[\]/],
    [
      "too few activations for the hidden layers",
      () => mlp([3, 4, 4, 1], { activation: ["relu"] }),
      /mlp: 1 activations were given for 2 hidden layers/,
    ],
    [
      "too many activations",
      () => mlp([3, 4, 1], { activation: ["relu", "tanh"] }),
      /mlp: 2 activations were given for 1 hidden layers/,
    ],
    [
      "an unknown activation",
      () => mlp([3, 4, 1], { activation: "sigmod" }),
      /mlp: hidden layer 1: unknown activation "sigmod"\. Use one of/,
    ],
    [
      "an unknown activation in a list",
      () => mlp([3, 4, 4, 1], { activation: ["relu", "swish"] }),
      /mlp: hidden layer 2: unknown activation "swish"/,
    ],
    ["an unknown initializer", () => mlp([3, 4, 1], { init: "glorot" }), /mlp: unknown initializer "glorot"/],
    [
      "an unknown output",
      () => mlp([3, 4, 1], { output: "relu" as "linear" }),
      /mlp: output must be "linear", "sigmoid" or "softmax", got "relu"/,
    ],
  ]);
});

describe("backprop", () => {
  const net = () => mlp([3, 4, 2], { seed: 1 });
  const X = randn(4, 3, 1);
  expectErrors([
    [
      "targets with the wrong number of columns",
      () => net().backprop(X, new Matrix(4, 3), "crossEntropy"),
      /backprop: the targets y are 4×3 but the network outputs 4×2 for this batch.*2 columns/,
    ],
    [
      "targets with the wrong number of rows",
      () => net().backprop(X, new Matrix(5, 2), "crossEntropy"),
      /backprop: the targets y are 5×2 but the network outputs 4×2/,
    ],
    [
      "targets that are not a Matrix",
      () => net().backprop(X, [[1, 0]] as unknown as Matrix, "mse"),
      /backprop: the targets y are object/,
    ],
    [
      "an unknown loss",
      () => net().backprop(X, new Matrix(4, 2), "hinge"),
      /backprop: unknown loss "hinge"\. Use one of mse, binaryCrossEntropy, crossEntropy/,
    ],
    [
      "inputs of the wrong width",
      () => net().backprop(new Matrix(4, 5), new Matrix(4, 2), "mse"),
      /dense 1 \(sigmoid\): the input is 4×5 but this layer takes 3 inputs/,
    ],
  ]);

  it("with wrong targets changes nothing: weights, gradients and caches stay as they were", () => {
    const n = net();
    n.backprop(X, new Matrix(4, 2), "mse");
    const arrays = n.layers.flatMap((l) => [l.W, l.b, l.dW, l.db, l.z, l.a]);
    const before = snapshot(arrays);
    expect(() => n.backprop(randn(4, 3, 9), new Matrix(4, 3), "mse")).toThrow(/targets y are 4×3/);
    expect(snapshot(arrays)).toEqual(before);
  });
});

describe("losses", () => {
  const yHat = new Matrix(2, 3),
    y = new Matrix(2, 2);
  expectErrors([
    [
      "mse with mismatched shapes",
      () => losses.mse.value(yHat, y),
      /mse: predictions are 2×3 but targets are 2×2; they must match/,
    ],
    [
      "mse gradient with mismatched shapes",
      () => losses.mse.grad(yHat, y),
      /mse: predictions are 2×3 but targets are 2×2/,
    ],
    [
      "binaryCrossEntropy with mismatched shapes",
      () => losses.binaryCrossEntropy.value(yHat, y),
      /binaryCrossEntropy: predictions are 2×3 but targets are 2×2/,
    ],
    [
      "binaryCrossEntropy gradient with mismatched shapes",
      () => losses.binaryCrossEntropy.grad(yHat, y),
      /binaryCrossEntropy: predictions are 2×3/,
    ],
    [
      "crossEntropy with mismatched shapes",
      () => losses.crossEntropy.value(yHat, y),
      /crossEntropy: predictions are 2×3 but targets are 2×2.*one-hot/,
    ],
    [
      "crossEntropy gradient with mismatched shapes",
      () => losses.crossEntropy.grad(yHat, y),
      /crossEntropy: predictions are 2×3/,
    ],
    [
      "softmaxCrossEntropy with mismatched shapes",
      () => losses.softmaxCrossEntropy(yHat, y),
      /softmaxCrossEntropy: predictions are 2×3 but targets are 2×2/,
    ],
    [
      "a fused value with mismatched shapes",
      () => losses.binaryCrossEntropy.fused!.value(yHat, y),
      /binaryCrossEntropy: predictions are 2×3/,
    ],
    [
      "a fused gradient with mismatched shapes",
      () => losses.crossEntropy.fused!.grad(yHat, y),
      /crossEntropy: predictions are 2×3/,
    ],
    [
      "a gradient output buffer of the wrong shape",
      () => losses.mse.grad(y, y, new Matrix(1, 1)),
      /mse: the output matrix is 1×1 but must be 2×2/,
    ],
    [
      "arguments that are not matrices",
      () => losses.mse.value([[1]] as unknown as Matrix, y),
      /mse: expects two Matrix arguments/,
    ],
    ["an unknown loss name", () => losses.getLoss("hinge", "fit"), /fit: unknown loss "hinge"/],
  ]);
});

describe("SGD", () => {
  const params = () => mlp([2, 3, 1], { seed: 1 }).parameters();
  expectErrors([
    [
      "lr NaN",
      () => new SGD(params(), { lr: NaN }),
      /SGD: lr \(the learning rate\) must be a finite number in .*got NaN.*lr: 0\.1/,
    ],
    ["lr 0", () => new SGD(params(), { lr: 0 }), /SGD: lr \(the learning rate\) must be .*got 0\./],
    ["lr negative", () => new SGD(params(), { lr: -0.1 }), /SGD: lr .*got -0\.1/],
    ["lr Infinity", () => new SGD(params(), { lr: Infinity }), /SGD: lr .*got Infinity/],
    ["lr missing", () => new SGD(params(), {} as { lr: number }), /SGD: lr .*got undefined/],
    [
      "momentum 1",
      () => new SGD(params(), { lr: 0.1, momentum: 1 }),
      /SGD: momentum must be a finite number in \[0, 1\), got 1\./,
    ],
    ["momentum above 1", () => new SGD(params(), { lr: 0.1, momentum: 1.5 }), /SGD: momentum .*got 1\.5/],
    ["momentum negative", () => new SGD(params(), { lr: 0.1, momentum: -0.5 }), /SGD: momentum .*got -0\.5/],
    [
      "negative weight decay",
      () => new SGD(params(), { lr: 0.1, weightDecay: -1e-4 }),
      /SGD: weightDecay must be a finite number in \[0, ∞\), got -0\.0001/,
    ],
    [
      "no parameters",
      () => new SGD([], { lr: 0.1 }),
      /SGD: needs the parameters to update.*net\.parameters\(\)/,
    ],
    [
      "no options",
      () => new SGD(params(), undefined as unknown as { lr: number }),
      /SGD: needs options with a learning rate/,
    ],
  ]);

  it("a failed construction leaves the parameters and their gradients untouched", () => {
    const net = mlp([2, 3, 1], { seed: 1 });
    net.backprop(randn(4, 2, 1), randn(4, 1, 2), "mse");
    const arrays = net.parameters().flatMap((p) => [p.value, p.grad]);
    const before = snapshot(arrays);
    for (const options of [{ lr: NaN }, { lr: 0.1, momentum: 1 }, { lr: 0.1, weightDecay: -1 }]) {
      expect(() => new SGD(net.parameters(), options)).toThrow(/SGD:/);
    }
    expect(snapshot(arrays)).toEqual(before);
  });

  it("a rejected hyperparameter change keeps the old value", () => {
    const p = { name: "w", value: Matrix.from([[1]]), grad: Matrix.from([[1]]) };
    const opt = new SGD([p], { lr: 0.1, momentum: 0.5 });
    expect(() => (opt.lr = -1)).toThrow(/SGD: lr .*got -1/);
    expect(() => (opt.momentum = 1)).toThrow(/SGD: momentum .*got 1/);
    expect(() => (opt.weightDecay = NaN)).toThrow(/SGD: weightDecay .*got NaN/);
    expect([opt.lr, opt.momentum, opt.weightDecay]).toEqual([0.1, 0.5, 0]);
    opt.step();
    expect(p.value.data[0]).toBeCloseTo(0.9, 15);
  });
});

describe("Sequential.fromJSON", () => {
  const saved = () => mlp([2, 3, 1], { seed: 1 }).toJSON();
  expectErrors([
    [
      "null",
      () => Sequential.fromJSON(null as unknown as string),
      /Sequential\.fromJSON: this is not a saved network.*net\.toJSON\(\)/,
    ],
    [
      "JSON text of something else",
      () => Sequential.fromJSON('{"layers": []}'),
      /Sequential\.fromJSON: this is not a saved network/,
    ],
    [
      "text that is not JSON",
      () => Sequential.fromJSON("{weights: oops"),
      /Sequential\.fromJSON: the text is not valid JSON/,
    ],
    [
      "an object with the wrong format",
      () => Sequential.fromJSON({ ...saved(), format: "keras" as "gradient-lab/sequential" }),
      /not a saved network; expected an object with format "gradient-lab\/sequential"/,
    ],
    [
      "layers that are not a list",
      () => Sequential.fromJSON({ ...saved(), layers: "dense" as unknown as [] }),
      /not a saved network/,
    ],
    [
      "no layers",
      () => Sequential.fromJSON({ ...saved(), layers: [] }),
      /Sequential: needs at least one layer/,
    ],
    [
      "a layer that is not an object",
      () => Sequential.fromJSON({ ...saved(), layers: [null as unknown as never] }),
      /Sequential\.fromJSON: layer 1 is not a saved layer/,
    ],
    [
      "W of the wrong length",
      () =>
        Sequential.fromJSON({
          ...saved(),
          layers: saved().layers.map((l, i) => (i === 0 ? { ...l, W: [1, 2] } : l)),
        }),
      /Sequential\.fromJSON: layer 1 \(dense 1 \(sigmoid\)\): W needs 6 numbers and b 3/,
    ],
    [
      "W holding something other than numbers",
      () =>
        Sequential.fromJSON({
          ...saved(),
          layers: saved().layers.map((l, i) =>
            i === 1 ? { ...l, W: ["a", 1, 2] as unknown as number[] } : l,
          ),
        }),
      /Sequential\.fromJSON: layer 2 \(dense 2 \(softmax\)\): W and b must hold finite numbers/,
    ],
    [
      "an unknown activation",
      () =>
        Sequential.fromJSON({
          ...saved(),
          layers: saved().layers.map((l, i) => (i === 0 ? { ...l, activation: "swish" } : l)),
        }),
      /Sequential\.fromJSON: layer 1: unknown activation "swish"/,
    ],
    [
      "a bad leakyRelu slope",
      () =>
        Sequential.fromJSON({
          ...saved(),
          layers: saved().layers.map((l, i) => (i === 0 ? { ...l, activation: "leakyRelu", alpha: 2 } : l)),
        }),
      /leakyRelu: the slope alpha must be a number in \[0, 1\), got 2/,
    ],
    [
      "a bad size",
      () =>
        Sequential.fromJSON({
          ...saved(),
          layers: saved().layers.map((l, i) => (i === 0 ? { ...l, numInputs: 0 } : l)),
        }),
      /Dense "dense 1 \(sigmoid\)": numInputs must be a positive whole number, got 0/,
    ],
    [
      "layers that do not chain",
      () =>
        Sequential.fromJSON({
          ...saved(),
          layers: saved().layers.map((l, i) => (i === 1 ? { ...l, numInputs: 2, W: [0, 0] } : l)),
        }),
      /Sequential: dense 2 \(softmax\) takes 2 inputs but dense 1 \(sigmoid\) gives 3/,
    ],
  ]);
});

describe("Matrix", () => {
  expectErrors([
    [
      "data of the wrong length",
      () => new Matrix(2, 3, new Float64Array(5)),
      /Matrix: 2 × 3 needs 6 values, got 5/,
    ],
    [
      "negative or fractional dimensions",
      () => new Matrix(-1, 2),
      /Matrix: rows and cols must be non-negative integers, got -1 × 2/,
    ],
    ["fractional dimensions", () => new Matrix(2, 1.5), /got 2 × 1\.5/],
    [
      "ragged rows in from",
      () => Matrix.from([[1, 2], [3]]),
      /Matrix\.from: row 1 has 1 values but row 0 has 2; all rows must have the same length/,
    ],
    [
      "selectRows outside the matrix",
      () => Matrix.zeros(3, 2).selectRows([0, 3]),
      /Matrix\.selectRows: index 3 is outside 0…2/,
    ],
    [
      "selectRows with a fractional index",
      () => Matrix.zeros(3, 2).selectRows([1.5]),
      /index 1\.5 is outside/,
    ],
    [
      "matmul of incompatible shapes",
      () => matmul(new Matrix(2, 3), new Matrix(2, 3)),
      /matmul: A is 2×3 and B is 2×3; A·B needs A's columns \(3\) to equal B's rows \(2\)/,
    ],
    [
      "matmulTN of incompatible shapes",
      () => matmulTN(new Matrix(2, 3), new Matrix(3, 3)),
      /matmulTN: A is 2×3 and B is 3×3/,
    ],
    [
      "matmulNT of incompatible shapes",
      () => matmulNT(new Matrix(2, 3), new Matrix(2, 2)),
      /matmulNT: A is 2×3 and B is 2×2/,
    ],
    [
      "a product into an output of the wrong shape",
      () => matmul(new Matrix(2, 3), new Matrix(3, 4), new Matrix(2, 3)),
      /matmul: the output matrix is 2×3 but the result is 2×4/,
    ],
    [
      "add of different shapes",
      () => add(new Matrix(2, 3), new Matrix(3, 2)),
      /add: shapes 2×3 and 3×2 differ/,
    ],
    [
      "addRowVector of the wrong length",
      () => addRowVector(new Matrix(2, 3), new Float64Array(2)),
      /addRowVector: the vector has 2 entries but A is 2×3; it needs 3/,
    ],
    [
      "sumRows into an output of the wrong length",
      () => sumRows(new Matrix(2, 3), new Float64Array(2)),
      /sumRows: the output has 2 entries but A has 3 columns/,
    ],
  ]);
});

describe("activations, initializers, randomness", () => {
  expectErrors([
    [
      "leakyRelu with α = 1",
      () => leakyRelu(1),
      /leakyRelu: the slope alpha must be a number in \[0, 1\), got 1\./,
    ],
    ["leakyRelu with α < 0", () => leakyRelu(-0.1), /leakyRelu: .*got -0\.1/],
    ["leakyRelu with α NaN", () => leakyRelu(NaN), /leakyRelu: .*got NaN/],
    [
      "an unknown activation name",
      () => getActivation("swish", "fit"),
      /fit: unknown activation "swish"\. Use one of .*leakyRelu\(0\.1\)/,
    ],
    ["he with α = 1", () => he(1), /he: alpha is the Leaky ReLU slope, a number in \[0, 1\); got 1\./],
    ["he with α < 0", () => he(-0.01), /he: alpha .*got -0\.01/],
    ["normal with σ = 0", () => normal(0), /normal: sigma must be a positive number, got 0\./],
    ["normal with σ < 0", () => normal(-1), /normal: sigma must be a positive number, got -1\./],
    ["normal with σ = ∞", () => normal(Infinity), /normal: sigma .*got Infinity/],
    ["uniform with a ≤ 0", () => uniform(0), /uniform: a must be a positive number, got 0\./],
    [
      "an unknown initializer name",
      () => getInitializer("glorot", "Dense"),
      /Dense: unknown initializer "glorot"\. Use one of normal, uniform/,
    ],
    [
      "Random with a NaN seed",
      () => new Random(NaN),
      /Random: the seed must be a finite number, got NaN\. Pass an integer/,
    ],
    [
      "Random with an infinite seed",
      () => new Random(Infinity),
      /Random: the seed must be a finite number, got Infinity/,
    ],
    ["Random.int(0)", () => new Random(1).int(0), /Random\.int: n must be a positive integer, got 0/],
  ]);
});

describe("Value", () => {
  expectErrors([
    ["log of 0", () => new Value(0).log(), /Value\.log: ln is defined for positive numbers only, got 0\./],
    ["log of a negative number", () => new Value(-2).log(), /Value\.log: .*got -2\./],
    ["division by zero", () => new Value(3).div(0), /Value\.div: division by zero \(dividing 3 by 0\)/],
    ["division by a zero Value", () => new Value(3).div(new Value(0)), /Value\.div: division by zero/],
    [
      "a non-finite exponent",
      () => new Value(2).pow(NaN),
      /Value\.pow: the exponent must be a finite number, got NaN/,
    ],
    ["a non-number", () => new Value("2" as unknown as number), /Value: expected a number, got string/],
    [
      "an operand that is not a number",
      () => new Value(1).add("2" as unknown as number),
      /Value: expected a Value or a number, got string/,
    ],
  ]);
});

describe("gradCheck", () => {
  expectErrors([
    [
      "a step h of 0",
      () => gradCheck({ f: Math.sin, df: Math.cos }, [0], { h: 0 }),
      /gradCheck: h must be a small positive number such as 1e-5, got 0/,
    ],
    [
      "something it cannot check",
      () => gradCheck(42 as unknown as Dense, new Matrix(1, 1)),
      /gradCheck: expects an activation-like \{ f, df \}/,
    ],
    [
      "an unknown loss",
      () => gradCheck(mlp([2, 2]), new Matrix(1, 2), new Matrix(1, 2), "hinge"),
      /gradCheck: unknown loss "hinge"/,
    ],
  ]);
});
