/**
 * `Sequential`: layers applied one after another, and `mlp`, which builds one from a list of
 * layer sizes. Backpropagation runs the layers in reverse, each turning ∂C/∂(its output) into
 * ∂C/∂(its input) while adding up its own ∂C/∂W and ∂C/∂b.
 */

import { Activation, ActivationName, softmax } from "./activations";
import { Initializer, InitializerName, getInitializer } from "./init";
import { Dense, layerActivation } from "./layers";
import { AnyLayer, denseLayersOf, isLayer, parametersOf } from "./layer";
import { BatchNorm } from "./batchnorm";
import { Loss, fusedWith, getLoss } from "./losses";
import { Matrix } from "./matrix";
import { Seed, rng } from "./random";

/** A trainable array and its gradient, as optimizers see them. */
export interface Parameter {
  /** e.g. "dense 1 (sigmoid).W". */
  name: string;
  /** The values (updated in place by an optimizer). */
  value: Matrix;
  /** ∂C/∂value, same shape. */
  grad: Matrix;
}

/** One layer as stored by `toJSON`. */
export interface DenseJSON {
  name: string;
  numInputs: number;
  numOutputs: number;
  activation: string;
  /** The slope of a leakyRelu activation. */
  alpha?: number;
  /** W row by row. */
  W: number[];
  b: number[];
}

/** A network as stored by `toJSON`: plain data, exact to the last bit. */
export interface SequentialJSON {
  format: "gradient-lab/sequential";
  version: 1;
  layers: DenseJSON[];
}

/**
 * A stack of layers; the output of each is the input of the next. The last layer is a `Dense`
 * (the output layer the loss reads); the others may also be `BatchNorm`, `Residual`, `RNN` or
 * `LSTM` layers.
 */
export class Sequential {
  /** Every layer in the order `forward` runs them, input side first. */
  readonly stack: AnyLayer[];
  /**
   * The Dense layers, input side first, including those inside `Residual` blocks: the layers with
   * W, b, z and a that diagnostics measure. For a network of Dense layers only, the same as `stack`.
   */
  readonly layers: Dense[];
  /** Reused buffer for ∂C/∂ŷ or ∂C/∂z of the output layer. */
  private outputGrad: Matrix | undefined;
  private _training = true;

  /**
   * A network from layers whose sizes chain (each layer's inputs = the previous layer's units), ending with a
   * Dense layer.
   */
  constructor(layers: AnyLayer[]) {
    if (!Array.isArray(layers) || layers.length === 0) {
      throw new Error("Sequential: needs at least one layer, e.g. new Sequential([new Dense(2, 1)]).");
    }
    layers.forEach((l, i) => {
      if (!(l instanceof Dense) && !isLayer(l)) {
        throw new Error(
          `Sequential: layer ${i + 1} is not a layer (Dense, BatchNorm, Residual, RNN, LSTM), got ${l === null ? "null" : typeof l}.`,
        );
      }
    });
    for (let i = 1; i < layers.length; i++) {
      if (layers[i].numInputs !== layers[i - 1].numOutputs) {
        throw new Error(
          `Sequential: ${layers[i].name} takes ${layers[i].numInputs} inputs but ${layers[i - 1].name} gives ${layers[i - 1].numOutputs}; ` +
            `make each layer's numInputs equal the previous layer's numOutputs.`,
        );
      }
    }
    const last = layers[layers.length - 1];
    if (!(last instanceof Dense)) {
      throw new Error(
        `Sequential: the last layer must be a Dense layer (the loss reads its output), but it is ${last.name}; ` +
          `end with e.g. new Dense(${last.numOutputs}, k, { activation: "softmax" }).`,
      );
    }
    this.stack = layers;
    this.layers = layers.flatMap(denseLayersOf);
  }

  /** The last layer. */
  get outputLayer(): Dense {
    return this.stack[this.stack.length - 1] as Dense;
  }

  /** Inputs per example (the first layer's numInputs). */
  get numInputs(): number {
    return this.stack[0].numInputs;
  }

  /** Outputs per example (the output layer's numOutputs). */
  get numOutputs(): number {
    return this.outputLayer.numOutputs;
  }

  /** True in training mode (the default), false in evaluation mode; only `BatchNorm` behaves differently. */
  get training(): boolean {
    return this._training;
  }

  /**
   * Training mode: `BatchNorm` layers normalize with each batch's statistics and update their running ones.
   * Returns the network.
   */
  train(): this {
    return this.setTraining(true);
  }

  /**
   * Evaluation mode: `BatchNorm` layers normalize with their running statistics, so each prediction depends
   * on its own example only. Returns the network.
   */
  eval(): this {
    return this.setTraining(false);
  }

  /** Sets training (true) or evaluation (false) mode on every layer. Returns the network. */
  setTraining(training: boolean): this {
    this._training = training;
    for (const layer of this.stack) if (!(layer instanceof Dense)) layer.setTraining(training);
    return this;
  }

  /** Runs the layers in order; returns the last layer's output buffer (overwritten by the next pass). */
  private run(X: Matrix): Matrix {
    let a = X;
    for (const layer of this.stack) a = layer.forward(a);
    return a;
  }

  /** ŷ = the network's output for a batch X [batch × inputs], as a new matrix. */
  forward(X: Matrix): Matrix {
    return this.run(X).clone();
  }

  /** The same as `forward`: the network's predictions ŷ for X. */
  predict(X: Matrix): Matrix {
    return this.forward(X);
  }

  /**
   * Backpropagation from dŶ = ∂C/∂ŷ (after a forward pass on the same batch): every layer adds its
   * ∂C/∂W and ∂C/∂b into dW and db. Returns ∂C/∂X.
   */
  backward(dOut: Matrix): Matrix {
    let grad = dOut;
    for (let i = this.stack.length - 1; i >= 0; i--) grad = this.stack[i].backward(grad, true)!;
    return grad;
  }

  /**
   * One forward and backward pass on a batch: computes C(ŷ, y) and adds ∂C/∂(every parameter) into
   * the gradients (call `zeroGrad` first for a fresh gradient). When the loss pairs with the output
   * activation (cross-entropy with softmax or sigmoid), uses ∂C/∂z = (ŷ − y)/n directly and computes
   * C from the logits, which is exact and stable. Returns C.
   */
  backprop(X: Matrix, y: Matrix, loss: Loss | string): number {
    const lossFn = getLoss(loss, "backprop");
    const out = this.outputLayer;
    // Checked before the forward pass so that bad targets leave every layer's caches as they were
    // (a bad X is caught by the first layer's forward, also before anything changes).
    if (X instanceof Matrix && (!(y instanceof Matrix) || y.rows !== X.rows || y.cols !== out.numOutputs)) {
      const got = y instanceof Matrix ? y.shape : typeof y;
      throw new Error(
        `backprop: the targets y are ${got} but the network outputs ${X.rows}×${out.numOutputs} for this batch. ` +
          `Pass one row of targets per example with ${out.numOutputs} columns (one-hot for classes).`,
      );
    }
    const yHat = this.run(X);
    if (this.outputGrad === undefined || this.outputGrad.rows !== y.rows || this.outputGrad.cols !== y.cols) {
      this.outputGrad = Matrix.shared(y.rows, y.cols);
    }
    let value: number;
    let grad: Matrix | undefined;
    const fused = fusedWith(lossFn, out.activation);
    if (fused !== undefined) {
      value = fused.value(out.z!, y);
      grad = out.backwardFromDelta(fused.grad(yHat, y, this.outputGrad), this.stack.length > 1);
    } else {
      value = lossFn.value(yHat, y);
      grad = out.backward(lossFn.grad(yHat, y, this.outputGrad), this.stack.length > 1);
    }
    // The input layer's ∂C/∂X is never needed for training, so it is skipped.
    for (let i = this.stack.length - 2; i >= 0; i--) grad = this.stack[i].backward(grad!, i > 0);
    return value;
  }

  /** Sets every gradient (dW, db, and those of other layers) to zero. */
  zeroGrad(): void {
    for (const layer of this.stack) layer.zeroGrad();
  }

  /** Every W and b (and γ, β, … of other layers) with its gradient, input side first. */
  parameters(): Parameter[] {
    return this.stack.flatMap(parametersOf);
  }

  /** The number of trainable numbers in all layers. */
  get parameterCount(): number {
    return this.stack.reduce((n, layer) => n + layer.parameterCount, 0);
  }

  /** A table of the layers: name, shape of W, activation (or what the layer does), parameter count. */
  summary(): string {
    const rows = this.stack.map((l) => [
      l.name,
      `${l.numInputs} → ${l.numOutputs}`,
      l instanceof Dense ? l.activation.name : l.kind,
      String(l.parameterCount),
    ]);
    const header = ["layer", "shape", "activation", "parameters"];
    const all = [header, ...rows, ["total", "", "", String(this.parameterCount)]];
    const widths = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
    const line = (r: string[]) =>
      r.map((cell, c) => (c === 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join("  ");
    const rule = widths.map((w) => "─".repeat(w)).join("  ");
    return [line(header), rule, ...rows.map(line), rule, line(all[all.length - 1])].join("\n");
  }

  /** The network as plain JSON data (weights exact: JSON numbers round-trip Float64 values). */
  toJSON(): SequentialJSON {
    const other = this.stack.find((l) => !(l instanceof Dense));
    if (other !== undefined) {
      throw new Error(
        `Sequential.toJSON: saving supports networks of Dense layers only, and this one holds ${other.name}. Keep the trained network in the session, or save its parameters() yourself.`,
      );
    }
    return {
      format: "gradient-lab/sequential",
      version: 1,
      layers: this.layers.map((l) => {
        const alpha = (l.activation as Activation).alpha;
        return {
          name: l.name,
          numInputs: l.numInputs,
          numOutputs: l.numOutputs,
          activation: l.activation.name,
          ...(alpha === undefined ? {} : { alpha }),
          W: Array.from(l.W.data),
          b: Array.from(l.b.data),
        };
      }),
    };
  }

  /** A network rebuilt from `toJSON` output (or its JSON text). */
  static fromJSON(json: SequentialJSON | string): Sequential {
    let data: SequentialJSON = json as SequentialJSON;
    if (typeof json === "string") {
      try {
        data = JSON.parse(json);
      } catch (e) {
        throw new Error(
          `Sequential.fromJSON: the text is not valid JSON (${(e as Error).message}); pass the text of JSON.stringify(net) or net.toJSON() itself.`,
        );
      }
    }
    if (
      data === null ||
      typeof data !== "object" ||
      data.format !== "gradient-lab/sequential" ||
      !Array.isArray(data.layers)
    ) {
      throw new Error(
        'Sequential.fromJSON: this is not a saved network; expected an object with format "gradient-lab/sequential" made by net.toJSON().',
      );
    }
    const layers = data.layers.map((spec, i) => {
      const where = `Sequential.fromJSON: layer ${i + 1}`;
      if (spec === null || typeof spec !== "object") {
        throw new Error(
          `${where} is not a saved layer; expected an object with numInputs, numOutputs, activation, W and b, got ${JSON.stringify(spec)}.`,
        );
      }
      const activation = layerActivation(spec.activation, where, { alpha: spec.alpha });
      const layer = new Dense(spec.numInputs, spec.numOutputs, { activation, name: spec.name });
      if (
        !Array.isArray(spec.W) ||
        spec.W.length !== layer.W.data.length ||
        !Array.isArray(spec.b) ||
        spec.b.length !== layer.b.data.length
      ) {
        throw new Error(
          `${where} (${spec.name}): W needs ${layer.W.data.length} numbers and b ${layer.b.data.length}; the saved arrays have other lengths.`,
        );
      }
      // JSON has no NaN or ∞ (they are saved as null), and Float64Array.set would turn null or "1" into
      // numbers silently.
      if (
        !spec.W.every((v) => typeof v === "number" && Number.isFinite(v)) ||
        !spec.b.every((v) => typeof v === "number" && Number.isFinite(v))
      ) {
        throw new Error(
          `${where} (${spec.name}): W and b must hold finite numbers; the saved arrays hold something else (null is how JSON saves NaN or ∞).`,
        );
      }
      layer.W.data.set(spec.W);
      layer.b.data.set(spec.b);
      layer.init = "loaded";
      return layer;
    });
    return new Sequential(layers);
  }
}

/** Options for {@link mlp}. */
export interface MlpOptions {
  /** The hidden layers' activation (default "sigmoid"); an array gives one per hidden layer. */
  activation?: ActivationName | Activation | string | (ActivationName | Activation | string)[];
  /** The output layer's activation (default "softmax"). */
  output?: "linear" | "sigmoid" | "softmax";
  /** How to draw the starting weights (default "xavier"). */
  init?: InitializerName | Initializer | string;
  /** Seed or random source for the weights (default 0). */
  seed?: Seed;
  /**
   * Put a `BatchNorm` between every hidden layer's z = X·W + b and its activation (default false):
   * each hidden layer becomes a linear Dense followed by a BatchNorm with the activation, as in
   * Ioffe and Szegedy (2015).
   */
  batchNorm?: boolean;
}

/**
 * A multilayer perceptron: `mlp([784, 30, 30, 10], { activation: "sigmoid" })` has 784 inputs, two
 * hidden layers of 30 units and 10 outputs. Layers are numbered from 1 at the input side.
 *
 * @example
 * const net = mlp([2, 16, 16, 2], { activation: "relu", init: "he", seed: 1 });
 * console.log(net.summary());                    // two hidden ReLU layers of 16, a softmax output of 2
 * const yHat = net.forward(Matrix.from([[0.5, -1]])); // 1×2, each row sums to 1
 */
export function mlp(sizes: number[], options: MlpOptions = {}): Sequential {
  if (!Array.isArray(sizes) || sizes.length < 2) {
    throw new Error(
      `mlp: sizes must list at least the input and output sizes, e.g. [2, 16, 1]; got ${JSON.stringify(sizes)}.`,
    );
  }
  sizes.forEach((n, i) => {
    if (!Number.isInteger(n) || n <= 0) {
      throw new Error(
        `mlp: sizes[${i}] must be a positive whole number (a count of units), got ${JSON.stringify(n)} in ${JSON.stringify(sizes)}.`,
      );
    }
  });
  const hidden = sizes.length - 2;
  const acts = Array.isArray(options.activation)
    ? options.activation
    : new Array(hidden).fill(options.activation ?? "sigmoid");
  if (acts.length !== hidden) {
    throw new Error(
      `mlp: ${acts.length} activations were given for ${hidden} hidden layers; give one per hidden layer or a single name.`,
    );
  }
  const output = options.output ?? "softmax";
  if (options.batchNorm !== undefined && typeof options.batchNorm !== "boolean") {
    throw new Error(`mlp: batchNorm must be true or false, got ${JSON.stringify(options.batchNorm)}.`);
  }
  if (output !== "linear" && output !== "sigmoid" && output !== "softmax") {
    throw new Error(`mlp: output must be "linear", "sigmoid" or "softmax", got ${JSON.stringify(output)}.`);
  }
  const init = getInitializer(options.init ?? "xavier", "mlp");
  const hiddenActs = acts.map((a, i) => layerActivation(a, `mlp: hidden layer ${i + 1}`));
  const random = rng(options.seed ?? 0);
  const layers: AnyLayer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const activation =
      i < hidden ? hiddenActs[i] : output === "softmax" ? softmax : layerActivation(output, "mlp");
    if (options.batchNorm === true && i < hidden) {
      layers.push(new Dense(sizes[i], sizes[i + 1], { init, seed: random, name: `dense ${i + 1} (linear)` }));
      layers.push(
        new BatchNorm(sizes[i + 1], { activation, name: `batchnorm ${i + 1} (${activation.name})` }),
      );
    } else {
      layers.push(
        new Dense(sizes[i], sizes[i + 1], {
          activation,
          init,
          seed: random,
          name: `dense ${i + 1} (${activation.name})`,
        }),
      );
    }
  }
  return new Sequential(layers);
}
