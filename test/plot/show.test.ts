/**
 * `show` and live outputs against tslab's internal display writer. A fake writer is installed into
 * tslab's own `jupyter` module (the place tslab 1.0.22 keeps `lastWriteDisplayData` while a cell
 * runs), so these tests break if a tslab upgrade moves it. The real kernel path is exercised by the
 * JupyterLab test in test/browser.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { Value, sigmoid, tanh } from "../../kernel-lib/src";
import * as plot from "../../kernel-lib/src/plot";
import {
  createLiveOutput,
  inKernel,
  liveFigure,
  plotlyEmbedding,
  setPlotlyEmbedding,
  show,
  showGraph,
} from "../../kernel-lib/src";
import type { PlotlyEmbedding } from "../../kernel-lib/src";

import { PLOTLY_MIME as PLOTLY } from "../../kernel-lib/src/display/mime";

interface Message {
  data: { [mime: string]: unknown };
  metadata: object;
  transient: { display_id?: string };
}

/** Installs a recording fake as tslab's writer; returns the recorded (message, update) pairs. */
function installWriter(): [Message, boolean][] {
  const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
  const sent: [Message, boolean][] = [];
  jupyter.lastWriteDisplayData = (m: Message, update: boolean) =>
    sent.push([JSON.parse(JSON.stringify(m)), update]);
  return sent;
}

function uninstallWriter(): void {
  const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
  jupyter.lastWriteDisplayData = null;
}

const plotlyMarker = "window.Plotly = Plotly";

afterEach(() => {
  uninstallWriter();
  setPlotlyEmbedding("once");
  vi.restoreAllMocks();
});

describe("outside a kernel", () => {
  it("show prints the text summary, live outputs do nothing, nothing throws", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    expect(inKernel()).toBe(false);
    show(plot.activation(sigmoid));
    expect(log).toHaveBeenCalledWith(
      "Figure: sigmoid(z) and its derivative; shaded: |sigmoid′(z)| < 0.01 (2 traces: sigmoid(z), sigmoid′(z))",
    );
    const live = createLiveOutput();
    live.update(plot.activation(tanh));
    live.text("epoch 1");
    live.html("<b>epoch 1</b>");
    live.close();
    const a = new Value(2, "a");
    const L = a.mul(a).named("L");
    L.backward();
    await showGraph(L);
    expect(log).toHaveBeenLastCalledWith("Computational graph of L: 2 values; data = 4, grad = 1");
  });
});

describe("in a kernel (tslab's internal writer)", () => {
  it("show sends ONE display_data carrying plotly JSON, self-contained HTML and text", () => {
    const sent = installWriter();
    expect(inKernel()).toBe(true);
    const fig = plot.activation(sigmoid);
    show(fig);
    expect(sent).toHaveLength(1);
    const [msg, update] = sent[0];
    expect(update).toBe(false);
    expect(Object.keys(msg.data).sort()).toEqual([PLOTLY, "text/html", "text/plain"]);
    expect(msg.metadata).toEqual({});
    expect(msg.transient).toEqual({});
    const json = msg.data[PLOTLY] as { data: unknown[]; layout: object; config: object };
    expect(json.data).toHaveLength(2);
    expect(json.layout).toEqual(JSON.parse(JSON.stringify(fig.layout)));
    expect(json.config).toEqual({ responsive: true, displaylogo: false });
    expect(msg.data["text/plain"]).toMatch(/^Figure: sigmoid\(z\) and its derivative.*sigmoid′\(z\)/);
    const html = msg.data["text/html"] as string;
    expect(html).toContain('class="gradient-lab-plot"');
    expect(html).toContain("Plotly.newPlot");
  });

  it('inlines plotly.js in the first figure of the session only (mode "once")', () => {
    const sent = installWriter();
    setPlotlyEmbedding("once");
    show(plot.activation(sigmoid));
    show(plot.activation(tanh));
    show(plot.activation(tanh));
    const htmls = sent.map(([m]) => m.data["text/html"] as string);
    expect(htmls[0]).toContain(plotlyMarker);
    expect(htmls[0].length).toBeGreaterThan(3_000_000);
    expect(htmls[1]).not.toContain(plotlyMarker);
    expect(htmls[2]).not.toContain(plotlyMarker);
    expect(htmls[1].length).toBeLessThan(100_000);
    // setPlotlyEmbedding("once") re-arms: the next figure carries plotly.js again.
    setPlotlyEmbedding("once");
    show(plot.activation(tanh));
    expect(sent[3][0].data["text/html"]).toContain(plotlyMarker);
  });

  it("embeds plotly.js in every figure, or in none, on request", () => {
    const sent = installWriter();
    setPlotlyEmbedding("every-figure");
    show(plot.activation(sigmoid));
    show(plot.activation(sigmoid));
    setPlotlyEmbedding("none");
    show(plot.activation(sigmoid));
    show(plot.activation(sigmoid), { embed: "every-figure" });
    const carries = sent.map(([m]) => (m.data["text/html"] as string).includes(plotlyMarker));
    expect(carries).toEqual([true, true, false, true]);
    expect(plotlyEmbedding()).toBe("none");
    expect(() => setPlotlyEmbedding("sometimes" as PlotlyEmbedding)).toThrow(/once, every-figure, none/);
  });

  it("does not count a figure shown outside the kernel as having inlined plotly.js", () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    show(plot.activation(sigmoid)); // no kernel yet
    const sent = installWriter();
    show(plot.activation(sigmoid));
    expect(sent[0][0].data["text/html"]).toContain(plotlyMarker);
  });

  it("live outputs update one display in place and send the full HTML when closed", () => {
    const sent = installWriter();
    setPlotlyEmbedding("once");
    const live = liveFigure(plot.activation(sigmoid, { title: "epoch 1" }));
    live.update(plot.activation(sigmoid, { title: "epoch 2" }));
    live.text("training: epoch 2/3");
    live.html("<b>epoch 3</b>");
    live.update(plot.activation(sigmoid, { title: "epoch 3" }));
    live.close();
    live.update(plot.activation(sigmoid, { title: "after close" }));
    expect(sent.map(([, u]) => u)).toEqual([false, true, true, true, true, true, true, true]);
    expect(new Set(sent.map(([m]) => m.transient.display_id))).toEqual(new Set([live.id]));
    expect(Object.keys(sent[0][0].data).sort()).toEqual([PLOTLY, "text/html", "text/plain"]);
    expect(sent[0][0].data["text/html"]).not.toContain(plotlyMarker); // updates stay light
    // Between two figures a same-height HTML placeholder makes JupyterLab draw the new one afresh.
    expect(sent[1][0].data).toEqual({
      "text/html": '<div style="height:420px"></div>',
      "text/plain": "(redrawing)",
    });
    expect(sent[2][0].data["text/plain"]).toMatch(/epoch 2/);
    expect(sent[3][0].data).toEqual({ "text/plain": "training: epoch 2/3" });
    expect(sent[4][0].data).toEqual({ "text/html": "<b>epoch 3</b>", "text/plain": "epoch 3" });
    expect(sent[5][0].data["text/plain"]).toMatch(/epoch 3/); // after HTML: no placeholder needed
    expect(Object.keys(sent[6][0].data)).toEqual(["text/html", "text/plain"]);
    expect(sent[7][0].data["text/plain"]).toMatch(/epoch 3/);
    expect(sent[7][0].data["text/html"]).toContain(plotlyMarker); // the final frame stands alone
    // The session's plotly.js is now on the page: the next figure does not carry it.
    show(plot.activation(sigmoid));
    expect(sent[8][0].data["text/html"]).not.toContain(plotlyMarker);
    // …and closing a later live output sends nothing more: its last update is already final.
    const second = liveFigure(plot.activation(tanh));
    second.close();
    expect(sent).toHaveLength(10);
  });

  it("showGraph sends the graph as SVG with a text summary, to the cell that called it", async () => {
    const sent = installWriter();
    const a = new Value(2, "a");
    const b = new Value(-3, "b");
    const L = a.mul(b).add(10).named("L");
    L.backward();
    const pending = showGraph(L);
    uninstallWriter(); // the cell ends before Graphviz is ready
    await pending;
    expect(sent).toHaveLength(1);
    const [msg, update] = sent[0];
    expect(update).toBe(false);
    expect(Object.keys(msg.data).sort()).toEqual(["image/svg+xml", "text/plain"]);
    expect(msg.data["image/svg+xml"]).toMatch(
      /<svg[\s\S]*data 2\.0000[\s\S]*grad &#45;3\.0000|<svg[\s\S]*data 2\.0000[\s\S]*grad -3\.0000/,
    );
    expect(msg.data["text/plain"]).toBe("Computational graph of L: 5 values; data = 4, grad = 1");
  });

  it("rejects things that are not figures with a hint", () => {
    installWriter();
    expect(() => show(plot.graph(new Value(1)) as unknown as plot.Figure)).toThrow(/await showGraph/);
    expect(() => show({} as plot.Figure)).toThrow(/expected a figure/);
  });
});
