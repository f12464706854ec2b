/** Test data for the plot tests. */
import type { History } from "../../kernel-lib/src/history";

/** A small fake history: 3 layers whose ‖∂C/∂b‖ differ by decades (layer 1 smallest). */
export function fakeHistory(samples = 5): History {
  const diagnostics = Array.from({ length: samples }, (_, s) => ({
    step: (s + 1) * 10,
    epoch: 1 + Math.floor(s / 2),
    layers: [1, 2, 3].map((l) => ({
      layer: `dense ${l} (sigmoid)`,
      gradNormB: 10 ** (l - 5) * (1 + s / 10),
      gradNormW: 10 ** (l - 4),
      activationMean: 0.5,
      activationStd: 0.1 * l,
      saturated: 0.1 * l,
      dead: NaN,
      updateRatio: 1e-3,
    })),
  }));
  return {
    epochs: [1, 2, 3].map((e) => ({
      epoch: e,
      loss: 1 / e,
      accuracy: 0.5 + e / 10,
      valLoss: 1.1 / e,
      valAccuracy: 0.45 + e / 10,
    })),
    steps: Array.from({ length: 12 }, (_, i) => ({
      step: i + 1,
      epoch: 1 + Math.floor(i / 4),
      loss: 1 / (1 + i),
    })),
    diagnostics,
  };
}
