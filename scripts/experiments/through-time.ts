/**
 * The vanishing gradient through time (Hochreiter 1991; Bengio, Simard and Frasconi 1994) and the
 * LSTM (Hochreiter and Schmidhuber 1997), at this course's scale: the adding problem over growing
 * sequence lengths T, a tanh RNN against an LSTM of the same width, with the same optimizer (Adam,
 * norm clipped to 5) and budget. Prints the test mean squared error per T (predicting 1 always
 * gives about 0.167) and ‖∂C/∂h_1‖/‖∂C/∂h_T‖ after training.
 * Run: npx tsx scripts/experiments/through-time.ts
 */

import {
  Adam,
  Dense,
  LSTM,
  RNN,
  Sequential,
  data,
  diagnostics,
  evaluate,
  fit,
  losses,
} from "../../kernel-lib/src";

const hidden = 16;

for (const steps of [10, 30, 60]) {
  const train = data.addingProblem({ count: 1000, steps, seed: 1 });
  const test = data.addingProblem({ count: 500, steps, seed: 2 });
  const line: string[] = [];
  for (const kind of ["RNN", "LSTM"] as const) {
    const layer =
      kind === "RNN" ? new RNN(2, hidden, { steps, seed: 1 }) : new LSTM(2, hidden, { steps, seed: 1 });
    const net = new Sequential([layer, new Dense(hidden, 1, { seed: 2 })]);
    fit(net, train, {
      optimizer: new Adam(net.parameters(), { lr: 0.01 }),
      epochs: 20,
      batchSize: 20,
      clipNorm: 5,
      progress: "off",
      record: false,
    });
    const g = diagnostics.gradientThroughTime(net, test.X, test.y, losses.mse);
    line.push(
      `${kind} test MSE ${evaluate(net, test).loss.toFixed(4)}, ‖∂C/∂h_1‖/‖∂C/∂h_T‖ ${(g.hidden[0] / g.hidden[steps - 1]).toExponential(1)}`,
    );
  }
  console.log(`T = ${steps}: ${line.join("; ")}`);
}
