/**
 * Batch normalization at this course's scale (Ioffe and Szegedy 2015, their MNIST experiment): a
 * sigmoid network of three hidden layers of 100 units, with and without BatchNorm, same weights,
 * same minibatches, same learning rate. Prints test accuracy after each epoch and the 15th/50th/
 * 85th percentiles of one unit's sigmoid input (last hidden layer, unit 0) over training, for
 * three seeds. Run: npx tsx scripts/experiments/batchnorm.ts
 */

import { BatchNorm, Dense, data, evaluate, fit, mlp } from "../../kernel-lib/src";

const train = data.mnist({ count: 2000, seed: 1 });
const test = data.mnist({ count: 1000, part: "test", seed: 1 });
const epochs = 8;

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

for (const seed of [1, 2, 3]) {
  for (const batchNorm of [false, true]) {
    const net = mlp([784, 100, 100, 100, 10], { activation: "sigmoid", batchNorm, seed });
    // The sigmoid input of the last hidden layer: z of its Dense, or z = γx̂ + β of its BatchNorm.
    const unitInput = batchNorm ? () => (net.stack[5] as BatchNorm).z! : () => (net.stack[2] as Dense).z!;
    const accuracy: string[] = [];
    const percentiles: string[] = [];
    fit(net, train, {
      lr: 0.5,
      epochs,
      batchSize: 60,
      seed,
      progress: "off",
      record: false,
      onStep: (s) => {
        if (s.step % 50 !== 1) return;
        const z = unitInput();
        const col = new Float64Array(z.rows);
        for (let r = 0; r < z.rows; r++) col[r] = z.data[r * z.cols];
        col.sort();
        percentiles.push([0.15, 0.5, 0.85].map((q) => quantile(col, q).toFixed(2)).join("/"));
      },
      onEpoch: () => {
        accuracy.push(evaluate(net, test).accuracy.toFixed(3));
      },
    });
    console.log(
      `seed ${seed} ${batchNorm ? "with BN   " : "without BN"} test accuracy by epoch: ${accuracy.join(" ")}`,
    );
    console.log(`  unit input p15/p50/p85 every 50 steps: ${percentiles.join("  ")}`);
  }
}
