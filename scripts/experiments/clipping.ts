/**
 * Exploding gradients and clipping (Pascanu, Mikolov and Bengio 2013), at this course's scale: a
 * ReLU regression whose learning rate is too large for its first, steep steps. Without clipping
 * the loss becomes ∞/NaN within a few steps; with the global norm clipped to 1 the same run
 * trains. Pass another learning rate as the first argument (default 0.3). Prints, per seed, where the
 * unclipped run stopped, the clipped run's losses, and how often it clipped. Run: npx tsx
 * scripts/experiments/clipping.ts
 */

import { Matrix, NonFiniteError, data, fit, mlp } from "../../kernel-lib/src";

const base = data.spiral({ count: 256, seed: 1 });
const X = base.X;
// A steep target: large values make the first gradients large.
const y = new Matrix(X.rows, 1);
for (let r = 0; r < X.rows; r++) y.data[r] = 10 * (X.get(r, 0) - X.get(r, 1)) + 5;

const lr = Number(process.argv[2] ?? 0.3);
for (const seed of [1, 2, 3]) {
  const run = (clipNorm?: number) =>
    fit(
      mlp([2, 32, 32, 32, 1], { activation: "relu", output: "linear", init: "he", seed }),
      { X, y },
      { lr, epochs: 30, batchSize: 16, clipNorm, seed, progress: "off", record: false },
    );
  let unclipped: string;
  try {
    const h = run();
    unclipped = `finished, loss ${h.epochs[h.epochs.length - 1].loss.toFixed(3)}`;
  } catch (e) {
    if (!(e instanceof NonFiniteError)) throw e;
    unclipped = `stopped at step ${e.step}: ${e.quantity} of ${e.layer}`;
  }
  const h = run(1);
  const clipped = h.epochs.reduce((n, e) => n + e.clippedSteps!, 0);
  const norms = h.steps.map((s) => s.gradNorm!);
  console.log(
    `seed ${seed}: without clipping ${unclipped}; with clipNorm 1: loss ${h.epochs[0].loss.toFixed(2)} → ${h.epochs[29].loss.toFixed(3)}, ` +
      `clipped ${clipped} of ${h.steps.length} steps, ‖g‖ first ${norms[0].toFixed(1)} max ${Math.max(...norms).toFixed(1)} last ${norms[norms.length - 1].toFixed(2)}`,
  );
}
