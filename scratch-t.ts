import { Dense, LSTM, RNN, Sequential, data, diagnostics, losses, fit, Adam } from "./kernel-lib/src";
const T = 50;
const task = data.firstSymbol({ count: 256, steps: T, symbols: 4, seed: 1 });
const cfgs: [string, () => any][] = [["rnn", () => new RNN(4, 16, { steps: T, seed: 1 })]];
for (const fb of [0, 1, 3, 5]) cfgs.push([`lstm fb=${fb}`, () => new LSTM(4, 16, { steps: T, seed: 1, forgetBias: fb })]);
for (const [name, make] of cfgs) {
  const layer = make();
  const net = new Sequential([layer, new Dense(16, 4, { activation: "softmax", seed: 2 })]);
  const g = diagnostics.gradientThroughTime(net, task.X, task.y, losses.crossEntropy);
  console.log(name, "init", [0, 9, 19, 29, 39, 49].map((t) => (g.hidden[t] / g.hidden[49]).toExponential(1)).join(" "));
}
