/**
 * `fit`: minibatch stochastic gradient descent. Each epoch shuffles the training examples (seeded),
 * cuts them into minibatches, and for each one runs backprop and one optimizer step, recording the
 * loss, sampled per-layer diagnostics and live progress. A non-finite number stops training with
 * a {@link NonFiniteError} that says where it appeared.
 */

import { DiagnosticsRecorder, RecordOptions } from "./diagnostics";
import { DiagnosticsSample, EpochRecord, History, StepRecord } from "./history";
import { Dense } from "./layers";
import { Loss, binaryCrossEntropy, crossEntropy, fusedWith, getLoss, mse } from "./losses";
import { Matrix, argmaxRows } from "./matrix";
import { Parameter, Sequential } from "./network";
import { SGD } from "./optim";
import { Adam } from "./adam";
import { BatchNorm } from "./batchnorm";
import { AnyLayer } from "./layer";
import { Residual } from "./residual";
import { clipGradNorm, clipGradValue, gradNorm } from "./clip";
import { ProgressMode, ProgressState, createProgress } from "./progress";
import { Random, Seed, rng } from "./random";
import { representAs } from "./display/protocol";

/** Inputs X [n × inputs] and targets y [n × outputs], one example per row. */
export interface FitData {
  X: Matrix;
  y: Matrix;
}

/** Options of {@link fit}. */
export interface FitOptions {
  /** The cost C (default: crossEntropy for a softmax output, binaryCrossEntropy for sigmoid, else mse). */
  loss?: Loss | string;
  /** The learning rate η (required unless `optimizer` is given). */
  lr?: number;
  /** Momentum μ in [0, 1) (default 0). */
  momentum?: number;
  /** L2 weight decay λ ≥ 0 (default 0). */
  weightDecay?: number;
  /**
   * An optimizer (SGD or Adam) to use instead of a new SGD built from lr, momentum and weightDecay (keep it
   * to change `lr` from a callback).
   */
  optimizer?: SGD | Adam;
  /**
   * Clip the global gradient norm to at most this before every update (see `clipGradNorm`); steps record the
   * norm before clipping.
   */
  clipNorm?: number;
  /** Clip every gradient entry to [−clipValue, clipValue] before every update (see `clipGradValue`). */
  clipValue?: number;
  /** Passes over the training data (default 10). */
  epochs?: number;
  /** Examples per minibatch (default 10); the last minibatch of an epoch may be smaller. */
  batchSize?: number;
  /** Seed of the shuffling and of `validationSplit` (default 0). */
  seed?: Seed;
  /** Shuffle the examples at the start of every epoch (default true). */
  shuffle?: boolean;
  /** Data to evaluate on after every epoch. */
  validation?: FitData;
  /** Hold out this share of the training data (a seeded random choice) as validation data, e.g. 0.1. */
  validationSplit?: number;
  /** Called after every step; returning false stops training. */
  onStep?: (record: StepRecord, net: Sequential) => boolean | void;
  /** Called after every epoch; returning false stops training. */
  onEpoch?: (record: EpochRecord, net: Sequential) => boolean | void;
  /**
   * Sample per-layer diagnostics into `history.diagnostics` (default { every: 10 }); false switches it off.
   */
  record?: RecordOptions | boolean;
  /** Live progress (default "auto": the notebook output, else a terminal line, else nothing). */
  progress?: ProgressMode;
}

/**
 * Training stopped because a loss, activation, gradient or weight became NaN or ±∞. Says where
 * (step, layer, quantity) and keeps the history of the steps completed before.
 */
export class NonFiniteError extends Error {
  /** Global step (from 1) at which the value appeared. */
  readonly step: number;
  /** Epoch (from 1) of that step. */
  readonly epoch: number;
  /** The layer's name, e.g. "dense 2 (sigmoid)" (the output layer for the loss). */
  readonly layer: string;
  /**
   * Which quantity: "pre-activations z", "activations a", "loss", "gradient ∂C/∂W", "gradient ∂C/∂b",
   * "weights W" or "biases b".
   */
  readonly quantity: string;
  /** Everything recorded before the failing step. */
  readonly history: History;

  /** An error for a non-finite `quantity` of `layer` at `step`. */
  constructor(
    step: number,
    epoch: number,
    layer: string,
    quantity: string,
    value: number,
    lr: number,
    history: History,
  ) {
    super(
      `fit: ${quantity} of layer "${layer}" became ${value} at step ${step} (epoch ${epoch}), so training stopped. ` +
        `The updates are probably too large: try a smaller learning rate (lr = ${lr}; try ${Number((lr / 10).toPrecision(3))}), ` +
        `or a smaller initialization scale if the weights start large. ` +
        `error.history holds the ${history.steps.length} step${history.steps.length === 1 ? "" : "s"} completed before.`,
    );
    this.name = "NonFiniteError";
    this.step = step;
    this.epoch = epoch;
    this.layer = layer;
    this.quantity = quantity;
    this.history = history;
  }
}

/** The first non-finite entry of an array, or undefined when all are finite. */
function firstNonFinite(d: Float64Array): number | undefined {
  // x·0 is 0 for every finite x and NaN for ±∞ and NaN: one cheap pass, then a search only on failure.
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i] * 0;
  if (s === 0) return undefined;
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return d[i];
  return undefined;
}

/** The first non-finite quantity of a step, in the order it was computed, as [layer, quantity, value]. */
function findNonFinite(layers: Dense[], loss: number): [{ name: string }, string, number] | undefined {
  for (const l of layers) {
    for (const [quantity, m] of [
      ["pre-activations z", l.z!],
      ["activations a", l.a!],
    ] as const) {
      const bad = firstNonFinite(m.data);
      if (bad !== undefined) return [l, quantity, bad];
    }
  }
  if (!Number.isFinite(loss)) return [layers[layers.length - 1], "loss", loss];
  for (let i = layers.length - 1; i >= 0; i--) {
    for (const [quantity, m] of [
      ["gradient ∂C/∂W", layers[i].dW],
      ["gradient ∂C/∂b", layers[i].db],
    ] as const) {
      const bad = firstNonFinite(m.data);
      if (bad !== undefined) return [layers[i], quantity, bad];
    }
  }
  return undefined;
}

/**
 * A non-finite weight or bias after an update, as [layer, quantity, value]; `others` are the parameters of
 * layers other than Dense.
 */
function findNonFiniteParameter(
  layers: Dense[],
  others: [{ name: string }, Parameter][],
): [{ name: string }, string, number] | undefined {
  for (const l of layers) {
    for (const [quantity, m] of [
      ["weights W", l.W],
      ["biases b", l.b],
    ] as const) {
      const bad = firstNonFinite(m.data);
      if (bad !== undefined) return [l, quantity, bad];
    }
  }
  for (const [l, p] of others) {
    const bad = firstNonFinite(p.value.data);
    if (bad !== undefined) return [l, `parameter ${p.name}`, bad];
  }
  return undefined;
}

/** Whether targets are class labels: one-hot rows, or a single column of 0s and 1s. */
function isClassification(y: Matrix): boolean {
  for (let i = 0; i < y.rows; i++) {
    let ones = 0;
    for (let j = 0; j < y.cols; j++) {
      const v = y.data[i * y.cols + j];
      if (v !== 0 && v !== 1) return false;
      ones += v;
    }
    if (y.cols > 1 && ones !== 1) return false;
  }
  return true;
}

/** How many rows ŷ classifies correctly: argmax agreement, or ŷ ≥ ½ ⇔ y = 1 for one column. */
function countCorrect(yHat: Matrix, y: Matrix): number {
  let correct = 0;
  if (y.cols === 1) {
    for (let i = 0; i < y.rows; i++) if (yHat.data[i] >= 0.5 === y.data[i] >= 0.5) correct++;
    return correct;
  }
  const predicted = argmaxRows(yHat),
    actual = argmaxRows(y);
  for (let i = 0; i < y.rows; i++) if (predicted[i] === actual[i]) correct++;
  return correct;
}

/** The loss `fit` uses when none is given, matched to the output activation. */
function defaultLoss(net: Sequential): Loss {
  const output = net.outputLayer.activation.name;
  return output === "softmax" ? crossEntropy : output === "sigmoid" ? binaryCrossEntropy : mse;
}

function requireData(where: string, net: Sequential, data: FitData): void {
  if (
    data === null ||
    typeof data !== "object" ||
    !(data.X instanceof Matrix) ||
    !(data.y instanceof Matrix)
  ) {
    throw new Error(
      `${where}: expected { X, y } with two Matrix values (one example per row), e.g. data.spiral({ seed: 1 }).`,
    );
  }
  const { X, y } = data;
  const inputs = net.numInputs,
    outputs = net.numOutputs;
  if (X.cols !== inputs || y.cols !== outputs || y.rows !== X.rows || X.rows === 0) {
    throw new Error(
      `${where}: X is ${X.shape} and y is ${y.shape}, but the network takes ${inputs} inputs and gives ${outputs} outputs; ` +
        `pass X with ${inputs} columns and y with ${outputs} columns (one-hot for classes), one row per example in both.`,
    );
  }
}

/**
 * The mean loss C over (X, y) and the classification accuracy (share of rows classified
 * correctly; NaN unless y holds class labels). Computed in one forward pass, in evaluation mode
 * (BatchNorm layers use their running statistics); the network's mode is restored afterwards.
 */
export function evaluate(
  net: Sequential,
  data: FitData,
  loss?: Loss | string,
): { loss: number; accuracy: number } {
  requireData("evaluate", net, data);
  const lossFn = loss === undefined ? defaultLoss(net) : getLoss(loss, "evaluate");
  const training = net.training;
  let yHat: Matrix;
  try {
    yHat = net.eval().forward(data.X);
  } finally {
    net.setTraining(training);
  }
  const out = net.outputLayer;
  const fused = fusedWith(lossFn, out.activation);
  const value = fused !== undefined ? fused.value(out.z!, data.y) : lossFn.value(yHat, data.y);
  const accuracy = isClassification(data.y) ? countCorrect(yHat, data.y) / data.y.rows : NaN;
  return { loss: value, accuracy };
}

function requireCount(name: string, x: number | undefined, hint: string): void {
  if (x !== undefined && (!Number.isInteger(x) || x < 1)) {
    throw new Error(`fit: ${name} must be a positive whole number, got ${String(x)}. ${hint}`);
  }
}

/** Checks every option before training touches the network; returns the pieces training needs. */
function prepare(net: Sequential, data: FitData, options: FitOptions, random: Random) {
  if (!(net instanceof Sequential))
    throw new Error(`fit: the first argument must be a network such as mlp([2, 16, 2]), got ${typeof net}.`);
  requireData("fit", net, data);
  requireCount("epochs", options.epochs, "Use e.g. { epochs: 30 }.");
  requireCount("batchSize", options.batchSize, "Use e.g. { batchSize: 10 }.");
  const lossFn = options.loss === undefined ? defaultLoss(net) : getLoss(options.loss, "fit");
  if (options.validation !== undefined && options.validationSplit !== undefined) {
    throw new Error(
      "fit: give either validation (a separate { X, y }) or validationSplit (a share of the training data), not both.",
    );
  }
  if (options.validation !== undefined) requireData("fit: validation", net, options.validation);
  let optimizer = options.optimizer;
  if (optimizer !== undefined) {
    if (!(optimizer instanceof SGD) && !(optimizer instanceof Adam)) {
      throw new Error(
        "fit: optimizer must be an SGD or an Adam, e.g. new SGD(net.parameters(), { lr: 0.1 }) or new Adam(net.parameters()).",
      );
    }
    if (options.lr !== undefined || options.momentum !== undefined || options.weightDecay !== undefined) {
      throw new Error(
        "fit: with an optimizer, set lr, momentum and weightDecay on the optimizer, not in the fit options.",
      );
    }
  } else {
    if (options.lr === undefined)
      throw new Error("fit: the learning rate lr is required, e.g. { lr: 0.1 } (or pass an optimizer).");
    optimizer = new SGD(net.parameters(), {
      lr: options.lr,
      momentum: options.momentum,
      weightDecay: options.weightDecay,
    });
  }
  for (const [name, x] of [
    ["clipNorm", options.clipNorm],
    ["clipValue", options.clipValue],
  ] as const) {
    if (x !== undefined && (typeof x !== "number" || !(x > 0) || !Number.isFinite(x))) {
      throw new Error(
        `fit: ${name} must be a positive finite number, got ${String(x)}. Use e.g. { ${name}: 1 } (gradients smaller than it are left alone).`,
      );
    }
  }
  if (options.clipNorm !== undefined && options.clipValue !== undefined) {
    throw new Error(
      "fit: give either clipNorm (scale the whole gradient, keeping its direction) or clipValue (cut each entry), not both.",
    );
  }
  let train = data,
    validation = options.validation;
  const split = options.validationSplit;
  if (split !== undefined) {
    const held = Math.round(data.X.rows * split);
    if (typeof split !== "number" || !(split > 0 && split < 1) || held < 1 || held >= data.X.rows) {
      throw new Error(
        `fit: validationSplit must be a share strictly between 0 and 1 that leaves both parts non-empty, got ${split} for ${data.X.rows} examples. Use e.g. 0.1.`,
      );
    }
    const order = random.permutation(data.X.rows);
    validation = {
      X: data.X.selectRows(order.subarray(0, held)),
      y: data.y.selectRows(order.subarray(0, held)),
    };
    train = { X: data.X.selectRows(order.subarray(held)), y: data.y.selectRows(order.subarray(held)) };
  }
  const batchSize = Math.min(options.batchSize ?? 10, train.X.rows);
  const batchNorm = findBatchNorm(net.stack);
  if (batchNorm !== undefined && (batchSize < 2 || train.X.rows % batchSize === 1)) {
    throw new Error(
      `fit: ${batchNorm.name} normalizes over each minibatch in training mode and needs at least 2 examples in every one, ` +
        `but ${train.X.rows} training examples in minibatches of ${batchSize} leave a minibatch of 1. Choose a batchSize ≥ 2 that leaves a remainder other than 1.`,
    );
  }
  const recorder =
    options.record === false
      ? undefined
      : new DiagnosticsRecorder(net, options.record === true ? {} : options.record);
  const progress = createProgress(options.progress ?? "auto");
  return { lossFn, optimizer, recorder, progress, train, validation };
}

/** The first BatchNorm among the layers, looking inside residual blocks. */
function findBatchNorm(layers: AnyLayer[]): BatchNorm | undefined {
  for (const l of layers) {
    if (l instanceof BatchNorm) return l;
    const inner = l instanceof Residual ? findBatchNorm(l.body) : undefined;
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/** Copies the rows `order[start … end)` of `src` into `dst` (a minibatch). */
function gather(src: Matrix, order: Int32Array, start: number, end: number, dst: Matrix): void {
  const c = src.cols;
  for (let r = start; r < end; r++)
    dst.data.set(src.data.subarray(order[r] * c, order[r] * c + c), (r - start) * c);
}

/**
 * Trains `net` by minibatch SGD on (X, y) and returns the {@link History}: per step the minibatch
 * loss before the update; per epoch the mean training loss and accuracy over that epoch's
 * minibatches (each measured before its update, weighted by its size), and the validation loss and
 * accuracy after the epoch; diagnostics sampled every `record.every` steps. The same seed and
 * options give a bit-for-bit identical history. Trains in training mode (BatchNorm uses batch
 * statistics) and restores the network's mode afterwards. With `clipNorm` or `clipValue`, each
 * step's gradient is clipped after backprop and before the update (the recorded diagnostics see
 * the clipped gradient); every step record then holds the norm before clipping and whether it
 * clipped, and every epoch record how many of its steps clipped.
 *
 * @example
 * const { X, y } = data.moons({ seed: 1 });
 * const net = mlp([2, 16, 2], { activation: "relu", init: "he", seed: 1 });
 * const history = fit(net, { X, y }, { lr: 0.5, epochs: 20, batchSize: 10, progress: "off" });
 * console.log(history.epochs[history.epochs.length - 1].loss); // the same number on every run
 * show(plot.history(history));
 */
export function fit(net: Sequential, data: FitData, options: FitOptions): History {
  if (options === null || typeof options !== "object")
    throw new Error("fit: expected options such as { lr: 0.1, epochs: 10, batchSize: 10 }.");
  const random = rng(options.seed ?? 0);
  const { lossFn, optimizer, recorder, progress, train, validation } = prepare(net, data, options, random);
  const epochs = options.epochs ?? 10;
  const n = train.X.rows;
  const batchSize = Math.min(options.batchSize ?? 10, n);
  const stepsPerEpoch = Math.ceil(n / batchSize);
  const classification = isClassification(train.y);
  const history: History = representAs(
    { epochs: [], steps: [], diagnostics: [] as DiagnosticsSample[] },
    "history",
  );
  const stepLosses: number[] = [];
  const state: ProgressState = {
    epoch: 1,
    epochs,
    step: 0,
    totalSteps: epochs * stepsPerEpoch,
    stepLosses,
    epochLoss: NaN,
    valLoss: NaN,
  };
  const order = new Int32Array(n).map((_, i) => i);
  // The minibatches are gathered into two reused buffers where the WebAssembly kernels read them.
  const full = { X: Matrix.shared(batchSize, train.X.cols), y: Matrix.shared(batchSize, train.y.cols) };
  const rest = n % batchSize;
  const last =
    rest === 0 ? full : { X: Matrix.shared(rest, train.X.cols), y: Matrix.shared(rest, train.y.cols) };
  // Dense layers are checked by name and quantity; the others (γ, β, recurrent weights) parameter by
  // parameter.
  const others = net.stack.flatMap((l) =>
    l instanceof Dense ? [] : l.parameters().map((p): [{ name: string }, Parameter] => [l, p]),
  );
  const { clipNorm, clipValue } = options;
  const fail = (found: [{ name: string }, string, number], step: number, epoch: number): never => {
    progress.finish(state);
    throw new NonFiniteError(step, epoch, found[0].name, found[1], found[2], optimizer.lr, history);
  };
  const training = net.training;
  net.train();
  try {
    let step = 0,
      stop = false;
    for (let epoch = 1; epoch <= epochs && !stop; epoch++) {
      state.epoch = epoch;
      if (options.shuffle !== false) random.shuffle(order);
      let lossSum = 0,
        correct = 0,
        clippedSteps = 0;
      for (let start = 0; start < n; start += batchSize) {
        const end = Math.min(start + batchSize, n);
        const batch = end - start === batchSize ? full : last;
        gather(train.X, order, start, end, batch.X);
        gather(train.y, order, start, end, batch.y);
        step++;
        net.zeroGrad();
        const loss = net.backprop(batch.X, batch.y, lossFn);
        const bad = findNonFinite(net.layers, loss);
        if (bad !== undefined) fail(bad, step, epoch);
        lossSum += loss * (end - start);
        if (classification) correct += countCorrect(net.outputLayer.a!, batch.y);
        const record: StepRecord = { step, epoch, loss };
        if (clipNorm !== undefined) {
          record.gradNorm = clipGradNorm(optimizer.params, clipNorm);
          record.clipped = record.gradNorm > clipNorm;
        } else if (clipValue !== undefined) {
          record.gradNorm = gradNorm(optimizer.params);
          record.clipped = clipGradValue(optimizer.params, clipValue) > 0;
        }
        if (record.clipped) clippedSteps++;
        const sampled = recorder !== undefined && recorder.samples(step);
        if (sampled) recorder!.beforeUpdate(step, epoch);
        optimizer.step();
        const badParameter = findNonFiniteParameter(net.layers, others);
        if (badParameter !== undefined) fail(badParameter, step, epoch);
        if (sampled) history.diagnostics.push(recorder!.afterUpdate());
        history.steps.push(record);
        stepLosses.push(loss);
        state.step = step;
        progress.update(state);
        if (options.onStep !== undefined && options.onStep(record, net) === false) {
          stop = true;
          break;
        }
      }
      if (stop) break;
      const val = validation !== undefined ? evaluate(net, validation, lossFn) : { loss: NaN, accuracy: NaN };
      const record: EpochRecord = {
        epoch,
        loss: lossSum / n,
        accuracy: classification ? correct / n : NaN,
        valLoss: val.loss,
        valAccuracy: val.accuracy,
      };
      if (clipNorm !== undefined || clipValue !== undefined) record.clippedSteps = clippedSteps;
      history.epochs.push(record);
      state.epochLoss = record.loss;
      state.valLoss = record.valLoss;
      progress.update(state);
      if (options.onEpoch !== undefined && options.onEpoch(record, net) === false) stop = true;
    }
  } finally {
    net.setTraining(training);
  }
  progress.finish(state);
  return history;
}
