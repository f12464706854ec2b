import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Matrix, exercises } from "../../kernel-lib/src";
import type { CheckRecord } from "../../kernel-lib/src/exercises";

describe("exercise checks", () => {
  let records: CheckRecord[] = [];
  let previous: (r: CheckRecord) => void;
  beforeEach(() => {
    records = [];
    previous = exercises.setCheckSink((r) => records.push(r));
  });
  afterEach(() => exercises.setCheckSink(previous));

  it("a passing check sends one record with full points and returns nothing (a cell shows only the feedback line)", () => {
    expect(exercises.checkValue("2.1", 0.25, 0.25, { points: 2 })).toBeUndefined();
    expect(records).toEqual([
      { id: "2.1", passed: true, points: 2, maxPoints: 2, message: "correct: 0.250000." },
    ]);
  });

  it("a failing check names the expected and the received value, the matching mistake and the hint, then throws without kernel-lib's stack", () => {
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    const learner = (z: number) => sigmoid(z);
    const reference = (z: number) => sigmoid(z) * (1 - sigmoid(z));
    const mistakes = [
      {
        test: (got: unknown, _e: unknown, input: unknown[]) => got === sigmoid(input[0] as number),
        explain: "You returned σ(z), not σ′(z).",
      },
    ];
    let thrown: unknown;
    try {
      exercises.checkFunction("2.1", learner, reference, [[0], [1]], {
        points: 2,
        hint: "σ′ = σ(1 − σ).",
        mistakes,
      });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(exercises.CheckFailure);
    const failure = thrown as InstanceType<typeof exercises.CheckFailure>;
    expect(failure.stack).toBe(`CheckFailure: ${failure.message}`);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ id: "2.1", passed: false, points: 0, maxPoints: 2 });
    expect(records[0].message).toBe(
      "for input 0 expected 0.250000 but got 0.500000. You returned σ(z), not σ′(z). Hint: σ′ = σ(1 − σ).",
    );
    expect(failure.record).toEqual(records[0]);
  });

  it("reports a learner's function that throws, or that is not a function, as a failed check", () => {
    expect(() =>
      exercises.checkFunction(
        "1.1",
        () => {
          throw exercises.notImplemented("1.1");
        },
        () => 1,
        [[]],
      ),
    ).toThrow(exercises.CheckFailure);
    expect(records[0].message).toMatch(/threw: Exercise 1\.1 is not implemented yet/);
    expect(() => exercises.checkFunction("1.2", undefined as unknown as () => number, () => 1, [[]])).toThrow(
      /expected a function but got undefined/,
    );
  });

  it("compares numbers within a relative tolerance, arrays and matrices entry by entry", () => {
    expect(exercises.matches(1 + 1e-9, 1)).toBe(true);
    expect(exercises.matches(1.01, 1)).toBe(false);
    expect(exercises.matches(1.01, 1, 0.1)).toBe(true);
    expect(exercises.matches(NaN, NaN)).toBe(true);
    expect(exercises.matches([1, 2], Float64Array.from([1, 2]))).toBe(true);
    expect(exercises.matches([1, 2], [1, 2, 3])).toBe(false);
    expect(exercises.matches(Matrix.from([[1, 2]]), Matrix.from([[1, 2]]))).toBe(true);
    expect(exercises.matches(Matrix.from([[1, 2]]), Matrix.from([[1], [2]]))).toBe(false);
    expect(exercises.matches("relu", "relu")).toBe(true);
    expect(exercises.describe(undefined)).toMatch(/forget to return/);
  });

  it("checkThat reports the author's message for each outcome", () => {
    exercises.checkThat("5.1", true, { pass: "the deepest net vanishes", fail: "look again" });
    expect(() =>
      exercises.checkThat(
        "5.1",
        false,
        { pass: "", fail: "look again" },
        { hint: "compare layer 1 with layer 5" },
      ),
    ).toThrow(/look again Hint: compare layer 1/);
    expect(records.map((r) => r.passed)).toEqual([true, false]);
  });

  it("rejects a check without an id or with negative points", () => {
    expect(() => exercises.checkValue("", 1, 1)).toThrow(/needs an exercise id/);
    expect(() => exercises.checkValue("1.1", 1, 1, { points: -1 })).toThrow(
      /points for exercise 1\.1 must be a non-negative number, got -1/,
    );
    expect(records).toHaveLength(0);
  });
});
