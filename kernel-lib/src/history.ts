/**
 * The record `fit` returns: losses and accuracies per epoch and per step, and samples of the
 * per-layer diagnostics taken during training. Plain data, so it can be plotted, saved as JSON or
 * compared between runs.
 */

/** Per-layer measurements at one moment of training (one entry per dense layer, input side first). */
export interface LayerSample {
  /** The layer's name, e.g. "dense 1 (sigmoid)". */
  layer: string;
  /** ‖∂C/∂b‖, the "speed of learning" of the layer's biases. */
  gradNormB: number;
  /** ‖∂C/∂W‖ (Frobenius norm). */
  gradNormW: number;
  /** Mean of the layer's activations a over the batch. */
  activationMean: number;
  /** Standard deviation of the layer's activations a over the batch. */
  activationStd: number;
  /**
   * Share of units saturated (sigmoid/tanh: |f′(z)| below a threshold) over the batch, in [0, 1]; NaN where
   * not meaningful.
   */
  saturated: number;
  /**
   * Share of units dead over the batch (ReLU family: z ≤ 0 for every example), in [0, 1]; NaN where not
   * meaningful.
   */
  dead: number;
  /** Update-to-data ratio ‖ΔW‖ / ‖W‖ of the last step. */
  updateRatio: number;
}

/** The diagnostics recorded at one training step. */
export interface DiagnosticsSample {
  /** Global step number (counting from 1). */
  step: number;
  /** Epoch number (counting from 1). */
  epoch: number;
  /** One entry per dense layer, input side first. */
  layers: LayerSample[];
}

/** One epoch's summary. */
export interface EpochRecord {
  /** Epoch number (counting from 1). */
  epoch: number;
  /** Mean training loss over the epoch's minibatches. */
  loss: number;
  /** Training accuracy in [0, 1] (classification), or NaN. */
  accuracy: number;
  /** Validation loss, or NaN without a validation set. */
  valLoss: number;
  /** Validation accuracy in [0, 1], or NaN. */
  valAccuracy: number;
  /** With clipping on (`clipNorm` or `clipValue`), how many of the epoch's steps were clipped. */
  clippedSteps?: number;
}

/** One minibatch step. */
export interface StepRecord {
  /** Global step number (counting from 1). */
  step: number;
  /** Epoch number (counting from 1). */
  epoch: number;
  /** The minibatch loss before the update. */
  loss: number;
  /** With clipping on: the global gradient norm ‖g‖ before clipping. */
  gradNorm?: number;
  /** With clipping on: whether this step's gradient was clipped. */
  clipped?: boolean;
}

/** Everything `fit` measured. */
export interface History {
  /** One record per completed epoch. */
  epochs: EpochRecord[];
  /** One record per minibatch step. */
  steps: StepRecord[];
  /** Diagnostics sampled every N steps (empty when recording is off). */
  diagnostics: DiagnosticsSample[];
}
