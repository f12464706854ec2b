/**
 * Sequence tasks that need a memory of many steps, for recurrent networks. Each example is one row
 * of X holding T steps one after another (step t in columns (t − 1)·d … t·d − 1), the layout `RNN`
 * and `LSTM` read.
 */

import { Matrix } from "../matrix";
import { rng, Seed } from "../random";
import { Dataset, oneHot } from "./dataset";
import { representAs } from "../display/protocol";

/** Options of the sequence tasks. */
export interface SequenceOptions {
  /** Number of sequences (default 1000). */
  count?: number;
  /** The sequence length T (default 20). */
  steps?: number;
  /** Seed of everything random (default 0). */
  seed?: Seed;
}

/** Options of {@link firstSymbol}. */
export interface FirstSymbolOptions extends SequenceOptions {
  /** The number of distinct symbols k, each a one-hot vector (default 4). */
  symbols?: number;
}

/** A regression task: inputs X [n × T·d] and targets y [n × 1]. */
export interface SequenceRegression {
  /** The sequences, one per row [n × T·d]. */
  X: Matrix;
  /** The targets [n × 1]. */
  y: Matrix;
}

function requireWhole(fn: string, what: string, x: number, min: number, hint: string): void {
  if (!Number.isInteger(x) || x < min)
    throw new Error(`${fn}: ${what} must be a whole number ≥ ${min}, got ${String(x)}. ${hint}`);
}

/**
 * Recall the first symbol: each sequence is T random symbols out of k (one-hot, d = k); the class
 * is the first one, so the network must carry it through T − 1 distractors. Chance accuracy is 1/k.
 * A classification {@link Dataset}: X [n × T·k], y one-hot [n × k], labels.
 */
export function firstSymbol(options: FirstSymbolOptions = {}): Dataset {
  const { count = 1000, steps = 20, symbols = 4, seed = 0 } = options;
  requireWhole("firstSymbol", "count", count, 1, "Use e.g. count: 1000.");
  requireWhole("firstSymbol", "steps", steps, 1, "Use e.g. steps: 20.");
  requireWhole("firstSymbol", "symbols", symbols, 2, "Use e.g. symbols: 4 (chance accuracy is then 25%).");
  const random = rng(seed);
  const X = new Matrix(count, steps * symbols);
  const labels = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    for (let t = 0; t < steps; t++) {
      const s = random.int(symbols);
      if (t === 0) labels[r] = s;
      X.data[r * steps * symbols + t * symbols + s] = 1;
    }
  }
  return representAs({ X, y: oneHot(labels, symbols), labels, classes: symbols }, "dataset");
}

/**
 * The adding problem (Hochreiter and Schmidhuber, 1997): each step is a pair (value, marker), the
 * values uniform in [0, 1]; exactly two steps are marked with 1, one in the first half of the
 * sequence and one in the second; the target is the sum of the two marked values. Predicting 1
 * always gives a mean squared error of about 1/6, so that is the baseline to beat.
 * X [n × 2T], y [n × 1].
 */
export function addingProblem(options: SequenceOptions = {}): SequenceRegression {
  const { count = 1000, steps = 20, seed = 0 } = options;
  requireWhole("addingProblem", "count", count, 1, "Use e.g. count: 1000.");
  requireWhole("addingProblem", "steps", steps, 2, "Use e.g. steps: 20 (one marked step in each half).");
  const random = rng(seed);
  const X = new Matrix(count, 2 * steps);
  const y = new Matrix(count, 1);
  const half = Math.floor(steps / 2);
  for (let r = 0; r < count; r++) {
    const row = r * 2 * steps;
    for (let t = 0; t < steps; t++) X.data[row + 2 * t] = random.uniform(0, 1);
    const first = random.int(half),
      second = half + random.int(steps - half);
    X.data[row + 2 * first + 1] = 1;
    X.data[row + 2 * second + 1] = 1;
    y.data[r] = X.data[row + 2 * first] + X.data[row + 2 * second];
  }
  return { X, y };
}
