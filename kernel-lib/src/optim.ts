/**
 * Optimizers: rules that turn gradients into parameter updates.
 */

import { Parameter } from "./network";

/** Options for {@link SGD}. */
export interface SGDOptions {
  /** The learning rate η > 0. */
  lr: number;
  /** Momentum μ in [0, 1) (default 0: plain gradient descent). */
  momentum?: number;
  /** L2 weight decay λ ≥ 0, added to the gradient as λ·w (default 0). */
  weightDecay?: number;
}

/**
 * Throws unless the hyperparameter `x` is a finite number in [lo, hi) (in (lo, hi) when `loOpen`),
 * with a message naming the optimizer, the hyperparameter, the value and a `hint` at a good one.
 */
export function requireHyper(
  optimizer: string,
  name: string,
  x: number,
  lo: number,
  hi: number,
  hint: string,
  loOpen = false,
): void {
  if (typeof x !== "number" || !Number.isFinite(x) || (loOpen ? x <= lo : x < lo) || x >= hi) {
    throw new Error(
      `${optimizer}: ${name} must be a finite number in ${loOpen ? "(" : "["}${lo}, ${hi === Infinity ? "∞" : hi}), got ${String(x)}. ${hint}`,
    );
  }
}

/**
 * Stochastic gradient descent with momentum and weight decay. For each parameter w with gradient g:
 * g′ = g + λw;  v ← μv − η g′;  w ← w + v.  With μ = 0 this is w ← w − η g′.
 */
export class SGD {
  /** The parameters it updates (arrays shared with the layers). */
  readonly params: readonly Parameter[];
  /** Velocities v, one per parameter. */
  private readonly velocity: Float64Array[];
  private _lr = 0;
  private _momentum = 0;
  private _weightDecay = 0;

  /** An optimizer over `params` (e.g. `net.parameters()`). */
  constructor(params: readonly Parameter[], options: SGDOptions) {
    if (!Array.isArray(params) || params.length === 0) {
      throw new Error("SGD: needs the parameters to update, e.g. new SGD(net.parameters(), { lr: 0.1 }).");
    }
    if (options === undefined || options === null)
      throw new Error("SGD: needs options with a learning rate, e.g. { lr: 0.1 }.");
    this.lr = options.lr;
    this.momentum = options.momentum ?? 0;
    this.weightDecay = options.weightDecay ?? 0;
    this.params = params;
    this.velocity = params.map((p) => new Float64Array(p.value.data.length));
  }

  /** The learning rate η. */
  get lr(): number {
    return this._lr;
  }
  set lr(lr: number) {
    requireHyper(
      "SGD",
      "lr (the learning rate)",
      lr,
      Number.MIN_VALUE,
      Infinity,
      "Typical values are 0.01 to 1, e.g. { lr: 0.1 }.",
    );
    this._lr = lr;
  }

  /** The momentum μ. */
  get momentum(): number {
    return this._momentum;
  }
  set momentum(m: number) {
    requireHyper("SGD", "momentum", m, 0, 1, "Use 0 for none or about 0.9.");
    this._momentum = m;
  }

  /** The weight decay λ. */
  get weightDecay(): number {
    return this._weightDecay;
  }
  set weightDecay(wd: number) {
    requireHyper("SGD", "weightDecay", wd, 0, Infinity, "Use 0 for none or a small value such as 1e-4.");
    this._weightDecay = wd;
  }

  /** Applies one update to every parameter from its current gradient. */
  step(): void {
    const lr = this._lr,
      mu = this._momentum,
      wd = this._weightDecay;
    for (let p = 0; p < this.params.length; p++) {
      const w = this.params[p].value.data,
        g = this.params[p].grad.data,
        v = this.velocity[p];
      if (mu === 0) {
        for (let i = 0; i < w.length; i++) w[i] -= lr * (g[i] + wd * w[i]);
      } else {
        for (let i = 0; i < w.length; i++) {
          v[i] = mu * v[i] - lr * (g[i] + wd * w[i]);
          w[i] += v[i];
        }
      }
    }
  }

  /** Sets every parameter's gradient to zero. */
  zeroGrad(): void {
    for (const p of this.params) p.grad.data.fill(0);
  }
}
