/** The sequence tasks: layout, targets, seeding and errors. */

import { describe, expect, it } from "vitest";
import { data } from "../../kernel-lib/src";

describe("firstSymbol", () => {
  it("each row is T one-hot symbols and the label is the first one", () => {
    const task = data.firstSymbol({ count: 50, steps: 6, symbols: 3, seed: 2 });
    expect(task.X.shape).toBe("50×18");
    expect(task.y.shape).toBe("50×3");
    expect(task.classes).toBe(3);
    for (let r = 0; r < 50; r++) {
      for (let t = 0; t < 6; t++) {
        const step = Array.from(task.X.data.subarray(r * 18 + t * 3, r * 18 + t * 3 + 3));
        expect(step.reduce((a, b) => a + b)).toBe(1);
        if (t === 0) expect(step.indexOf(1)).toBe(task.labels[r]);
      }
      expect(task.y.get(r, task.labels[r])).toBe(1);
    }
  });

  it("is seeded, and every class appears", () => {
    const a = data.firstSymbol({ count: 100, steps: 4, seed: 7 });
    expect(data.firstSymbol({ count: 100, steps: 4, seed: 7 }).X.data).toEqual(a.X.data);
    expect(data.firstSymbol({ count: 100, steps: 4, seed: 8 }).X.data).not.toEqual(a.X.data);
    expect(new Set(a.labels).size).toBe(4);
  });

  it("bad options say what to use", () => {
    expect(() => data.firstSymbol({ symbols: 1 })).toThrow(
      /firstSymbol: symbols must be a whole number ≥ 2, got 1/,
    );
    expect(() => data.firstSymbol({ steps: 2.5 })).toThrow(
      /firstSymbol: steps must be a whole number ≥ 1, got 2.5/,
    );
  });
});

describe("addingProblem", () => {
  it("two marked steps, one in each half, and the target is the sum of their values", () => {
    const T = 9;
    const task = data.addingProblem({ count: 40, steps: T, seed: 1 });
    expect(task.X.shape).toBe(`40×${2 * T}`);
    expect(task.y.shape).toBe("40×1");
    for (let r = 0; r < 40; r++) {
      const marked: number[] = [];
      let sum = 0;
      for (let t = 0; t < T; t++) {
        const v = task.X.get(r, 2 * t),
          m = task.X.get(r, 2 * t + 1);
        expect(v >= 0 && v < 1).toBe(true);
        if (m === 1) {
          marked.push(t);
          sum += v;
        } else expect(m).toBe(0);
      }
      expect(marked).toHaveLength(2);
      expect(marked[0]).toBeLessThan(Math.floor(T / 2));
      expect(marked[1]).toBeGreaterThanOrEqual(Math.floor(T / 2));
      expect(task.y.data[r]).toBe(sum);
    }
  });

  it("is seeded; predicting 1 always gives a mean squared error near 1/6", () => {
    const task = data.addingProblem({ count: 4000, steps: 10, seed: 3 });
    expect(data.addingProblem({ count: 4000, steps: 10, seed: 3 }).y.data).toEqual(task.y.data);
    const mse = task.y.data.reduce((a, v) => a + (v - 1) ** 2, 0) / 4000;
    expect(mse).toBeGreaterThan(0.15);
    expect(mse).toBeLessThan(0.185);
    expect(() => data.addingProblem({ steps: 1 })).toThrow(
      /addingProblem: steps must be a whole number ≥ 2, got 1/,
    );
  });
});
