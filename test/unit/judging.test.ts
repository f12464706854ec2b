import { describe, expect, it } from "vitest";
import {
  answerChecks,
  ANSWER_MIME,
  CALLS_MIME,
  expectedChecks,
  judgeChecks,
  VERDICT_MIME,
} from "../../kernel-lib/src/answers";
import { HOST_KEY } from "../../kernel-lib/src/display/host";
import { analyzeNotebook } from "../../scripts/assignments/format";
import { declaredNames, judgePlans, namesCheckSource, renameReads } from "../../scripts/assignments/judging";
import { PRACTICE, readNb } from "../assignments/helpers";

describe("which names a judged check reads from the learner", () => {
  it("finds what exercise cells declare, destructuring included", () => {
    expect(
      declaredNames(
        "const a = 1, [b, , c] = [1, 2, 3];\nlet { d, e: f } = { d: 1, e: 2 };\nfunction g() {}\nclass H {}\nif (a) { const inner = 1; }",
      ),
    ).toEqual(["a", "b", "c", "d", "f", "g", "H"]);
  });

  it("renames reads only: not property names, keys or types, and a shorthand keeps its key", () => {
    const out = renameReads(
      "const y = f(x) + o.x + { x: 1 }.x;\nconst t: typeof x = x;\nconst s = { x };",
      new Set(["x", "f"]),
      "L",
    );
    expect(out).toEqual({
      source: "const y = L.f(L.x) + o.x + { x: 1 }.x;\nconst t: typeof x = L.x;\nconst s = { x: L.x };",
      read: ["f", "x"],
    });
  });

  it("refuses a cell that assigns or redeclares a learner's name", () => {
    for (const source of [
      "x = 2;",
      "x++;",
      "[x] = [1];",
      "for (x of [1]) {}",
      "const x = 1;",
      "const f = (x: number) => x;",
    ]) {
      expect(renameReads(source, new Set(["x"]), "L")).toBeNull();
    }
  });

  it("plans the practice notebook's predicate check around the learner's function", () => {
    const reference = readNb(PRACTICE);
    const plan = judgePlans(reference, analyzeNotebook(reference)).get("P.3")!;
    expect(plan.names).toEqual(["countDead"]);
    const cell = namesCheckSource(plan, "g", { countDead: [[[[0, 1]]]] });
    expect(cell).toContain(
      'g.answerNames("P.3", { countDead: () => countDead }, {"countDead":[[[[0,1]]]]});',
    );
    // Nothing of the check itself (its probes, expected counts, messages) reaches the learner's kernel.
    expect(cell).not.toMatch(/deadExpected|hidden|expected/);
  });
});

describe("the three runs of a judged check, in one process", () => {
  /** Runs `f` and returns what it sent to the notebook, by MIME type. */
  const capture = (f: () => void): Record<string, unknown>[] => {
    const sent: Record<string, unknown>[] = [];
    const g = globalThis as any;
    g[HOST_KEY] = {
      display: (message: { data: Record<string, unknown> }) => void sent.push(message.data),
      readAsset: () => new Uint8Array(),
    };
    try {
      f();
    } finally {
      delete g[HOST_KEY];
    }
    return sent;
  };
  const reference = (rows: number[][]) => rows[0].filter((_, j) => rows.every((r) => r[j] === 0)).length;
  const probes = [
    [
      [0, 1],
      [0, 2],
    ],
    [[1, 2]],
  ];
  const check = (checks: any, countDead: (rows: number[][]) => number) =>
    checks.checkThat(
      "P.3",
      probes.every((p) => countDead(p) === reference(p)),
      { pass: "right", fail: "wrong" },
      { points: 2 },
    );

  it("records the inputs in the reference, answers them in the learner's kernel, and decides in the judge", () => {
    const exp = expectedChecks();
    const recorded = capture(() => {
      check(exp, exp.spy("P.3", "countDead", reference));
      exp.calls("P.3");
    });
    const calls = (recorded.find((b) => b[CALLS_MIME])![CALLS_MIME] as any).calls;
    expect(calls.countDead).toEqual([[probes[0]], [probes[1]]]);

    const answersOf = (countDead: unknown) =>
      capture(() => answerChecks().answerNames("P.3", { countDead: () => countDead }, calls)).find(
        (b) => b[ANSWER_MIME],
      )![ANSWER_MIME];
    const verdictOf = (record: unknown) => {
      const judge = judgeChecks(["P.3"]);
      const learner = judge.learner("P.3", JSON.stringify(record), JSON.stringify(calls));
      return capture(() => check(judge, learner.countDead)).map((b) => b[VERDICT_MIME]);
    };
    expect(verdictOf(answersOf(reference))).toEqual([{ id: "P.3", passed: true, message: "right" }]);
    expect(verdictOf(answersOf(() => 1))).toEqual([{ id: "P.3", passed: false, message: "wrong" }]);
    // A forged record can only claim answers: claiming a pass is not an answer.
    expect(() =>
      verdictOf({
        id: "P.3",
        kind: "names",
        values: { countDead: { function: true } },
        calls: { countDead: [{ passed: true }, { passed: true }] },
      }),
    ).toThrow(/not data the grader can read/);
    // A check that calls the function on inputs the reference never used cannot be answered.
    const judge = judgeChecks(["P.3"]);
    expect(() =>
      judge.learner("P.3", JSON.stringify(answersOf(reference)), JSON.stringify(calls)).countDead([[5]]),
    ).toThrow(/did not record/);
  });

  it("reads data values as plain data, and a key such as __proto__ stays a key", () => {
    const record = capture(() =>
      answerChecks().answerNames(
        "9.3",
        { setup: () => JSON.parse('{"depth": 3, "__proto__": {"polluted": true}}') },
        {},
      ),
    ).find((b) => b[ANSWER_MIME])![ANSWER_MIME];
    const setup = judgeChecks(["9.3"]).learner("9.3", JSON.stringify(record), "{}").setup;
    expect(setup.depth).toBe(3);
    expect(Object.getPrototypeOf(setup)).toBe(Object.prototype);
    expect(setup.polluted).toBeUndefined();
  });
});
