/**
 * Checks of an executed Korean notebook, run on the one execution test/notebooks/run.test.ts makes
 * of each lesson: the numbers its prose quotes are the ones its cells printed, and kernel-lib's
 * exercise feedback came out in Korean.
 */
import { CHECK_MIME } from "../../kernel-lib/src/exercises";
import { cellSource, Notebook } from "../../scripts/jupyter/runner";

/**
 * Numbers the prose quotes or works out by hand rather than reads off an output, per lesson. Every
 * other decimal number in a Korean lesson's prose must be one its cells printed.
 */
export const NOT_PRINTED: { [lesson: string]: string[] } = {
  // 2^-52 ≈ 2.2×10^-16 and 2^-53 ≈ 1.1×10^-16, constants of Float64.
  "01-chain-rule.ipynb": ["2.2", "1.1"],
  // (1/4)^4 worked out in the text; ln 10 ≈ 2.303.
  "03-relu.ipynb": ["0.004", "2.303"],
  // Nielsen's published accuracies.
  "02-sigmoid-vanishing.ipynb": ["96.53", "96.57", "96.90"],
  // The standard deviation kernel-lib's RAI draws with, quoted from its source.
  "04-dead-neurons.ipynb": ["0.6007"],
  // The learning rate the code passes (η = 0.5), and the running statistics' 1 − momentum = 0.9.
  "06-batch-norm.ipynb": ["0.5", "0.9"],
  // Differences of printed accuracies (41.2 − 29.4 and 41.2 − 19.4 points), and Adam's default
  // step size, quoted from kernel-lib (Kingma and Ba's default).
  "09-choosing.ipynb": ["11.8", "21.8", "0.001"],
};

/** Everything a notebook's cells printed or displayed, as one text. */
export function outputText(nb: Notebook): string {
  const parts: string[] = [];
  for (const cell of nb.cells) {
    for (const output of (cell.outputs ?? []) as {
      text?: string | string[];
      data?: Record<string, unknown>;
      evalue?: string;
    }[]) {
      if (output.text !== undefined) parts.push(([] as string[]).concat(output.text).join(""));
      for (const value of Object.values(output.data ?? {}))
        parts.push(
          typeof value === "string" ? value : Array.isArray(value) ? value.join("") : JSON.stringify(value),
        );
      if (output.evalue) parts.push(output.evalue);
    }
  }
  return parts.join("\n");
}

/** The values of every number in a text (plain, with thousands separators, or in e-notation). */
function valuesIn(text: string): number[] {
  return (text.replace(/(\d),(?=\d{3}\b)/g, "$1").match(/-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/g) ?? []).map(Number);
}

/**
 * The decimal numbers a notebook's Markdown quotes (outside code spans and the references), such
 * as "0.4682", "85.5%" or "$4.77 \times 10^{11}$", that no output of the executed notebook shows,
 * neither as written nor with the same value in another notation (2.13e-1 for 0.213).
 */
export function unprintedNumbers(executed: Notebook, notPrinted: string[] = []): string[] {
  const printed = outputText(executed);
  const values = valuesIn(printed);
  const missing = new Set<string>();
  for (const cell of executed.cells) {
    if (cell.cell_type !== "markdown") continue;
    const prose = cellSource(cell)
      .split(/^## (?:참고 문헌|References)/m)[0]
      .replace(/`[^`\n]*`/g, " ")
      .replace(/(\d),(?=\d{3}\b)/g, "$1");
    for (const m of prose.matchAll(
      /(?<![\d.\w])(\d+\.\d+)(?:\s*(?:\\times|×)\s*10\^\{?(-?\d+)\}?)?(?![\d.])/g,
    )) {
      const [written, mantissa, exponent] = m;
      if (notPrinted.includes(mantissa)) continue;
      const value = Number(mantissa) * 10 ** Number(exponent ?? 0);
      const shown =
        exponent === undefined &&
        new RegExp(`(?<![\\d.])${mantissa.replace(".", "\\.")}(?!\\d)`).test(printed);
      if (!shown && !values.some((v) => Math.abs(v - value) <= 1e-9 * Math.abs(value)))
        missing.add(written.trim());
    }
  }
  return [...missing];
}

/** The feedback lines of the exercise checks that ran in an executed notebook. */
export function checkFeedback(executed: Notebook): string[] {
  const lines: string[] = [];
  for (const cell of executed.cells) {
    for (const output of (cell.outputs ?? []) as { data?: Record<string, unknown> }[]) {
      if (output.data?.[CHECK_MIME] !== undefined)
        lines.push(([] as string[]).concat(output.data["text/plain"] as string | string[]).join(""));
    }
  }
  return lines;
}

/** What is wrong with an executed Korean lesson: unprinted numbers in its prose, feedback not in Korean. */
export function koreanLessonProblems(executed: Notebook, lesson: string): string[] {
  const problems: string[] = [];
  const unprinted = unprintedNumbers(executed, NOT_PRINTED[lesson]);
  if (unprinted.length > 0)
    problems.push(`numbers in the prose that no cell printed: ${unprinted.join(", ")}`);
  const checks = executed.cells.filter(
    (c) => c.cell_type === "code" && /exercises\.check(?:Function|Value|That)\(/.test(cellSource(c)),
  ).length;
  const feedback = checkFeedback(executed);
  if (feedback.length < checks) problems.push(`${checks} check cells but ${feedback.length} feedback lines`);
  for (const line of feedback) {
    const match = /^✓ 연습 문제 \d+\.\d+: (.*) \(\d+\/\d+점\)$/su.exec(line);
    if (!match || !/[\uac00-\ud7af]/u.test(match[1])) problems.push(`feedback not in Korean: ${line}`);
  }
  return problems;
}
