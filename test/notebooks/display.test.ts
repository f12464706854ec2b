/**
 * What a learner sees in the real kernel: kernel-lib's values at the end of a cell shown as what
 * they are (tables, summaries, plots, graphs), any other value as text, and errors as Jupyter errors
 * that point at the learner's own lines — never at the kernel's files or absolute paths.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ensureJupyterEnv } from "../../scripts/jupyter/env";
import { ROOT } from "../../scripts/lib/paths";
import { runNotebook, RunResult } from "../../scripts/jupyter/runner";
import { writeNotebook } from "../notebook-fixture";

import { PLOTLY_MIME as PLOTLY } from "../../kernel-lib/src/display/mime";
const raises = (source: string) => ({ source, tags: ["raises-exception"] });

/** The cells, by name, of one notebook that one kernel runs for every test in this file. */
const CELLS = {
  imports: 'import { Matrix, mlp, plot, Value, fit, data, display } from "kernel-lib";',
  matrix: "Matrix.from([[1, 2], [3, 4.5]])",
  bigMatrix: "const big = new Matrix(40, 30);\nbig.data.forEach((_, i) => (big.data[i] = i));\nbig",
  network: 'mlp([2, 3, 1], { activation: "relu", init: "he", seed: 1 })',
  figure: 'plot.curves([{ name: "a", x: [1, 2], y: [3, 4] }])',
  value: 'const a = new Value(2, "a");\na.mul(3).named("e")',
  history:
    'const ds = data.xor({ count: 40, seed: 1 });\nconst h = fit(mlp([2, 4, 2], { seed: 1 }), ds, { lr: 0.1, epochs: 2, progress: "off" });\nh',
  dataset: "ds",
  digits: "data.mnist({ count: 4, seed: 1 })",
  plain: "({ a: 1, b: [1, 2] })",
  displayCall: "display(Matrix.from([[5]]));",
  defineF: 'function f(x: number) {\n  if (x > 1) throw new RangeError("too big: " + x);\n  return x;\n}',
  thrown: raises("const ok = 1;\n\nf(ok);\nf(2);"),
  libraryError: raises("const net = mlp([2, 3, 1]);\nnet.forward(Matrix.from([[1, 2, 3]]));"),
  typeError: raises('const fine = 1;\nconst s: number = "x";'),
  notAnError: raises('throw "plain text";'),
};
const names = Object.keys(CELLS) as (keyof typeof CELLS)[];

let result: RunResult;
let scratch: string;

beforeAll(async () => {
  const jupyter = await ensureJupyterEnv();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-display-"));
  const file = writeNotebook(
    path.join(scratch, "display.ipynb"),
    names.map((n) => CELLS[n]),
  );
  // The kernel runs in notebooks/, where `kernel-lib` resolves as it does for the lessons.
  result = await runNotebook(file, { jupyter, cwd: path.join(ROOT, "notebooks") });
}, 15 * 60_000);

afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

/** The outputs of the cell called `name`. */
function outputs(name: keyof typeof CELLS): any[] {
  return result.notebook.cells[names.indexOf(name)].outputs ?? [];
}

/** A MIME bundle with multi-line text joined (a notebook file keeps text as a list of lines). */
function joined(data: Record<string, any>): Record<string, any> {
  return Object.fromEntries(
    Object.entries(data).map(([mime, v]) => [mime, Array.isArray(v) ? v.join("") : v]),
  );
}

/** The MIME bundle of the cell's result (its execute_result). */
function resultOf(name: keyof typeof CELLS): Record<string, any> {
  const found = outputs(name).filter((o) => o.output_type === "execute_result");
  expect(found, `${name}: one execute_result`).toHaveLength(1);
  return joined(found[0].data);
}

/** The cell's error output. */
function errorOf(name: keyof typeof CELLS): { ename: string; evalue: string; traceback: string[] } {
  const found = outputs(name).filter((o) => o.output_type === "error");
  expect(found, `${name}: one error output`).toHaveLength(1);
  return found[0];
}

test("the notebook ran with every error where it was meant to be", () => {
  expect(result.ok, result.error ?? "").toBe(true);
});

describe("a cell's last value is its result, shown as what it is", () => {
  test("a Matrix: an HTML table with its shape, and aligned text", () => {
    const data = resultOf("matrix");
    expect(data["text/html"]).toMatch(/<table class="gradient-lab-matrix">.*Matrix 2 × 2/);
    expect(data["text/html"]).toContain(">4.5</td>");
    expect(data["text/plain"]).toBe("Matrix 2×2\n  1    2\n  3  4.5");
    expect(result.cells[names.indexOf("matrix")].stdout).toBe("");
  });

  test("a large Matrix elides its middle rows and columns", () => {
    const data = resultOf("bigMatrix");
    expect(data["text/html"]).toContain("Matrix 40 × 30 (middle rows and columns elided)");
    const lines = data["text/plain"].split("\n");
    expect(lines).toHaveLength(11); // the header and 10 rows, one of them ⋮
    expect(lines[1].trim().split(/\s+/)).toEqual(["0", "1", "2", "3", "4", "…", "26", "27", "28", "29"]);
    expect(lines[lines.length - 1].trim().split(/\s+/)[0]).toBe(String(39 * 30));
  });

  test("a network: a summary of its layers with parameter counts and initializers", () => {
    const data = resultOf("network");
    expect(data["text/html"]).toContain('<table class="gradient-lab-summary">');
    const text: string = data["text/plain"];
    expect(text).toMatch(
      /^Sequential: 2 layers\nlayer\s+activation\s+shape \(in → out\)\s+parameters\s+initializer/,
    );
    expect(text).toMatch(/dense 1 \(relu\)\s+relu\s+2 → 3\s+9\s+he/);
    expect(text).toMatch(/dense 2 \(softmax\)\s+softmax\s+3 → 1\s+4\s+he/);
    expect(text).toMatch(/total\s+2 → 1\s+13$/);
  });

  test("a figure: its plot", () => {
    const data = resultOf("figure");
    expect(data[PLOTLY].data[0].y).toEqual([3, 4]);
    expect(data["text/html"]).toContain("<script");
  });

  test("a Value: its computational graph as SVG", () => {
    const data = resultOf("value");
    expect(data["image/svg+xml"]).toMatch(/^<\?xml|<svg/);
    expect(data["image/svg+xml"]).toContain("data 6.0000");
    expect(data["text/plain"]).toMatch(/^Value\(e = 6/);
  });

  test("a training history: its loss curves", () => {
    const data = resultOf("history");
    expect(data[PLOTLY].data.map((t: any) => t.name)).toContain("training loss");
    expect(data["text/plain"]).toMatch(/^History: 2 epochs; last epoch loss /);
  });

  test("a data set: its shapes and first rows, or its first digits", () => {
    const data = resultOf("dataset");
    expect(data["text/plain"]).toMatch(/^Dataset: 40 examples, X 40×2, y 40×2, 2 classes\nfirst labels: /);
    expect(data["text/html"]).toContain('<table class="gradient-lab-matrix">');
    const digits = resultOf("digits");
    expect(digits[PLOTLY].data[0].type).toBe("heatmap");
    expect(digits["text/plain"]).toMatch(/^Dataset: 4 examples, X 4×784/);
  });

  test("any other value: text, as Node prints it", () => {
    expect(resultOf("plain")).toEqual({ "text/plain": "{ a: 1, b: [ 1, 2 ] }" });
  });

  test("display(value) shows a value the same way, as a display output", () => {
    const shown = outputs("displayCall").filter((o) => o.output_type === "display_data");
    expect(shown).toHaveLength(1);
    expect(joined(shown[0].data)["text/plain"]).toBe("Matrix 1×1\n  5");
  });
});

describe("errors point at the learner's lines", () => {
  /** No frame of the kernel, Node or tslab, and no absolute path, anywhere in the error. */
  function expectClean(error: { traceback: string[] }): void {
    const text = error.traceback.join("\n");
    expect(text).not.toMatch(/tslab|evalmachine|node:internal|executor|jupyter\.js/);
    expect(text).not.toContain(ROOT);
    expect(text).not.toMatch(/\/(home|root|tmp|usr|work)\//);
  }

  test("a thrown error: its name and message first, then the cell lines that led to it", () => {
    const error = errorOf("thrown");
    expect(error.ename).toBe("RangeError");
    expect(error.evalue).toBe("too big: 2");
    expect(error.traceback[0]).toBe("RangeError: too big: 2");
    const defineCount = result.cells[names.indexOf("defineF")].executionCount;
    expect(error.traceback[1]).toBe(
      `  at f, line 2 of cell [${defineCount}]:  if (x > 1) throw new RangeError("too big: " + x);`,
    );
    expect(error.traceback[2]).toBe("  at line 4 of this cell:  f(2);");
    expectClean(error);
  });

  test("an error inside kernel-lib: kernel-lib's message first, then the learner's line, then the function called", () => {
    const error = errorOf("libraryError");
    expect(error.traceback[0]).toMatch(
      /^Error: dense 1 \(sigmoid\): the input is 1×3 but this layer takes 2 inputs per example\. Pass a matrix with 2 columns/,
    );
    expect(error.traceback.join("\n")).toContain("in kernel-lib: Sequential.forward");
    expect(error.traceback.join("\n")).toContain(
      "  at line 2 of this cell:  net.forward(Matrix.from([[1, 2, 3]]));",
    );
    expectClean(error);
  });

  test("a type error: line:column - message against the cell's own lines, with the line shown", () => {
    const error = errorOf("typeError");
    expect(error.ename).toBe("TypeScriptError");
    expect(error.traceback[0]).toBe("2:7 - Type 'string' is not assignable to type 'number'.");
    expect(error.traceback[1]).toBe('  2 | const s: number = "x";');
    expect(error.traceback[2]).toBe("    |       ^");
    expectClean(error);
  });

  test("a thrown value that is not an Error says so", () => {
    const error = errorOf("notAnError");
    expect(error.traceback).toEqual(["Thrown value: 'plain text'"]);
  });
});
