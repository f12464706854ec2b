import { describe, expect, it } from "vitest";
import { circles, moons, oneHot, spiral, standardize, trainTestSplit, xor } from "../../kernel-lib/src/data";
import type { Dataset } from "../../kernel-lib/src/data";
import { Matrix } from "../../kernel-lib/src/matrix";

const generators = { spiral, moons, circles, xor };

function classCounts(ds: Dataset): number[] {
  const counts = new Array(ds.classes).fill(0);
  for (const l of ds.labels) counts[l]++;
  return counts;
}

describe("synthetic data sets", () => {
  for (const [name, make] of Object.entries(generators)) {
    it(`${name}: shapes, one-hot targets that match the labels, balanced classes`, () => {
      const ds = make({ count: 101, seed: 3 });
      const k = name === "spiral" ? 3 : 2;
      expect(ds.classes).toBe(k);
      expect(ds.X.rows).toBe(101);
      expect(ds.X.cols).toBe(2);
      expect(ds.y.rows).toBe(101);
      expect(ds.y.cols).toBe(k);
      expect(ds.labels.length).toBe(101);
      for (let i = 0; i < 101; i++) {
        for (let c = 0; c < k; c++) expect(ds.y.get(i, c)).toBe(c === ds.labels[i] ? 1 : 0);
      }
      const counts = classCounts(ds);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(101);
      for (const v of ds.X.data) expect(Number.isFinite(v)).toBe(true);
    });

    it(`${name}: the same seed gives identical data, another seed different data`, () => {
      const a = make({ count: 60, seed: 7 });
      const b = make({ count: 60, seed: 7 });
      const c = make({ count: 60, seed: 8 });
      expect(Array.from(a.X.data)).toEqual(Array.from(b.X.data));
      expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
      expect(Array.from(a.X.data)).not.toEqual(Array.from(c.X.data));
    });

    it(`${name}: noise is the standard deviation added to each coordinate`, () => {
      // Same seed: the clean positions are identical, so the difference between two noise levels
      // is (σ₂ − σ₁)·(the same standard normal draws) — its spread measures the noise.
      const clean = make({ count: 4000, seed: 5, noise: 0 });
      const noisy = make({ count: 4000, seed: 5, noise: 0.2 });
      let s = 0,
        s2 = 0;
      for (let i = 0; i < clean.X.data.length; i++) {
        const d = noisy.X.data[i] - clean.X.data[i];
        s += d;
        s2 += d * d;
      }
      const n = clean.X.data.length;
      const std = Math.sqrt(s2 / n - (s / n) ** 2);
      expect(std).toBeGreaterThan(0.19);
      expect(std).toBeLessThan(0.21);
      expect(Array.from(clean.labels)).toEqual(Array.from(noisy.labels));
    });

    it(`${name}: bad options give errors naming the option`, () => {
      expect(() => make({ count: 0 })).toThrow(/count must be an integer/);
      expect(() => make({ count: 10.5 })).toThrow(/count must be an integer/);
      expect(() => make({ noise: -1 })).toThrow(/noise must be a finite number ≥ 0/);
      expect(() => make({ noise: NaN })).toThrow(/noise/);
    });
  }

  it("clean sets lie on their curves", () => {
    const s = spiral({ count: 90, noise: 0, seed: 1 });
    for (let i = 0; i < 90; i++) expect(Math.hypot(s.X.get(i, 0), s.X.get(i, 1))).toBeLessThan(1);
    const c = circles({ count: 50, noise: 0, seed: 1 });
    for (let i = 0; i < 50; i++)
      expect(Math.hypot(c.X.get(i, 0), c.X.get(i, 1))).toBeCloseTo(c.labels[i] === 0 ? 1 : 0.5, 12);
    const x = xor({ count: 200, noise: 0, seed: 1 });
    for (let i = 0; i < 200; i++) {
      const opposite = x.X.get(i, 0) * x.X.get(i, 1) < 0;
      expect(x.labels[i]).toBe(opposite ? 1 : 0);
    }
    const m = moons({ count: 40, noise: 0, seed: 1 });
    for (let i = 0; i < 40; i++) {
      const [cx, cy] = m.labels[i] === 0 ? [0, 0] : [1, 0.5];
      expect(Math.hypot(m.X.get(i, 0) - cx, m.X.get(i, 1) - cy)).toBeCloseTo(1, 12);
    }
  });

  it("spiral takes a number of arms", () => {
    const s = spiral({ count: 50, classes: 5, seed: 1 });
    expect(s.classes).toBe(5);
    expect(classCounts(s)).toEqual([10, 10, 10, 10, 10]);
    expect(() => spiral({ classes: 1 })).toThrow(/classes .* must be an integer ≥ 2/);
  });
});

describe("oneHot", () => {
  it("puts a single 1 in each row", () => {
    expect(oneHot([2, 0, 1], 3).toArray()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });
  it("rejects labels outside 0…k−1 and a bad k", () => {
    expect(() => oneHot([0, 3], 3)).toThrow(/labels\[1\] is 3.*0…2/);
    expect(() => oneHot([0], 0)).toThrow(/k \(the number of classes\)/);
  });
});

describe("trainTestSplit", () => {
  it("makes disjoint parts that together are the whole set, seeded", () => {
    const ds = spiral({ count: 100, seed: 2 });
    const { train, test } = trainTestSplit(ds, { testFraction: 0.25, seed: 4 });
    expect(test.X.rows).toBe(25);
    expect(train.X.rows).toBe(75);
    const key = (d: Dataset, i: number) => `${d.X.get(i, 0)},${d.X.get(i, 1)},${d.labels[i]}`;
    const all = new Set(Array.from({ length: 100 }, (_, i) => key(ds, i)));
    const parts = [
      ...Array.from({ length: 75 }, (_, i) => key(train, i)),
      ...Array.from({ length: 25 }, (_, i) => key(test, i)),
    ];
    expect(new Set(parts).size).toBe(100);
    for (const p of parts) expect(all.has(p)).toBe(true);
    const again = trainTestSplit(ds, { testFraction: 0.25, seed: 4 });
    expect(Array.from(again.test.X.data)).toEqual(Array.from(test.X.data));
    for (let i = 0; i < 25; i++) expect(test.y.get(i, test.labels[i])).toBe(1);
  });
  it("rejects fractions that leave a part empty", () => {
    const ds = xor({ count: 10 });
    expect(() => trainTestSplit(ds, { testFraction: 1, seed: 1 })).toThrow(/strictly between 0 and 1/);
    expect(() => trainTestSplit(ds, { testFraction: 0.01, seed: 1 })).toThrow(/both need at least one/);
  });
});

describe("standardize", () => {
  it("gives columns of mean 0 and std 1, and applies training stats to test data", () => {
    const X = Matrix.from([
      [1, 10, 5],
      [2, 20, 5],
      [3, 60, 5],
    ]);
    const s = standardize(X);
    for (let j = 0; j < 3; j++) {
      const col = [0, 1, 2].map((i) => s.X.get(i, j));
      const m = col.reduce((a, b) => a + b, 0) / 3;
      expect(m).toBeCloseTo(0, 12);
      if (j < 2) expect(Math.sqrt(col.reduce((a, b) => a + (b - m) ** 2, 0) / 3)).toBeCloseTo(1, 12);
    }
    expect(Array.from(s.std)).toEqual([Math.sqrt(2 / 3), Math.sqrt(1400 / 3), 1]); // a constant column keeps std 1
    const t = standardize(Matrix.from([[2, 30, 6]]), s);
    expect(t.X.get(0, 0)).toBeCloseTo(0, 12);
    expect(t.X.get(0, 1)).toBeCloseTo(0, 12);
    expect(t.X.get(0, 2)).toBeCloseTo(1, 12);
    expect(() => standardize(Matrix.from([[1, 2]]), s)).toThrow(/2 columns but the stats have 3/);
  });
});
