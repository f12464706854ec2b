/**
 * kernel-lib's browser build in a real Web Worker in headless Chromium, as the JupyterLite kernel
 * runs it: a page on 127.0.0.1 starts a module worker (test/browser/worker-host.js) that installs
 * the browser host (outputs posted to the page, files read with a synchronous XHR) and loads
 * kernel-lib.js and tslab.js from kernel-lib/dist-browser/. The same code runs there and in Node,
 * and must give bit-identical digits and training. Every request off the local server is blocked.
 */
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, offlinePage } from "./chromium";
import type { PageProblems } from "./chromium";
import { serve } from "./local-server";
import type { LocalServer } from "./local-server";

import { CHECK_MIME, PLOTLY_MIME } from "../../kernel-lib/src/display/mime";

const DIST_BROWSER = path.resolve(__dirname, "../../kernel-lib/dist-browser");
const PLOTLY_MARKER = "window.Plotly = Plotly";
/**
 * Code run in the worker: `same(a, b)`, whether two arrays hold the same doubles bit for bit (Object.is
 * tells 0 from −0 and lets a NaN meet only a NaN).
 */
const SAME_BITS = "const same = (a, b) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));";

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>kernel-lib in a worker</title></head><body><script>
const worker = new Worker("/worker-host.js", { type: new URLSearchParams(location.search).get("type") });
const pending = new Map();
let next = 0;
window.displays = [];
window.ready = new Promise((resolve, reject) => {
  worker.addEventListener("error", (e) => reject(new Error("worker failed: " + e.message)));
  worker.addEventListener("message", (e) => {
    const m = e.data;
    if (m.kind === "ready") resolve();
    else if (m.kind === "display") window.displays.push({ message: m.message, update: m.update });
    else if (m.kind === "result") { pending.get(m.id)(m); pending.delete(m.id); }
  });
});
window.run = (code) => new Promise((resolve) => { const id = next++; pending.set(id, resolve); worker.postMessage({ id, code }); });
</script></body></html>`;

/**
 * What a test sees of one display message (long strings shortened, so 4.8 MB of plotly.js stays in the page).
 */
interface SeenDisplay {
  update: boolean;
  displayId: string | undefined;
  mimes: string[];
  data: { [mime: string]: unknown };
  htmlCarriesPlotly: boolean;
}

interface PageWindow {
  ready: Promise<void>;
  run(code: string): Promise<{ value?: unknown; error?: string }>;
  displays: {
    message: { data: { [mime: string]: unknown }; transient: { display_id?: string } };
    update: boolean;
  }[];
}

let browser: Browser;
let server: LocalServer;
/**
 * The page of the worker type under test, what went wrong on it, and every URL it and its worker asked for.
 */
let page: Page;
let problems: PageProblems;
let requested: string[] = [];

/** Runs `code` (the body of an async function of `lib` and `tslab`) in the worker. */
async function inWorker(code: string): Promise<unknown> {
  const result = await page.evaluate((c) => (globalThis as unknown as PageWindow).run(c), code);
  if (result.error !== undefined) throw new Error(`in the worker: ${result.error}`);
  return result.value;
}

/** Runs the same `code` in Node against kernel-lib's Node build. */
async function inNode(code: string): Promise<unknown> {
  const run = new Function("lib", "tslab", `return (async () => {\n${code}\n})();`) as (
    lib: unknown,
    tslab: unknown,
  ) => Promise<unknown>;
  return run(require("../../kernel-lib"), null);
}

/** The display messages the worker sent since the last call. */
async function takeDisplays(): Promise<SeenDisplay[]> {
  return page.evaluate(
    ({ marker }) => {
      const w = globalThis as unknown as PageWindow;
      const seen = w.displays.map(({ message, update }) => {
        const html = message.data["text/html"];
        const data = JSON.parse(
          JSON.stringify(message.data, (_k, v: unknown) =>
            typeof v === "string" && v.length > 100_000 ? `<${v.length} characters>` : v,
          ),
        );
        return {
          update,
          displayId: message.transient.display_id,
          mimes: Object.keys(message.data),
          data,
          htmlCarriesPlotly: typeof html === "string" && html.includes(marker),
        };
      });
      w.displays = [];
      return seen;
    },
    { marker: PLOTLY_MARKER },
  );
}

const routes = () => {
  const files: { [urlPath: string]: { file: string } | { text: string } } = {
    "/": { text: PAGE },
    "/worker-host.js": { file: path.join(__dirname, "worker-host.js") },
  };
  for (const name of fs.readdirSync(DIST_BROWSER)) {
    if (fs.statSync(path.join(DIST_BROWSER, name)).isFile())
      files[`/lib/${name}`] = { file: path.join(DIST_BROWSER, name) };
  }
  return files;
};

beforeAll(async () => {
  server = await serve(routes());
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

// The browser kernel may start its worker as a module or as a classic script; both must work.
describe.each(["module", "classic"])("kernel-lib's browser build in a %s Web Worker", (type) => {
  beforeAll(async () => {
    ({ page, problems } = await offlinePage(browser, [server.origin + "/"]));
    requested = [];
    page.context().on("request", (r) => requested.push(r.url()));
    await page.goto(`${server.origin}/?type=${type}`);
    await page.evaluate(() => (globalThis as unknown as PageWindow).ready);
  }, 60_000);

  afterAll(async () => {
    await page?.context().close();
  });

  it("exposes exactly the public exports of the Node build and calls no require", async () => {
    const keys = "return Object.keys(lib).sort();";
    expect(await inWorker(keys)).toEqual(await inNode(keys));
    for (const file of ["kernel-lib.js", "tslab.js"]) {
      expect(fs.readFileSync(path.join(DIST_BROWSER, file), "utf8")).not.toMatch(/\brequire\s*\(/);
    }
  });

  it("data.mnist gives the same digits as in Node, read from the binary asset through the host", async () => {
    const code = `
      const d = lib.data.mnist({ count: 100, seed: 1 });
      const hex = async (a) => Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(a.buffer, a.byteOffset, a.byteLength))), (b) => b.toString(16).padStart(2, "0")).join("");
      return { rows: d.X.rows, X: await hex(d.X.data), y: await hex(d.y.data), labels: Array.from(d.labels), ids: Array.from(d.ids), sizes: [lib.data.mnistSize("train"), lib.data.mnistSize("test")] };`;
    const browserResult = await inWorker(code);
    expect(browserResult).toEqual(await inNode(code));
    expect(browserResult).toMatchObject({ rows: 100, sizes: [8000, 2000] });
    expect(requested).toContain(`${server.origin}/lib/mnist-digits.bin`);
  });

  it("mlp + fit train bit-identically to Node (a ReLU net whose maths is IEEE arithmetic), with live progress updated in place", async () => {
    // ReLU, a linear output, mean squared error and uniform initialization use only +, −, ×, ÷ and √, which
    // IEEE 754 rounds the same way everywhere, so any difference would come from the bundle itself.
    const code = `
      const { X, y } = lib.data.mnist({ count: 120, seed: 3 });
      const net = lib.mlp([784, 16, 10], { activation: "relu", output: "linear", init: "xavierUniform", seed: 1 });
      const h = lib.fit(net, { X, y }, { loss: lib.losses.mse, lr: 0.05, epochs: 3, batchSize: 12, seed: 2 });
      return { steps: h.steps.map((s) => s.loss), epochs: h.epochs.map((e) => e.loss), W: Array.from(net.layers[1].W.data) };`;
    await takeDisplays();
    const browserResult = (await inWorker(code)) as { steps: number[] };
    expect(browserResult.steps).toHaveLength(30);
    expect(new Set(browserResult.steps).size).toBe(30);
    expect(browserResult).toEqual(await inNode(code));
    const progress = await takeDisplays();
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(new Set(progress.map((d) => d.displayId)).size).toBe(1);
    expect(progress[0].displayId).toMatch(/^gradient-lab-/);
    expect(progress.map((d) => d.update)).toEqual([false, ...progress.slice(1).map(() => true)]);
    expect(progress[progress.length - 1].data["text/html"]).toContain("epoch 3/3");
  });

  it("a sigmoid net with cross-entropy trains to Node's losses up to the last bits of Math.exp and Math.log", async () => {
    // Chromium's Math.exp, Math.log, sin and cos may round differently from Node's in the last bit
    // (both are within an ulp of the true value), so here the losses agree to about 1e-15, not bit for bit.
    const code = `
      const { X, y } = lib.data.mnist({ count: 120, seed: 3 });
      const net = lib.mlp([784, 16, 10], { activation: "sigmoid", init: "nielsen", seed: 1 });
      const h = lib.fit(net, { X, y }, { loss: lib.losses.crossEntropy, lr: 0.5, epochs: 3, batchSize: 12, seed: 2, progress: "off" });
      return h.steps.map((s) => s.loss);`;
    const browserLosses = (await inWorker(code)) as number[];
    const nodeLosses = (await inNode(code)) as number[];
    expect(browserLosses).toHaveLength(30);
    const worst = Math.max(
      ...browserLosses.map((l, i) => Math.abs(l - nodeLosses[i]) / Math.abs(nodeLosses[i])),
    );
    expect(worst).toBeLessThan(1e-12);
  });

  it("the matrix products run in WebAssembly SIMD and equal the reference loop bit for bit, as do the forced TypeScript kernels", async () => {
    // Shapes from 1×1 through edge tiles to the nets' layers; A·B, Aᵀ·B and A·Bᵀ, overwriting and
    // accumulating. The reference is the definition as a loop (kernels.ts's referenceProduct),
    // written out here; Object.is tells 0 from −0 and lets a NaN meet only a NaN.
    const code = `
      const random = lib.rng(18);
      const values = (n) => Float64Array.from({ length: n }, () => { const u = random.uniform(); return u < 0.05 ? 0 : u < 0.08 ? -0 : random.normal() * 10 ** random.int(9) * 1e-4; });
      const reference = (m, n, k, A, aRow, aCol, B, bRow, bCol, C, accumulate) => {
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += A[i * aRow + p * aCol] * B[p * bRow + j * bCol];
          C[i * n + j] = accumulate ? C[i * n + j] + s : s;
        }
      };
      ${SAME_BITS}
      const shapes = [[1, 1, 1], [1, 9, 1], [9, 1, 1], [3, 9, 5], [7, 17, 33], [10, 30, 784], [784, 30, 10], [64, 256, 257], [65, 250, 63]];
      for (let t = 0; t < 40; t++) shapes.push([1 + random.int(50), 1 + random.int(50), 1 + random.int(80)]);
      const inUse = lib.kernelsInUse();
      let checked = 0, wrong = [];
      for (const [m, n, k] of shapes) for (const accumulate of [false, true]) {
        const X = new lib.Matrix(m, k, values(m * k)), Y = new lib.Matrix(k, n, values(k * n)), Z = new lib.Matrix(m, n, values(m * n));
        const XT = X.transpose(), YT = Y.transpose();
        const cases = [
          ["A·B", (out) => lib.matmul(X, Y, out, accumulate), (C) => reference(m, n, k, X.data, k, 1, Y.data, n, 1, C, accumulate)],
          ["Aᵀ·B", (out) => lib.matmulTN(XT, Y, out, accumulate), (C) => reference(m, n, k, XT.data, 1, m, Y.data, n, 1, C, accumulate)],
          ["A·Bᵀ", (out) => lib.matmulNT(X, YT, out, accumulate), (C) => reference(m, n, k, X.data, k, 1, YT.data, 1, k, C, accumulate)],
        ];
        for (const [name, product, loop] of cases) {
          const expected = Z.data.slice();
          loop(expected);
          lib.setKernels("wasm");
          const wasm = product(Z.clone()).data;
          // C in the memory the kernels share with JavaScript, written in place (X and Y are ordinary
          // arrays, copied in; the next test trains with every operand in that memory).
          const inPlace = lib.Matrix.shared(m, n);
          inPlace.data.set(Z.data);
          product(inPlace);
          lib.setKernels("typescript");
          const typescript = product(Z.clone()).data;
          lib.setKernels("auto");
          checked++;
          if (!same(wasm, expected) || !same(inPlace.data, expected) || !same(typescript, expected)) wrong.push(name + " " + m + "×" + n + ", k = " + k + (accumulate ? " (accumulate)" : ""));
        }
      }
      return { inUse, checked, wrong };`;
    expect(await inWorker(code)).toEqual({ inUse: "wasm", checked: 2 * 3 * 49, wrong: [] });
  });

  it("layers keep their buffers in the memory shared with WebAssembly, and a ReLU net trains to the same bits with the TypeScript kernels", async () => {
    // With the WebAssembly kernels, a layer's weights and buffers and fit's minibatch live in the
    // WebAssembly memory (products read them in place; ReLU's loops run there too); with the TypeScript
    // kernels forced, they are ordinary arrays and every loop is TypeScript's.
    const code = `
      const train = () => {
        const { X, y } = lib.data.mnist({ count: 120, seed: 3 });
        const net = lib.mlp([784, 16, 16, 10], { activation: "relu", output: "linear", init: "he", seed: 1 });
        const h = lib.fit(net, { X, y }, { loss: lib.losses.mse, lr: 0.02, epochs: 2, batchSize: 12, seed: 2, progress: "off" });
        return { net, losses: h.steps.map((s) => s.loss) };
      };
      const wasm = train();
      lib.setKernels("typescript");
      const typescript = train();
      lib.setKernels("auto");
      ${SAME_BITS}
      const memoryOf = (net) => net.layers[1].W.data.buffer.byteLength;
      return {
        sameLosses: same(wasm.losses, typescript.losses),
        sameWeights: same(Array.from(wasm.net.layers[1].W.data), Array.from(typescript.net.layers[1].W.data)),
        steps: wasm.losses.length,
        sharedMiB: memoryOf(wasm.net) / 2 ** 20,
        ordinaryBytes: memoryOf(typescript.net),
      };`;
    const result = (await inWorker(code)) as Record<string, unknown>;
    expect(result).toMatchObject({
      sameLosses: true,
      sameWeights: true,
      steps: 20,
      ordinaryBytes: 16 * 16 * 8,
    });
    expect(result.sharedMiB).toBeGreaterThanOrEqual(16);
  });

  it("show sends one output with plotly's MIME type, HTML and text; plotly.js is inlined once, read from the site", async () => {
    await inWorker(`
      lib.show(lib.plot.curves([{ name: "a", x: [1, 2, 3], y: [1, 0.5, 0.25] }], { title: "first" }));
      lib.show(lib.plot.activation(lib.relu));`);
    const shown = await takeDisplays();
    expect(shown).toHaveLength(2);
    for (const d of shown) {
      expect(d.mimes.sort()).toEqual([PLOTLY_MIME, "text/html", "text/plain"].sort());
      expect(d.update).toBe(false);
      expect(d.displayId).toBeUndefined();
      expect((d.data[PLOTLY_MIME] as { data: unknown[] }).data.length).toBeGreaterThan(0);
    }
    expect((shown[0].data[PLOTLY_MIME] as { layout: { title: { text: string } } }).layout.title.text).toBe(
      "first",
    );
    expect(shown.map((d) => d.htmlCarriesPlotly)).toEqual([true, false]);
    expect(requested).toContain(`${server.origin}/lib/plotly.min.js`);
    // The fallback without plotly.js points nowhere: no URL, no external script or style.
    expect(shown[1].data["text/html"]).not.toMatch(/https?:|src=|href=/);
  });

  it("a live output replaces itself: every message carries the same display id", async () => {
    const id = await inWorker(`
      const out = lib.createLiveOutput();
      out.update(lib.plot.curves([{ name: "a", x: [1, 2], y: [1, 2] }]));
      out.update(lib.plot.curves([{ name: "a", x: [1, 2], y: [2, 1] }]));
      out.text("done");
      return out.id;`);
    const live = await takeDisplays();
    expect(live.length).toBeGreaterThanOrEqual(3);
    expect(live.every((d) => d.displayId === id)).toBe(true);
    expect(live.map((d) => d.update)).toEqual([false, ...live.slice(1).map(() => true)]);
    expect(live[0].mimes).toContain(PLOTLY_MIME);
    expect(live[live.length - 1].data).toEqual({ "text/plain": "done" });
  });

  it("an exercise check sends its record for the grader; a failing one throws CheckFailure", async () => {
    const failure = await inWorker(`
      lib.exercises.checkValue("1.1", 0.25, 0.25, { points: 2 });
      try { lib.exercises.checkValue("1.2", 3, 2); } catch (e) { return e.name; }
      return "no error";`);
    expect(failure).toBe("CheckFailure");
    const checks = await takeDisplays();
    expect(checks.map((d) => d.data[CHECK_MIME])).toEqual([
      expect.objectContaining({ id: "1.1", passed: true, points: 2, maxPoints: 2 }),
      expect.objectContaining({ id: "1.2", passed: false, points: 0, maxPoints: 1 }),
    ]);
    expect(checks[0].data["text/plain"]).toMatch(/^✓ Exercise 1\.1/);
  });

  it("showGraph and graphSvg draw with Graphviz's WebAssembly inside the worker", async () => {
    const svg = (await inWorker(`
      const a = new lib.Value(2, "a"), b = new lib.Value(-3, "b");
      const L = a.mul(b).named("L");
      L.backward();
      await lib.showGraph(L);
      return lib.plot.graphSvg("digraph { x -> y }");`)) as string;
    expect(svg).toMatch(/<svg[\s\S]*<\/svg>\s*$/);
    const [graph, ...rest] = await takeDisplays();
    expect(rest).toHaveLength(0);
    expect(graph.mimes.sort()).toEqual(["image/svg+xml", "text/plain"]);
    expect(graph.data["image/svg+xml"]).toMatch(/<svg[\s\S]*data 2\.0000[\s\S]*<\/svg>/);
  });

  it("tslab's display API sends through the host; newDisplay updates its own output", async () => {
    const versions = await inWorker(`
      tslab.display.html("<b>bold</b>");
      const d = tslab.newDisplay();
      d.text("1");
      d.text("2");
      tslab.display.png(new Uint8Array([137, 80, 78, 71]));
      return tslab.versions;`);
    expect(versions).toEqual({ tslab: "test host", typescript: "none", node: "none (a browser)" });
    const out = await takeDisplays();
    expect(out.map((d) => [d.data, d.update, d.displayId === undefined])).toEqual([
      [{ "text/html": "<b>bold</b>" }, false, true],
      [{ "text/plain": "1" }, false, false],
      [{ "text/plain": "2" }, true, false],
      [{ "image/png": "iVBORw==" }, false, true],
    ]);
    expect(out[1].displayId).toBe(out[2].displayId);
  });

  it("made no request outside the local server", () => {
    expect(problems.blocked).toEqual([]);
    expect(problems.errors).toEqual([]);
    expect(requested.every((url) => url.startsWith(server.origin + "/"))).toBe(true);
  });
});
