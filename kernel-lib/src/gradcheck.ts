/**
 * Gradient checking: compares analytic derivatives with central finite differences
 * (f(x + h) − f(x − h)) / 2h, whose error is O(h²). If backprop is right, the two agree to many
 * digits in Float64.
 */

import { Dense } from "./layers";
import { AnyLayer, isLayer, parametersOf } from "./layer";
import { Loss, getLoss } from "./losses";
import { Matrix } from "./matrix";
import { Sequential } from "./network";
import { Seed, rng } from "./random";

/** Options for gradient checks. */
export interface GradCheckOptions {
  /** The finite-difference step h (default 1e-5). */
  h?: number;
  /**
   * Below this magnitude, errors are measured absolutely rather than relatively (default 1e-3):
   * the difference quotient's rounding noise, about ε·|C|/h ≈ 1e-11, swamps a relative 1e-6 for
   * derivatives much smaller than 1e-5, so a smaller floor fails correct gradients.
   */
  floor?: number;
  /** A check passes when the worst relative error is below this (default 1e-6). */
  tolerance?: number;
  /** Seed for the random projection used to check a single layer (default 0). */
  seed?: Seed;
}

/** The outcome of a gradient check. */
export interface GradCheckResult {
  /** True when `maxRelativeError` is below the tolerance. */
  ok: boolean;
  /** The worst |analytic − numeric| / max(|analytic|, |numeric|, floor) over all checked entries. */
  maxRelativeError: number;
  /** Where the worst error occurred, e.g. "dense 2 (relu).W[3]" or "x = 0.5". */
  where: string;
  /** The analytic derivative there. */
  analytic: number;
  /** The finite-difference estimate there. */
  numeric: number;
  /** How many derivatives were compared. */
  checked: number;
}

/** Accumulates comparisons and remembers the worst one. */
class Worst {
  result: GradCheckResult;
  constructor(
    private readonly floor: number,
    private readonly tolerance: number,
  ) {
    this.result = {
      ok: true,
      maxRelativeError: 0,
      where: "(nothing checked)",
      analytic: NaN,
      numeric: NaN,
      checked: 0,
    };
  }
  compare(where: string, analytic: number, numeric: number): void {
    const r = this.result;
    const err = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), this.floor);
    r.checked++;
    // NaN counts as the worst possible error.
    if (!(err <= r.maxRelativeError))
      Object.assign(r, { maxRelativeError: Number.isNaN(err) ? Infinity : err, where, analytic, numeric });
    r.ok = r.maxRelativeError < this.tolerance;
  }
}

function settings(options: GradCheckOptions) {
  const h = options.h ?? 1e-5;
  if (!(h > 0) || !Number.isFinite(h))
    throw new Error(`gradCheck: h must be a small positive number such as 1e-5, got ${h}.`);
  return { h, worst: new Worst(options.floor ?? 1e-3, options.tolerance ?? 1e-6) };
}

/** The central difference of `f` with respect to `data[i]`, restoring `data[i]` afterwards. */
function centralDifference(data: Float64Array, i: number, h: number, f: () => number): number {
  const saved = data[i];
  data[i] = saved + h;
  const plus = f();
  data[i] = saved - h;
  const minus = f();
  data[i] = saved;
  return (plus - minus) / (2 * h);
}

/** Checks a scalar function's derivative `df` against finite differences at the given points. */
export function gradCheckScalar(
  fn: { f(x: number): number; df(x: number): number },
  points: number[],
  options: GradCheckOptions = {},
): GradCheckResult {
  const { h, worst } = settings(options);
  for (const x of points) worst.compare(`x = ${x}`, fn.df(x), (fn.f(x + h) - fn.f(x - h)) / (2 * h));
  return worst.result;
}

/**
 * Checks a loss's gradient ∂C/∂ŷ at (ŷ, y) (not its fused ∂C/∂z: `gradCheckNetwork` covers that through the
 * output layer).
 */
export function gradCheckLoss(
  loss: Loss | string,
  yHat: Matrix,
  y: Matrix,
  options: GradCheckOptions = {},
): GradCheckResult {
  const lossFn = getLoss(loss, "gradCheck");
  const { h, worst } = settings(options);
  const x = yHat.clone();
  const analytic = lossFn.grad(x, y);
  for (let i = 0; i < x.data.length; i++)
    worst.compare(
      `${lossFn.name}: ∂C/∂ŷ[${i}]`,
      analytic.data[i],
      centralDifference(x.data, i, h, () => lossFn.value(x, y)),
    );
  return worst.result;
}

/**
 * Checks one layer's backward pass: with C = Σ R ⊙ a for a fixed random R (so ∂C/∂a = R), compares
 * the parameter gradients (dW and db; γ and β; …) and dX from `backward` with finite differences of C.
 * The layer is checked in its current mode (a BatchNorm in training mode through its batch statistics).
 */
export function gradCheckLayer(layer: AnyLayer, X: Matrix, options: GradCheckOptions = {}): GradCheckResult {
  const { h, worst } = settings(options);
  const random = rng(options.seed ?? 0);
  const input = X.clone();
  const a0 = layer.forward(input);
  const R = new Matrix(a0.rows, a0.cols);
  for (let i = 0; i < R.data.length; i++) R.data[i] = random.normal();
  const cost = (): number => {
    const a = layer.forward(input);
    let c = 0;
    for (let i = 0; i < a.data.length; i++) c += R.data[i] * a.data[i];
    return c;
  };
  layer.zeroGrad();
  layer.forward(input);
  const dX = layer.backward(R, true)!.clone();
  for (const p of parametersOf(layer)) {
    const analytic = p.grad.data.slice();
    for (let i = 0; i < analytic.length; i++)
      worst.compare(`${p.name}[${i}]`, analytic[i], centralDifference(p.value.data, i, h, cost));
  }
  for (let i = 0; i < dX.data.length; i++)
    worst.compare(`${layer.name} input[${i}]`, dX.data[i], centralDifference(input.data, i, h, cost));
  return worst.result;
}

/**
 * Checks a whole network: ∂C/∂(every W and b) from `backprop` against finite differences of the
 * loss C(net(X), y). Leaves the network's gradients holding this batch's values.
 */
export function gradCheckNetwork(
  net: Sequential,
  X: Matrix,
  y: Matrix,
  loss: Loss | string,
  options: GradCheckOptions = {},
): GradCheckResult {
  const { h, worst } = settings(options);
  const lossFn = getLoss(loss, "gradCheck");
  net.zeroGrad();
  net.backprop(X, y, lossFn);
  const cost = (): number => lossFn.value(net.forward(X), y);
  for (const p of net.parameters()) {
    const analytic = p.grad.data.slice();
    for (let i = 0; i < analytic.length; i++)
      worst.compare(`${p.name}[${i}]`, analytic[i], centralDifference(p.value.data, i, h, cost));
  }
  return worst.result;
}

/**
 * Finite-difference gradient check of a scalar function (`{ f, df }`, e.g. an activation, at
 * `points`), a layer (`Dense`, `BatchNorm`, `Residual`, `RNN`, `LSTM`, on a batch X), or a `Sequential`
 * network (on X, y and a loss). Returns the worst relative error and where it occurred.
 *
 * @example
 * gradCheck(sigmoid, [-3, 0, 2]).ok;                                     // σ′ matches the finite differences
 * gradCheck(new Dense(3, 2, { activation: "tanh" }), Matrix.from([[1, 2, 3]])).ok;
 * const net = mlp([2, 4, 2], { seed: 1 });
 * const result = gradCheck(net, Matrix.from([[0.5, -1]]), Matrix.from([[1, 0]]), losses.crossEntropy);
 * console.log(result.maxRelativeError, result.where);                    // the worst entry and where it is
 */
export function gradCheck(
  fn: { f(x: number): number; df(x: number): number },
  points: number[],
  options?: GradCheckOptions,
): GradCheckResult;
export function gradCheck(layer: AnyLayer, X: Matrix, options?: GradCheckOptions): GradCheckResult;
export function gradCheck(
  net: Sequential,
  X: Matrix,
  y: Matrix,
  loss: Loss | string,
  options?: GradCheckOptions,
): GradCheckResult;
export function gradCheck(target: unknown, a: any, b?: any, c?: any, d?: any): GradCheckResult {
  if (target instanceof Sequential) return gradCheckNetwork(target, a, b, c, d);
  if (target instanceof Dense || isLayer(target)) return gradCheckLayer(target, a, b);
  if (
    target !== null &&
    typeof target === "object" &&
    typeof (target as any).f === "function" &&
    typeof (target as any).df === "function"
  ) {
    return gradCheckScalar(target as { f(x: number): number; df(x: number): number }, a, b);
  }
  throw new Error(
    "gradCheck: expects an activation-like { f, df } with points, a layer (Dense, BatchNorm, …) with a batch X, or a network with X, y and a loss.",
  );
}
