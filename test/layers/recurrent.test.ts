/** RNN and LSTM: backpropagation through time against finite differences, ‖∂C/∂h_t‖, layout and errors. */

import { describe, expect, it } from "vitest";
import {
  Dense,
  LSTM,
  Matrix,
  RNN,
  Sequential,
  data,
  diagnostics,
  fit,
  gradCheckLayer,
  gradCheckNetwork,
  losses,
} from "../../kernel-lib/src";
import { oneHotRows, randn } from "../unit/helpers";

const kinds = [
  [
    "RNN",
    (d: number, H: number, steps: number, returnSequences = false) =>
      new RNN(d, H, { steps, returnSequences, seed: 3 }),
  ],
  [
    "LSTM",
    (d: number, H: number, steps: number, returnSequences = false) =>
      new LSTM(d, H, { steps, returnSequences, seed: 3 }),
  ],
] as const;

/** Central difference of a cost with respect to X[i]. */
function numericInputGrad(cost: () => number, X: Matrix, h = 1e-5): Float64Array {
  const g = new Float64Array(X.data.length);
  for (let i = 0; i < g.length; i++) {
    const saved = X.data[i];
    X.data[i] = saved + h;
    const plus = cost();
    X.data[i] = saved - h;
    const minus = cost();
    X.data[i] = saved;
    g[i] = (plus - minus) / (2 * h);
  }
  return g;
}

for (const [kind, make] of kinds) {
  describe(`${kind}: backpropagation through time against finite differences`, () => {
    for (const steps of [1, 2, 5, 12]) {
      it(`T = ${steps}: Wx, Wh, b and every input agree to 1e-6`, () => {
        const layer = make(2, 3, steps);
        const result = gradCheckLayer(layer, randn(4, steps * 2, 7, 0.8));
        expect(result.checked).toBe(layer.parameterCount + 4 * steps * 2);
        expect(result.maxRelativeError, result.where).toBeLessThan(1e-6);
      });
    }

    it("returnSequences (T = 4): the gradient of every state's output agrees", () => {
      const layer = make(2, 3, 4, true);
      expect(layer.numOutputs).toBe(12);
      const result = gradCheckLayer(layer, randn(3, 8, 8));
      expect(result.maxRelativeError, result.where).toBeLessThan(1e-6);
    });

    it("in a network with a softmax head (T = 6): every parameter agrees", () => {
      const net = new Sequential([make(3, 4, 6), new Dense(4, 3, { activation: "softmax", seed: 4 })]);
      const result = gradCheckNetwork(net, randn(5, 18, 9), oneHotRows(5, 3, 10), losses.crossEntropy);
      expect(result.checked).toBe(net.parameterCount);
      expect(result.maxRelativeError, result.where).toBeLessThan(1e-6);
    });

    it("‖∂C/∂h_t‖ for every t matches finite differences (T = 6)", () => {
      // With d = G·H inputs and Wx = I, ∂C/∂x_{t+1} = ∂C/∂z_{t+1}, and h_t enters only z_{t+1}, so
      // ∂C/∂h_t = (∂C/∂x_{t+1})·Whᵀ; for t = T it is ∂C/∂(output) itself.
      const H = 3,
        T = 6,
        batch = 4;
      const width = kind === "RNN" ? H : 4 * H;
      const layer = make(width, H, T);
      layer.Wx.data.fill(0);
      for (let i = 0; i < width; i++) layer.Wx.data[i * width + i] = 1;
      const X = randn(batch, T * width, 11, 0.5);
      const R = randn(batch, H, 12);
      const cost = () => {
        const a = layer.forward(X);
        let c = 0;
        for (let i = 0; i < a.data.length; i++) c += R.data[i] * a.data[i];
        return c;
      };
      layer.forward(X);
      layer.backward(R);
      const dX = numericInputGrad(cost, X);
      const expected: number[] = [];
      for (let t = 1; t < T; t++) {
        let s = 0;
        for (let r = 0; r < batch; r++) {
          for (let j = 0; j < H; j++) {
            let g = 0;
            for (let k = 0; k < width; k++) g += dX[r * T * width + t * width + k] * layer.Wh.get(j, k);
            s += g * g;
          }
        }
        expected.push(Math.sqrt(s));
      }
      expected.push(Math.sqrt(R.data.reduce((a, v) => a + v * v, 0)));
      Array.from(layer.hiddenGradNorms).forEach((v, t) => expect(v).toBeCloseTo(expected[t], 8));
    });
  });
}

describe("recurrent layers: forward, layout and the gradient through time", () => {
  it("RNN forward is h_t = tanh(x_t·Wx + h_{t−1}·Wh + b) over the row layout x_1 … x_T", () => {
    const rnn = new RNN(1, 1, { steps: 3 });
    rnn.Wx.data[0] = 0.5;
    rnn.Wh.data[0] = -0.8;
    rnn.b.data[0] = 0.1;
    const out = rnn.forward(Matrix.from([[1, 2, 3]]));
    let h = 0;
    for (const x of [1, 2, 3]) h = Math.tanh(0.5 * x - 0.8 * h + 0.1);
    expect(out.data[0]).toBeCloseTo(h, 15);
    const all = new RNN(1, 1, { steps: 3, returnSequences: true });
    all.Wx.data[0] = 0.5;
    all.Wh.data[0] = -0.8;
    all.b.data[0] = 0.1;
    expect(all.forward(Matrix.from([[1, 2, 3]])).data[2]).toBeCloseTo(h, 15);
  });

  it("LSTM forward at T = 1 matches the gate equations by hand, and the forget bias starts at 1", () => {
    const lstm = new LSTM(1, 1, { steps: 1 });
    expect(Array.from(lstm.b.data)).toEqual([0, 1, 0, 0]);
    lstm.Wx.data.set([0.3, -0.2, 0.7, 0.5]);
    const s = (z: number) => 1 / (1 + Math.exp(-z));
    const x = 0.9;
    const c = s(0.3 * x) * Math.tanh(0.7 * x); // c_0 = 0, so the forget gate has nothing to keep
    expect(lstm.forward(Matrix.from([[x]])).data[0]).toBeCloseTo(s(0.5 * x) * Math.tanh(c), 15);
  });

  it("the gradient through time: it vanishes in an RNN with small recurrent weights, and in an LSTM the forget gate decides", () => {
    const T = 30;
    const task = data.firstSymbol({ count: 64, steps: T, symbols: 4, seed: 1 });
    const ratio = (layer: RNN | LSTM) => {
      const net = new Sequential([layer, new Dense(16, 4, { activation: "softmax", seed: 2 })]);
      const g = diagnostics.gradientThroughTime(net, task.X, task.y, losses.crossEntropy);
      expect(g.steps).toEqual(Array.from({ length: T }, (_, t) => t + 1));
      return g.hidden[0] / g.hidden[T - 1];
    };
    const rnn = new RNN(4, 16, { steps: T, seed: 1 });
    rnn.Wh.data.forEach((v, i) => (rnn.Wh.data[i] = 0.5 * v));
    expect(ratio(rnn)).toBeLessThan(1e-6);
    expect(ratio(new LSTM(4, 16, { steps: T, seed: 1, forgetBias: 0 }))).toBeLessThan(1e-6); // f ≈ ½ halves ∂C/∂c every step
    expect(ratio(new LSTM(4, 16, { steps: T, seed: 1, forgetBias: 5 }))).toBeGreaterThan(1e-2); // f ≈ 0.993 keeps it
  });

  it("gradientThroughTime leaves the gradients as they were and reports ‖∂C/∂c_t‖ for an LSTM", () => {
    const net = new Sequential([new LSTM(2, 3, { steps: 4, seed: 1 }), new Dense(3, 1)]);
    for (const p of net.parameters()) p.grad.data.fill(0.25);
    const g = diagnostics.gradientThroughTime(net, randn(5, 8, 1), randn(5, 1, 2), "mse");
    expect(g.cell).toHaveLength(4);
    expect(g.layer).toBe("lstm");
    for (const p of net.parameters()) expect(Array.from(p.grad.data).every((v) => v === 0.25)).toBe(true);
    expect(() =>
      diagnostics.gradientThroughTime(
        new Sequential([new Dense(2, 1)]),
        randn(2, 2, 1),
        randn(2, 1, 1),
        "mse",
      ),
    ).toThrow(/the network has no recurrent layer/);
  });

  it("fit trains an LSTM on first-symbol recall, and the same seed gives the same history", () => {
    const task = data.firstSymbol({ count: 200, steps: 5, symbols: 3, seed: 4 });
    const run = () =>
      fit(
        new Sequential([
          new LSTM(3, 8, { steps: 5, seed: 1 }),
          new Dense(8, 3, { activation: "softmax", seed: 2 }),
        ]),
        task,
        { lr: 0.5, epochs: 15, progress: "off" },
      );
    const h = run();
    expect(run().epochs).toEqual(h.epochs);
    expect(h.epochs[h.epochs.length - 1].accuracy).toBeGreaterThan(0.9);
  });
});

describe("recurrent layer errors", () => {
  it("missing or bad sizes name the layer and show a working call", () => {
    expect(() => new RNN(2, 3, undefined as any)).toThrow(
      /RNN "rnn": options with the sequence length are required, e.g. new RNN\(2, 3, \{ steps: 20 \}\)/,
    );
    expect(() => new RNN(2, 3, { steps: 0 })).toThrow(
      /RNN "rnn": steps must be a positive whole number, got 0/,
    );
    expect(() => new LSTM(0, 3, { steps: 5 })).toThrow(
      /LSTM "lstm": inputSize must be a positive whole number, got 0/,
    );
    expect(() => new LSTM(1, 3, { steps: 5, forgetBias: NaN })).toThrow(
      /forgetBias must be a finite number, got NaN/,
    );
    expect(() => new RNN(1, 3, { steps: 5, init: "hee" })).toThrow(/hee/);
  });

  it("an input that is not steps × inputSize wide explains the layout", () => {
    const rnn = new RNN(2, 3, { steps: 5 });
    expect(() => rnn.forward(randn(4, 9, 1))).toThrow(
      /rnn: the input is 4×9 but this layer takes 10 inputs per example. Each example must be 5 steps of 2 numbers/,
    );
    expect(() => rnn.backward(randn(4, 3, 1))).toThrow(/rnn: backward was called before forward/);
    rnn.forward(randn(4, 10, 1));
    expect(() => rnn.backward(randn(4, 2, 1))).toThrow(/rnn: backward expects a gradient of shape 4×3/);
  });
});
