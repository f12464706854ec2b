/**
 * Adam (Kingma and Ba, 2015): gradient descent with a per-parameter step size. It keeps running
 * averages of each gradient entry (m, the first moment) and of its square (v, the second moment),
 * and steps by m/√v, so every parameter moves about η per step whatever the scale of its gradient.
 */

import type { Parameter } from "./network";
import { requireHyper } from "./optim";

/** Options of {@link Adam}. */
export interface AdamOptions {
  /** The step size η > 0 (default 0.001). */
  lr?: number;
  /** Decay β₁ in [0, 1) of the first-moment average (default 0.9). */
  beta1?: number;
  /** Decay β₂ in [0, 1) of the second-moment average (default 0.999). */
  beta2?: number;
  /** ε > 0 added to √v̂ so a zero gradient does not divide by zero (default 1e-8). */
  eps?: number;
}

/**
 * Adam. For each parameter entry w with gradient g, at step t = 1, 2, …:
 * m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  m̂ = m/(1 − β₁ᵗ);  v̂ = v/(1 − β₂ᵗ);  w ← w − η·m̂/(√v̂ + ε).
 * The corrections 1/(1 − βᵗ) undo the pull of m and v towards their starting value 0 in the first
 * steps; at t = 1, m̂ = g and v̂ = g², so the first step is η·g/(|g| + ε) ≈ η·sign(g).
 *
 * @example
 * const net = mlp([2, 16, 2], { activation: "relu", init: "he", seed: 1 });
 * fit(net, data.moons({ seed: 1 }), { optimizer: new Adam(net.parameters(), { lr: 0.01 }), epochs: 20 });
 */
export class Adam {
  /** The parameters it updates (arrays shared with the layers). */
  readonly params: readonly Parameter[];
  /** The number of steps taken (t). */
  t = 0;
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private _lr = 0.001;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;

  /** An optimizer over `params` (e.g. `net.parameters()`). */
  constructor(params: readonly Parameter[], options: AdamOptions = {}) {
    if (!Array.isArray(params) || params.length === 0) {
      throw new Error(
        "Adam: needs the parameters to update, e.g. new Adam(net.parameters(), { lr: 0.001 }).",
      );
    }
    if (options === null || typeof options !== "object")
      throw new Error("Adam: options must be an object such as { lr: 0.001 }.");
    this.lr = options.lr ?? 0.001;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    requireHyper("Adam", "beta1", this.beta1, 0, 1, "Use about 0.9.");
    requireHyper("Adam", "beta2", this.beta2, 0, 1, "Use about 0.999.");
    requireHyper("Adam", "eps", this.eps, 0, Infinity, "Use e.g. 1e-8.", true);
    this.params = params;
    this.m = params.map((p) => new Float64Array(p.value.data.length));
    this.v = params.map((p) => new Float64Array(p.value.data.length));
  }

  /** The step size η. */
  get lr(): number {
    return this._lr;
  }
  set lr(lr: number) {
    requireHyper(
      "Adam",
      "lr (the step size)",
      lr,
      0,
      Infinity,
      "Typical values are 1e-4 to 1e-2, e.g. { lr: 0.001 }.",
      true,
    );
    this._lr = lr;
  }

  /** Applies one update to every parameter from its current gradient. */
  step(): void {
    this.t++;
    const b1 = this.beta1,
      b2 = this.beta2,
      eps = this.eps;
    const c1 = 1 - Math.pow(b1, this.t),
      c2 = 1 - Math.pow(b2, this.t);
    const lr = this._lr;
    for (let p = 0; p < this.params.length; p++) {
      const w = this.params[p].value.data,
        g = this.params[p].grad.data,
        m = this.m[p],
        v = this.v[p];
      for (let i = 0; i < w.length; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        w[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
      }
    }
  }

  /** Sets every parameter's gradient to zero. */
  zeroGrad(): void {
    for (const p of this.params) p.grad.data.fill(0);
  }
}
