/**
 * The element-wise activation loops in WebAssembly SIMD (kernels.wat), for arrays that live in the
 * shared memory (./memory.ts) — as a layer's z, a and δ do. Each function runs its loop and returns
 * true, or returns false, having done nothing, when WebAssembly is not the kernels' choice or an
 * array lives elsewhere; the activation then runs its own TypeScript loop (../activations.ts), which
 * gives the same bits. Copying arrays in and out would cost more than a loop that reads each value
 * once, so there is no copying path here.
 */

import { kernelsInUse } from "../kernel-choice";
import { addressOf } from "./memory";
import { wasmKernels } from "./module";

/** Below this many values the call costs more than the TypeScript loop it saves. */
const MIN_VALUES = 8;

/** The byte addresses of the arrays of the call being made (module variables: a call allocates nothing). */
let atX = 0,
  atY = 0,
  atZ = 0;

/**
 * Whether the WebAssembly loop should run on `count` values of x, y (and z): the kernels chosen, enough
 * values, every array in the shared memory. Sets atX, atY, atZ.
 */
function placed(count: number, x: Float64Array, y: Float64Array, z?: Float64Array): boolean {
  if (kernelsInUse() !== "wasm" || count < MIN_VALUES) return false;
  atX = addressOf(x);
  atY = addressOf(y);
  atZ = z === undefined ? 0 : addressOf(z);
  return atX >= 0 && atY >= 0 && atZ >= 0;
}

/** a = ReLU(z) in WebAssembly; false when it cannot run here. */
export function reluSimd(z: Float64Array, a: Float64Array): boolean {
  if (!placed(z.length, z, a)) return false;
  wasmKernels!.relu(atX, atY, z.length);
  return true;
}

/** dZ = dA ⊙ ReLU′(z) in WebAssembly; false when it cannot run here. */
export function reluBackwardSimd(z: Float64Array, dA: Float64Array, dZ: Float64Array): boolean {
  if (!placed(z.length, z, dA, dZ)) return false;
  wasmKernels!.reluBackward(atX, atY, atZ, z.length);
  return true;
}

/** a = LeakyReLU_α(z) in WebAssembly; false when it cannot run here. */
export function leakyReluSimd(z: Float64Array, a: Float64Array, alpha: number): boolean {
  if (!placed(z.length, z, a)) return false;
  wasmKernels!.leakyRelu(atX, atY, z.length, alpha);
  return true;
}

/** dZ = dA ⊙ LeakyReLU_α′(z) in WebAssembly; false when it cannot run here. */
export function leakyReluBackwardSimd(
  z: Float64Array,
  dA: Float64Array,
  dZ: Float64Array,
  alpha: number,
): boolean {
  if (!placed(z.length, z, dA, dZ)) return false;
  wasmKernels!.leakyReluBackward(atX, atY, atZ, z.length, alpha);
  return true;
}

/** dZ = dA ⊙ a ⊙ (1 − a), σ′ from the sigmoid's outputs, in WebAssembly; false when it cannot run here. */
export function sigmoidBackwardSimd(a: Float64Array, dA: Float64Array, dZ: Float64Array): boolean {
  if (!placed(a.length, a, dA, dZ)) return false;
  wasmKernels!.sigmoidBackward(atX, atY, atZ, a.length);
  return true;
}

/** dZ = dA ⊙ (1 − a ⊙ a), tanh′ from tanh's outputs, in WebAssembly; false when it cannot run here. */
export function tanhBackwardSimd(a: Float64Array, dA: Float64Array, dZ: Float64Array): boolean {
  if (!placed(a.length, a, dA, dZ)) return false;
  wasmKernels!.tanhBackward(atX, atY, atZ, a.length);
  return true;
}
