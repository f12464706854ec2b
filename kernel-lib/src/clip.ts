/**
 * Gradient clipping (Pascanu, Mikolov and Bengio, 2013): bounding a step's gradient before the
 * update, so one exploding gradient cannot throw the weights far away. By global norm, every
 * gradient is scaled by the same factor, which keeps the direction of the step and shortens it; by
 * value, each entry is cut to [−limit, limit], which can change the direction.
 */

import { Parameter, Sequential } from "./network";

/** The parameters of a network, or a list of parameters (e.g. an optimizer's `params`). */
export type ClipTarget = Sequential | readonly Parameter[];

function paramsOf(where: string, target: ClipTarget): readonly Parameter[] {
  if (target instanceof Sequential) return target.parameters();
  if (!Array.isArray(target))
    throw new Error(
      `${where}: expects a network or its parameters(), got ${target === null ? "null" : typeof target}.`,
    );
  return target;
}

function requireLimit(where: string, name: string, x: number): void {
  if (typeof x !== "number" || !(x > 0) || !Number.isFinite(x)) {
    throw new Error(
      `${where}: ${name} must be a positive finite number, got ${String(x)}. Use e.g. 1 (clipping only acts on gradients larger than it).`,
    );
  }
}

/**
 * The global gradient norm ‖g‖ = √(Σ over every parameter entry of g²), all parameters taken as
 * one vector. Computed as s·√(Σ (g/s)²) with s the largest |g|, so huge entries do not overflow to ∞.
 */
export function gradNorm(target: ClipTarget): number {
  const params = paramsOf("gradNorm", target);
  let s = 0;
  for (const p of params) {
    const g = p.grad.data;
    for (let i = 0; i < g.length; i++) {
      const a = Math.abs(g[i]);
      if (!(a <= s)) s = a; // also catches NaN
    }
  }
  if (s === 0 || !Number.isFinite(s)) return s;
  let sum = 0;
  for (const p of params) {
    const g = p.grad.data;
    for (let i = 0; i < g.length; i++) sum += (g[i] / s) * (g[i] / s);
  }
  return s * Math.sqrt(sum);
}

/**
 * Clips by global norm: when ‖g‖ > maxNorm, scales every gradient by maxNorm/‖g‖, so the norm
 * becomes maxNorm and the direction is kept; otherwise leaves the gradients alone. Returns ‖g‖
 * before clipping (compare it with maxNorm to know whether it clipped).
 *
 * @example
 * net.zeroGrad(); net.backprop(X, y, losses.mse);
 * const before = clipGradNorm(net, 1); // now gradNorm(net) ≤ 1
 * optimizer.step();
 */
export function clipGradNorm(target: ClipTarget, maxNorm: number): number {
  requireLimit("clipGradNorm", "maxNorm", maxNorm);
  const params = paramsOf("clipGradNorm", target);
  const total = gradNorm(params);
  if (!Number.isFinite(total)) {
    throw new Error(
      `clipGradNorm: the gradient norm is ${total}, so there is no direction to keep. A NaN or ∞ gradient comes from an earlier overflow; lower the learning rate or the initial weights (fit names the step and layer where it appears).`,
    );
  }
  if (total > maxNorm) {
    const k = maxNorm / total;
    for (const p of params) {
      const g = p.grad.data;
      for (let i = 0; i < g.length; i++) g[i] *= k;
    }
  }
  return total;
}

/**
 * Clips by value: sets every gradient entry above `limit` to `limit` and below −limit to −limit.
 * Returns how many entries it changed (0: nothing was clipped).
 */
export function clipGradValue(target: ClipTarget, limit: number): number {
  requireLimit("clipGradValue", "limit", limit);
  let changed = 0;
  for (const p of paramsOf("clipGradValue", target)) {
    const g = p.grad.data;
    for (let i = 0; i < g.length; i++) {
      if (g[i] > limit) {
        g[i] = limit;
        changed++;
      } else if (g[i] < -limit) {
        g[i] = -limit;
        changed++;
      }
    }
  }
  return changed;
}
