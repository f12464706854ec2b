import { describe, expect, it } from "vitest";
import { Value } from "../../kernel-lib/src";
import * as plot from "../../kernel-lib/src/plot";

/** The micrograd example: L = (a·b + c)·f. */
function example(): Value {
  const a = new Value(2, "a");
  const b = new Value(-3, "b");
  const c = new Value(10, "c");
  const e = a.mul(b).named("e");
  const d = e.add(c).named("d");
  const f = new Value(-2, "f");
  const L = d.mul(f).named("L");
  L.backward();
  return L;
}

describe("plot.graphDot", () => {
  it("has a record per value with label, data and grad, and a circle per operation", () => {
    const dot = plot.graphDot(example());
    expect(dot.startsWith("digraph G {")).toBe(true);
    expect(dot).toContain("rankdir=LR");
    expect(dot).toContain('label="{ a | data 2.0000 | grad 6.0000 }"');
    expect(dot).toContain('label="{ b | data -3.0000 | grad -4.0000 }"');
    expect(dot).toContain('label="{ d | data 4.0000 | grad -2.0000 }"');
    expect(dot).toContain('label="{ L | data -8.0000 | grad 1.0000 }"');
    expect(dot.match(/shape=record/g)).toHaveLength(7);
    expect(dot.match(/shape=circle, label="×"/g)).toHaveLength(2);
    expect(dot.match(/shape=circle, label="\+"/g)).toHaveLength(1);
    // Inputs feed the operation, the operation makes the result.
    const ids = Object.fromEntries(
      [...dot.matchAll(/(v\d+) \[shape=record, label="\{ (\w+) /g)].map((m) => [m[2], m[1]]),
    );
    expect(dot).toContain(`${ids.a} -> ${ids.e}_op;`);
    expect(dot).toContain(`${ids.b} -> ${ids.e}_op;`);
    expect(dot).toContain(`${ids.e}_op -> ${ids.e};`);
  });

  it("is deterministic, escapes record syntax in labels and can label edges with local derivatives", () => {
    const x = new Value(0.5, "x|{y}<z>");
    const t = x.tanh().named("t");
    t.backward();
    const dot = plot.graphDot(t, { localGrads: true, decimals: 2, rankdir: "TB" });
    expect(dot).toBe(plot.graphDot(t, { localGrads: true, decimals: 2, rankdir: "TB" }));
    expect(dot).toContain("x\\|\\{y\\}\\<z\\>");
    expect(dot).toContain("rankdir=TB");
    expect(dot).toContain('label="0.79"'); // 1 − tanh²(0.5) ≈ 0.7864
    expect(dot).toContain("data 0.46");
  });

  it("explains a wrong argument", () => {
    expect(() => plot.graphDot(42 as unknown as Value)).toThrow(/expected a Value/);
  });
});

describe("plot.graphSvg (Graphviz WebAssembly)", () => {
  it("renders the graph to SVG with the values and gradients in it", async () => {
    const svg = await plot.graphSvg(example());
    expect(svg).toMatch(/<svg[\s\S]*<\/svg>\s*$/);
    expect(svg).toContain("data 2.0000");
    expect(svg).toMatch(/grad (-|&#45;)4\.0000/);
    expect((svg.match(/class="node"/g) ?? []).length).toBe(7 + 3);
    expect(await plot.graph("digraph { a -> b }")).toContain("<svg");
  });
});
