/**
 * Small two-dimensional classification sets to train on in seconds and to plot: spirals, two
 * moons, two circles and XOR. Each places points on clean curves, then adds Gaussian noise of
 * standard deviation `noise` to each coordinate; the `seed` decides the noise, XOR's points and
 * the (shuffled) order of the examples.
 */

import { Matrix } from "../matrix";
import { Random, rng, Seed } from "../random";
import { balancedCounts, Dataset, oneHot } from "./dataset";
import { representAs } from "../display/protocol";

/** Options shared by the synthetic sets. */
export interface SyntheticOptions {
  /** Total number of points, spread evenly over the classes (default 200; spiral: 300). */
  count?: number;
  /** Standard deviation of the Gaussian noise added to each coordinate (≥ 0; default 0.1, spiral: 0.05). */
  noise?: number;
  /** Seed of the noise, of any random placement and of the order of the examples (default 0). */
  seed?: Seed;
}

/** Options of {@link spiral}. */
export interface SpiralOptions extends SyntheticOptions {
  /** Number of arms, one class each (integer ≥ 2; default 3). */
  classes?: number;
}

/** Where the clean (noise-free) point number `i` of `m` in class `c` lies. */
type Placement = (c: number, i: number, m: number, random: Random) => [number, number];

function requireOptions(fn: string, count: number, noise: number, classes: number): void {
  if (!Number.isInteger(count) || count < classes) {
    throw new Error(
      `${fn}: count must be an integer of at least ${classes} (one point per class), got ${count}. Use e.g. count: 200.`,
    );
  }
  if (typeof noise !== "number" || !Number.isFinite(noise) || noise < 0) {
    throw new Error(
      `${fn}: noise must be a finite number ≥ 0 (the standard deviation added to each coordinate), got ${noise}. Use 0 for clean data or e.g. 0.1.`,
    );
  }
}

/** Builds the data set: ⌊count/k⌋ or one more points per class, noise, then a seeded shuffle. */
function generate(
  fn: string,
  classes: number,
  count: number,
  noise: number,
  seed: Seed,
  place: Placement,
): Dataset {
  requireOptions(fn, count, noise, classes);
  const random = rng(seed);
  const perClass = balancedCounts(count, new Array<number>(classes).fill(count));
  const points = new Float64Array(count * 2);
  const labels = new Int32Array(count);
  let n = 0;
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < perClass[c]; i++, n++) {
      const [x1, x2] = place(c, i, perClass[c], random);
      points[2 * n] = x1 + random.normal(0, noise);
      points[2 * n + 1] = x2 + random.normal(0, noise);
      labels[n] = c;
    }
  }
  // Shuffle so that any slice of the rows (a minibatch, a split) mixes the classes.
  const order = random.permutation(count);
  const X = new Matrix(count, 2);
  const shuffled = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    X.data[2 * r] = points[2 * order[r]];
    X.data[2 * r + 1] = points[2 * order[r] + 1];
    shuffled[r] = labels[order[r]];
  }
  return representAs({ X, y: oneHot(shuffled, classes), labels: shuffled, classes }, "dataset");
}

/** Evenly spaced positions t = i / m in [0, 1) along a curve. */
function along(i: number, m: number): number {
  return i / m;
}

/**
 * k interleaved spiral arms, one class each: arm c at t ∈ [0, 1) is the point at radius t and
 * angle 2πc/k + 4t (the classic set of the CS231n notes), plus noise. Not linearly separable.
 */
export function spiral(options: SpiralOptions = {}): Dataset {
  const { count = 300, classes = 3, noise = 0.05, seed = 0 } = options;
  if (!Number.isInteger(classes) || classes < 2) {
    throw new Error(
      `spiral: classes (the number of arms) must be an integer ≥ 2, got ${classes}. Use e.g. classes: 3.`,
    );
  }
  return generate("spiral", classes, count, noise, seed, (c, i, m) => {
    const t = along(i, m);
    const angle = (2 * Math.PI * c) / classes + 4 * t;
    return [t * Math.sin(angle), t * Math.cos(angle)];
  });
}

/**
 * Two interleaving half circles: class 0 is (cos θ, sin θ), class 1 is (1 − cos θ, ½ − sin θ),
 * for θ ∈ [0, π], plus noise (as scikit-learn's make_moons).
 */
export function moons(options: SyntheticOptions = {}): Dataset {
  const { count = 200, noise = 0.1, seed = 0 } = options;
  return generate("moons", 2, count, noise, seed, (c, i, m) => {
    const theta = Math.PI * (m > 1 ? i / (m - 1) : 0);
    return c === 0 ? [Math.cos(theta), Math.sin(theta)] : [1 - Math.cos(theta), 0.5 - Math.sin(theta)];
  });
}

/**
 * Two concentric circles: class 0 on the unit circle, class 1 on the circle of radius ½, at
 * evenly spaced angles, plus noise (as scikit-learn's make_circles with factor ½).
 */
export function circles(options: SyntheticOptions = {}): Dataset {
  const { count = 200, noise = 0.1, seed = 0 } = options;
  return generate("circles", 2, count, noise, seed, (c, i, m) => {
    const theta = 2 * Math.PI * along(i, m);
    const radius = c === 0 ? 1 : 0.5;
    return [radius * Math.cos(theta), radius * Math.sin(theta)];
  });
}

/**
 * The XOR pattern: points uniform in the square [−1, 1]², class 1 when the two coordinates have
 * opposite signs (quadrants II and IV), class 0 otherwise; noise is added after labelling, so it
 * blurs the boundary along the axes.
 */
export function xor(options: SyntheticOptions = {}): Dataset {
  const { count = 200, noise = 0.1, seed = 0 } = options;
  return generate("xor", 2, count, noise, seed, (c, _i, _m, random) => {
    const x1 = random.uniform(-1, 1);
    const x2 = random.uniform(0, 1) * (x1 >= 0 ? 1 : -1) * (c === 0 ? 1 : -1);
    return [x1, x2];
  });
}
