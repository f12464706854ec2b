/**
 * The contract every layer of a {@link Sequential} keeps besides `Dense`: `BatchNorm`, `Residual`,
 * `RNN` and `LSTM`. A layer maps a batch [batch × numInputs] to [batch × numOutputs]; `backward`
 * turns ∂C/∂(its output) into ∂C/∂(its input) while adding up the gradients of its own parameters.
 */

import { Dense } from "./layers";
import { Matrix } from "./matrix";
import type { Parameter } from "./network";

/** A layer that is not a plain `Dense`: what `Sequential` needs from it. */
export interface Layer {
  /** A display name used in messages, e.g. "batchnorm 1 (sigmoid)". */
  name: string;
  /** Inputs per example (columns of X). */
  readonly numInputs: number;
  /** Outputs per example. */
  readonly numOutputs: number;
  /** The output for a batch X [batch × numInputs]: the layer's own buffer, overwritten by the next pass. */
  forward(X: Matrix): Matrix;
  /**
   * ∂C/∂X from ∂C/∂(output) after `forward` on the same batch; adds this batch's parameter gradients
   * (undefined when `computeInputGrad` is false).
   */
  backward(dOut: Matrix, computeInputGrad: boolean): Matrix | undefined;
  /** Sets every parameter gradient to zero. */
  zeroGrad(): void;
  /** Every trainable array with its gradient. */
  parameters(): Parameter[];
  /** The number of trainable numbers. */
  readonly parameterCount: number;
  /** A short description for `summary`, e.g. "sigmoid" or "x + F(x)". */
  readonly kind: string;
  /** The `Dense` layers inside (in forward order), which diagnostics measure; none for most layers. */
  denseLayers(): Dense[];
  /** Switches between training (batch statistics) and evaluation (running statistics) behaviour. */
  setTraining(training: boolean): void;
}

/** Any layer a `Sequential` can hold. */
export type AnyLayer = Dense | Layer;

/** W and b of a `Dense` layer, or the parameters of any other layer. */
export function parametersOf(layer: AnyLayer): Parameter[] {
  if (layer instanceof Dense) {
    return [
      { name: `${layer.name}.W`, value: layer.W, grad: layer.dW },
      { name: `${layer.name}.b`, value: layer.b, grad: layer.db },
    ];
  }
  return layer.parameters();
}

/** The `Dense` layers a layer is or holds, in forward order. */
export function denseLayersOf(layer: AnyLayer): Dense[] {
  return layer instanceof Dense ? [layer] : layer.denseLayers();
}

/** Whether `x` keeps the {@link Layer} contract (duck-typed, so layers built by learners count too). */
export function isLayer(x: unknown): x is Layer {
  if (x === null || typeof x !== "object") return false;
  const l = x as Record<string, unknown>;
  return (
    typeof l.forward === "function" &&
    typeof l.backward === "function" &&
    typeof l.parameters === "function" &&
    typeof l.zeroGrad === "function" &&
    typeof l.denseLayers === "function" &&
    typeof l.setTraining === "function" &&
    Number.isInteger(l.numInputs) &&
    Number.isInteger(l.numOutputs)
  );
}

/** Throws unless `dOut` is a Matrix of the given shape (the shape of the layer's last output). */
export function requireGradShape(
  where: string,
  method: string,
  dOut: Matrix,
  rows: number,
  cols: number,
): void {
  if (!(dOut instanceof Matrix) || dOut.rows !== rows || dOut.cols !== cols) {
    const got = dOut instanceof Matrix ? dOut.shape : typeof dOut;
    throw new Error(
      `${where}: ${method} expects a gradient of shape ${rows}×${cols} (the shape of this layer's output for the last batch), got ${got}.`,
    );
  }
}

/** Throws unless X is a Matrix with `cols` columns. */
export function requireInput(where: string, X: Matrix, cols: number, fix: string): void {
  if (!(X instanceof Matrix)) {
    throw new Error(
      `${where}: forward expects a Matrix with one example per row, got ${typeof X}. Build one with Matrix.from([[...], ...]).`,
    );
  }
  if (X.cols !== cols) {
    throw new Error(
      `${where}: the input is ${X.shape} but this layer takes ${cols} inputs per example. ${fix}`,
    );
  }
}
