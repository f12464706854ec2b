/**
 * The Korean edition is kept in step with the English one: every lesson in both, the same cells
 * and the same code (comments and message strings aside), the same formulas, Korean prose. Running
 * the Korean lessons is test/notebooks/run.test.ts's job (one run each, where their numbers and
 * feedback are checked too).
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { getLanguage, setLanguage } from "../../kernel-lib/src/messages";
import {
  codeSkeleton,
  editionOfPath,
  hangulShare,
  KOREAN_PRELUDE,
  notebookLanguage,
  translationProblems,
} from "../../scripts/jupyter/editions";
import { ROOT } from "../../scripts/lib/paths";
import { readNotebook } from "../../scripts/jupyter/hygiene";
import { cellSource, listNotebooks, Notebook } from "../../scripts/jupyter/runner";
import { CHECK_MIME } from "../../kernel-lib/src/exercises";
import { koreanLessonProblems, unprintedNumbers } from "./edition-checks";

const NOTEBOOKS = path.join(ROOT, "notebooks");
const english = fs
  .readdirSync(NOTEBOOKS)
  .filter((f) => f.endsWith(".ipynb"))
  .sort();
const korean = fs
  .readdirSync(path.join(NOTEBOOKS, "ko"))
  .filter((f) => f.endsWith(".ipynb"))
  .sort();

/** A deep copy of a notebook, for changing it in memory. */
const copy = (nb: Notebook): Notebook => JSON.parse(JSON.stringify(nb));

describe("the Korean edition", () => {
  test("has a notebook for every English lesson, and no other", () => {
    expect(english.length).toBeGreaterThan(0);
    expect(korean).toEqual(english);
  });

  for (const file of english) {
    test(`ko/${file} is in step with ${file}`, () => {
      const en = readNotebook(path.join(NOTEBOOKS, file));
      const ko = readNotebook(path.join(NOTEBOOKS, "ko", file));
      expect(translationProblems(en, ko, "ko")).toEqual([]);
      expect(hangulShare(ko)).toBeGreaterThan(0.8);
      expect(hangulShare(en)).toBeLessThan(0.05);
      expect(notebookLanguage(ko)).toBe("ko");
      expect(notebookLanguage(en)).toBe("en");
    });
  }

  test("a change to an English code cell that is not made in the Korean one is caught, a translated message is not", () => {
    const en = readNotebook(path.join(NOTEBOOKS, "01-chain-rule.ipynb"));
    const ko = readNotebook(path.join(NOTEBOOKS, "ko", "01-chain-rule.ipynb"));
    const i = en.cells.findIndex((c) => c.id === "neuron-forward");
    const changed = copy(en);
    changed.cells[i].source = cellSource(en.cells[i]).replace("w = 0.8", "w = 0.9");
    expect(cellSource(changed.cells[i])).not.toBe(cellSource(en.cells[i]));
    expect(translationProblems(changed, ko, "ko")).toEqual([
      expect.stringMatching(/^cell neuron-forward: the code differs/),
    ]);

    const renamed = copy(en);
    renamed.cells[i].source = cellSource(en.cells[i]).replace(/\bdCdw\b/g, "gradient");
    expect(translationProblems(renamed, ko, "ko")).toEqual([
      expect.stringMatching(/^cell neuron-forward: the code differs/),
    ]);

    const added = copy(en);
    added.cells.splice(i + 1, 0, {
      cell_type: "code",
      id: "new-cell",
      source: "1 + 1",
      metadata: {},
      outputs: [],
      execution_count: null,
    });
    expect(translationProblems(added, ko, "ko")).toEqual([
      expect.stringMatching(/missing new-cell \(code\)/),
    ]);

    const worded = copy(en);
    worded.cells[i].source = cellSource(en.cells[i])
      .replace("forward:", "vorwärts:")
      .replace("// ", "// Kommentar ");
    expect(translationProblems(worded, ko, "ko")).toEqual([]);

    const mathChanged = copy(ko);
    const j = ko.cells.findIndex((c) => c.id === "one-neuron");
    mathChanged.cells[j].source = cellSource(ko.cells[j]).replace(
      "$C = \\tfrac12 (a - y)^2$",
      "$C = (a - y)^2$",
    );
    expect(translationProblems(en, mathChanged, "ko")).toEqual([
      expect.stringMatching(/^cell one-neuron: formulas of the original are missing or changed/),
    ]);
  });

  test("code skeletons keep everything but comments, strings and the Korean prelude", () => {
    expect(codeSkeleton('const a = f("x", `t ${b + 1} u`); // note')).toBe(
      codeSkeleton('const a = f("엑스", `티 ${b + 1} 유`); // 주석'),
    );
    expect(codeSkeleton("const a = f(`t ${b + 1} u`);")).not.toBe(
      codeSkeleton("const a = f(`t ${b + 2} u`);"),
    );
    expect(codeSkeleton(`${KOREAN_PRELUDE}\nconst a = 1;`)).toBe(codeSkeleton("const a = 1;"));
    expect(codeSkeleton("const a = { b: `${c}` };")).toBe("const a = { b : <template>${ c }<template> } ;");
  });

  test("the notebooks of each edition are listed under its folder", () => {
    const all = listNotebooks().map((f) => path.relative(NOTEBOOKS, f));
    expect(all.filter((f) => editionOfPath(f).language === "ko")).toEqual(english.map((f) => `ko/${f}`));
    expect(all.filter((f) => editionOfPath(f).language === "en")).toEqual(english);
  });
});

describe("kernel-lib's language setting", () => {
  test('is English by default, Korean after setLanguage("ko"), and rejects other languages', async () => {
    const { exercises, plot } = await import("../../kernel-lib/src");
    expect(getLanguage()).toBe("en");
    expect(exercises.notImplemented("2.1").message).toMatch(/^Exercise 2\.1 is not implemented yet/);
    const previous = setLanguage("ko");
    try {
      expect(previous).toBe("en");
      expect(exercises.notImplemented("2.1").message).toMatch(/^연습 문제 2\.1 는 아직 작성되지 않았습니다/);
      expect(exercises.failureMessage([0], 0.5, 0.25, { hint: "σ′ = σ(1 − σ)." })).toBe(
        "입력 0 에 대해 0.250000 이(가) 나와야 하는데 0.500000 이(가) 나왔습니다. 힌트: σ′ = σ(1 − σ).",
      );
      const fig = plot.history({
        epochs: [{ epoch: 1, loss: 1, accuracy: 0.5, valLoss: NaN, valAccuracy: NaN }],
        steps: [],
        diagnostics: [],
      } as never);
      expect(JSON.stringify(fig.layout)).toContain("에포크별 손실");
      expect(fig.data[0].name).toBe("학습 손실");
      expect(() => setLanguage("fr" as never)).toThrow(
        /setLanguage: the language must be one of "en", "ko"; got "fr"/,
      );
    } finally {
      setLanguage("en");
    }
    expect(exercises.failureMessage(undefined, 1, 2, {})).toBe("expected 2 but got 1.");
  });
});

describe("the checks of an executed Korean lesson", () => {
  /** An executed notebook: one Markdown cell, then code cells with these outputs. */
  const executed = (markdown: string, outputs: object[][]): Notebook =>
    ({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: "markdown", id: "m", source: markdown, metadata: {} },
        ...outputs.map((o, i) => ({
          cell_type: "code" as const,
          id: `c${i}`,
          source: i === 0 ? "" : 'exercises.checkValue("1.1", 1, 1);',
          metadata: {},
          outputs: o,
          execution_count: i + 1,
        })),
      ],
    }) as Notebook;
  const stdout = (text: string) => ({ output_type: "stream", name: "stdout", text });
  const check = (text: string) => ({
    output_type: "display_data",
    metadata: {},
    data: { [CHECK_MIME]: { id: "1.1" }, "text/plain": text },
  });

  test("find a number in the prose that no output shows, in any notation", () => {
    const prose =
      "기울기는 $0.1557$ 이고, 정확도는 85.5%, 길이는 $6.28 \\times 10^{5}$ 배, 1,000개 중 0.213입니다. `lecun(0.25)`";
    expect(
      unprintedNumbers(executed(prose, [[stdout("grad 0.1557, acc 85.5%, len 6.28e+5, 2.13e-1")]])),
    ).toEqual([]);
    expect(
      unprintedNumbers(executed(prose, [[stdout("grad 0.1558, acc 85.5%, len 6.28e+4, 2.13e-1")]])),
    ).toEqual(["0.1557", "6.28 \\times 10^{5}"]);
    expect(
      unprintedNumbers(executed(prose, [[stdout("acc 85.5%, len 6.28e+5, 0.213")]]), ["0.1557"]),
    ).toEqual([]);
  });

  test("find feedback that is not in Korean", () => {
    const ok = "✓ 연습 문제 1.1: 정답입니다: 1. (1/1점)";
    expect(koreanLessonProblems(executed("한국어", [[], [check(ok)]]), "x.ipynb")).toEqual([]);
    expect(
      koreanLessonProblems(
        executed("한국어", [[], [check("✓ Exercise 1.1: correct: 1. (1/1 point)")]]),
        "x.ipynb",
      ),
    ).toEqual(["feedback not in Korean: ✓ Exercise 1.1: correct: 1. (1/1 point)"]);
    expect(
      koreanLessonProblems(
        executed("한국어", [[], [check("✓ 연습 문제 1.1: you predicted 5. (1/1점)")]]),
        "x.ipynb",
      ),
    ).toEqual(["feedback not in Korean: ✓ 연습 문제 1.1: you predicted 5. (1/1점)"]);
    expect(koreanLessonProblems(executed("한국어", [[], []]), "x.ipynb")).toEqual([
      "1 check cells but 0 feedback lines",
    ]);
  });
});
