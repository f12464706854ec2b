import { describe, expect, it } from "vitest";
import { Matrix, leakyRelu, relu, sigmoid, tanh } from "../../kernel-lib/src";
import * as plot from "../../kernel-lib/src/plot";
import type { Figure, Layout, Trace } from "../../kernel-lib/src/plot";
import { fakeHistory } from "./fixtures";

const axis = (fig: Figure, name = "xaxis") => fig.layout[name] as Layout;
const axisTitle = (fig: Figure, name: string) =>
  (axis(fig, name).title as { text: string } | undefined)?.text;

/** Every figure must survive JSON (what the notebook receives) unchanged. */
function expectJsonReady(fig: Figure): void {
  expect(JSON.parse(JSON.stringify(fig))).toEqual(JSON.parse(JSON.stringify(fig)));
  const text = JSON.stringify(fig);
  expect(text).not.toMatch(/"0":/); // no typed array serialised as an object
}

describe("theme", () => {
  it("is transparent with a fixed colour sequence and grey text, for light and dark notebooks", () => {
    const fig = plot.curves([{ name: "a", x: [0, 1], y: [1, 2] }], { title: "t", xTitle: "x", yTitle: "y" });
    expect(fig.layout.paper_bgcolor).toBe("rgba(0, 0, 0, 0)");
    expect(fig.layout.plot_bgcolor).toBe("rgba(0, 0, 0, 0)");
    expect((fig.layout.font as { color: string }).color).toBe(plot.theme.colours.text);
    expect(fig.layout.colorway).toEqual(plot.theme.colours.sequence);
    expect(axis(fig).gridcolor).toBe(plot.theme.colours.grid);
    expect(fig.config).toEqual({ responsive: true, displaylogo: false });
    expect(plot.theme.colour(0)).toBe(plot.theme.colour(plot.theme.colours.sequence.length));
  });
});

describe("plot.activation", () => {
  it("draws f and f′ with axis titles and shades the saturated regions of the sigmoid", () => {
    const fig = plot.activation(sigmoid, { threshold: 0.01 });
    expect(fig.data.map((t) => t.name)).toEqual(["sigmoid(z)", "sigmoid′(z)"]);
    const [f, df] = fig.data as (Trace & { x: number[]; y: number[] })[];
    expect(f.x[0]).toBe(-6);
    expect(f.x[f.x.length - 1]).toBe(6);
    const mid = f.x.indexOf(0);
    expect(f.y[mid]).toBeCloseTo(0.5, 12);
    expect(df.y[mid]).toBeCloseTo(0.25, 12);
    expect(axisTitle(fig, "xaxis")).toBe("pre-activation z");
    expect(axisTitle(fig, "yaxis")).toBe("value");
    const shapes = fig.layout.shapes as Layout[];
    expect(shapes).toHaveLength(2);
    // σ′(z) = 0.01 at |z| = ln((1 + √0.96)/(1 − √0.96)) ≈ 4.595
    const edge = Math.log((1 + Math.sqrt(0.96)) / (1 - Math.sqrt(0.96)));
    expect(shapes[0]).toMatchObject({ type: "rect", x0: -6, yref: "paper", layer: "below" });
    expect(shapes[0].x1).toBeCloseTo(-edge, 10);
    expect(shapes[1].x0).toBeCloseTo(edge, 10);
    expect(shapes[1].x1).toBe(6);
    expect((fig.layout.annotations as Layout[]).map((a) => a.text)).toEqual(["saturated", "saturated"]);
    expectJsonReady(fig);
  });

  it("shades z ≤ 0 for ReLU, nothing for Leaky ReLU above the threshold, and respects the range", () => {
    const r = plot.activation(relu);
    expect(r.layout.shapes).toEqual([expect.objectContaining({ x0: -6, x1: 0 })]);
    expect((r.layout.annotations as Layout[])[0].text).toBe("relu′ = 0");
    expect(plot.activation(leakyRelu(0.1), { threshold: 0.01 }).layout.shapes).toEqual([]);
    const t = plot.activation(tanh, { range: [-2, 2] });
    expect(t.layout.shapes).toEqual([]); // tanh′ < 0.01 only beyond |z| ≈ 2.99
  });

  it("finds saturated regions from samples when the activation has no saturatedRegions", () => {
    const custom = {
      name: "step",
      f: (z: number) => (z > 1 ? 1 : 0),
      df: (z: number) => (Math.abs(z) < 1 ? 1 : 0),
    };
    const shapes = plot.activation(custom, { range: [-3, 3], points: 601 }).layout.shapes as Layout[];
    expect(shapes).toHaveLength(2);
    expect(shapes[0].x0).toBe(-3);
    expect(shapes[1].x1).toBe(3);
  });

  it("rejects a bad range with a clear message", () => {
    expect(() => plot.activation(sigmoid, { range: [2, -2] })).toThrow(/lo < hi/);
  });
});

describe("plot.curves and plot.history", () => {
  it("draws one line per series with log axes on request, typed arrays as plain arrays", () => {
    const fig = plot.curves(
      [
        { name: "depth 2", x: Float64Array.from([1, 2, 3]), y: Float64Array.from([1e-1, 1e-2, NaN]) },
        { name: "depth 5", x: [1, 2, 3], y: [1e-3, 1e-4, 1e-5], dash: "dash" },
      ],
      { title: "Deeper is slower", xTitle: "epoch", yTitle: "‖∂C/∂b‖", logY: true },
    );
    expect(fig.data).toHaveLength(2);
    expect(fig.data[0].y).toEqual([0.1, 0.01, null]);
    expect(fig.data[0].x).toEqual([1, 2, 3]);
    expect(axis(fig, "yaxis").type).toBe("log");
    expect(axis(fig, "yaxis").dtick).toBe(1); // 4 decades: one tick per power of ten
    expect(axis(fig, "xaxis").type).toBeUndefined();
    expect(axisTitle(fig, "yaxis")).toBe("‖∂C/∂b‖");
    expect((fig.layout.title as { text: string }).text).toBe("Deeper is slower");
    expect(() => plot.curves([{ name: "bad", x: [1, 2], y: [1] }])).toThrow(/2 x values but 1 y values/);
    expectJsonReady(fig);
  });

  it("plots training against validation loss, and accuracy as a percentage", () => {
    const h = fakeHistory();
    const loss = plot.history(h);
    expect(loss.data.map((t) => t.name)).toEqual(["training loss", "validation loss"]);
    expect(loss.data[0].x).toEqual([1, 2, 3]);
    expect(axisTitle(loss, "xaxis")).toBe("epoch");
    const acc = plot.history(h, { metric: "accuracy" });
    expect(acc.data.map((t) => t.name)).toEqual(["training accuracy", "validation accuracy"]);
    expect(axis(acc, "yaxis").tickformat).toBe(".0%");
    const steps = plot.history(h, { showSteps: true });
    expect(steps.data[0].name).toBe("minibatch loss");
    expect((steps.data[0].x as number[]).slice(0, 4)).toEqual([0.25, 0.5, 0.75, 1]);
  });

  it("leaves the validation curve out when there is none", () => {
    const h = fakeHistory();
    h.epochs.forEach((e) => ((e.valLoss = NaN), (e.valAccuracy = NaN)));
    expect(plot.history(h).data).toHaveLength(1);
  });
});

describe("per-layer figures", () => {
  it("layerBars: one bar per layer, labelled, optional log scale", () => {
    const fig = plot.layerBars([1e-4, 1e-3, 1e-2], {
      title: "Early layers learn slowly",
      yTitle: "‖∂C/∂b‖",
      logY: true,
    });
    expect(fig.data).toHaveLength(1);
    expect(fig.data[0]).toMatchObject({
      type: "bar",
      x: ["layer 1", "layer 2", "layer 3"],
      y: [1e-4, 1e-3, 1e-2],
      text: ["1e-4", "0.001", "0.01"],
    });
    expect(axis(fig, "yaxis").type).toBe("log");
    expect(axisTitle(fig, "xaxis")).toBe("layer");
    expect(() => plot.layerBars([1, 2], { layers: ["only one"] })).toThrow(/one name per value/);
  });

  it("layerHeatmap: log10 colours with colour-bar ticks labelled in real values", () => {
    const fig = plot.layerHeatmap(fakeHistory());
    const hm = fig.data[0] as Trace & {
      z: (number | null)[][];
      customdata: number[][];
      colorbar: { tickvals: number[]; ticktext: string[] };
    };
    expect(hm.type).toBe("heatmap");
    expect(hm.y).toEqual(["dense 1 (sigmoid)", "dense 2 (sigmoid)", "dense 3 (sigmoid)"]);
    expect(hm.x).toEqual([10, 20, 30, 40, 50]);
    expect(hm.z[0][0]).toBeCloseTo(-4, 12);
    expect(hm.customdata[0][0]).toBeCloseTo(1e-4, 15);
    expect(hm.zmin).toBe(-4);
    expect(hm.zmax).toBe(-1);
    expect(hm.colorbar.tickvals).toEqual([-4, -3, -2, -1]);
    expect(hm.colorbar.ticktext).toEqual(["1e-4", "1e-3", "1e-2", "1e-1"]);
    expect(axis(fig, "yaxis").autorange).toBe("reversed"); // layer 1 on top
    expect(axisTitle(fig, "xaxis")).toBe("training step");
  });

  it("layerHeatmap from rows: zeros become gaps, layer names default", () => {
    const fig = plot.layerHeatmap(
      [
        [1e-5, 0],
        [1e-2, 1],
      ],
      { x: [1, 2] },
    );
    const hm = fig.data[0] as Trace & { z: (number | null)[][] };
    expect(hm.z).toEqual([
      [-5, null],
      [-2, 0],
    ]);
    expect(hm.y).toEqual(["layer 1", "layer 2"]);
    expect(() => plot.layerHeatmap([[1, 2], [3]])).toThrow(/every row must have 2 values/);
  });

  it("gradientFlow: one line per hidden layer on a log y axis", () => {
    const fig = plot.gradientFlow(fakeHistory(), { title: "The first hidden layer learns 100× more slowly" });
    expect(fig.data.map((t) => t.name)).toEqual(["dense 1 (sigmoid)", "dense 2 (sigmoid)"]);
    expect(fig.data[0].x).toEqual([10, 20, 30, 40, 50]);
    expect((fig.data[0].y as number[])[0]).toBeCloseTo(1e-4, 15);
    expect(axis(fig, "yaxis").type).toBe("log");
    expect(axisTitle(fig, "yaxis")).toBe("‖∂C/∂b‖");
    expect(plot.gradientFlow(fakeHistory(), { includeOutput: true }).data).toHaveLength(3);
    const sat = plot.gradientFlow(fakeHistory(), { quantity: "saturated" });
    expect(axis(sat, "yaxis").type).toBeUndefined();
    expect(axis(sat, "yaxis").tickformat).toBe(".0%");
  });

  it("gradientFlow: legend names on request, one per plotted layer", () => {
    const fig = plot.gradientFlow(fakeHistory(), { layers: ["hidden layer 1", "hidden layer 2"] });
    expect(fig.data.map((t) => t.name)).toEqual(["hidden layer 1", "hidden layer 2"]);
    expect(() => plot.gradientFlow(fakeHistory(), { layers: ["only one"] })).toThrow(
      /1 layer names for 2 plotted layers/,
    );
  });

  it("explains a history without diagnostics", () => {
    const h = fakeHistory();
    h.diagnostics = [];
    expect(() => plot.gradientFlow(h)).toThrow(/no diagnostics samples/);
  });

  it("layerHistograms: one panel per layer on shared bins, as shares of values", () => {
    const a = Float64Array.from({ length: 1000 }, (_, i) => i / 1000);
    const b = Array.from({ length: 500 }, (_, i) => 0.5 + i / 2000);
    const fig = plot.layerHistograms([a, b], {
      layers: ["hidden 1", "hidden 2"],
      title: "Activations",
      xTitle: "activation a",
      bins: 10,
    });
    expect(fig.data).toHaveLength(2);
    expect(fig.data[0]).toMatchObject({ type: "bar", xaxis: "x", yaxis: "y", name: "hidden 1" });
    expect(fig.data[1]).toMatchObject({ xaxis: "x2", yaxis: "y2" });
    const y0 = fig.data[0].y as number[];
    expect(y0).toHaveLength(10);
    expect(y0.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(fig.data[0].x).toEqual(fig.data[1].x); // same bins
    expect(fig.layout.grid).toMatchObject({ rows: 1, columns: 2 });
    expect(axisTitle(fig, "xaxis2")).toBe("activation a");
    expect((fig.layout.annotations as Layout[]).map((x) => x.text)).toEqual(["hidden 1", "hidden 2"]);
  });

  it("layerHistograms: values outside the range count in the edge bins; shaded regions clipped to the range", () => {
    const fig = plot.layerHistograms([[-10, 0.1, 0.9, 10]], {
      range: [0, 1],
      bins: 2,
      shade: [
        [-Infinity, 0.2],
        [5, 6],
      ],
    });
    expect(fig.data[0].y).toEqual([0.5, 0.5]);
    expect(fig.layout.shapes).toEqual([expect.objectContaining({ type: "rect", xref: "x", x0: 0, x1: 0.2 })]);
  });
});

describe("axis ticks", () => {
  it("puts one tick per whole number on a short integer x axis, and 1-2-5 ticks on a log axis of a few decades", () => {
    const epochs = plot.curves([{ name: "loss", x: [1, 2, 3, 4], y: [3, 2, 1.5, 1.2] }]);
    expect(axis(epochs)).toMatchObject({ tickmode: "linear", dtick: 1 });
    expect(axis(plot.curves([{ name: "f", x: [0, 0.5, 1], y: [0, 1, 2] }])).dtick).toBeUndefined();
    expect(axis(plot.curves([{ name: "f", x: [1, 2], y: [0.1, 5] }], { logY: true }), "yaxis").dtick).toBe(
      "D2",
    );
    expect(axis(plot.curves([{ name: "f", x: [1, 2], y: [1e-6, 1] }], { logY: true }), "yaxis").dtick).toBe(
      1,
    );
  });
});

describe("plot.decisionBoundary", () => {
  const X = Matrix.from([
    [0, 0],
    [1, 1],
    [0, 1],
    [1, 0],
  ]);
  const labels = [0, 0, 1, 1];

  it("colours predicted class regions on a grid and scatters each class", () => {
    let seen: Matrix | null = null;
    const fig = plot.decisionBoundary(
      X,
      labels,
      (grid) => {
        seen = grid;
        return Int32Array.from({ length: grid.rows }, (_, i) => (grid.get(i, 0) > 0.5 ? 1 : 0));
      },
      { resolution: 20 },
    );
    expect(seen!.rows).toBe(400);
    expect(seen!.cols).toBe(2);
    expect(fig.data.map((t) => t.type)).toEqual(["heatmap", "scatter", "scatter"]);
    const hm = fig.data[0] as Trace & { z: number[][] };
    expect(hm.z).toHaveLength(20);
    expect(hm.z[0][0]).toBe(0);
    expect(hm.z[0][19]).toBe(1);
    expect(fig.data[1]).toMatchObject({ name: "class 0", x: [0, 1], y: [0, 1] });
    expect(axis(fig, "yaxis").scaleanchor).toBe("x");
    expect(axisTitle(fig, "xaxis")).toBe("x₁");
  });

  it("draws probabilities as a contour with the 0.5 boundary, and takes argmax of score rows", () => {
    const prob = plot.decisionBoundary(
      X,
      labels,
      (g) => Array.from({ length: g.rows }, (_, i) => 1 / (1 + Math.exp(-g.get(i, 0) + 0.5))),
      { resolution: 10 },
    );
    expect(prob.data.map((t) => t.type)).toEqual(["contour", "contour", "scatter", "scatter"]);
    expect((prob.data[1].contours as Layout).start).toBe(0.5);
    const scores = plot.decisionBoundary(
      X,
      [0, 1, 2, 1],
      (g) =>
        new Matrix(
          g.rows,
          3,
          Float64Array.from({ length: g.rows * 3 }, (_, k) => (k % 3 === 2 ? 1 : 0)),
        ),
      { resolution: 5 },
    );
    expect((scores.data[0].z as number[][]).flat().every((c) => c === 2)).toBe(true);
    expect(scores.data).toHaveLength(4);
  });

  it("checks shapes", () => {
    expect(() => plot.decisionBoundary(new Matrix(2, 3), [0, 1], () => [])).toThrow(/2 columns/);
    expect(() => plot.decisionBoundary(X, labels, () => [1, 2])).toThrow(/one per point/);
  });
});

describe("plot.digits", () => {
  it("lays images out as one mosaic heatmap with a label above each", () => {
    const X = new Matrix(
      5,
      784,
      Float64Array.from({ length: 5 * 784 }, (_, i) => (i % 784) / 784),
    );
    const fig = plot.digits(X, [7, 2, 1, 0, 4], { count: 4, columns: 2, predicted: [7, 2, 3, 0] });
    expect(fig.data).toHaveLength(1);
    const z = fig.data[0].z as (number | null)[][];
    const gapY = Math.round(28 / 3);
    expect(z).toHaveLength(2 * (28 + gapY));
    expect(z[0]).toHaveLength(2 * 30 - 2);
    expect(z[gapY][0]).toBe(0); // first pixel of the first image
    expect(z[gapY][28]).toBeNull(); // the gap between images
    const ann = fig.layout.annotations as Layout[];
    expect(ann.map((a) => a.text)).toEqual(["7 → 7", "2 → 2", "1 → 3", "0 → 0"]);
    expect((ann[2].font as { color: string }).color).not.toBe((ann[0].font as { color: string }).color);
    expect(() => plot.digits(new Matrix(1, 10))).toThrow(/square image/);
  });
});

describe("plot.slider", () => {
  it("holds every state's traces and steps that show one state at a time", () => {
    const states = [2, 4, 6].map((depth) => ({
      label: `depth ${depth}`,
      figure: plot.curves(
        [
          { name: "layer 1", x: [1, 2], y: [10 ** -depth, 10 ** -depth] },
          { name: "layer 2", x: [1, 2], y: [1, 2] },
        ],
        { title: `${depth} layers`, logY: true },
      ),
    }));
    const fig = plot.slider(states, { sliderTitle: "depth", active: 1 });
    expect(fig.data).toHaveLength(6);
    expect(fig.data.map((t) => t.visible)).toEqual([false, false, true, true, false, false]);
    const s = (fig.layout.sliders as Layout[])[0] as {
      active: number;
      steps: { label: string; method: string; args: [{ visible: boolean[] }, Layout] }[];
      currentvalue: { prefix: string };
    };
    expect(s.active).toBe(1);
    expect(s.currentvalue.prefix).toBe("depth: ");
    expect(s.steps.map((x) => x.label)).toEqual(["depth 2", "depth 4", "depth 6"]);
    expect(s.steps.every((x) => x.method === "update")).toBe(true);
    expect(s.steps[2].args[0].visible).toEqual([false, false, false, false, true, true]);
    expect(s.steps[2].args[1]["title.text"]).toBe("6 layers");
    expect((fig.layout.title as { text: string }).text).toBe("4 layers");
    // Same colour for layer 1 in every state; the log y range covers all states.
    expect((fig.data[0].line as { color: string }).color).toBe((fig.data[4].line as { color: string }).color);
    const yr = axis(fig, "yaxis").range as number[];
    expect(yr[0]).toBeLessThan(-6);
    expect(yr[1]).toBeGreaterThan(Math.log10(2));
  });

  it("accepts states with traces only", () => {
    const fig = plot.slider(
      [
        { label: "a", data: [{ type: "scatter", x: [0], y: [0] }] },
        { label: "b", data: [{ type: "scatter", x: [1], y: [1] }] },
      ],
      { title: "T", xTitle: "x" },
    );
    expect(fig.data).toHaveLength(2);
    expect(axisTitle(fig, "xaxis")).toBe("x");
    expect(() => plot.slider([])).toThrow(/non-empty/);
  });
});
