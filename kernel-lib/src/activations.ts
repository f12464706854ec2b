/**
 * Activation functions a = f(z), each with its derivative f′(z) right beside it and its formula in
 * LaTeX. `f` and `df` are the definitions, one number at a time; `forward` and `backward` are the
 * same maths as tight loops over whole arrays (no function call per element), used by the layers.
 * The loops that need no exp (ReLU, Leaky ReLU, and the backward passes of sigmoid and tanh, which
 * read f′ off the outputs) also have WebAssembly SIMD twins in wasm/elementwise.ts with the same
 * bits; each loop here first offers its arrays to its twin, which runs when they live in the memory
 * it shares with JavaScript (as a layer's buffers do), and otherwise the loop runs here.
 */

import {
  leakyReluBackwardSimd,
  leakyReluSimd,
  reluBackwardSimd,
  reluSimd,
  sigmoidBackwardSimd,
  tanhBackwardSimd,
} from "./wasm/elementwise";

/** What a layer needs from its activation: a = f(z) and δ = ∂C/∂z from ∂C/∂a, over whole arrays. */
export interface LayerActivation {
  /** Registry name, e.g. "sigmoid" or "leakyRelu". */
  readonly name: string;
  /** a = f(z) for every entry; `z` and `a` have the same length and may be the same array. */
  forward(z: Float64Array, a: Float64Array, cols: number): void;
  /** dZ = dA ⊙ f′(z); may read the cached `z` or `a` (whichever is cheaper and stable). */
  backward(z: Float64Array, a: Float64Array, dA: Float64Array, dZ: Float64Array, cols: number): void;
}

/**
 * What an activation does to the gradient that flows back through it, which decides what
 * diagnostics measure: "saturating" (sigmoid, tanh: f′(z) → 0 as |z| grows, so the saturated share
 * is reported), "rectifier" (the ReLU family: negative z are flattened, so dead units are reported)
 * or "linear" (the gradient passes unchanged).
 */
export type ActivationKind = "saturating" | "rectifier" | "linear";

/** An element-wise activation: the scalar function, its derivative and their formulas. */
export interface Activation extends LayerActivation {
  /** How it shapes gradient flow (see {@link ActivationKind}). */
  readonly kind: ActivationKind;
  /** f(z) for one number. */
  f(z: number): number;
  /** f′(z) for one number. */
  df(z: number): number;
  /** The formulas in LaTeX: `{ f: "\\sigma(z) = …", df: "\\sigma'(z) = …" }`. */
  readonly latex: { readonly f: string; readonly df: string };
  /** The slope for negative inputs, for leakyRelu. */
  readonly alpha?: number;
  /** Where |f′(z)| < `threshold` (the saturated region), as z-intervals; used to shade plots. */
  saturatedRegions?(threshold: number): [number, number][];
}

/**
 * σ(z) = 1/(1 + e^{−z}) for one number, in the form that never overflows: e^z/(1 + e^z) for z < 0.
 * The one definition every sigmoid in kernel-lib computes with (activations, GELU, softplus′, `Value`).
 */
export function stableSigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** The logistic sigmoid σ(z) = 1/(1 + e^{−z}); σ′ = σ(1 − σ), at most 1/4 (at z = 0). */
export const sigmoid: Activation = {
  name: "sigmoid",
  kind: "saturating",
  f: stableSigmoid,
  df(z) {
    const s = stableSigmoid(z);
    return s * (1 - s);
  },
  latex: {
    f: "\\sigma(z) = \\frac{1}{1 + e^{-z}}",
    df: "\\sigma'(z) = \\sigma(z)\\,\\bigl(1 - \\sigma(z)\\bigr)",
  },
  forward(z, a) {
    for (let i = 0; i < z.length; i++) a[i] = stableSigmoid(z[i]);
  },
  backward(_z, a, dA, dZ) {
    if (sigmoidBackwardSimd(a, dA, dZ)) return;
    for (let i = 0; i < a.length; i++) dZ[i] = dA[i] * (a[i] * (1 - a[i]));
  },
  saturatedRegions(threshold) {
    // σ′(z) < t  ⇔  |z| > ln((1 + √(1 − 4t)) / (1 − √(1 − 4t)))  for 0 < t < 1/4.
    if (threshold >= 0.25) return [[-Infinity, Infinity]];
    const r = Math.sqrt(1 - 4 * threshold);
    const edge = Math.log((1 + r) / (1 - r));
    return [
      [-Infinity, -edge],
      [edge, Infinity],
    ];
  },
};

/** The hyperbolic tangent tanh z, in (−1, 1); tanh′ = 1 − tanh², at most 1 (at z = 0). */
export const tanh: Activation = {
  name: "tanh",
  kind: "saturating",
  f: Math.tanh,
  df(z) {
    const t = Math.tanh(z);
    return 1 - t * t;
  },
  latex: { f: "\\tanh(z) = \\frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}", df: "\\tanh'(z) = 1 - \\tanh^2(z)" },
  forward(z, a) {
    for (let i = 0; i < z.length; i++) a[i] = Math.tanh(z[i]);
  },
  backward(_z, a, dA, dZ) {
    if (tanhBackwardSimd(a, dA, dZ)) return;
    for (let i = 0; i < a.length; i++) dZ[i] = dA[i] * (1 - a[i] * a[i]);
  },
  saturatedRegions(threshold) {
    // 1 − tanh²(z) < t  ⇔  |z| > atanh(√(1 − t)).
    if (threshold >= 1) return [[-Infinity, Infinity]];
    const edge = Math.atanh(Math.sqrt(1 - threshold));
    return [
      [-Infinity, -edge],
      [edge, Infinity],
    ];
  },
};

/**
 * The rectified linear unit max(0, z); its derivative is 1 for z > 0 and 0 for z ≤ 0 (we take 0 at the kink).
 */
export const relu: Activation = {
  name: "relu",
  kind: "rectifier",
  f: (z) => (z > 0 ? z : 0),
  df: (z) => (z > 0 ? 1 : 0),
  latex: {
    f: "\\mathrm{ReLU}(z) = \\max(0, z)",
    df: "\\mathrm{ReLU}'(z) = \\begin{cases} 1 & z > 0 \\\\ 0 & z \\le 0 \\end{cases}",
  },
  forward(z, a) {
    if (reluSimd(z, a)) return;
    for (let i = 0; i < z.length; i++) a[i] = z[i] > 0 ? z[i] : 0;
  },
  backward(z, _a, dA, dZ) {
    if (reluBackwardSimd(z, dA, dZ)) return;
    for (let i = 0; i < z.length; i++) dZ[i] = z[i] > 0 ? dA[i] : 0;
  },
  saturatedRegions: () => [[-Infinity, 0]],
};

/** Leaky ReLU with slope α for negative inputs: z for z > 0, αz otherwise; derivative 1 or α. */
export function leakyRelu(alpha = 0.01): Activation {
  if (!Number.isFinite(alpha) || alpha < 0 || alpha >= 1) {
    throw new Error(
      `leakyRelu: the slope alpha must be a number in [0, 1), got ${alpha}. Typical values are 0.01 or 0.1.`,
    );
  }
  return {
    name: "leakyRelu",
    kind: "rectifier",
    alpha,
    f: (z) => (z > 0 ? z : alpha * z),
    df: (z) => (z > 0 ? 1 : alpha),
    latex: {
      f: `\\mathrm{LeakyReLU}(z) = \\begin{cases} z & z > 0 \\\\ ${alpha}\\,z & z \\le 0 \\end{cases}`,
      df: `\\mathrm{LeakyReLU}'(z) = \\begin{cases} 1 & z > 0 \\\\ ${alpha} & z \\le 0 \\end{cases}`,
    },
    forward(z, a) {
      if (leakyReluSimd(z, a, alpha)) return;
      for (let i = 0; i < z.length; i++) a[i] = z[i] > 0 ? z[i] : alpha * z[i];
    },
    backward(z, _a, dA, dZ) {
      if (leakyReluBackwardSimd(z, dA, dZ, alpha)) return;
      for (let i = 0; i < z.length; i++) dZ[i] = z[i] > 0 ? dA[i] : alpha * dA[i];
    },
    saturatedRegions: (threshold) => (alpha < threshold ? [[-Infinity, 0]] : []),
  };
}

/** The exponential linear unit: z for z > 0, α(e^z − 1) otherwise (α = 1); derivative 1 or αe^z. */
export const elu: Activation = {
  name: "elu",
  kind: "rectifier",
  f: (z) => (z > 0 ? z : Math.expm1(z)),
  df: (z) => (z > 0 ? 1 : Math.exp(z)),
  latex: {
    f: "\\mathrm{ELU}(z) = \\begin{cases} z & z > 0 \\\\ e^{z} - 1 & z \\le 0 \\end{cases}",
    df: "\\mathrm{ELU}'(z) = \\begin{cases} 1 & z > 0 \\\\ e^{z} & z \\le 0 \\end{cases}",
  },
  forward(z, a) {
    for (let i = 0; i < z.length; i++) a[i] = z[i] > 0 ? z[i] : Math.expm1(z[i]);
  },
  backward(z, _a, dA, dZ) {
    for (let i = 0; i < z.length; i++) dZ[i] = dA[i] * (z[i] > 0 ? 1 : Math.exp(z[i]));
  },
};

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * The Gaussian error linear unit in its tanh form (Hendrycks & Gimpel, 2016):
 * GELU(z) = ½ z (1 + tanh(√(2/π)(z + 0.044715 z³))).
 */
export const gelu: Activation = {
  name: "gelu",
  kind: "rectifier",
  // ½(1 + tanh u) = σ(2u) and 1 − tanh² u = 4σ(2u)(1 − σ(2u)): the same values, without the
  // cancellation in 1 + tanh u that loses most digits for z < −4.
  f: (z) => z * stableSigmoid(2 * SQRT_2_OVER_PI * (z + 0.044715 * z * z * z)),
  df: (z) => {
    const s = stableSigmoid(2 * SQRT_2_OVER_PI * (z + 0.044715 * z * z * z));
    const du = SQRT_2_OVER_PI * (1 + 3 * 0.044715 * z * z);
    return s + 2 * z * s * (1 - s) * du;
  },
  latex: {
    f: "\\mathrm{GELU}(z) = \\tfrac12 z \\left(1 + \\tanh\\!\\left(\\sqrt{2/\\pi}\\,(z + 0.044715 z^3)\\right)\\right)",
    df: "\\mathrm{GELU}'(z) = \\tfrac12 (1 + t) + \\tfrac12 z (1 - t^2)\\sqrt{2/\\pi}\\,(1 + 0.134145 z^2),\\; t = \\tanh\\!\\left(\\sqrt{2/\\pi}\\,(z + 0.044715 z^3)\\right)",
  },
  forward(z, a) {
    for (let i = 0; i < z.length; i++) {
      const x = z[i];
      a[i] = x * stableSigmoid(2 * SQRT_2_OVER_PI * (x + 0.044715 * x * x * x));
    }
  },
  backward(z, _a, dA, dZ) {
    for (let i = 0; i < z.length; i++) {
      const x = z[i];
      const s = stableSigmoid(2 * SQRT_2_OVER_PI * (x + 0.044715 * x * x * x));
      const du = SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
      dZ[i] = dA[i] * (s + 2 * x * s * (1 - s) * du);
    }
  },
};

/** Softplus ln(1 + e^z), a smooth ReLU; its derivative is the sigmoid. */
export const softplus: Activation = {
  name: "softplus",
  kind: "rectifier",
  // max(z, 0) + ln(1 + e^{−|z|}) never overflows and keeps precision for large |z|.
  f: (z) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))),
  df: stableSigmoid,
  latex: { f: "\\mathrm{softplus}(z) = \\ln(1 + e^{z})", df: "\\mathrm{softplus}'(z) = \\sigma(z)" },
  forward(z, a) {
    for (let i = 0; i < z.length; i++) a[i] = Math.max(z[i], 0) + Math.log1p(Math.exp(-Math.abs(z[i])));
  },
  backward(z, _a, dA, dZ) {
    for (let i = 0; i < z.length; i++) dZ[i] = dA[i] * stableSigmoid(z[i]);
  },
};

/** The identity f(z) = z, derivative 1: a layer with no non-linearity. */
export const linear: Activation = {
  name: "linear",
  kind: "linear",
  f: (z) => z,
  df: () => 1,
  latex: { f: "f(z) = z", df: "f'(z) = 1" },
  forward(z, a) {
    if (a !== z) a.set(z);
  },
  backward(_z, _a, dA, dZ) {
    if (dZ !== dA) dZ.set(dA);
  },
};

/**
 * Softmax over each row, softmax(z)ᵢ = e^{zᵢ} / Σⱼ e^{zⱼ}: an output layer for k classes. Not
 * element-wise: its backward is the Jacobian-vector product dZᵢ = aᵢ (dAᵢ − Σⱼ dAⱼ aⱼ).
 */
export const softmax: LayerActivation & { readonly latex: string } = {
  name: "softmax",
  latex: "\\mathrm{softmax}(z)_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}}",
  forward(z, a, cols) {
    for (let r = 0; r < z.length; r += cols) {
      // Subtracting the row's maximum leaves the result unchanged and keeps exp from overflowing.
      let max = -Infinity;
      for (let j = 0; j < cols; j++) if (z[r + j] > max) max = z[r + j];
      let total = 0;
      for (let j = 0; j < cols; j++) {
        const e = Math.exp(z[r + j] - max);
        a[r + j] = e;
        total += e;
      }
      for (let j = 0; j < cols; j++) a[r + j] /= total;
    }
  },
  backward(_z, a, dA, dZ, cols) {
    for (let r = 0; r < a.length; r += cols) {
      let dot = 0;
      for (let j = 0; j < cols; j++) dot += dA[r + j] * a[r + j];
      for (let j = 0; j < cols; j++) dZ[r + j] = a[r + j] * (dA[r + j] - dot);
    }
  },
};

// A literal object, so that the type of its keys is the list of names (ActivationName below).
const registry = {
  sigmoid,
  tanh,
  relu,
  leakyRelu: leakyRelu(0.01),
  elu,
  gelu,
  softplus,
  linear,
};

/** Names accepted wherever an activation is asked for: the keys of {@link activations}. */
export type ActivationName = keyof typeof registry;

/**
 * The element-wise activations by name; `leakyRelu` here has slope 0.01 (see {@link activationFactories}).
 */
export const activations: { readonly [name in ActivationName]: Activation } = registry;

/** The parameters of a parametrised activation, as `toJSON` saves them beside its name. */
export interface ActivationParams {
  /** The slope for negative inputs (leakyRelu). */
  alpha?: number;
}

/**
 * The parametrised activations by name: each makes its activation from saved parameters, a missing
 * one taking its default (leakyRelu: α = 0.01). Every name here is also in {@link activations}.
 */
export const activationFactories: { readonly [name: string]: (params: ActivationParams) => Activation } = {
  leakyRelu: (params) => leakyRelu(params.alpha ?? 0.01),
};

/**
 * The activation for a name or object; `params` configure a parametrised one (see
 * {@link activationFactories}). An unknown name throws an error listing the known ones.
 */
export function getActivation(
  activation: ActivationName | Activation | string,
  where = "activation",
  params?: ActivationParams,
): Activation {
  if (typeof activation === "object" && activation !== null) return activation;
  const has = (table: object) => Object.prototype.hasOwnProperty.call(table, activation);
  if (params !== undefined && has(activationFactories))
    return activationFactories[activation as string](params);
  const found = has(activations) ? activations[activation as ActivationName] : undefined;
  if (found === undefined) {
    throw new Error(
      `${where}: unknown activation "${String(activation)}". Use one of ${Object.keys(activations).join(", ")}, or pass an activation object such as leakyRelu(0.1).`,
    );
  }
  return found;
}
