/**
 * kernel-lib: Gradient Lab's small, exact neural-network library. Notebooks import everything from
 * here: `import { mlp, losses, fit, data, diagnostics, plot, show } from "kernel-lib"`.
 */

/** The version of kernel-lib. */
export const version: string = require("../package.json").version;

export { Random, rng } from "./random";
export type { Seed } from "./random";
export { setKernels, kernelsInUse } from "./kernel-choice";
export type { KernelChoice } from "./kernel-choice";
export { Matrix, matmul, matmulTN, matmulNT, add, sub, hadamard, scale, addRowVector, sumRows, sum, mean, norm, argmaxRows } from "./matrix";
export { sigmoid, tanh, relu, leakyRelu, elu, gelu, softplus, linear, softmax, activations, getActivation } from "./activations";
export type { Activation, ActivationName, LayerActivation } from "./activations";
export { Value, toValue } from "./value";
export type { ValueLike } from "./value";
export { normal, uniform, xavierUniform, xavierNormal, he, lecun, nielsen, rai, initializers, getInitializer } from "./init";
export type { Initializer, InitializerName } from "./init";
export { Dense } from "./layers";
export type { DenseOptions } from "./layers";
export { Sequential, mlp } from "./network";
export type { Layer, AnyLayer } from "./layer";
export { BatchNorm } from "./batchnorm";
export type { BatchNormOptions } from "./batchnorm";
export { Residual } from "./residual";
export type { ResidualOptions } from "./residual";
export { RNN } from "./rnn";
export { LSTM } from "./lstm";
export type { LSTMOptions } from "./lstm";
export type { RecurrentOptions } from "./recurrent";
export type { MlpOptions, Parameter, SequentialJSON, DenseJSON } from "./network";
export * as losses from "./losses";
export type { Loss, FusedLoss } from "./losses";
export { SGD } from "./optim";
export type { SGDOptions } from "./optim";
export { Adam } from "./adam";
export type { AdamOptions } from "./adam";
export { clipGradNorm, clipGradValue, gradNorm } from "./clip";
export type { ClipTarget } from "./clip";
export { gradCheck, gradCheckScalar, gradCheckLoss, gradCheckLayer, gradCheckNetwork } from "./gradcheck";
export type { GradCheckOptions, GradCheckResult } from "./gradcheck";
export type { History, EpochRecord, StepRecord, DiagnosticsSample, LayerSample } from "./history";
export * as data from "./data";
export * as exercises from "./exercises";
export * as plot from "./plot"; export { show, showGraph, createLiveOutput, liveFigure, inKernel, setPlotlyEmbedding } from "./plot"; export type { Figure, LiveOutput, PlotlyEmbedding } from "./plot";
export { fit, evaluate, NonFiniteError } from "./train";
export type { FitOptions, FitData } from "./train";
export type { ProgressMode } from "./progress";
export * as diagnostics from "./diagnostics";
export { display } from "./display/values";
export { DISPLAY, mimeBundleOf } from "./display/protocol";
export type { MimeBundle, Displayable } from "./display/protocol";
export { setLanguage, getLanguage, LANGUAGES } from "./messages";
export type { Language } from "./messages";
