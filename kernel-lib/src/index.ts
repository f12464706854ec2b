/**
 * kernel-lib: Gradient Lab's small, exact neural-network library, written to be read. Notebooks
 * import everything from here: `import { mlp, losses, fit, data, diagnostics, plot, show } from
 * "kernel-lib"`.
 *
 * This file is the table of contents: the exports below come in the order a learner meets them.
 * To read the library, open the files in this order:
 *
 *  1. value.ts        a scalar that remembers how it was made: the chain rule, micrograd-style
 *  2. activations.ts  each f(z) beside its f′(z): sigmoid, tanh, relu, leakyRelu, …
 *  3. layers.ts       Dense: z = X·W + b, a = f(z), and backward (dW, db, dX)
 *  4. network.ts      Sequential and mlp: layers in a row, backprop through all of them
 *  5. losses.ts       mse and the cross-entropies, each with its gradient ∂C/∂ŷ
 *  6. train.ts        fit: minibatches, SGD steps (optim.ts), history, live progress
 *  7. diagnostics.ts  gradient flow per layer: ‖∂C/∂b‖, saturation, dead units, update ratios
 *  8. the fixes:      batchnorm.ts, residual.ts, clip.ts, adam.ts, rnn.ts / lstm.ts (on recurrent.ts)
 *
 * Underneath: matrix.ts (the Matrix type and its products), kernels.ts (the products' loops) and
 * wasm/ (the same in WebAssembly SIMD, with the memory it shares with JavaScript and its helper
 * thread), random.ts (seeded randomness), init.ts (starting weights), gradcheck.ts
 * (finite-difference checks). Around: data/ (data sets), plot/ (pure figure builders), display/
 * (putting things in the notebook), exercises.ts (checks).
 */

/** The version of kernel-lib. */
export const version: string = require("../package.json").version;

// Underneath: numbers, matrices and randomness.
export { Random, rng } from "./random";
export type { Seed } from "./random";
export { Matrix } from "./matrix";
export { matmul, matmulTN, matmulNT } from "./matrix";
export { add, sub, hadamard, scale, addRowVector } from "./matrix";
export { sumRows, sum, mean, norm, argmaxRows } from "./matrix";
export { setKernels, kernelsInUse } from "./kernel-choice";
export type { KernelChoice } from "./kernel-choice";

// 1. The chain rule on scalars.
export { Value, toValue } from "./value";
export type { ValueLike } from "./value";

// 2. Activations.
export { sigmoid, tanh, relu, leakyRelu, elu, gelu, softplus, linear } from "./activations";
export { softmax } from "./activations";
export { activations, activationFactories, getActivation } from "./activations";
export type {
  Activation,
  ActivationKind,
  ActivationName,
  ActivationParams,
  LayerActivation,
} from "./activations";

// 3. A layer, and where its starting weights come from.
export { Dense } from "./layers";
export type { DenseOptions } from "./layers";
export type { Layer, AnyLayer } from "./layer";
export { normal, uniform, xavierUniform, xavierNormal, he, lecun, nielsen, rai } from "./init";
export { initializers, getInitializer } from "./init";
export type { Initializer, InitializerName } from "./init";

// 4. A network.
export { Sequential, mlp } from "./network";
export type { MlpOptions, Parameter, SequentialJSON, DenseJSON } from "./network";

// 5. Losses, and checking any gradient against finite differences.
export * as losses from "./losses";
export type { Loss, FusedLoss } from "./losses";
export { gradCheck } from "./gradcheck";
export { gradCheckScalar, gradCheckLoss, gradCheckLayer, gradCheckNetwork } from "./gradcheck";
export type { GradCheckOptions, GradCheckResult } from "./gradcheck";

// 6. Training.
export { SGD } from "./optim";
export type { SGDOptions } from "./optim";
export { fit, evaluate, NonFiniteError } from "./train";
export type { FitOptions, FitData } from "./train";
export type { History, EpochRecord, StepRecord, DiagnosticsSample, LayerSample } from "./history";
export type { ProgressMode } from "./progress";

// 7. Diagnostics of gradient flow.
export * as diagnostics from "./diagnostics";

// 8. The fixes: normalisation, skip connections, clipping, adaptive steps, recurrent layers.
export { BatchNorm } from "./batchnorm";
export type { BatchNormOptions } from "./batchnorm";
export { Residual } from "./residual";
export type { ResidualOptions } from "./residual";
export { clipGradNorm, clipGradValue, gradNorm } from "./clip";
export type { ClipTarget } from "./clip";
export { Adam } from "./adam";
export type { AdamOptions } from "./adam";
export { RNN } from "./rnn";
export { LSTM } from "./lstm";
export type { LSTMOptions } from "./lstm";
export type { RecurrentOptions } from "./recurrent";

// Data sets: synthetic (spiral, moons, circles, xor), MNIST digits, sequences.
export * as data from "./data";

// Figures: pure builders returning plotly specifications.
export * as plot from "./plot";
export type { Figure } from "./plot";

// Display: putting figures, graphs and values in the notebook.
export { show, showGraph } from "./display/show";
export type { ShowOptions } from "./display/show";
export { createLiveOutput, liveFigure } from "./display/live";
export type { LiveOutput } from "./display/live";
export { setPlotlyEmbedding, plotlyEmbedding } from "./display/embed";
export type { PlotlyEmbedding } from "./display/embed";
export { inKernel } from "./display/channel";
export { display } from "./display/values";
export { DISPLAY, mimeBundleOf } from "./display/protocol";
export type { MimeBundle, Displayable } from "./display/protocol";
export { PLOTLY_MIME, CHECK_MIME } from "./display/mime";

// Exercises and the language of what learners read.
export * as exercises from "./exercises";
export { setLanguage, getLanguage, LANGUAGES } from "./messages";
export type { Language } from "./messages";
