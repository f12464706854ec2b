/**
 * What the recurrent layers `RNN` and `LSTM` share: how a sequence sits in a batch matrix, the
 * options, and the record of ‖∂C/∂hₜ‖ that backpropagation through time leaves behind.
 *
 * A batch of sequences is one Matrix [batch × T·d]: row r holds example r's inputs x₁, …, x_T one
 * after another, x_t in the columns (t − 1)·d … t·d − 1. The layer's output is the last hidden
 * state h_T [batch × H], or with `returnSequences` every state h₁ … h_T laid out the same way
 * [batch × T·H].
 */

import { Dense } from "./layers";
import { Layer, requireGradShape, requireInput } from "./layer";
import { getInitializer, Initializer, InitializerName } from "./init";
import { Matrix, matmulNT, matmulTN, sumRows } from "./matrix";
import type { Parameter } from "./network";
import { Random, rng, Seed } from "./random";

/** Options of the recurrent layers {@link RNN} and {@link LSTM}. */
export interface RecurrentOptions {
  /** The sequence length T: each example is T inputs of `inputSize` numbers (required). */
  steps: number;
  /** Output every hidden state h₁ … h_T [batch × T·H] instead of only h_T [batch × H] (default false). */
  returnSequences?: boolean;
  /** How to draw the input weights W_x and recurrent weights W_h (default "xavier"). */
  init?: InitializerName | Initializer | string;
  /** Seed or random source for the weights (default 0). */
  seed?: Seed;
  /** A display name (default "rnn" or "lstm"). */
  name?: string;
}

/**
 * The shared machinery of a recurrent layer with input weights Wx [d × G·H], recurrent weights
 * Wh [H × G·H] and bias b [1 × G·H], where G is the number of gates (1 for a plain RNN, 4 for an
 * LSTM). Subclasses supply one time step forward and backward.
 */
export abstract class Recurrent implements Layer {
  /** d, the numbers per time step. */
  readonly inputSize: number;
  /** H, the number of hidden units. */
  readonly hiddenSize: number;
  /** T, the sequence length. */
  readonly steps: number;
  /** Whether the output is every hidden state or only the last. */
  readonly returnSequences: boolean;
  /** T·d, the columns of an input batch. */
  readonly numInputs: number;
  /** H, or T·H with `returnSequences`. */
  readonly numOutputs: number;
  /** A display name used in messages. */
  name: string;
  /** Input weights Wx [d × G·H]. */
  readonly Wx: Matrix;
  /** Recurrent weights Wh [H × G·H]: how h_{t−1} enters step t. */
  readonly Wh: Matrix;
  /** Biases b [1 × G·H]. */
  readonly b: Matrix;
  /** ∂C/∂Wx, accumulated by `backward`. */
  readonly dWx: Matrix;
  /** ∂C/∂Wh, accumulated by `backward`. */
  readonly dWh: Matrix;
  /** ∂C/∂b, accumulated by `backward`. */
  readonly db: Matrix;
  /**
   * ‖∂C/∂hₜ‖ for t = 1 … T (index t − 1) from the last backward pass: the norm over the batch of
   * the total gradient reaching hidden state t, through every later step. Its decay as t goes
   * back from T is the vanishing gradient through time.
   */
  readonly hiddenGradNorms: Float64Array;
  /** The inputs x_t of the last forward pass, one [batch × d] matrix per step (index t − 1). */
  xs: Matrix[] = [];
  /** The hidden states h_0 = 0, h_1, …, h_T of the last forward pass, each [batch × H]. */
  hs: Matrix[] = [];
  /** ∂C/∂h_t during backward, and ∂C/∂h_{t−1} as it is formed. */
  protected dh: Matrix | undefined;
  protected dhPrev: Matrix | undefined;
  /** ∂C/∂z of one step [batch × G·H]. */
  protected dz: Matrix | undefined;
  private dxStep: Matrix | undefined;
  private out: Matrix | undefined;
  private dInput: Matrix | undefined;

  /** Checks the sizes and options and draws the weights of a layer with `gates` gates. */
  protected constructor(
    kind: string,
    inputSize: number,
    hiddenSize: number,
    options: RecurrentOptions,
    gates: number,
  ) {
    const name = options?.name ?? kind.toLowerCase();
    const where = `${kind} "${name}"`;
    if (options === null || typeof options !== "object") {
      throw new Error(
        `${where}: options with the sequence length are required, e.g. new ${kind}(${inputSize}, ${hiddenSize}, { steps: 20 }).`,
      );
    }
    for (const [what, n] of [
      ["inputSize", inputSize],
      ["hiddenSize", hiddenSize],
      ["steps", options.steps],
    ] as const) {
      if (!Number.isInteger(n) || (n as number) <= 0) {
        throw new Error(
          `${where}: ${what} must be a positive whole number, got ${String(n)}. E.g. new ${kind}(1, 16, { steps: 20 }) reads 20 steps of 1 number each into 16 hidden units.`,
        );
      }
    }
    this.name = name;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.steps = options.steps;
    this.returnSequences = options.returnSequences ?? false;
    this.numInputs = this.steps * inputSize;
    this.numOutputs = this.returnSequences ? this.steps * hiddenSize : hiddenSize;
    const width = gates * hiddenSize;
    this.Wx = Matrix.shared(inputSize, width);
    this.Wh = Matrix.shared(hiddenSize, width);
    this.b = Matrix.shared(1, width);
    this.dWx = Matrix.shared(inputSize, width);
    this.dWh = Matrix.shared(hiddenSize, width);
    this.db = Matrix.shared(1, width);
    this.hiddenGradNorms = new Float64Array(this.steps);
    const initializer = getInitializer(options.init ?? "xavier", where);
    const random: Random = rng(options.seed ?? 0);
    // The initializer fills a bias too; the recurrent layers start from b = 0 (an LSTM then sets its forget
    // bias).
    initializer.init(this.Wx, new Matrix(1, width), random);
    initializer.init(this.Wh, new Matrix(1, width), random);
  }

  /** What the layer is, for `summary`. */
  abstract get kind(): string;

  /** Runs step t (from 1): reads xs[t − 1] and hs[t − 1], writes hs[t] (and any state of its own). */
  protected abstract stepForward(t: number): void;

  /**
   * Backpropagates step t (from 1): from `dh` = ∂C/∂h_t fills `dz` = ∂C/∂(the step's pre-activations)
   * and updates any state gradient of its own (the LSTM's ∂C/∂c).
   */
  protected abstract stepBackward(t: number): void;

  /** Called once a batch size is known: sizes the subclass's per-step caches. */
  protected abstract sizeState(batch: number): void;

  /** Called at the start of backward, to reset any state gradient of the subclass. */
  protected abstract startBackward(): void;

  private buffers(batch: number): void {
    if (this.hs.length > 0 && this.hs[0].rows === batch) return;
    const T = this.steps,
      H = this.hiddenSize,
      width = this.b.cols;
    this.xs = Array.from({ length: T }, () => Matrix.shared(batch, this.inputSize));
    this.hs = Array.from({ length: T + 1 }, () => Matrix.shared(batch, H));
    this.dh = Matrix.shared(batch, H);
    this.dhPrev = Matrix.shared(batch, H);
    this.dz = Matrix.shared(batch, width);
    this.dxStep = Matrix.shared(batch, this.inputSize);
    this.out = this.returnSequences ? Matrix.shared(batch, T * H) : undefined;
    this.dInput = Matrix.shared(batch, this.numInputs);
    this.sizeState(batch);
  }

  /**
   * The hidden state(s) for a batch of sequences X [batch × T·d]: h_T, or h₁ … h_T with `returnSequences`.
   */
  forward(X: Matrix): Matrix {
    requireInput(
      this.name,
      X,
      this.numInputs,
      `Each example must be ${this.steps} steps of ${this.inputSize} numbers laid out one step after another (${this.steps}·${this.inputSize} columns); build the layer with the steps and inputSize of your data.`,
    );
    const batch = X.rows,
      T = this.steps,
      d = this.inputSize,
      H = this.hiddenSize;
    this.buffers(batch);
    for (let t = 0; t < T; t++) {
      const xt = this.xs[t].data;
      for (let r = 0; r < batch; r++)
        xt.set(X.data.subarray(r * T * d + t * d, r * T * d + t * d + d), r * d);
    }
    for (let t = 1; t <= T; t++) this.stepForward(t);
    if (!this.returnSequences) return this.hs[T];
    const out = this.out!.data;
    for (let t = 1; t <= T; t++) {
      const h = this.hs[t].data;
      for (let r = 0; r < batch; r++) out.set(h.subarray(r * H, r * H + H), r * T * H + (t - 1) * H);
    }
    return this.out!;
  }

  /** Adds the slice of dOut [batch × T·H] for step t (from 1) into `into` [batch × H]. */
  private addStepGrad(dOut: Matrix, t: number, into: Matrix): void {
    const T = this.steps,
      H = this.hiddenSize,
      g = into.data;
    for (let r = 0; r < into.rows; r++) {
      const base = r * T * H + (t - 1) * H;
      for (let j = 0; j < H; j++) g[r * H + j] += dOut.data[base + j];
    }
  }

  /**
   * Backpropagation through time from dOut = ∂C/∂(output): for t = T … 1, the step's backward
   * gives ∂C/∂z_t; then dWx += x_tᵀ·dz_t, dWh += h_{t−1}ᵀ·dz_t, db += 1ᵀ·dz_t, dx_t = dz_t·Wxᵀ and
   * ∂C/∂h_{t−1} = dz_t·Whᵀ (+ the output's own gradient at t − 1 with `returnSequences`).
   * Records ‖∂C/∂h_t‖ in `hiddenGradNorms`.
   */
  backward(dOut: Matrix, computeInputGrad = true): Matrix | undefined {
    if (this.hs.length === 0)
      throw new Error(`${this.name}: backward was called before forward. Run forward(X) on the batch first.`);
    const batch = this.hs[0].rows,
      T = this.steps,
      d = this.inputSize;
    requireGradShape(this.name, "backward", dOut, batch, this.numOutputs);
    this.startBackward();
    if (this.returnSequences) {
      this.dh!.data.fill(0);
      this.addStepGrad(dOut, T, this.dh!);
    } else {
      this.dh!.data.set(dOut.data);
    }
    for (let t = T; t >= 1; t--) {
      const dh = this.dh!;
      let s = 0;
      for (let i = 0; i < dh.data.length; i++) s += dh.data[i] * dh.data[i];
      this.hiddenGradNorms[t - 1] = Math.sqrt(s);
      this.stepBackward(t);
      const dz = this.dz!;
      matmulTN(this.xs[t - 1], dz, this.dWx, true);
      matmulTN(this.hs[t - 1], dz, this.dWh, true);
      sumRows(dz, this.db.data, true);
      if (computeInputGrad) {
        matmulNT(dz, this.Wx, this.dxStep);
        const dx = this.dxStep!.data,
          dIn = this.dInput!.data;
        for (let r = 0; r < batch; r++) dIn.set(dx.subarray(r * d, r * d + d), r * T * d + (t - 1) * d);
      }
      matmulNT(dz, this.Wh, this.dhPrev);
      if (this.returnSequences && t > 1) this.addStepGrad(dOut, t - 1, this.dhPrev!);
      this.dh = this.dhPrev;
      this.dhPrev = dh;
    }
    return computeInputGrad ? this.dInput : undefined;
  }

  /** Sets every gradient to zero. */
  zeroGrad(): void {
    this.dWx.data.fill(0);
    this.dWh.data.fill(0);
    this.db.data.fill(0);
  }

  /** Wx, Wh and b with their gradients. */
  parameters(): Parameter[] {
    return [
      { name: `${this.name}.Wx`, value: this.Wx, grad: this.dWx },
      { name: `${this.name}.Wh`, value: this.Wh, grad: this.dWh },
      { name: `${this.name}.b`, value: this.b, grad: this.db },
    ];
  }

  /** d·G·H + H·G·H + G·H. */
  get parameterCount(): number {
    return this.Wx.data.length + this.Wh.data.length + this.b.data.length;
  }

  /** None: a recurrent layer holds no Dense layer. */
  denseLayers(): Dense[] {
    return [];
  }

  /** Recurrent layers behave the same in training and evaluation mode. */
  setTraining(_training: boolean): void {}
}
