import { describe, expect, it } from "vitest";
import { mnist, mnistSize } from "../../kernel-lib/src/data";

describe("mnist", () => {
  it("ships 10,000 digits: 8,000 train and 2,000 test", () => {
    expect(mnistSize("all")).toBe(10000);
    expect(mnistSize("train")).toBe(8000);
    expect(mnistSize("test")).toBe(2000);
  });

  it("returns X [n×784] in [0, 1], one-hot y [n×10] and balanced labels", () => {
    const ds = mnist({ count: 1000, seed: 1 });
    expect(ds.X.rows).toBe(1000);
    expect(ds.X.cols).toBe(784);
    expect(ds.y.rows).toBe(1000);
    expect(ds.y.cols).toBe(10);
    expect(ds.classes).toBe(10);
    let min = Infinity,
      max = -Infinity;
    for (const v of ds.X.data) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 1000; i++) {
      counts[ds.labels[i]]++;
      for (let c = 0; c < 10; c++) expect(ds.y.get(i, c)).toBe(c === ds.labels[i] ? 1 : 0);
    }
    expect(counts).toEqual(new Array(10).fill(100));
    expect(new Set(ds.ids).size).toBe(1000);
    // Rows are shuffled, not sorted by class.
    expect(Array.from(ds.labels.subarray(0, 20)).some((l) => l !== ds.labels[0])).toBe(true);
  });

  it("spreads a remainder over the lowest digits", () => {
    const counts = new Array(10).fill(0);
    for (const l of mnist({ count: 1005, seed: 2 }).labels) counts[l]++;
    expect(counts).toEqual([101, 101, 101, 101, 101, 100, 100, 100, 100, 100]);
    const small = new Array(10).fill(0);
    for (const l of mnist({ count: 3, seed: 2 }).labels) small[l]++;
    expect(small).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("stays as balanced as the data allows up to every shipped digit", () => {
    const all = mnist({ count: 10000, part: "all", seed: 1 });
    expect(new Set(all.ids).size).toBe(10000);
    const counts = new Array(10).fill(0);
    for (const l of mnist({ count: 8000, seed: 1 }).labels) counts[l]++;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(8000);
  });

  it("same seed, same digits in the same order; another seed, other digits", () => {
    const a = mnist({ count: 200, seed: 5 });
    const b = mnist({ count: 200, seed: 5 });
    const c = mnist({ count: 200, seed: 6 });
    expect(Array.from(a.ids)).toEqual(Array.from(b.ids));
    expect(Buffer.from(a.X.data.buffer).equals(Buffer.from(b.X.data.buffer))).toBe(true);
    expect(Array.from(a.ids)).not.toEqual(Array.from(c.ids));
    const shared = Array.from(c.ids).filter((id) => new Set(a.ids).has(id)).length;
    expect(shared).toBeLessThan(50);
  });

  it("the train and test parts never share a digit", () => {
    const train = new Set(mnist({ count: 8000, seed: 1 }).ids);
    const test = mnist({ count: 2000, part: "test", seed: 1 });
    for (const id of test.ids) expect(train.has(id)).toBe(false);
  });

  it("a wrong count or part gives a clear error", () => {
    expect(() => mnist({ count: 0 })).toThrow(/count must be a whole number from 1 to 8000 .*got 0/);
    expect(() => mnist({ count: 10.5 })).toThrow(/count must be a whole number/);
    expect(() => mnist({ count: 8001 })).toThrow(/from 1 to 8000.*part: "all" for up to 10000/);
    expect(() => mnist({ count: 2001, part: "test" })).toThrow(/from 1 to 2000/);
    expect(() => mnist({ count: 10001, part: "all" })).toThrow(/from 1 to 10000/);
    expect(() => mnist({ count: 10, part: "validation" as never })).toThrow(
      /part must be "train", "test" or "all"/,
    );
    expect(() => mnist(undefined as never)).toThrow(/options object/);
  });
});
