/**
 * Degradation and the residual fix (He et al. 2016), at this course's scale: on the spiral, a
 * shallow plain ReLU network, a deep plain one, and the deep one rebuilt from residual blocks
 * (same depth, same width, same initialization), trained the same way. Prints the final training
 * loss and accuracy per seed, and the deep networks' ‖∂C/∂W‖ of the first and last hidden layers
 * at the start. Run: npx tsx scripts/experiments/residual.ts
 */

import { Dense, Residual, Sequential, data, diagnostics, fit, losses } from "../../kernel-lib/src";

const width = 16,
  deep = 40;
const task = data.spiral({ count: 300, seed: 1 });

function plain(hidden: number, seed: number): Sequential {
  return new Sequential([
    new Dense(2, width, { activation: "relu", init: "he", seed }),
    ...Array.from(
      { length: hidden - 1 },
      (_, i) => new Dense(width, width, { activation: "relu", init: "he", seed: seed * 1000 + i }),
    ),
    new Dense(width, 3, { activation: "softmax", seed: seed + 7 }),
  ]);
}

/**
 * The same layers as plain(hidden), the hidden ones after the first grouped in pairs around skips;
 * the second layer of each pair is linear and starts at W = 0, so every block starts as the
 * identity (without it, each block adds its variance and 19 blocks overflow: Goyal et al. 2017,
 * Zhang et al. 2019).
 */
function residual(hidden: number, seed: number): Sequential {
  const blocks: Residual[] = [];
  for (let i = 0; i + 1 < hidden - 1; i += 2) {
    const last = new Dense(width, width, { init: "he", seed: seed * 1000 + i + 1 });
    last.W.data.fill(0);
    blocks.push(
      new Residual([
        new Dense(width, width, { activation: "relu", init: "he", seed: seed * 1000 + i }),
        last,
      ]),
    );
  }
  return new Sequential([
    new Dense(2, width, { activation: "relu", init: "he", seed }),
    ...blocks,
    new Dense(width, 3, { activation: "softmax", seed: seed + 7 }),
  ]);
}

for (const seed of [1, 2, 3]) {
  const nets: [string, Sequential][] = [
    ["plain, 4 hidden", plain(4, seed)],
    [`plain, ${deep - 1} hidden`, plain(deep - 1, seed)],
    [`residual, ${deep - 1} hidden`, residual(deep - 1, seed)],
  ];
  const line: string[] = [];
  for (const [name, net] of nets) {
    const g = diagnostics.gradientNorms(net, task.X, task.y, losses.crossEntropy);
    const h = fit(net, task, {
      lr: 0.02,
      momentum: 0.9,
      epochs: 60,
      batchSize: 20,
      seed,
      progress: "off",
      record: false,
    });
    const last = h.epochs[h.epochs.length - 1];
    line.push(
      `${name}: loss ${last.loss.toFixed(3)} acc ${last.accuracy.toFixed(3)} (‖∂C/∂W‖ first/last hidden at start ${(g[0].gradNormW / g[g.length - 2].gradNormW).toExponential(1)})`,
    );
  }
  console.log(`seed ${seed}: ${line.join("; ")}`);
}
