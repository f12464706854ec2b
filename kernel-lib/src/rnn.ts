/**
 * `RNN`: the plain (Elman) recurrent layer with tanh, h_t = tanh(x_t·Wx + h_{t−1}·Wh + b), h_0 = 0.
 * Backpropagation through time multiplies ∂C/∂h_t by one factor diag(1 − h_t²)·Whᵀ per step back,
 * so, as through the layers of a deep sigmoid network, the gradient reaching early steps shrinks
 * (or grows) geometrically with the distance (Hochreiter 1991; Bengio, Simard and Frasconi 1994).
 */

import { matmul } from "./matrix";
import { Recurrent, RecurrentOptions } from "./recurrent";

/**
 * A tanh recurrent layer reading sequences of `steps` inputs of `inputSize` numbers into
 * `hiddenSize` hidden units. Input: [batch × steps·inputSize], one sequence per row; output: the
 * last hidden state h_T [batch × hiddenSize] (every state with `returnSequences`). After
 * `backward`, `hiddenGradNorms[t − 1]` holds ‖∂C/∂h_t‖.
 *
 * @example
 * const task = data.firstSymbol({ count: 500, steps: 10, symbols: 4, seed: 1 });
 * const rnn = new RNN(4, 16, { steps: 10, seed: 1 });
 * const net = new Sequential([rnn, new Dense(16, 4, { activation: "softmax" })]);
 * fit(net, task, { lr: 0.1, epochs: 20 });
 * rnn.hiddenGradNorms; // ‖∂C/∂h_t‖ for t = 1 … 10 from the last minibatch
 */
export class RNN extends Recurrent {
  /** A layer of `hiddenSize` tanh units over sequences of `options.steps` inputs of `inputSize` numbers. */
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions) {
    super("RNN", inputSize, hiddenSize, options, 1);
  }

  /** "tanh RNN, T steps", for `summary`. */
  get kind(): string {
    return `tanh RNN, ${this.steps} steps`;
  }

  protected sizeState(): void {}

  protected startBackward(): void {}

  /** h_t = tanh(x_t·Wx + h_{t−1}·Wh + b). */
  protected stepForward(t: number): void {
    const h = this.hs[t],
      H = this.hiddenSize,
      b = this.b.data;
    matmul(this.xs[t - 1], this.Wx, h);
    matmul(this.hs[t - 1], this.Wh, h, true);
    const v = h.data;
    for (let i = 0; i < v.length; i++) v[i] = Math.tanh(v[i] + b[i % H]);
  }

  /** dz_t = ∂C/∂h_t ⊙ (1 − h_t²), since tanh′ = 1 − tanh². */
  protected stepBackward(t: number): void {
    const h = this.hs[t].data,
      dh = this.dh!.data,
      dz = this.dz!.data;
    for (let i = 0; i < h.length; i++) dz[i] = dh[i] * (1 - h[i] * h[i]);
  }
}
