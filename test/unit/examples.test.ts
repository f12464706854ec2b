/**
 * The `@example` blocks in kernel-lib's TSDoc (what Shift+Tab shows in JupyterLab) run as written:
 * each block of the functions notebooks call most is compiled as a cell would be and run with
 * kernel-lib's exports in scope, outside a kernel (so `show` prints its text summary).
 */
import fs from "node:fs";
import path from "node:path";
import { transformSync } from "esbuild";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as kernelLib from "../../kernel-lib/src";

const SRC = path.resolve(__dirname, "../../kernel-lib/src");

/** The files of the functions notebooks call most, and the functions in each that must have an example. */
const DOCUMENTED: { [file: string]: string[] } = {
  "network.ts": ["mlp"],
  "train.ts": ["fit"],
  "gradcheck.ts": ["gradCheck"],
  "display/show.ts": ["show", "showGraph"],
  "plot/activation.ts": ["activation"],
  "plot/curves.ts": ["curves", "history"],
  "plot/layers.ts": ["layerBars", "layerSeries", "layerHeatmap", "gradientFlow"],
  "plot/histograms.ts": ["layerHistograms"],
  "plot/boundary.ts": ["decisionBoundary"],
  "plot/digits.ts": ["digits"],
  "plot/slider.ts": ["slider"],
  "plot/graph.ts": ["graphDot"],
};

interface Example {
  file: string;
  /** The exported function the TSDoc block documents. */
  name: string;
  code: string;
}

/** Every `@example` in `file`, with the name of the function its TSDoc block documents. */
function examplesIn(file: string): Example[] {
  const text = fs.readFileSync(path.join(SRC, file), "utf8");
  const found: Example[] = [];
  for (const m of text.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*?)\*\/\s*export (?:async )?function (\w+)/g)) {
    const lines = m[1].split("\n").map((l) => l.replace(/^\s*\* ?/, ""));
    const start = lines.findIndex((l) => l.trim() === "@example");
    if (start < 0) continue;
    const rest = lines.slice(start + 1);
    const end = rest.findIndex((l) => l.trim().startsWith("@"));
    found.push({ file, name: m[2], code: (end < 0 ? rest : rest.slice(0, end)).join("\n").trim() });
  }
  return found;
}

const examples = Object.keys(DOCUMENTED).flatMap(examplesIn);
const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<void>;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the runnable examples in kernel-lib's TSDoc", () => {
  it("every function notebooks call most has an example", () => {
    for (const [file, names] of Object.entries(DOCUMENTED)) {
      const documented = examplesIn(file).map((e) => e.name);
      for (const name of names) expect(documented, `${file}: ${name}`).toContain(name);
    }
  });

  it.each(examples.map((e) => [`${e.file}: ${e.name}`, e] as const))(
    "%s runs as written",
    async (_label, example) => {
      const printed: string[] = [];
      vi.spyOn(console, "log").mockImplementation(
        (...args: unknown[]) => void printed.push(args.map(String).join(" ")),
      );
      // Compiled as a cell: TypeScript stripped, top-level await allowed inside the async wrapper.
      const js = transformSync(example.code, { loader: "ts", format: "esm" }).code;
      const names = Object.keys(kernelLib);
      const run = new AsyncFunction(...names, js);
      await run(...names.map((n) => (kernelLib as { [key: string]: unknown })[n]));
      // Each example shows or prints something, or (layerSeries) returns what it documents.
      if (example.name !== "layerSeries") expect(printed.join("\n")).not.toBe("");
    },
  );
});
