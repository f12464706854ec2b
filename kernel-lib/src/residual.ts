/**
 * `Residual`: a skip connection around a stack of layers, y = x + F(x) (He et al., 2016). The
 * identity path carries the gradient past F unchanged: ∂C/∂x = ∂C/∂y + ∂C/∂y · ∂F/∂x, so even
 * when F's own factor is tiny, the early layers still receive ∂C/∂y. When F changes the width, x
 * passes through a learned linear projection P instead: y = x·P + F(x).
 */

import { Dense } from "./layers";
import {
  AnyLayer,
  Layer,
  denseLayersOf,
  isLayer,
  parametersOf,
  requireGradShape,
  requireInput,
} from "./layer";
import { Matrix } from "./matrix";
import type { Parameter } from "./network";
import { Seed } from "./random";

/** Options of a {@link Residual} block. */
export interface ResidualOptions {
  /** A display name (default "residual"). */
  name?: string;
  /** Seed of the projection's weights, when F changes the width (default 0). */
  seed?: Seed;
}

/**
 * y = x + F(x), where F is the given layers applied in order (their widths must chain, and F may
 * change the width, in which case x is projected: y = x·P + F(x), with P a linear `Dense`, bias included).
 * Pre-activation style (He et al., 2016, "Identity mappings"): nothing is applied after the sum, so
 * F usually ends with a linear layer.
 *
 * @example
 * const block = () =>
 *   new Residual([new Dense(30, 30, { activation: "relu", init: "he" }), new Dense(30, 30, { init: "he" })]);
 * const net = new Sequential([
 *   new Dense(2, 30, { activation: "relu" }),
 *   block(),
 *   block(),
 *   new Dense(30, 2, { activation: "softmax" }),
 * ]);
 */
export class Residual implements Layer {
  /** Width of x. */
  readonly numInputs: number;
  /** Width of y (F's output width). */
  readonly numOutputs: number;
  /** A display name used in messages. */
  name: string;
  /** The layers of F, in order. */
  readonly body: AnyLayer[];
  /** The linear projection of x when F changes the width, else undefined (identity). */
  readonly projection: Dense | undefined;
  private out: Matrix | undefined;
  private dInput: Matrix | undefined;

  /** A residual block around `body` (at least one layer). */
  constructor(body: AnyLayer[], options: ResidualOptions = {}) {
    const name = options.name ?? "residual";
    const where = `Residual "${name}"`;
    if (!Array.isArray(body) || body.length === 0) {
      throw new Error(
        `${where}: needs at least one layer for F, e.g. new Residual([new Dense(16, 16, { activation: "relu" }), new Dense(16, 16)]).`,
      );
    }
    body.forEach((l, i) => {
      if (!(l instanceof Dense) && !isLayer(l)) {
        throw new Error(
          `${where}: body[${i}] is not a layer (Dense, BatchNorm, Residual, …), got ${typeof l}.`,
        );
      }
      if (i > 0 && l.numInputs !== body[i - 1].numOutputs) {
        throw new Error(
          `${where}: ${l.name} takes ${l.numInputs} inputs but ${body[i - 1].name} gives ${body[i - 1].numOutputs}; make each layer's numInputs equal the previous layer's numOutputs.`,
        );
      }
    });
    this.name = name;
    this.body = body;
    this.numInputs = body[0].numInputs;
    this.numOutputs = body[body.length - 1].numOutputs;
    this.projection =
      this.numInputs === this.numOutputs
        ? undefined
        : new Dense(this.numInputs, this.numOutputs, {
            init: "xavier",
            seed: options.seed ?? 0,
            name: `${name} projection`,
          });
  }

  /** "x + F(x)", or "x·P + F(x)" with a projection, for `summary`. */
  get kind(): string {
    return this.projection === undefined ? "x + F(x)" : "x·P + F(x)";
  }

  /** y = x + F(x) (or x·P + F(x)) for a batch X; returns the block's own buffer. */
  forward(X: Matrix): Matrix {
    requireInput(
      this.name,
      X,
      this.numInputs,
      `Pass ${this.numInputs} columns, or build the block's first layer with numInputs = ${X instanceof Matrix ? X.cols : "n"}.`,
    );
    let h = X;
    for (const layer of this.body) h = layer.forward(h);
    if (this.out === undefined || this.out.rows !== X.rows) this.out = Matrix.shared(X.rows, this.numOutputs);
    const y = this.out.data,
      f = h.data;
    const skip = this.projection === undefined ? X.data : this.projection.forward(X).data;
    for (let i = 0; i < y.length; i++) y[i] = skip[i] + f[i];
    return this.out;
  }

  /**
   * Backpropagation from dY = ∂C/∂y: both paths receive dY. F's layers add their gradients and give
   * ∂F/∂x·dY; the identity adds dY itself (the projection adds dY·Pᵀ and its own dP, db), so
   * dX = dY (or dY·Pᵀ) + (F's input gradient).
   */
  backward(dY: Matrix, computeInputGrad = true): Matrix | undefined {
    if (this.out === undefined)
      throw new Error(`${this.name}: backward was called before forward. Run forward(X) on the batch first.`);
    requireGradShape(this.name, "backward", dY, this.out.rows, this.out.cols);
    let grad: Matrix | undefined = dY;
    for (let i = this.body.length - 1; i >= 0; i--)
      grad = this.body[i].backward(grad!, i > 0 || computeInputGrad);
    const skip = this.projection === undefined ? dY : this.projection.backward(dY, computeInputGrad);
    if (!computeInputGrad) return undefined;
    if (this.dInput === undefined || this.dInput.rows !== dY.rows)
      this.dInput = Matrix.shared(dY.rows, this.numInputs);
    const dx = this.dInput.data,
      a = skip!.data,
      b = grad!.data;
    for (let i = 0; i < dx.length; i++) dx[i] = a[i] + b[i];
    return this.dInput;
  }

  /** Zeroes the gradients of F's layers and of the projection. */
  zeroGrad(): void {
    for (const layer of this.body) layer.zeroGrad();
    this.projection?.zeroGrad();
  }

  /** The parameters of F's layers, then the projection's. */
  parameters(): Parameter[] {
    const params = this.body.flatMap(parametersOf);
    return this.projection === undefined ? params : params.concat(parametersOf(this.projection));
  }

  /** Trainable numbers in F and the projection. */
  get parameterCount(): number {
    return this.body.reduce((n, l) => n + l.parameterCount, 0) + (this.projection?.parameterCount ?? 0);
  }

  /** The Dense layers of F in order (the projection is not one of them: it is the skip path). */
  denseLayers(): Dense[] {
    return this.body.flatMap(denseLayersOf);
  }

  /** Sets the mode of every layer of F. */
  setTraining(training: boolean): void {
    for (const layer of this.body) if (!(layer instanceof Dense)) layer.setTraining(training);
  }
}
