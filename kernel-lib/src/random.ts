/**
 * Seeded randomness. Every stochastic function in kernel-lib takes a {@link Seed}, so a notebook
 * run twice prints the same numbers.
 */

/** A seed (any integer) or an existing random source to draw from. */
export type Seed = number | Random;

/**
 * A seeded pseudo-random source (sfc32, a small fast counter generator), giving doubles with
 * 53 random bits.
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** A second normal deviate from the last Box–Muller pair, used by the next call. */
  private spare: number | undefined;

  /** Creates a source from an integer seed; the same seed gives the same sequence. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) {
      throw new Error(`Random: the seed must be a finite number, got ${seed}. Pass an integer such as 1.`);
    }
    // splitmix32 spreads the seed over the four words of state.
    let s = Math.floor(seed) >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** The next 32-bit unsigned integer of the sequence. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A uniform sample from [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform sample from [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  /** A sample from the normal distribution N(mean, std²) (Box–Muller). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** A uniform integer from {0, 1, …, n − 1}. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) {
      throw new Error(`Random.int: n must be a positive integer, got ${n}.`);
    }
    return Math.floor(this.next() * n);
  }

  /** Shuffles an array in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: any }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /** A random permutation of 0 … n − 1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}

/** The random source for a seed: a new {@link Random} for a number, the same source for a `Random`. */
export function rng(seed: Seed): Random {
  return seed instanceof Random ? seed : new Random(seed);
}
