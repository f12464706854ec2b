/**
 * Measurements of gradient flow, layer by layer, as plain data: how fast each layer learns
 * (‖∂C/∂b‖, ‖∂C/∂W‖), what its units output (mean, spread, saturated and dead units), and how
 * big each update is relative to the weights. `fit` samples them during training through a
 * {@link DiagnosticsRecorder}; the functions here measure a network at any moment.
 */

import type { Activation } from "./activations";
import { DiagnosticsSample, LayerSample } from "./history";
import { Dense } from "./layers";
import { Loss, getLoss } from "./losses";
import { Matrix, norm } from "./matrix";
import { Sequential } from "./network";
import { subarrayOf } from "./wasm/memory";

export { gradientThroughTime } from "./through-time";
export type { TimeGradients } from "./through-time";

/** The default saturation threshold: f′(z) < 0.01, i.e. a sigmoid output below 0.0101 or above 0.9899. */
export const DEFAULT_SATURATION_THRESHOLD = 0.01;

/** ‖∂C/∂b‖ and ‖∂C/∂W‖ (Euclidean / Frobenius norms) of one layer. */
export interface LayerGradientNorm {
  /** The layer's name, e.g. "dense 1 (sigmoid)". */
  layer: string;
  /** ‖∂C/∂b‖, the speed at which the layer's biases learn. */
  gradNormB: number;
  /** ‖∂C/∂W‖. */
  gradNormW: number;
}

/** Options of {@link gradientNorms}. */
export interface GradientNormOptions {
  /** Process X in minibatches of this many rows (default: all rows in one batch). */
  batchSize?: number;
  /**
   * With minibatches, what to average: "gradient" (default) gives the norm of the gradient of the
   * cost over the whole of X — the minibatch gradients averaged with weights (batch rows)/n, the
   * same as one big batch; "norm" gives the mean of the minibatch gradients' norms (weighted the
   * same way), the typical size of one SGD step's gradient, which noise makes larger.
   */
  average?: "gradient" | "norm";
}

/** Per-layer activation statistics over a set of examples (see {@link activationStats}). */
export interface LayerActivationStats {
  /** The layer's name. */
  layer: string;
  /** The activation's name, e.g. "sigmoid". */
  activation: string;
  /** Mean of a over all (example, unit) pairs. */
  mean: number;
  /** Standard deviation of a over all (example, unit) pairs (population, divided by their count). */
  std: number;
  /**
   * Saturating activations (sigmoid, tanh): the share of (example, unit) pairs with f′(z) < threshold, in [0,
   * 1]; NaN for other activations.
   */
  saturated: number;
  /**
   * Rectifiers (the ReLU family): the share of units with f′(z) = 0 for every example (they pass no gradient,
   * so their weights never change again); for ReLU that is z ≤ 0 for every example. NaN otherwise.
   */
  dead: number;
  /**
   * Rectifiers: the share of units with z ≤ 0 for every example. For ReLU these are the dead
   * units; a leaky ReLU unit here still passes gradient α and can recover. NaN otherwise.
   */
  inactive: number;
}

/** A layer's raw values over a set of examples, for histograms: copies, n·units entries each. */
export interface LayerValues {
  /** The layer's name. */
  layer: string;
  /** The activation's name. */
  activation: string;
  /** Pre-activations z, row-major [n × units]. */
  z: Float64Array;
  /** Activations a = f(z), row-major [n × units]. */
  a: Float64Array;
}

function requireData(fn: string, net: Sequential, X: Matrix, y?: Matrix): void {
  if (!(net instanceof Sequential)) {
    throw new Error(
      `${fn}: the first argument must be a network (Sequential, e.g. from mlp([...])), got ${typeof net}.`,
    );
  }
  if (!(X instanceof Matrix) || X.rows === 0) {
    throw new Error(
      `${fn}: X must be a non-empty Matrix with one example per row, got ${X instanceof Matrix ? X.shape : typeof X}.`,
    );
  }
  if (y !== undefined && (!(y instanceof Matrix) || y.rows !== X.rows)) {
    throw new Error(
      `${fn}: y must be a Matrix with one row of targets per row of X (${X.rows}), got ${y instanceof Matrix ? y.shape : typeof y}.`,
    );
  }
}

/** The rows [start, end) of a matrix as a new matrix sharing memory with it. */
function rowsOf(M: Matrix, start: number, end: number): Matrix {
  return new Matrix(end - start, M.cols, subarrayOf(M.data, start * M.cols, end * M.cols));
}

/**
 * Per-layer ‖∂C/∂b‖ and ‖∂C/∂W‖ for the cost C over the examples (X, y), input side first.
 * Leaves the network's dW and db as they were (the caches z, a of the last pass are replaced).
 */
export function gradientNorms(
  net: Sequential,
  X: Matrix,
  y: Matrix,
  loss: Loss | string,
  options: GradientNormOptions = {},
): LayerGradientNorm[] {
  requireData("gradientNorms", net, X, y);
  const lossFn = getLoss(loss, "gradientNorms");
  const { batchSize = X.rows, average = "gradient" } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(
      `gradientNorms: batchSize must be a positive whole number, got ${batchSize}. Leave it out to use all ${X.rows} rows at once.`,
    );
  }
  if (average !== "gradient" && average !== "norm") {
    throw new Error(`gradientNorms: average must be "gradient" or "norm", got ${JSON.stringify(average)}.`);
  }
  const saved = net.layers.map((l) => [l.dW.data.slice(), l.db.data.slice()]);
  const sumW = net.layers.map((l) => new Float64Array(l.dW.data.length));
  const sumB = net.layers.map((l) => new Float64Array(l.db.data.length));
  const normW = new Float64Array(net.layers.length);
  const normB = new Float64Array(net.layers.length);
  try {
    for (let start = 0; start < X.rows; start += batchSize) {
      const end = Math.min(start + batchSize, X.rows);
      const weight = (end - start) / X.rows;
      net.zeroGrad();
      net.backprop(rowsOf(X, start, end), rowsOf(y, start, end), lossFn);
      net.layers.forEach((l, i) => {
        if (average === "norm") {
          normW[i] += weight * norm(l.dW);
          normB[i] += weight * norm(l.db);
        } else {
          for (let j = 0; j < sumW[i].length; j++) sumW[i][j] += weight * l.dW.data[j];
          for (let j = 0; j < sumB[i].length; j++) sumB[i][j] += weight * l.db.data[j];
        }
      });
    }
  } finally {
    net.layers.forEach((l, i) => {
      l.dW.data.set(saved[i][0]);
      l.db.data.set(saved[i][1]);
    });
  }
  return net.layers.map((l, i) => ({
    layer: l.name,
    gradNormB: average === "norm" ? normB[i] : norm(sumB[i]),
    gradNormW: average === "norm" ? normW[i] : norm(sumW[i]),
  }));
}

/**
 * Mean, std, saturated, dead and inactive shares of one layer from its pre-activations z and
 * activations a [n × units] (the definitions are on {@link LayerActivationStats}).
 */
export function layerStats(
  layer: Dense,
  z: Matrix,
  a: Matrix,
  saturationThreshold = DEFAULT_SATURATION_THRESHOLD,
): LayerActivationStats {
  const n = z.rows,
    units = z.cols,
    count = z.data.length;
  let s = 0;
  for (let i = 0; i < count; i++) s += a.data[i];
  const mean = s / count;
  let ss = 0;
  for (let i = 0; i < count; i++) ss += (a.data[i] - mean) * (a.data[i] - mean);
  const name = layer.activation.name;
  // Softmax is not element-wise: it has no scalar f′ and no kind, so none of the shares apply.
  const { df, kind } = layer.activation as Partial<Activation>;
  let saturated = NaN,
    dead = NaN,
    inactive = NaN;
  if (df !== undefined && kind === "saturating") {
    let flat = 0;
    for (let i = 0; i < count; i++) if (df(z.data[i]) < saturationThreshold) flat++;
    saturated = flat / count;
  }
  if (df !== undefined && kind === "rectifier") {
    let deadUnits = 0,
      inactiveUnits = 0;
    for (let j = 0; j < units; j++) {
      let allFlat = true,
        allNonPositive = true;
      for (let r = 0; r < n && (allFlat || allNonPositive); r++) {
        const zj = z.data[r * units + j];
        if (zj > 0) allNonPositive = false;
        if (df(zj) !== 0) allFlat = false;
      }
      if (allFlat) deadUnits++;
      if (allNonPositive) inactiveUnits++;
    }
    dead = deadUnits / units;
    inactive = inactiveUnits / units;
  }
  return { layer: layer.name, activation: name, mean, std: Math.sqrt(ss / count), saturated, dead, inactive };
}

function requireThreshold(fn: string, t: number): void {
  if (typeof t !== "number" || !(t > 0)) {
    throw new Error(
      `${fn}: saturationThreshold must be a positive number (a bound on f′(z)), got ${t}. The default is ${DEFAULT_SATURATION_THRESHOLD}.`,
    );
  }
}

/**
 * Runs X through the network and gives, for each layer, the mean and std of its activations and
 * its saturated, dead and inactive shares over all rows of X (see {@link LayerActivationStats}).
 */
export function activationStats(
  net: Sequential,
  X: Matrix,
  options: { saturationThreshold?: number } = {},
): LayerActivationStats[] {
  requireData("activationStats", net, X);
  const { saturationThreshold = DEFAULT_SATURATION_THRESHOLD } = options;
  requireThreshold("activationStats", saturationThreshold);
  net.forward(X);
  return net.layers.map((l) => layerStats(l, l.z!, l.a!, saturationThreshold));
}

/** Runs X through the network and returns copies of every layer's z and a, for histograms. */
export function layerValues(net: Sequential, X: Matrix): LayerValues[] {
  requireData("layerValues", net, X);
  net.forward(X);
  return net.layers.map((l) => ({
    layer: l.name,
    activation: l.activation.name,
    z: l.z!.data.slice(),
    a: l.a!.data.slice(),
  }));
}

/** Copies of every layer's weights W, to compare against later with {@link updateRatios}. */
export function snapshotWeights(net: Sequential): Matrix[] {
  return net.layers.map((l) => l.W.clone());
}

/**
 * The update-to-data ratio of each layer, ‖W_after − W_before‖ / ‖W_before‖: the relative size of
 * the change. Around 1e-3 per step is a common rule of thumb; much smaller means the layer is
 * barely learning. Either side may be a network (its current weights) or a list of W matrices.
 */
export function updateRatios(before: Sequential | Matrix[], after: Sequential | Matrix[]): number[] {
  const b = before instanceof Sequential ? before.layers.map((l) => l.W) : before;
  const a = after instanceof Sequential ? after.layers.map((l) => l.W) : after;
  if (b.length !== a.length || b.some((W, i) => W.rows !== a[i].rows || W.cols !== a[i].cols)) {
    throw new Error(
      `updateRatios: before and after must have the same layers with the same shapes; got ${b.map((W) => W.shape).join(", ")} and ${a.map((W) => W.shape).join(", ")}. Take "before" with snapshotWeights(net).`,
    );
  }
  return b.map((W, i) => {
    const w0 = W.data,
      w1 = a[i].data;
    let change = 0,
      size = 0;
    for (let j = 0; j < w0.length; j++) {
      const d = w1[j] - w0[j];
      change += d * d;
      size += w0[j] * w0[j];
    }
    return Math.sqrt(change) / Math.sqrt(size);
  });
}

/** Options of a {@link DiagnosticsRecorder} (the `record` option of `fit`). */
export interface RecordOptions {
  /** Sample at steps 1, 1 + every, 1 + 2·every, … (default 10). */
  every?: number;
  /** The saturation threshold on f′(z) (default 0.01). */
  threshold?: number;
}

/**
 * Samples per-layer diagnostics during training. At a sampled step, call `beforeUpdate` after
 * backprop (gradients and the batch's z, a are fresh) and `afterUpdate` after the optimizer step;
 * the sample describes that minibatch: gradient norms, activation statistics over its rows, and
 * the update-to-data ratio of the step.
 */
export class DiagnosticsRecorder {
  /** Sampling interval in steps. */
  readonly every: number;
  /** Saturation threshold on f′(z). */
  readonly threshold: number;
  private readonly net: Sequential;
  private readonly before: Matrix[];
  private pending: { step: number; epoch: number; layers: LayerSample[] } | undefined;

  /** A recorder for `net`. */
  constructor(net: Sequential, options: RecordOptions = {}) {
    const { every = 10, threshold = DEFAULT_SATURATION_THRESHOLD } = options;
    if (!Number.isInteger(every) || every < 1) {
      throw new Error(
        `record: every must be a positive whole number of steps, got ${every}. Use e.g. { every: 10 }, or record: false to switch recording off.`,
      );
    }
    requireThreshold("record", threshold);
    this.every = every;
    this.threshold = threshold;
    this.net = net;
    this.before = snapshotWeights(net);
  }

  /** Whether global step `step` (from 1) is sampled. */
  samples(step: number): boolean {
    return (step - 1) % this.every === 0;
  }

  /** Reads gradients and activations of the current batch and keeps a copy of W. */
  beforeUpdate(step: number, epoch: number): void {
    const layers = this.net.layers.map((l, i): LayerSample => {
      const stats = layerStats(l, l.z!, l.a!, this.threshold);
      this.before[i].data.set(l.W.data);
      return {
        layer: l.name,
        gradNormB: norm(l.db),
        gradNormW: norm(l.dW),
        activationMean: stats.mean,
        activationStd: stats.std,
        saturated: stats.saturated,
        dead: stats.dead,
        updateRatio: NaN,
      };
    });
    this.pending = { step, epoch, layers };
  }

  /** Adds the update-to-data ratios of the step just taken and returns the finished sample. */
  afterUpdate(): DiagnosticsSample {
    const sample = this.pending;
    if (sample === undefined)
      throw new Error("DiagnosticsRecorder: afterUpdate was called without beforeUpdate.");
    updateRatios(this.before, this.net).forEach((r, i) => (sample.layers[i].updateRatio = r));
    this.pending = undefined;
    return sample;
  }
}
