/**
 * Weight initializers. A layer's starting weights decide whether signals and gradients keep their
 * size through depth: each scheme picks the spread of W from the layer's fan-in n_in and fan-out
 * n_out.
 */

import { Matrix } from "./matrix";
import { Random } from "./random";

/** Fills a layer's `W` [n_in × n_out] and `b` [1 × n_out] from a random source. */
export interface Initializer {
  /** Registry name, e.g. "he". */
  readonly name: string;
  /** The formula in LaTeX, e.g. "W_{ij} \\sim \\mathcal{N}(0, 2/n_{in})". */
  readonly latex: string;
  /** Fills W and b in place. */
  init(W: Matrix, b: Matrix, random: Random): void;
}

function requirePositive(where: string, name: string, x: number): void {
  if (!Number.isFinite(x) || x <= 0) {
    throw new Error(`${where}: ${name} must be a positive number, got ${x}.`);
  }
}

function fillNormal(m: Matrix, std: number, random: Random): void {
  for (let i = 0; i < m.data.length; i++) m.data[i] = random.normal(0, std);
}

function fillUniform(m: Matrix, limit: number, random: Random): void {
  for (let i = 0; i < m.data.length; i++) m.data[i] = random.uniform(-limit, limit);
}

/** W ~ N(0, σ²), b = 0. */
export function normal(sigma = 0.01): Initializer {
  requirePositive("normal", "sigma", sigma);
  return {
    name: "normal",
    latex: `W_{ij} \\sim \\mathcal{N}(0, ${sigma}^2),\\; b = 0`,
    init(W, b, random) {
      fillNormal(W, sigma, random);
      b.data.fill(0);
    },
  };
}

/** W ~ U(−a, a), b = 0. */
export function uniform(a = 0.05): Initializer {
  requirePositive("uniform", "a", a);
  return {
    name: "uniform",
    latex: `W_{ij} \\sim \\mathcal{U}(-${a}, ${a}),\\; b = 0`,
    init(W, b, random) {
      fillUniform(W, a, random);
      b.data.fill(0);
    },
  };
}

/**
 * Xavier/Glorot uniform (Glorot & Bengio, 2010): W ~ U(−√(6/(n_in+n_out)), +√(6/(n_in+n_out))), variance
 * 2/(n_in+n_out).
 */
export const xavierUniform: Initializer = {
  name: "xavierUniform",
  latex:
    "W_{ij} \\sim \\mathcal{U}\\!\\left(-\\sqrt{\\tfrac{6}{n_{in}+n_{out}}}, \\sqrt{\\tfrac{6}{n_{in}+n_{out}}}\\right),\\; b = 0",
  init(W, b, random) {
    fillUniform(W, Math.sqrt(6 / (W.rows + W.cols)), random);
    b.data.fill(0);
  },
};

/** Xavier/Glorot normal: W ~ N(0, 2/(n_in+n_out)), b = 0. */
export const xavierNormal: Initializer = {
  name: "xavierNormal",
  latex: "W_{ij} \\sim \\mathcal{N}\\!\\left(0, \\tfrac{2}{n_{in}+n_{out}}\\right),\\; b = 0",
  init(W, b, random) {
    fillNormal(W, Math.sqrt(2 / (W.rows + W.cols)), random);
    b.data.fill(0);
  },
};

/**
 * He/Kaiming normal (He et al., 2015): W ~ N(0, gain²/n_in) with gain² = 2/(1 + α²) for a Leaky ReLU
 * of slope α (α = 0: plain ReLU, variance 2/n_in), b = 0.
 */
export function he(alpha = 0): Initializer {
  if (!Number.isFinite(alpha) || alpha < 0 || alpha >= 1) {
    throw new Error(`he: alpha is the Leaky ReLU slope, a number in [0, 1); got ${alpha}. Use 0 for ReLU.`);
  }
  const gain2 = 2 / (1 + alpha * alpha);
  return {
    name: alpha === 0 ? "he" : `he(α=${alpha})`,
    latex: `W_{ij} \\sim \\mathcal{N}\\!\\left(0, \\tfrac{${alpha === 0 ? "2" : `2/(1+${alpha}^2)`}}{n_{in}}\\right),\\; b = 0`,
    init(W, b, random) {
      fillNormal(W, Math.sqrt(gain2 / W.rows), random);
      b.data.fill(0);
    },
  };
}

/**
 * Fan-in scaled normal (LeCun et al., 1998): W ~ N(0, gain²/n_in), b = 0. With gain 1 every unit's
 * z starts with about the variance of one input; other gains scale all layers alike, for
 * experiments on the weight scale.
 */
export function lecun(gain = 1): Initializer {
  requirePositive("lecun", "gain", gain);
  return {
    name: gain === 1 ? "lecun" : `lecun(${gain})`,
    latex: `W_{ij} \\sim \\mathcal{N}\\!\\left(0, \\tfrac{${gain === 1 ? "1" : `${gain}^2`}}{n_{in}}\\right),\\; b = 0`,
    init(W, b, random) {
      fillNormal(W, gain / Math.sqrt(W.rows), random);
      b.data.fill(0);
    },
  };
}

/** The scheme of Nielsen's book (chapter 3): W ~ N(0, 1/n_in) and b ~ N(0, 1). */
export const nielsen: Initializer = {
  name: "nielsen",
  latex: "W_{ij} \\sim \\mathcal{N}\\!\\left(0, \\tfrac{1}{n_{in}}\\right),\\; b_j \\sim \\mathcal{N}(0, 1)",
  init(W, b, random) {
    fillNormal(W, Math.sqrt(1 / W.rows), random);
    fillNormal(b, 1, random);
  },
};

/**
 * Randomized asymmetric initialization, RAI (Lu, Shin, Su & Karniadakis, 2020), against ReLU units
 * that are dead at birth. For each unit, its n_in weights and its bias are drawn from
 * N(0, 0.6007²/n_in), then one of those n_in + 1 numbers, chosen at random, is replaced by a draw
 * from Beta(2, 1), which is always positive.
 */
export const rai: Initializer = {
  name: "rai",
  latex:
    "(W_{\cdot j}, b_j) \sim \mathcal{N}\!\left(0, \tfrac{0.6007^2}{n_{in}}\right),\ \text{then one entry per unit} \sim \mathrm{Beta}(2, 1)",
  init(W, b, random) {
    const nIn = W.rows,
      nOut = W.cols,
      std = 0.6007 / Math.sqrt(nIn);
    fillNormal(W, std, random);
    fillNormal(b, std, random);
    for (let j = 0; j < nOut; j++) {
      const k = random.int(nIn + 1);
      // Beta(2, 1) has CDF x², so √U is a sample of it.
      const positive = Math.sqrt(random.next());
      if (k < nIn) W.data[k * nOut + j] = positive;
      else b.data[j] = positive;
    }
  },
};

/** The initializers by name ("he" for ReLU; use `he(alpha)` for Leaky ReLU's gain). */
export const initializers: { readonly [name: string]: Initializer } = {
  normal: normal(0.01),
  uniform: uniform(0.05),
  xavier: xavierUniform,
  xavierUniform,
  xavierNormal,
  he: he(0),
  lecun: lecun(1),
  nielsen,
  rai,
};

/** Names accepted wherever an initializer is asked for. */
export type InitializerName =
  "normal" | "uniform" | "xavier" | "xavierUniform" | "xavierNormal" | "he" | "lecun" | "nielsen" | "rai";

/** The initializer for a name or object; an unknown name throws an error listing the known ones. */
export function getInitializer(init: InitializerName | Initializer | string, where = "init"): Initializer {
  if (typeof init === "object" && init !== null) return init;
  const found = Object.prototype.hasOwnProperty.call(initializers, init)
    ? initializers[init as string]
    : undefined;
  if (found === undefined) {
    throw new Error(
      `${where}: unknown initializer "${String(init)}". Use one of ${Object.keys(initializers).join(", ")}, or an initializer object such as normal(0.1) or he(0.01).`,
    );
  }
  return found;
}
