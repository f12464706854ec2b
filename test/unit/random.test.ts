import { describe, expect, it } from "vitest";
import { Random, rng } from "../../kernel-lib/src";
import { expectBitwiseEqual } from "./helpers";

const N = 1_000_000;

/** N draws from a source. */
function draws(f: () => number, n = N): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f();
  return out;
}

const min = (x: Float64Array) => x.reduce((m, v) => Math.min(m, v), Infinity);
const max = (x: Float64Array) => x.reduce((m, v) => Math.max(m, v), -Infinity);

function meanAndVariance(x: Float64Array): { mean: number; variance: number } {
  let s = 0;
  for (const v of x) s += v;
  const mean = s / x.length;
  let ss = 0;
  for (const v of x) ss += (v - mean) ** 2;
  return { mean, variance: ss / (x.length - 1) };
}

describe("Random: distributions", () => {
  const random = new Random(2024);

  it("next() is uniform on [0, 1): mean 1/2, variance 1/12, within 5 standard errors", () => {
    const x = draws(() => random.next());
    expect(min(x)).toBeGreaterThanOrEqual(0);
    expect(max(x)).toBeLessThan(1);
    const { mean, variance } = meanAndVariance(x);
    // SE(mean) = √(1/12 / N); for a uniform, Var(s²) ≈ (μ₄ − σ⁴)/N = (1/80 − 1/144)/N.
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / N));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(5 * Math.sqrt((1 / 80 - 1 / 144) / N));
  });

  it("uniform(lo, hi) stays in [lo, hi)", () => {
    const x = draws(() => random.uniform(-3, 5), 100_000);
    expect(min(x)).toBeGreaterThanOrEqual(-3);
    expect(max(x)).toBeLessThan(5);
    expect(Math.abs(meanAndVariance(x).mean - 1)).toBeLessThan(5 * Math.sqrt(64 / 12 / 100_000));
  });

  it("normal(μ, σ) has mean μ and variance σ², within 5 standard errors", () => {
    const mu = 1.5,
      sigma = 2;
    const { mean, variance } = meanAndVariance(draws(() => random.normal(mu, sigma)));
    // SE(mean) = σ/√N; SE(s²) = σ²√(2/(N − 1)) for normal samples.
    expect(Math.abs(mean - mu)).toBeLessThan((5 * sigma) / Math.sqrt(N));
    expect(Math.abs(variance - sigma ** 2)).toBeLessThan(5 * sigma ** 2 * Math.sqrt(2 / (N - 1)));
  });

  it("normal() has the normal's tails: about 4.55% beyond 2σ", () => {
    const x = draws(() => random.normal());
    const beyond = x.filter((v) => Math.abs(v) > 2).length / N;
    const p = 0.0455003;
    expect(Math.abs(beyond - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / N));
  });

  it("int(n) gives each of 0 … n − 1", () => {
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[random.int(7)]++;
    // Each count is Binomial(70000, 1/7): mean 10000, SE √(70000·(1/7)(6/7)) ≈ 92.6.
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(5 * 92.6);
  });
});

describe("Random: shuffles and permutations", () => {
  it("shuffle returns the same array, rearranged, with the same elements", () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = new Random(3).shuffle(items);
    expect(shuffled).toBe(items);
    expect([...items].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(items).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("permutation(n) is a permutation of 0 … n − 1, fixed by the seed", () => {
    const p = new Random(9).permutation(1000);
    expect(p).toBeInstanceOf(Int32Array);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(new Random(9).permutation(1000))).toEqual(Array.from(p));
    expect(Array.from(new Random(10).permutation(1000))).not.toEqual(Array.from(p));
  });

  it("all 6 orders of 3 items are equally likely", () => {
    const random = new Random(4);
    const counts = new Map<string, number>();
    for (let i = 0; i < 60_000; i++) {
      const key = Array.from(random.permutation(3)).join("");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    // Binomial(60000, 1/6): mean 10000, SE √(60000·(1/6)(5/6)) ≈ 91.3.
    for (const c of counts.values()) expect(Math.abs(c - 10_000)).toBeLessThan(5 * 91.3);
  });
});

describe("Random: seeding", () => {
  it("the same seed gives a bitwise-identical sequence; different seeds differ", () => {
    const a = new Random(7),
      b = new Random(7),
      c = new Random(8);
    const seq = (r: Random) => draws(() => r.normal(), 1000);
    const sa = seq(a);
    expectBitwiseEqual(sa, seq(b));
    expect(Array.from(seq(c))).not.toEqual(Array.from(sa));
  });

  it("nearby and zero or negative seeds all give distinct streams", () => {
    const firsts = [0, 1, 2, -1, 123456789].map((s) => new Random(s).nextUint32());
    expect(new Set(firsts).size).toBe(firsts.length);
  });

  it("rng(seed) makes a new source; rng(random) shares the given one", () => {
    const r = new Random(1);
    expect(rng(r)).toBe(r);
    expect(rng(5)).toBeInstanceOf(Random);
    expect(rng(5).next()).toBe(new Random(5).next());
  });
});
