/**
 * `LSTM`: long short-term memory (Hochreiter and Schmidhuber, 1997; the forget gate: Gers,
 * Schmidhuber and Cummins, 2000). Besides h_t it carries a cell state c_t that changes by
 * addition, c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t, so the gradient going back along c is multiplied per
 * step only by the forget gate f_t, not by a weight matrix and a squashing slope: when f stays
 * near 1, ∂C/∂c survives many steps.
 */

import { stableSigmoid } from "./activations";
import { Matrix, matmul } from "./matrix";
import { Recurrent, RecurrentOptions } from "./recurrent";

/** Options of an {@link LSTM} layer. */
export interface LSTMOptions extends RecurrentOptions {
  /**
   * The forget gate's starting bias (default 1, so f ≈ σ(1) ≈ 0.73 and memory is kept from the start;
   * Jozefowicz et al. 2015).
   */
  forgetBias?: number;
}

/**
 * An LSTM layer over sequences of `steps` inputs of `inputSize` numbers, with `hiddenSize` units.
 * Per step, with z = x_t·Wx + h_{t−1}·Wh + b split into four blocks of H columns [i | f | g | o]:
 * i = σ(z_i) (input gate), f = σ(z_f) (forget gate), g = tanh(z_g) (candidate), o = σ(z_o) (output gate);
 * c_t = f ⊙ c_{t−1} + i ⊙ g;  h_t = o ⊙ tanh(c_t);  h_0 = c_0 = 0.
 * Input and output are laid out as for {@link RNN}; after `backward`, `hiddenGradNorms[t − 1]` holds
 * ‖∂C/∂h_t‖ and `cellGradNorms[t − 1]` ‖∂C/∂c_t‖.
 *
 * @example
 * const lstm = new LSTM(4, 16, { steps: 30, seed: 1 });
 * const net = new Sequential([lstm, new Dense(16, 4, { activation: "softmax" })]);
 * fit(net, data.firstSymbol({ count: 500, steps: 30, symbols: 4, seed: 1 }), {
 *   optimizer: new Adam(net.parameters(), { lr: 0.01 }),
 *   epochs: 20,
 * });
 */
export class LSTM extends Recurrent {
  /** The forget gate's starting bias. */
  readonly forgetBias: number;
  /** ‖∂C/∂c_t‖ for t = 1 … T (index t − 1) from the last backward pass. */
  readonly cellGradNorms: Float64Array;
  /**
   * The gate values [i | f | g | o] of each step of the last forward pass, [batch × 4H] each (index t − 1).
   */
  gates: Matrix[] = [];
  /** The cell states c_0 = 0, c_1, …, c_T of the last forward pass, [batch × H] each. */
  cs: Matrix[] = [];
  /** tanh(c_t) for t = 1 … T (index t − 1). */
  private tanhCs: Matrix[] = [];
  /** ∂C/∂c_t during backward (through the cell path from later steps, then the step's own). */
  private dc: Matrix | undefined;

  /** An LSTM of `hiddenSize` units over sequences of `options.steps` inputs of `inputSize` numbers. */
  constructor(inputSize: number, hiddenSize: number, options: LSTMOptions) {
    super("LSTM", inputSize, hiddenSize, options, 4);
    const forgetBias = options.forgetBias ?? 1;
    if (typeof forgetBias !== "number" || !Number.isFinite(forgetBias)) {
      throw new Error(
        `LSTM "${this.name}": forgetBias must be a finite number, got ${String(forgetBias)}. Use 1 (the default) or 0.`,
      );
    }
    this.forgetBias = forgetBias;
    this.b.data.fill(forgetBias, hiddenSize, 2 * hiddenSize);
    this.cellGradNorms = new Float64Array(this.steps);
  }

  /** "LSTM, T steps", for `summary`. */
  get kind(): string {
    return `LSTM, ${this.steps} steps`;
  }

  protected sizeState(batch: number): void {
    const T = this.steps,
      H = this.hiddenSize;
    this.gates = Array.from({ length: T }, () => Matrix.shared(batch, 4 * H));
    this.cs = Array.from({ length: T + 1 }, () => Matrix.shared(batch, H));
    this.tanhCs = Array.from({ length: T }, () => Matrix.shared(batch, H));
    this.dc = Matrix.shared(batch, H);
  }

  protected startBackward(): void {
    this.dc!.data.fill(0);
  }

  /** The gates from z = x_t·Wx + h_{t−1}·Wh + b, then c_t = f ⊙ c_{t−1} + i ⊙ g and h_t = o ⊙ tanh(c_t). */
  protected stepForward(t: number): void {
    const G = this.gates[t - 1],
      H = this.hiddenSize,
      W = 4 * H,
      b = this.b.data;
    matmul(this.xs[t - 1], this.Wx, G);
    matmul(this.hs[t - 1], this.Wh, G, true);
    const z = G.data,
      cPrev = this.cs[t - 1].data,
      c = this.cs[t].data,
      tc = this.tanhCs[t - 1].data,
      h = this.hs[t].data;
    for (let r = 0; r < G.rows; r++) {
      const row = r * W;
      for (let j = 0; j < H; j++) {
        const i = stableSigmoid(z[row + j] + b[j]);
        const f = stableSigmoid(z[row + H + j] + b[H + j]);
        const g = Math.tanh(z[row + 2 * H + j] + b[2 * H + j]);
        const o = stableSigmoid(z[row + 3 * H + j] + b[3 * H + j]);
        z[row + j] = i;
        z[row + H + j] = f;
        z[row + 2 * H + j] = g;
        z[row + 3 * H + j] = o;
        const k = r * H + j;
        c[k] = f * cPrev[k] + i * g;
        tc[k] = Math.tanh(c[k]);
        h[k] = o * tc[k];
      }
    }
  }

  /**
   * From dh = ∂C/∂h_t and the carried dc (∂C/∂c_t through c_{t+1}):
   * dc += dh ⊙ o ⊙ (1 − tanh²c_t);  dz_o = dh ⊙ tanh c_t ⊙ o(1 − o);  dz_i = dc ⊙ g ⊙ i(1 − i);
   * dz_f = dc ⊙ c_{t−1} ⊙ f(1 − f);  dz_g = dc ⊙ i ⊙ (1 − g²);  then dc ← dc ⊙ f for step t − 1.
   */
  protected stepBackward(t: number): void {
    const H = this.hiddenSize,
      W = 4 * H;
    const G = this.gates[t - 1].data,
      cPrev = this.cs[t - 1].data,
      tc = this.tanhCs[t - 1].data;
    const dh = this.dh!.data,
      dc = this.dc!.data,
      dz = this.dz!.data;
    let s = 0;
    for (let r = 0; r < this.dz!.rows; r++) {
      const row = r * W;
      for (let j = 0; j < H; j++) {
        const k = r * H + j;
        const i = G[row + j],
          f = G[row + H + j],
          g = G[row + 2 * H + j],
          o = G[row + 3 * H + j];
        const dct = dc[k] + dh[k] * o * (1 - tc[k] * tc[k]);
        s += dct * dct;
        dz[row + j] = dct * g * i * (1 - i);
        dz[row + H + j] = dct * cPrev[k] * f * (1 - f);
        dz[row + 2 * H + j] = dct * i * (1 - g * g);
        dz[row + 3 * H + j] = dh[k] * tc[k] * o * (1 - o);
        dc[k] = dct * f;
      }
    }
    this.cellGradNorms[t - 1] = Math.sqrt(s);
  }
}
