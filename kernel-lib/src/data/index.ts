/**
 * Data sets for the lessons: small synthetic 2-D sets (spiral, moons, circles, XOR) and a seeded
 * subset of real MNIST digits, all in one shape ({@link Dataset}), plus one-hot encoding, a
 * train/test split and standardization; and sequence tasks for recurrent networks (recall the
 * first symbol, the adding problem).
 */

export { oneHot, subset, trainTestSplit, standardize } from "./dataset";
export type { Dataset, SplitOptions, Standardization } from "./dataset";
export { spiral, moons, circles, xor } from "./synthetic";
export type { SyntheticOptions, SpiralOptions } from "./synthetic";
export { mnist, mnistSize, MNIST_PIXELS } from "./mnist";
export type { MnistOptions, MnistDataset, MnistPart } from "./mnist";
export { firstSymbol, addingProblem } from "./sequences";
export type { SequenceOptions, FirstSymbolOptions, SequenceRegression } from "./sequences";
