import { afterEach, describe, expect, it, vi } from "vitest";
import { spiral, xor } from "../../kernel-lib/src/data";
import type { History } from "../../kernel-lib/src/history";
import { Matrix } from "../../kernel-lib/src/matrix";
import { mlp } from "../../kernel-lib/src/network";
import { SGD } from "../../kernel-lib/src/optim";
import { createProgress, progressHtml, progressLine } from "../../kernel-lib/src/progress";
import { evaluate, fit, NonFiniteError } from "../../kernel-lib/src/train";

/** Every number in a history as its 64 bits, so NaN, −0 and the last bit all count. */
function bits(h: History): string {
  const out: string[] = [];
  const view = new DataView(new ArrayBuffer(8));
  JSON.stringify(h, (_k, v) => {
    if (typeof v === "number") {
      view.setFloat64(0, v);
      out.push(view.getBigUint64(0).toString(16));
    }
    return v;
  });
  return out.join(" ");
}

describe("fit", () => {
  it("learns clean XOR to ≥ 97% accuracy", () => {
    const ds = xor({ count: 200, noise: 0, seed: 1 });
    const net = mlp([2, 16, 16, 2], { activation: "tanh", seed: 1 });
    const h = fit(net, ds, { lr: 0.1, momentum: 0.9, epochs: 100, batchSize: 10, seed: 1, progress: "off" });
    expect(h.epochs).toHaveLength(100);
    expect(h.steps).toHaveLength(2000);
    expect(h.epochs[99].loss).toBeLessThan(h.epochs[0].loss / 10);
    expect(evaluate(net, ds).accuracy).toBeGreaterThanOrEqual(0.97);
  });

  it("learns the 3-class spiral to ≥ 90% accuracy", () => {
    const ds = spiral({ count: 300, classes: 3, seed: 1 });
    const net = mlp([2, 32, 32, 3], { activation: "relu", init: "he", seed: 1 });
    const h = fit(net, ds, { lr: 0.05, momentum: 0.9, epochs: 150, batchSize: 10, seed: 1, progress: "off" });
    expect(h.epochs[149].loss).toBeLessThan(h.epochs[0].loss / 4);
    expect(evaluate(net, ds).accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it("same seed → bit-for-bit identical history; another seed → a different one", () => {
    const ds = spiral({ count: 90, seed: 2 });
    const run = (seed: number) =>
      fit(mlp([2, 8, 8, 3], { activation: "sigmoid", seed: 3 }), ds, {
        lr: 0.5,
        epochs: 5,
        batchSize: 8,
        seed,
        validationSplit: 0.2,
        record: { every: 3 },
        progress: "off",
      });
    const a = run(4),
      b = run(4),
      c = run(5);
    expect(bits(a)).toBe(bits(b));
    expect(a).toEqual(b);
    expect(bits(a)).not.toBe(bits(c));
  });

  it("records per step, per epoch, validation and sampled diagnostics", () => {
    const ds = xor({ count: 100, seed: 2 });
    const h = fit(mlp([2, 4, 2], { seed: 1 }), ds, {
      lr: 0.2,
      epochs: 3,
      batchSize: 16,
      validationSplit: 0.2,
      record: { every: 5 },
      progress: "off",
    });
    // 80 training examples in minibatches of 16: 5 steps per epoch.
    expect(h.steps.map((s) => s.step)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(h.steps.map((s) => s.epoch)).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]);
    expect(h.diagnostics.map((d) => d.step)).toEqual([1, 6, 11]);
    expect(h.diagnostics[0].layers).toHaveLength(2);
    for (const e of h.epochs) {
      for (const v of [e.loss, e.accuracy, e.valLoss, e.valAccuracy]) expect(Number.isFinite(v)).toBe(true);
    }
    const val = xor({ count: 30, seed: 9 });
    const net = mlp([2, 4, 2], { seed: 1 });
    const h2 = fit(net, ds, { lr: 0.2, epochs: 2, validation: val, record: false, progress: "off" });
    expect(h2.diagnostics).toEqual([]);
    expect(h2.epochs[1].valLoss).toBe(evaluate(net, val).loss);
    expect(h2.epochs[1].valAccuracy).toBe(evaluate(net, val).accuracy);
  });

  it("epoch loss is the size-weighted mean of the step losses", () => {
    const ds = xor({ count: 50, seed: 3 });
    const h = fit(mlp([2, 4, 2], { seed: 1 }), ds, { lr: 0.1, epochs: 1, batchSize: 20, progress: "off" });
    const [l1, l2, l3] = h.steps.map((s) => s.loss);
    expect(h.epochs[0].loss).toBeCloseTo((20 * l1 + 20 * l2 + 10 * l3) / 50, 14);
  });

  it("uses the loss, momentum and weight decay it is given, or an optimizer", () => {
    const ds = xor({ count: 40, seed: 3 });
    const plain = fit(mlp([2, 4, 2], { seed: 1 }), ds, { lr: 0.1, epochs: 2, progress: "off" });
    const heavy = fit(mlp([2, 4, 2], { seed: 1 }), ds, {
      lr: 0.1,
      momentum: 0.9,
      weightDecay: 0.01,
      epochs: 2,
      progress: "off",
    });
    expect(heavy.steps[0].loss).toBe(plain.steps[0].loss);
    expect(heavy.steps[5].loss).not.toBe(plain.steps[5].loss);
    const quad = fit(mlp([2, 4, 2], { seed: 1 }), ds, { lr: 0.1, loss: "mse", epochs: 1, progress: "off" });
    expect(quad.steps[0].loss).not.toBe(plain.steps[0].loss);
    const net = mlp([2, 4, 2], { seed: 1 });
    const opt = new SGD(net.parameters(), { lr: 0.1 });
    const viaOpt = fit(net, ds, {
      optimizer: opt,
      epochs: 2,
      onEpoch: () => void (opt.lr = 0.05),
      progress: "off",
    });
    expect(viaOpt.steps.slice(0, 4)).toEqual(plain.steps.slice(0, 4));
    expect(opt.lr).toBe(0.05);
  });

  it("callbacks see each record, and returning false stops training", () => {
    const ds = xor({ count: 40, seed: 4 });
    const seen: number[] = [];
    const h = fit(mlp([2, 4, 2]), ds, {
      lr: 0.1,
      epochs: 5,
      onStep: (r) => (seen.push(r.step), r.step < 7),
      progress: "off",
    });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(h.steps).toHaveLength(7);
    expect(h.epochs).toHaveLength(1); // epoch 2 was cut short, so it has no record
    const h2 = fit(mlp([2, 4, 2]), ds, { lr: 0.1, epochs: 5, onEpoch: (r) => r.epoch < 2, progress: "off" });
    expect(h2.epochs).toHaveLength(2);
  });

  it("a huge learning rate stops with NonFiniteError naming step, layer and quantity, keeping the history", () => {
    const ds = spiral({ count: 60, seed: 5 });
    const net = mlp([2, 16, 16, 3], { activation: "relu", seed: 5 });
    let error: unknown;
    try {
      fit(net, ds, { lr: 1e150, epochs: 20, batchSize: 10, record: { every: 1 }, progress: "off" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NonFiniteError);
    const err = error as NonFiniteError;
    expect(err.step).toBeGreaterThan(1);
    expect(err.history.steps).toHaveLength(err.step - 1);
    expect(err.history.steps.every((s) => Number.isFinite(s.loss))).toBe(true);
    expect(net.layers.map((l) => l.name)).toContain(err.layer);
    expect([
      "pre-activations z",
      "activations a",
      "loss",
      "gradient ∂C/∂W",
      "gradient ∂C/∂b",
      "weights W",
      "biases b",
    ]).toContain(err.quantity);
    expect(err.message).toContain(`at step ${err.step}`);
    expect(err.message).toContain(`layer "${err.layer}"`);
    expect(err.message).toContain(err.quantity);
    expect(err.message).toMatch(/smaller learning rate \(lr = 1e\+150; try 1e\+149\)/);
  });

  it("names the first non-finite quantity: an overflowing pre-activation in layer 2", () => {
    const net = mlp([2, 3, 2], { activation: "sigmoid", seed: 1 });
    net.layers[1].W.data[0] = 1e308;
    net.layers[1].W.data[2] = 1e308;
    const ds = { X: Matrix.from([[1, 1]]), y: Matrix.from([[1, 0]]) };
    for (let j = 0; j < 3; j++) net.layers[0].b.data[j] = 50; // every hidden unit outputs ≈ 1
    expect(() => fit(net, ds, { lr: 0.1, epochs: 1, progress: "off" })).toThrow(
      /pre-activations z of layer "dense 2 \(softmax\)" became Infinity at step 1 \(epoch 1\)/,
    );
  });

  it("rejects bad options before touching the network", () => {
    const ds = xor({ count: 20 });
    const net = mlp([2, 4, 2], { seed: 1 });
    const W = Array.from(net.layers[0].W.data);
    expect(() => fit(net, ds, { epochs: 1 })).toThrow(/learning rate lr is required/);
    expect(() => fit(net, ds, { lr: -1 })).toThrow(/lr \(the learning rate\) must be a finite number/);
    expect(() => fit(net, ds, { lr: 0.1, batchSize: 0 })).toThrow(
      /batchSize must be a positive whole number, got 0/,
    );
    expect(() => fit(net, ds, { lr: 0.1, epochs: 2.5 })).toThrow(/epochs must be a positive whole number/);
    expect(() => fit(net, { X: ds.X, y: Matrix.zeros(20, 3) }, { lr: 0.1 })).toThrow(
      /y is 20×3, but the network takes 2 inputs and gives 2 outputs/,
    );
    expect(() => fit(net, ds, { lr: 0.1, validationSplit: 1.5 })).toThrow(
      /validationSplit must be a share strictly between 0 and 1/,
    );
    expect(() => fit(net, ds, { lr: 0.1, validation: ds, validationSplit: 0.1 })).toThrow(/not both/);
    expect(() => fit(net, ds, { lr: 0.1, record: { every: -1 } })).toThrow(
      /every must be a positive whole number/,
    );
    expect(() => fit(net, ds, { lr: 0.1, progress: "loud" as never })).toThrow(
      /progress must be "auto", "notebook", "terminal" or "off"/,
    );
    expect(Array.from(net.layers[0].W.data)).toEqual(W);
  });
});

describe("progress", () => {
  const state = {
    epoch: 2,
    epochs: 4,
    step: 5,
    totalSteps: 10,
    stepLosses: [1, 0.5, 0.4, 0.3, 0.2],
    epochLoss: 0.7,
    valLoss: NaN,
  };
  it("draws one line of text and a small HTML view", () => {
    expect(progressLine(state, 10)).toBe(
      "[#####.....]  epoch 2/4  step 5/10  loss 0.2000  epoch loss 0.7000",
    );
    const html = progressHtml(state);
    expect(html).toContain("<svg");
    expect(html).toContain("width:50.0%");
  });
  it("is off under the test runner in auto mode", () => {
    const p = createProgress("auto");
    p.update(state);
    p.finish(state);
  });
});

describe("live progress", () => {
  afterEach(() => {
    (require("tslab/dist/jupyter") as { lastWriteDisplayData: unknown }).lastWriteDisplayData = null;
    vi.restoreAllMocks();
  });

  it("in a notebook: one output, updated in place, ending at the last step", () => {
    // A recording fake in the place tslab 1.0.22 keeps its display writer while a cell runs.
    const sent: { html: string; id?: string; update: boolean }[] = [];
    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
    jupyter.lastWriteDisplayData = (
      m: { data: { [k: string]: unknown }; transient: { display_id?: string } },
      update: boolean,
    ) => sent.push({ html: String(m.data["text/html"]), id: m.transient.display_id, update });
    fit(mlp([2, 4, 2]), xor({ count: 40 }), { lr: 0.1, epochs: 3, batchSize: 10 });
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent[0].update).toBe(false);
    expect(sent.slice(1).every((m) => m.update)).toBe(true);
    expect(new Set(sent.map((m) => m.id)).size).toBe(1);
    expect(sent[sent.length - 1].html).toContain("step 12/12");
    expect(sent[sent.length - 1].html).toContain("<svg");
  });

  it("in a terminal: one line on stderr rewritten with \\r, then a newline", () => {
    const writes: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation(
      (chunk: string | Uint8Array) => (writes.push(String(chunk)), true),
    );
    fit(mlp([2, 4, 2]), xor({ count: 40 }), { lr: 0.1, epochs: 2, batchSize: 10, progress: "terminal" });
    expect(writes[0].startsWith("\r[")).toBe(true);
    expect(writes[writes.length - 2]).toContain("step 8/8");
    expect(writes[writes.length - 1]).toBe("\n");
  });
});
