/**
 * Loss functions C(ŷ, y), averaged over the n examples of a batch, each with its gradient ∂C/∂ŷ.
 * The cross-entropies also come fused with the output activation they pair with: from the logits z,
 * the value via a stable log-sum-exp and ∂C/∂z = (ŷ − y)/n in closed form.
 */

import { Matrix } from "./matrix";

/** A loss: its value, its gradient, and optionally a fused form for one output activation. */
export interface Loss {
  /** Registry name, e.g. "crossEntropy". */
  readonly name: string;
  /** The formula in LaTeX. */
  readonly latex: string;
  /** C(ŷ, y), averaged over the rows (examples). */
  value(yHat: Matrix, y: Matrix): number;
  /** ∂C/∂ŷ [n × k]. */
  grad(yHat: Matrix, y: Matrix, out?: Matrix): Matrix;
  /** The same loss computed from the logits z of an output layer with activation `output`. */
  readonly fused?: FusedLoss;
}

/** A loss fused with the output activation it pairs with, computed from the logits z. */
export interface FusedLoss {
  /** The output activation's name, "softmax" or "sigmoid". */
  readonly output: string;
  /** C from the logits z, without forming ŷ (stable for any z). */
  value(z: Matrix, y: Matrix): number;
  /** ∂C/∂z = (ŷ − y)/n, given ŷ = output(z). */
  grad(yHat: Matrix, y: Matrix, out?: Matrix): Matrix;
}

function check(loss: string, yHat: Matrix, y: Matrix, out?: Matrix): void {
  if (!(yHat instanceof Matrix) || !(y instanceof Matrix)) {
    throw new Error(`${loss}: expects two Matrix arguments (predictions ŷ and targets y).`);
  }
  if (yHat.rows !== y.rows || yHat.cols !== y.cols) {
    throw new Error(
      `${loss}: predictions are ${yHat.shape} but targets are ${y.shape}; they must match. ` +
        `For k classes, pass one-hot targets of shape n×k (data.oneHot(labels, k)).`,
    );
  }
  if (out !== undefined && (out.rows !== y.rows || out.cols !== y.cols)) {
    throw new Error(`${loss}: the output matrix is ${out.shape} but must be ${y.shape}.`);
  }
}

/** (ŷ − y)/n into `out`: the gradient shared by the fused cross-entropies. */
function residualOverN(loss: string, yHat: Matrix, y: Matrix, out?: Matrix): Matrix {
  check(loss, yHat, y, out);
  const g = out ?? new Matrix(y.rows, y.cols);
  const n = y.rows;
  for (let i = 0; i < g.data.length; i++) g.data[i] = (yHat.data[i] - y.data[i]) / n;
  return g;
}

/** Mean squared error, C = (1/n) Σₓ ½‖ŷ − y‖² (the quadratic cost of Nielsen's book); ∂C/∂ŷ = (ŷ − y)/n. */
export const mse: Loss = {
  name: "mse",
  latex: "C = \\frac{1}{n} \\sum_x \\tfrac12 \\lVert \\hat y - y \\rVert^2",
  value(yHat, y) {
    check("mse", yHat, y);
    let s = 0;
    for (let i = 0; i < y.data.length; i++) {
      const d = yHat.data[i] - y.data[i];
      s += d * d;
    }
    return s / (2 * y.rows);
  },
  grad: (yHat, y, out) => residualOverN("mse", yHat, y, out),
};

/** ln x, clamped so a prediction of exactly 0 costs ln(1e-300) ≈ −690.8 instead of −∞. */
function safeLog(x: number): number {
  return Math.log(x > 1e-300 ? x : 1e-300);
}

/**
 * Binary cross-entropy for outputs in (0, 1): C = −(1/n) Σ [y ln ŷ + (1 − y) ln(1 − ŷ)];
 * ∂C/∂ŷ = (ŷ − y) / (n ŷ (1 − ŷ)). Fused with a sigmoid output: ∂C/∂z = (ŷ − y)/n.
 */
export const binaryCrossEntropy: Loss = {
  name: "binaryCrossEntropy",
  latex:
    "C = -\\frac{1}{n} \\sum_x \\sum_j \\left[ y_j \\ln \\hat y_j + (1 - y_j) \\ln (1 - \\hat y_j) \\right]",
  value(yHat, y) {
    check("binaryCrossEntropy", yHat, y);
    let s = 0;
    for (let i = 0; i < y.data.length; i++)
      s -= y.data[i] * safeLog(yHat.data[i]) + (1 - y.data[i]) * safeLog(1 - yHat.data[i]);
    return s / y.rows;
  },
  grad(yHat, y, out) {
    check("binaryCrossEntropy", yHat, y, out);
    const g = out ?? new Matrix(y.rows, y.cols);
    const n = y.rows;
    for (let i = 0; i < g.data.length; i++) {
      const p = yHat.data[i];
      g.data[i] = (p - y.data[i]) / (n * Math.max(p * (1 - p), 1e-300));
    }
    return g;
  },
  fused: {
    output: "sigmoid",
    value(z, y) {
      check("binaryCrossEntropy", z, y);
      // −[y ln σ(z) + (1 − y) ln(1 − σ(z))] = max(z, 0) − z·y + ln(1 + e^{−|z|}), finite for any z.
      let s = 0;
      for (let i = 0; i < y.data.length; i++) {
        const x = z.data[i];
        s += Math.max(x, 0) - x * y.data[i] + Math.log1p(Math.exp(-Math.abs(x)));
      }
      return s / y.rows;
    },
    grad: (yHat, y, out) => residualOverN("binaryCrossEntropy", yHat, y, out),
  },
};

/**
 * Categorical cross-entropy for probabilities ŷ (rows summing to 1) and one-hot y:
 * C = −(1/n) Σₓ Σⱼ yⱼ ln ŷⱼ; ∂C/∂ŷ = −y/(n ŷ). Fused with a softmax output it is computed from the
 * logits with log-sum-exp, and ∂C/∂z = (ŷ − y)/n.
 */
export const crossEntropy: Loss = {
  name: "crossEntropy",
  latex: "C = -\\frac{1}{n} \\sum_x \\sum_j y_j \\ln \\hat y_j",
  value(yHat, y) {
    check("crossEntropy", yHat, y);
    let s = 0;
    for (let i = 0; i < y.data.length; i++) if (y.data[i] !== 0) s -= y.data[i] * safeLog(yHat.data[i]);
    return s / y.rows;
  },
  grad(yHat, y, out) {
    check("crossEntropy", yHat, y, out);
    const g = out ?? new Matrix(y.rows, y.cols);
    const n = y.rows;
    for (let i = 0; i < g.data.length; i++) g.data[i] = -y.data[i] / (n * Math.max(yHat.data[i], 1e-300));
    return g;
  },
  fused: {
    output: "softmax",
    value: (z, y) => softmaxCrossEntropy(z, y),
    grad: (yHat, y, out) => residualOverN("crossEntropy", yHat, y, out),
  },
};

/**
 * Softmax cross-entropy from logits z, stable for any z: C = (1/n) Σₓ [logΣⱼe^{zⱼ} − Σⱼ yⱼ zⱼ]
 * (for rows of y summing to 1), with log Σ e^{zⱼ} = m + log Σ e^{zⱼ − m}, m = maxⱼ zⱼ.
 */
export function softmaxCrossEntropy(z: Matrix, y: Matrix): number {
  check("softmaxCrossEntropy", z, y);
  const k = z.cols;
  let s = 0;
  for (let r = 0; r < z.rows; r++) {
    const o = r * k;
    let m = -Infinity;
    for (let j = 0; j < k; j++) if (z.data[o + j] > m) m = z.data[o + j];
    let total = 0;
    for (let j = 0; j < k; j++) total += Math.exp(z.data[o + j] - m);
    const logSumExp = m + Math.log(total);
    for (let j = 0; j < k; j++) s += y.data[o + j] * (logSumExp - z.data[o + j]);
  }
  return s / z.rows;
}

/** The losses by name. */
export const byName: { readonly [name: string]: Loss } = { mse, binaryCrossEntropy, crossEntropy };

/** The loss for a name or object; an unknown name throws an error listing the known ones. */
export function getLoss(loss: string | Loss, where = "loss"): Loss {
  if (typeof loss === "object" && loss !== null) return loss;
  const found = Object.prototype.hasOwnProperty.call(byName, loss) ? byName[loss] : undefined;
  if (found === undefined) {
    throw new Error(
      `${where}: unknown loss "${String(loss)}". Use one of ${Object.keys(byName).join(", ")}.`,
    );
  }
  return found;
}

/**
 * The fused form of `loss` when the output layer's activation is the one it pairs with (softmax for
 * crossEntropy, sigmoid for binaryCrossEntropy), else undefined: then C and ∂C/∂z come from the
 * logits z, exact and stable, instead of from ŷ.
 */
export function fusedWith(loss: Loss, output: { readonly name: string }): FusedLoss | undefined {
  return loss.fused !== undefined && loss.fused.output === output.name ? loss.fused : undefined;
}
