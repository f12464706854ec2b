/**
 * `BatchNorm`: batch normalization (Ioffe and Szegedy, 2015). Each feature is standardized over the
 * batch, then scaled and shifted by learned γ and β, then passed through an activation:
 * x̂ = (x − μ_B)/√(σ²_B + ε),  z = γ·x̂ + β,  a = f(z).
 * In training mode μ_B and σ²_B are the batch's own statistics (so every example's output depends
 * on the whole batch, and the gradient flows through μ_B and σ²_B); in evaluation mode they are
 * running averages collected during training, and the layer is a fixed affine map per feature.
 */

import { LayerActivation } from "./activations";
import { Dense, layerActivation } from "./layers";
import { Layer, requireGradShape, requireInput } from "./layer";
import { Matrix } from "./matrix";
import type { Parameter } from "./network";

/** Options of a {@link BatchNorm} layer. */
export interface BatchNormOptions {
  /** The activation f applied after the affine step, by name or object (default "linear"). */
  activation?: string | LayerActivation;
  /**
   * ε added to the variance before the square root, so a constant feature does not divide by 0 (default
   * 1e-5).
   */
  eps?: number;
  /** Weight m of each new batch in the running statistics, r ← (1 − m)·r + m·(batch value) (default 0.1). */
  momentum?: number;
  /** A display name (default "batchnorm"). */
  name?: string;
}

/**
 * Batch normalization of `numFeatures` features, with learned scale γ (starts at 1) and shift β
 * (starts at 0) and an optional activation. Put it between a linear `Dense` and the nonlinearity,
 * as Ioffe and Szegedy do: `new Dense(784, 100)` then `new BatchNorm(100, { activation: "sigmoid" })`.
 * The Dense layer's bias is then redundant (subtracting μ_B removes it; its gradient is exactly 0
 * in training mode) and β takes its place: to measure such a layer's speed of learning, read
 * ‖∂C/∂β‖ (`norm(bn.dBeta)`) or the Dense layer's ‖∂C/∂W‖, not its ‖∂C/∂b‖.
 *
 * @example
 * const net = new Sequential([
 *   new Dense(2, 8),
 *   new BatchNorm(8, { activation: "relu" }),
 *   new Dense(8, 2, { activation: "softmax" }),
 * ]);
 * fit(net, data.moons({ seed: 1 }), { lr: 0.1, epochs: 5 }); // trains with batch statistics
 * net.eval();                                                // predictions now use the running statistics
 */
export class BatchNorm implements Layer {
  /** The number of features (inputs = outputs). */
  readonly numInputs: number;
  /** The number of features (inputs = outputs). */
  readonly numOutputs: number;
  /** The activation f applied to z = γ·x̂ + β. */
  readonly activation: LayerActivation;
  /** A display name used in messages. */
  name: string;
  /** ε in √(σ² + ε). */
  readonly eps: number;
  /** Weight of each new batch in the running statistics. */
  readonly momentum: number;
  /** Scale γ [1 × features], learned. */
  readonly gamma: Matrix;
  /** Shift β [1 × features], learned. */
  readonly beta: Matrix;
  /** ∂C/∂γ, accumulated by `backward`. */
  readonly dGamma: Matrix;
  /** ∂C/∂β, accumulated by `backward`. */
  readonly dBeta: Matrix;
  /** Running mean of each feature over training batches, used in evaluation mode (starts at 0). */
  readonly runningMean: Float64Array;
  /** Running (unbiased) variance of each feature, used in evaluation mode (starts at 1). */
  readonly runningVar: Float64Array;
  /** True in training mode (batch statistics), false in evaluation mode (running statistics). */
  training = true;
  /** The normalized inputs x̂ of the last forward pass [batch × features]. */
  xHat: Matrix | undefined;
  /** z = γ·x̂ + β of the last forward pass, the input of the activation [batch × features]. */
  z: Matrix | undefined;
  /** a = f(z) of the last forward pass [batch × features]. */
  a: Matrix | undefined;
  /** 1/√(σ² + ε) per feature in the last forward pass (batch or running variance, by mode). */
  private readonly invStd: Float64Array;
  /** Whether the last forward pass normalized with batch statistics (backward must match it). */
  private forwardTraining = true;
  private dZ: Matrix | undefined;
  private dInput: Matrix | undefined;

  /** A batch-normalization layer over `numFeatures` features. */
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    const name = options.name ?? "batchnorm";
    const where = `BatchNorm "${name}"`;
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) {
      throw new Error(
        `${where}: numFeatures must be a positive whole number, got ${String(numFeatures)}. Pass the number of units of the layer before it.`,
      );
    }
    const eps = options.eps ?? 1e-5;
    if (typeof eps !== "number" || !(eps > 0) || !Number.isFinite(eps)) {
      throw new Error(`${where}: eps must be a small positive number, got ${String(eps)}. Use e.g. 1e-5.`);
    }
    const momentum = options.momentum ?? 0.1;
    if (typeof momentum !== "number" || !(momentum > 0 && momentum <= 1)) {
      throw new Error(
        `${where}: momentum must be in (0, 1] (the weight of each new batch in the running statistics), got ${String(momentum)}. Use e.g. 0.1.`,
      );
    }
    this.activation = layerActivation(options.activation as string | undefined, where);
    this.numInputs = this.numOutputs = numFeatures;
    this.name = name;
    this.eps = eps;
    this.momentum = momentum;
    this.gamma = Matrix.filled(1, numFeatures, 1);
    this.beta = Matrix.shared(1, numFeatures);
    this.dGamma = Matrix.shared(1, numFeatures);
    this.dBeta = Matrix.shared(1, numFeatures);
    this.runningMean = new Float64Array(numFeatures);
    this.runningVar = new Float64Array(numFeatures).fill(1);
    this.invStd = new Float64Array(numFeatures);
  }

  /** "batch norm" with the activation's name, for `summary`. */
  get kind(): string {
    return `batch norm, ${this.activation.name}`;
  }

  private buffers(batch: number): void {
    if (this.z === undefined || this.z.rows !== batch) {
      const n = this.numInputs;
      this.xHat = Matrix.shared(batch, n);
      this.z = Matrix.shared(batch, n);
      this.a = Matrix.shared(batch, n);
      this.dZ = Matrix.shared(batch, n);
      this.dInput = Matrix.shared(batch, n);
    }
  }

  /**
   * a = f(γ·x̂ + β) for a batch X [batch × features]. In training mode x̂ uses the batch's mean and
   * (biased) variance and the running statistics move towards them; in evaluation mode x̂ uses the
   * running statistics. Returns the layer's own buffer.
   */
  forward(X: Matrix): Matrix {
    requireInput(
      this.name,
      X,
      this.numInputs,
      `Put BatchNorm(${X instanceof Matrix ? X.cols : "n"}) after a layer with that many units, or pass ${this.numInputs} columns.`,
    );
    const batch = X.rows,
      n = this.numInputs;
    if (this.training && batch < 2) {
      throw new Error(
        `${this.name}: training mode needs at least 2 examples per batch to measure a variance, got ${batch}. ` +
          `Use batchSize ≥ 2 (fit's last minibatch of an epoch holds n mod batchSize examples; pick n divisible by batchSize), or call net.eval() to use the running statistics.`,
      );
    }
    this.buffers(batch);
    const x = X.data,
      xh = this.xHat!.data,
      z = this.z!.data,
      g = this.gamma.data,
      b = this.beta.data,
      inv = this.invStd;
    if (this.training) {
      const m = this.momentum;
      for (let j = 0; j < n; j++) {
        let mu = 0;
        for (let r = 0; r < batch; r++) mu += x[r * n + j];
        mu /= batch;
        let v = 0;
        for (let r = 0; r < batch; r++) v += (x[r * n + j] - mu) * (x[r * n + j] - mu);
        v /= batch;
        inv[j] = 1 / Math.sqrt(v + this.eps);
        for (let r = 0; r < batch; r++) xh[r * n + j] = (x[r * n + j] - mu) * inv[j];
        this.runningMean[j] = (1 - m) * this.runningMean[j] + m * mu;
        // The running variance is unbiased (n/(n − 1)), as in the paper's inference step.
        this.runningVar[j] = (1 - m) * this.runningVar[j] + m * v * (batch / (batch - 1));
      }
    } else {
      for (let j = 0; j < n; j++) inv[j] = 1 / Math.sqrt(this.runningVar[j] + this.eps);
      for (let r = 0; r < batch; r++) {
        for (let j = 0; j < n; j++) xh[r * n + j] = (x[r * n + j] - this.runningMean[j]) * inv[j];
      }
    }
    for (let r = 0; r < batch; r++) {
      for (let j = 0; j < n; j++) z[r * n + j] = g[j] * xh[r * n + j] + b[j];
    }
    this.forwardTraining = this.training;
    this.activation.forward(z, this.a!.data, n);
    return this.a!;
  }

  /**
   * Backpropagation from dA = ∂C/∂a: dZ = dA ⊙ f′(z); dβ += Σ_r dZ; dγ += Σ_r dZ ⊙ x̂. Then ∂C/∂x:
   * in training mode, through the batch statistics,
   *   dx = (γ/√(σ² + ε)) · (dZ − mean_r(dZ) − x̂ ⊙ mean_r(dZ ⊙ x̂))
   * (the two subtracted terms are the paths through μ_B and σ²_B); in evaluation mode the
   * statistics are constants and dx = dZ · γ/√(σ_run² + ε).
   */
  backward(dA: Matrix, computeInputGrad = true): Matrix | undefined {
    if (this.z === undefined)
      throw new Error(`${this.name}: backward was called before forward. Run forward(X) on the batch first.`);
    requireGradShape(this.name, "backward", dA, this.z.rows, this.z.cols);
    const batch = this.z.rows,
      n = this.numInputs;
    const dz = this.dZ!.data,
      xh = this.xHat!.data,
      g = this.gamma.data,
      inv = this.invStd;
    this.activation.backward(this.z.data, this.a!.data, dA.data, dz, n);
    const dg = this.dGamma.data,
      db = this.dBeta.data;
    for (let j = 0; j < n; j++) {
      let sumDz = 0,
        sumDzXh = 0;
      for (let r = 0; r < batch; r++) {
        sumDz += dz[r * n + j];
        sumDzXh += dz[r * n + j] * xh[r * n + j];
      }
      db[j] += sumDz;
      dg[j] += sumDzXh;
      if (!computeInputGrad) continue;
      const dx = this.dInput!.data,
        k = g[j] * inv[j];
      if (this.forwardTraining) {
        const meanDz = sumDz / batch,
          meanDzXh = sumDzXh / batch;
        for (let r = 0; r < batch; r++)
          dx[r * n + j] = k * (dz[r * n + j] - meanDz - xh[r * n + j] * meanDzXh);
      } else {
        for (let r = 0; r < batch; r++) dx[r * n + j] = k * dz[r * n + j];
      }
    }
    return computeInputGrad ? this.dInput : undefined;
  }

  /** Sets dγ and dβ to zero. */
  zeroGrad(): void {
    this.dGamma.data.fill(0);
    this.dBeta.data.fill(0);
  }

  /** γ and β with their gradients (the running statistics are not trained). */
  parameters(): Parameter[] {
    return [
      { name: `${this.name}.gamma`, value: this.gamma, grad: this.dGamma },
      { name: `${this.name}.beta`, value: this.beta, grad: this.dBeta },
    ];
  }

  /** 2 · features (γ and β). */
  get parameterCount(): number {
    return 2 * this.numInputs;
  }

  /** None: a BatchNorm holds no Dense layer. */
  denseLayers(): Dense[] {
    return [];
  }

  /** Training mode (batch statistics, running statistics updated) or evaluation mode (running statistics). */
  setTraining(training: boolean): void {
    this.training = training;
  }
}
