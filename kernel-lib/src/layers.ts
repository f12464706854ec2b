/**
 * `Dense`: a fully connected layer with its activation, z = X·W + b and a = f(z), one example per
 * row of X. Values and gradients sit side by side: `W`/`dW`, `b`/`db`.
 */

import {
  Activation,
  ActivationName,
  ActivationParams,
  LayerActivation,
  getActivation,
  softmax,
} from "./activations";
import { Initializer, InitializerName, getInitializer } from "./init";
import { Matrix, addRowVector, matmul, matmulNT, matmulTN, sumRows } from "./matrix";
import { Seed, rng } from "./random";

/** Options for a {@link Dense} layer. */
export interface DenseOptions {
  /**
   * The activation f: a name ("sigmoid", "relu", …), an activation object, or "softmax" (default "linear").
   */
  activation?: ActivationName | "softmax" | LayerActivation | string;
  /** How to draw the starting weights (default "xavier"). */
  init?: InitializerName | Initializer | string;
  /** Seed or random source for the initializer (default 0). */
  seed?: Seed;
  /** A display name (default "dense"). */
  name?: string;
}

function requireLayerSize(where: string, what: string, n: number): void {
  if (!Number.isInteger(n) || n <= 0) {
    throw new Error(
      `${where}: ${what} must be a positive whole number, got ${String(n)}. A layer needs at least one unit.`,
    );
  }
}

/**
 * The activation for a layer option: element-wise by name or object, or the row-wise softmax;
 * `params` configure a parametrised one by name (as a saved network stores it).
 */
export function layerActivation(
  activation: DenseOptions["activation"],
  where: string,
  params?: ActivationParams,
): LayerActivation {
  if (activation === undefined) return getActivation("linear", where);
  if (activation === "softmax") return softmax;
  if (typeof activation === "object") return activation;
  return getActivation(activation, where, params);
}

/**
 * A fully connected layer: z = X·W + b  [batch×in]·[in×out] + [1×out], then a = f(z).
 * `forward` keeps X, z and a — exactly what `backward` needs — and `backward` adds this batch's
 * gradients into `dW` and `db`.
 */
export class Dense {
  /** n_in, the number of inputs each unit receives. */
  readonly numInputs: number;
  /** n_out, the number of units. */
  readonly numOutputs: number;
  /** The activation f applied to z. */
  readonly activation: LayerActivation;
  /** A display name used in messages and diagnostics, e.g. "dense 2 (sigmoid)". */
  name: string;
  /**
   * The initializer that drew the starting weights ("he", "xavier", …), or "loaded" for weights set by
   * `Sequential.fromJSON`.
   */
  init: string;
  /** Weights [n_in × n_out]; W[i][j] connects input i to unit j. */
  readonly W: Matrix;
  /** Biases [1 × n_out]. */
  readonly b: Matrix;
  /** ∂C/∂W [n_in × n_out], accumulated by `backward`. */
  readonly dW: Matrix;
  /** ∂C/∂b [1 × n_out], accumulated by `backward`. */
  readonly db: Matrix;
  /** The input X of the last forward pass. */
  input: Matrix | undefined;
  /** The pre-activations z = X·W + b of the last forward pass [batch × n_out]. */
  z: Matrix | undefined;
  /** The activations a = f(z) of the last forward pass [batch × n_out]. */
  a: Matrix | undefined;
  /** δ = ∂C/∂z of the last backward pass [batch × n_out]. */
  delta: Matrix | undefined;
  /** ∂C/∂X of the last backward pass [batch × n_in]. */
  private dInput: Matrix | undefined;

  /** A layer with `numInputs` inputs and `numOutputs` units, weights drawn by `init`. */
  constructor(numInputs: number, numOutputs: number, options: DenseOptions = {}) {
    const name = options.name ?? "dense";
    requireLayerSize(`Dense "${name}"`, "numInputs", numInputs);
    requireLayerSize(`Dense "${name}"`, "numOutputs", numOutputs);
    this.activation = layerActivation(options.activation, `Dense "${name}"`);
    const initializer = getInitializer(options.init ?? "xavier", `Dense "${name}"`);
    this.numInputs = numInputs;
    this.numOutputs = numOutputs;
    this.name = name;
    this.init = initializer.name;
    this.W = Matrix.shared(numInputs, numOutputs);
    this.b = Matrix.shared(1, numOutputs);
    this.dW = Matrix.shared(numInputs, numOutputs);
    this.db = Matrix.shared(1, numOutputs);
    initializer.init(this.W, this.b, rng(options.seed ?? 0));
  }

  /**
   * Sizes the per-batch buffers; they are reused while the batch size stays the same. Like the
   * weights, they live where the WebAssembly kernels read them without a copy (`Matrix.shared`).
   */
  private buffers(batch: number): void {
    if (this.z === undefined || this.z.rows !== batch) {
      this.z = Matrix.shared(batch, this.numOutputs);
      this.a = Matrix.shared(batch, this.numOutputs);
      this.delta = Matrix.shared(batch, this.numOutputs);
      this.dInput = Matrix.shared(batch, this.numInputs);
    }
  }

  /**
   * a = f(X·W + b) for a batch X [batch × n_in]. Returns the layer's own activation buffer, which the
   * next forward pass overwrites (clone it to keep it).
   */
  forward(X: Matrix): Matrix {
    if (!(X instanceof Matrix)) {
      throw new Error(
        `${this.name}: forward expects a Matrix with one example per row, got ${typeof X}. Build one with Matrix.from([[...], ...]).`,
      );
    }
    if (X.cols !== this.numInputs) {
      throw new Error(
        `${this.name}: the input is ${X.shape} but this layer takes ${this.numInputs} inputs per example. ` +
          `Pass a matrix with ${this.numInputs} columns (one example per row), or build the layer with numInputs = ${X.cols}.`,
      );
    }
    this.buffers(X.rows);
    const z = this.z!,
      a = this.a!;
    this.input = X;
    matmul(X, this.W, z);
    addRowVector(z, this.b.data, z);
    this.activation.forward(z.data, a.data, this.numOutputs);
    return a;
  }

  /**
   * Backpropagation through the layer, given dA = ∂C/∂a [batch × n_out]:
   * δ = dA ⊙ f′(z); dW += Xᵀ·δ [in×out]; db += 1ᵀ·δ [1×out]; returns dX = δ·Wᵀ [batch×in]
   * (skipped, returning undefined, when `computeInputGrad` is false, as for the first layer).
   */
  backward(dA: Matrix, computeInputGrad?: true): Matrix;
  backward(dA: Matrix, computeInputGrad: boolean): Matrix | undefined;
  backward(dA: Matrix, computeInputGrad = true): Matrix | undefined {
    const z = this.requireForward(dA, "backward");
    this.activation.backward(z.data, this.a!.data, dA.data, this.delta!.data, this.numOutputs);
    return this.backwardFromDelta(this.delta!, computeInputGrad);
  }

  /**
   * Backpropagation from δ = ∂C/∂z directly (used when a loss gives ∂C/∂z in closed form, as
   * softmax with cross-entropy does). Accumulates dW, db; returns dX = δ·Wᵀ.
   */
  backwardFromDelta(delta: Matrix, computeInputGrad?: true): Matrix;
  backwardFromDelta(delta: Matrix, computeInputGrad: boolean): Matrix | undefined;
  backwardFromDelta(delta: Matrix, computeInputGrad = true): Matrix | undefined {
    this.requireForward(delta, "backwardFromDelta");
    if (delta !== this.delta) this.delta!.data.set(delta.data);
    matmulTN(this.input!, this.delta!, this.dW, true);
    sumRows(this.delta!, this.db.data, true);
    if (!computeInputGrad) return undefined;
    return matmulNT(this.delta!, this.W, this.dInput);
  }

  private requireForward(grad: Matrix, method: string): Matrix {
    if (this.z === undefined || this.input === undefined) {
      throw new Error(
        `${this.name}: ${method} was called before forward. Run forward(X) on the batch first.`,
      );
    }
    if (!(grad instanceof Matrix) || grad.rows !== this.z.rows || grad.cols !== this.z.cols) {
      const got = grad instanceof Matrix ? grad.shape : typeof grad;
      throw new Error(
        `${this.name}: ${method} expects a gradient of shape ${this.z.shape} (the shape of this layer's output for the last batch), got ${got}.`,
      );
    }
    return this.z;
  }

  /** Sets dW and db to zero (gradients accumulate across backward calls until then). */
  zeroGrad(): void {
    this.dW.data.fill(0);
    this.db.data.fill(0);
  }

  /** The number of trainable numbers: n_in·n_out + n_out. */
  get parameterCount(): number {
    return this.W.data.length + this.b.data.length;
  }
}

/** The element-wise activation of a layer, or undefined for softmax (row-wise). */
export function elementwiseActivation(layer: Dense): Activation | undefined {
  return "f" in layer.activation ? (layer.activation as Activation) : undefined;
}
