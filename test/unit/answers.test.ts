import { describe, expect, it } from "vitest";
import { Matrix } from "../../kernel-lib/src";
import { decodeValue, encodeValue, ExpectedRecord, judge } from "../../kernel-lib/src/answers";
import { analyzeNotebook } from "../../scripts/assignments/format";
import { answerCheckSource } from "../../scripts/assignments/grading";
import { cellSource } from "../../scripts/jupyter/runner";
import { PRACTICE, readNb } from "../assignments/helpers";

describe("answers as data", () => {
  it("round-trips what checks compare: numbers JSON lacks, typed arrays, matrices, plain objects", () => {
    const value = [
      NaN,
      -Infinity,
      0.5,
      undefined,
      null,
      "a",
      true,
      Float64Array.of(1, 2),
      Matrix.from([
        [1, 2],
        [3, 4],
      ]),
      { depth: 3, label: "x", nested: [1] },
    ];
    const back = decodeValue(JSON.parse(JSON.stringify(encodeValue(value)))) as unknown[];
    expect(back.slice(0, 7)).toEqual([NaN, -Infinity, 0.5, undefined, null, "a", true]);
    expect(back[7]).toEqual(Float64Array.of(1, 2));
    expect(back[8]).toBeInstanceOf(Matrix);
    expect((back[8] as Matrix).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(back[9]).toEqual({ depth: 3, label: "x", nested: [1] });
  });

  it("refuses what is not data: functions, class instances, cycles", () => {
    const cycle: unknown[] = [];
    cycle.push(cycle);
    for (const bad of [() => 1, new Map(), cycle]) expect(() => encodeValue(bad)).toThrow();
  });

  it("decides in the grader: tolerance, the input of the first wrong answer, a thrown error", () => {
    const expected: ExpectedRecord = {
      id: "P.1",
      kind: "function",
      points: 2,
      tolerance: 1e-9,
      hint: "σ′ = σ(1 − σ).",
      cases: [[0], [2]],
      expected: [0.25, 0.104993585],
    };
    expect(
      judge(expected, {
        id: "P.1",
        kind: "function",
        answers: [{ value: 0.25 }, { value: 0.1049935850001 }],
      }),
    ).toEqual({ passed: true, message: "correct on all 2 test inputs." });
    const wrong = judge(expected, {
      id: "P.1",
      kind: "function",
      answers: [{ value: 0.25 }, { value: 0.5 }],
    });
    expect(wrong.passed).toBe(false);
    expect(wrong.message).toMatch(/^for input 2 expected 0\.104994 but got 0\.500000\. Hint: σ′/);
    expect(
      judge(expected, { id: "P.1", kind: "function", answers: [{ threw: "boom" }, { value: 0 }] }).message,
    ).toBe("calling it with 0 threw: boom");
    // A forged record can claim answers, never a verdict: a missing or malformed one fails.
    expect(judge(expected, undefined).passed).toBe(false);
    expect(judge(expected, { id: "P.1", kind: "function", answers: [{ value: 0.25 }] } as any).passed).toBe(
      false,
    );
    expect(
      judge(expected, { id: "P.1", kind: "function", answers: [{ passed: true }, { passed: true }] } as any)
        .passed,
    ).toBe(false);
  });
});

describe("the learner's check cell as the grader runs it", () => {
  const reference = readNb(PRACTICE);
  const format = analyzeNotebook(reference);
  const source = (id: string) =>
    cellSource(reference.cells[format.exercises.find((e) => e.id === id)!.checkCell.index]);

  it("calls the learner's function on the reference's inputs, with no reference code or expected value", () => {
    const expected: ExpectedRecord[] = [
      { id: "P.1", kind: "function", points: 2, cases: [[0], [2], [-3]], expected: [0.25, 0.105, 0.045] },
    ];
    const cell = answerCheckSource(source("P.1"), "P.1", "g", expected)!;
    expect(cell).toContain('g.answerFunction("P.1", sigmoidPrime, [[0],[2],[-3]]);');
    expect(cell).not.toMatch(/Reference|0\.25|0\.105|hint|mistakes/);
    expect(
      answerCheckSource(source("P.2"), "P.2", "g", [
        { id: "P.2", kind: "value", points: 1, cases: null, expected: [0.25] },
      ]),
    ).toContain('g.checkValue("P.2", steepestSlope);');
  });

  it("keeps the cell as written when it cannot: checkThat, or inputs that are not data", () => {
    expect(
      answerCheckSource(source("P.3"), "P.3", "g", [
        { id: "P.3", kind: "that", points: 2, cases: null, expected: [true] },
        { id: "P.3", kind: "that", points: 0, cases: null, expected: [true] },
      ]),
    ).toBeNull();
    expect(
      answerCheckSource(source("P.1"), "P.1", "g", [
        { id: "P.1", kind: "function", points: 2, cases: null, expected: [0.25] },
      ]),
    ).toBeNull();
  });
});
