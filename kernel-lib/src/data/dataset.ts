/**
 * The shape every data set in kernel-lib shares — inputs X, one-hot targets y, integer labels — and
 * the operations on it that are independent of where the data came from: one-hot encoding, a
 * seeded train/test split and standardization.
 */

import { Matrix } from "../matrix";
import { rng, Seed } from "../random";
import { representAs } from "../display/protocol";

/** A labelled classification set: n examples, one per row of X, with one-hot targets y. */
export interface Dataset {
  /** Inputs, one example per row [n×d]. */
  X: Matrix;
  /** One-hot targets [n×k]: y(i, c) = 1 when example i belongs to class c, else 0. */
  y: Matrix;
  /** The class of each example, in 0 … k − 1 (length n). */
  labels: Int32Array;
  /** The number of classes k. */
  classes: number;
}

/** The one-hot matrix [n×k] of integer labels: row i has a 1 in column labels[i] and 0 elsewhere. */
export function oneHot(labels: ArrayLike<number>, k: number): Matrix {
  if (!Number.isInteger(k) || k < 1) {
    throw new Error(
      `oneHot: k (the number of classes) must be a positive integer, got ${k}. Pass the number of distinct labels, e.g. 10 for digits.`,
    );
  }
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= k) {
      throw new Error(
        `oneHot: labels[${i}] is ${c}, but with k = ${k} labels must be integers in 0…${k - 1}. Check k or the labels.`,
      );
    }
  }
  const y = new Matrix(labels.length, k);
  for (let i = 0; i < labels.length; i++) y.data[i * k + labels[i]] = 1;
  return y;
}

/** The examples at the given row indices, in that order, as a new data set. */
export function subset(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const labels = new Int32Array(indices.length);
  for (let r = 0; r < indices.length; r++) labels[r] = ds.labels[indices[r]];
  return representAs(
    { X: ds.X.selectRows(indices), y: ds.y.selectRows(indices), labels, classes: ds.classes },
    "dataset",
  );
}

/** Options of {@link trainTestSplit}. */
export interface SplitOptions {
  /** Share of the examples held out for testing, strictly between 0 and 1 (e.g. 0.2). */
  testFraction: number;
  /** Seed of the random permutation that decides which examples are held out. */
  seed: Seed;
}

/**
 * A seeded random partition of a data set into disjoint train and test sets; the test set has
 * round(n · testFraction) examples, the train set the rest.
 */
export function trainTestSplit(ds: Dataset, options: SplitOptions): { train: Dataset; test: Dataset } {
  const { testFraction, seed } = options;
  if (typeof testFraction !== "number" || !(testFraction > 0 && testFraction < 1)) {
    throw new Error(
      `trainTestSplit: testFraction must be a number strictly between 0 and 1, got ${testFraction}. Use e.g. 0.2 to hold out a fifth of the examples.`,
    );
  }
  const n = ds.X.rows;
  const testCount = Math.round(n * testFraction);
  if (testCount < 1 || testCount > n - 1) {
    throw new Error(
      `trainTestSplit: with ${n} examples, testFraction ${testFraction} leaves ${testCount} test and ${n - testCount} train examples; both need at least one. Use more data or a different testFraction.`,
    );
  }
  const order = rng(seed).permutation(n);
  return { train: subset(ds, order.subarray(testCount)), test: subset(ds, order.subarray(0, testCount)) };
}

/** Per-column statistics of a standardization, x′ = (x − mean) / std. */
export interface Standardization {
  /** Column means (length d). */
  mean: Float64Array;
  /** Column standard deviations (population, divide by n), with 0 replaced by 1 (length d). */
  std: Float64Array;
}

/**
 * Standardizes each column of X to mean 0 and standard deviation 1: x′ᵢⱼ = (xᵢⱼ − μⱼ) / σⱼ.
 * Without `stats`, μ and σ are measured on X (a constant column has σ = 0 and is only centred:
 * σ is taken as 1). Pass the `stats` measured on the training set to transform test data with the
 * same μ and σ, so no information leaks from the test set.
 */
export function standardize(X: Matrix, stats?: Standardization): { X: Matrix } & Standardization {
  const n = X.rows,
    d = X.cols;
  if (stats !== undefined) {
    if (stats.mean.length !== d || stats.std.length !== d) {
      throw new Error(
        `standardize: X has ${d} columns but the stats have ${stats.mean.length} means and ${stats.std.length} stds. Pass the stats measured on data with the same columns.`,
      );
    }
  } else if (n === 0) {
    throw new Error(
      `standardize: X is ${X.shape}; measuring means and stds needs at least one row. Pass non-empty data or the stats of a training set.`,
    );
  }
  const mean = stats ? stats.mean.slice() : new Float64Array(d);
  const std = stats ? stats.std.slice() : new Float64Array(d);
  if (!stats) {
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += X.data[i * d + j];
    for (let j = 0; j < d; j++) mean[j] /= n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const e = X.data[i * d + j] - mean[j];
        std[j] += e * e;
      }
    }
    for (let j = 0; j < d; j++) std[j] = std[j] > 0 ? Math.sqrt(std[j] / n) : 1;
  }
  const out = new Matrix(n, d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) out.data[i * d + j] = (X.data[i * d + j] - mean[j]) / std[j];
  }
  return { X: out, mean, std };
}

/**
 * How many of `count` examples each of k classes gets, as evenly as `available` allows: every
 * class gets ⌊count/k⌋ or one more (the lowest class numbers take the extra ones); a class that
 * runs out gives its share to the others, again spread evenly.
 */
export function balancedCounts(count: number, available: ArrayLike<number>): Int32Array {
  const k = available.length;
  const quota = new Int32Array(k);
  let remaining = count;
  while (remaining > 0) {
    const open: number[] = [];
    for (let c = 0; c < k; c++) if (quota[c] < available[c]) open.push(c);
    if (open.length === 0) break;
    const each = Math.floor(remaining / open.length);
    let extra = remaining - each * open.length;
    for (const c of open) {
      const want = each + (extra > 0 ? 1 : 0);
      if (extra > 0) extra--;
      const give = Math.min(want, available[c] - quota[c]);
      quota[c] += give;
      remaining -= give;
    }
  }
  return quota;
}
