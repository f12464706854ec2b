/**
 * The vanishing gradient through time, measured: ‖∂C/∂h_t‖ for every step t of a network's
 * recurrent layer, as `gradientNorms` measures ‖∂C/∂b‖ for every layer through depth.
 */

import { Loss, getLoss } from "./losses";
import { Matrix } from "./matrix";
import { Sequential } from "./network";
import { Recurrent } from "./recurrent";
import { LSTM } from "./lstm";

/** ‖∂C/∂h_t‖ (and for an LSTM ‖∂C/∂c_t‖) for t = 1 … T. */
export interface TimeGradients {
  /** The recurrent layer's name. */
  layer: string;
  /** t = 1 … T. */
  steps: number[];
  /** ‖∂C/∂h_t‖ over the batch, index t − 1. */
  hidden: number[];
  /** ‖∂C/∂c_t‖ over the batch for an LSTM, index t − 1; undefined for an RNN. */
  cell: number[] | undefined;
}

/**
 * Runs backprop of the cost C over (X, y) through the first recurrent layer (RNN or LSTM) of `net`
 * and returns ‖∂C/∂h_t‖ for every step t. The network's gradients are left as they were.
 *
 * @example
 * const g = diagnostics.gradientThroughTime(net, task.X, task.y, losses.crossEntropy);
 * show(plot.lines([{ x: g.steps, y: g.hidden }], { yType: "log" }));
 */
export function gradientThroughTime(
  net: Sequential,
  X: Matrix,
  y: Matrix,
  loss: Loss | string,
): TimeGradients {
  if (!(net instanceof Sequential))
    throw new Error(
      `gradientThroughTime: the first argument must be a network (Sequential), got ${typeof net}.`,
    );
  const layer = net.stack.find((l): l is Recurrent => l instanceof Recurrent);
  if (layer === undefined) {
    throw new Error(
      "gradientThroughTime: the network has no recurrent layer; build it with an RNN or LSTM, e.g. new Sequential([new RNN(1, 16, { steps: 20 }), new Dense(16, 1)]).",
    );
  }
  const lossFn = getLoss(loss, "gradientThroughTime");
  const params = net.parameters();
  const saved = params.map((p) => p.grad.data.slice());
  try {
    net.zeroGrad();
    net.backprop(X, y, lossFn);
  } finally {
    params.forEach((p, i) => p.grad.data.set(saved[i]));
  }
  return {
    layer: layer.name,
    steps: Array.from({ length: layer.steps }, (_, t) => t + 1),
    hidden: Array.from(layer.hiddenGradNorms),
    cell: layer instanceof LSTM ? Array.from(layer.cellGradNorms) : undefined,
  };
}
