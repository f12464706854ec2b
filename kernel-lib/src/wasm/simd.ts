/**
 * The WebAssembly SIMD matrix products (kernels.wat): the same three products as the TypeScript
 * kernels in ../kernels.ts, with the same signatures and bit-for-bit the same results, two columns of
 * C per f64x2 instruction.
 *
 * WebAssembly code reads only its own memory (./memory.ts). An operand that already lives there —
 * as a layer's weights, buffers and `fit`'s minibatch do — is passed by its address; any other is
 * copied into a temporary block first (and C copied back out). Each product also packs B into a
 * temporary block of panels (see kernels.wat). The temporary blocks are handed back before the call
 * returns, so a training loop allocates nothing. A large product's bottom rows go to a helper thread
 * where there is one (./helper.ts).
 */

import { matmulKernel, matmulNTKernel, matmulTNKernel, ProductKernel } from "../kernels";
import { offerRows, waitForHelper } from "./helper";
import { addressOf, allocate, heap, release } from "./memory";
import { simdAvailable, wasmKernels } from "./module";

export { simdAvailable };

/** The columns of one tile of kernels.wat's `product`, and of one panel of a packed B. */
const PANEL_B = 8;

/** The temporary blocks of the product running now: addresses and sizes in bytes (reused between calls). */
const temporaryAt: number[] = [];
const temporaryBytes: number[] = [];

/** A block of `bytes` for this product only (-1 when there is no room), handed back by releaseTemporaries. */
function temporary(bytes: number): number {
  const at = allocate(bytes);
  if (at >= 0) {
    temporaryAt.push(at);
    temporaryBytes.push(bytes);
  }
  return at;
}

function releaseTemporaries(): void {
  for (let i = 0; i < temporaryAt.length; i++) release(temporaryAt[i], temporaryBytes[i]);
  temporaryAt.length = 0;
  temporaryBytes.length = 0;
}

/**
 * The byte address of `array` for WebAssembly: its own when it lives in the shared memory, else a
 * temporary block's, with the values copied in when `copyIn`; -1 when there is no room.
 */
function place(array: Float64Array, copyIn: boolean): number {
  const own = addressOf(array);
  if (own >= 0) return own;
  const at = temporary(array.length * 8);
  if (at >= 0 && copyIn) {
    heap.set(array, at / 8);
    copiedBytes += array.length * 8;
  }
  return at;
}

let copiedBytes = 0;

/**
 * The bytes products have copied into and out of the shared memory since kernel-lib loaded: none in a
 * training loop whose matrices are all shared (tests and the bench read it).
 */
export function bytesCopied(): number {
  return copiedBytes;
}

/** Views on the memory made lately, so that copying C out allocates nothing in a loop. */
const views: Float64Array[] = [];
const MAX_VIEWS = 32;

/** A view on `length` values of the memory from byte `at` (reused when the same one was made lately). */
function view(at: number, length: number): Float64Array {
  for (let i = 0; i < views.length; i++) {
    if (views[i].byteOffset === at && views[i].length === length) return views[i];
  }
  const made = heap.subarray(at / 8, at / 8 + length);
  if (views.length === MAX_VIEWS) views.shift();
  views.push(made);
  return made;
}

/**
 * Runs one product: places A, B and C in the memory, packs B into kernels.wat's panels of 8 columns,
 * multiplies, and copies C out if it was a copy. A(i, p) is A[i·aRow + p·aStep] and B(p, j) is
 * B[p·bRow + j·bCol]. Returns false, having changed nothing, when the memory has no room for the
 * copies and the panels.
 */
function run(
  m: number,
  n: number,
  k: number,
  A: Float64Array,
  aRow: number,
  aStep: number,
  B: Float64Array,
  bRow: number,
  bCol: number,
  C: Float64Array,
  accumulate: boolean,
): boolean {
  const a = place(A, true),
    b = place(B, true),
    c = place(C, accumulate),
    packedB = temporary(Math.ceil(n / PANEL_B) * PANEL_B * k * 8);
  if (a < 0 || b < 0 || c < 0 || packedB < 0) {
    releaseTemporaries();
    return false;
  }
  const wasm = wasmKernels!;
  wasm.pack(n, k, b, bCol * 8, bRow * 8, packedB);
  // The helper thread takes the bottom rows of a large product (none of a small one).
  const own = offerRows(m, n, k, a, aRow * 8, aStep * 8, packedB, k * 8, PANEL_B * 8, c, accumulate);
  try {
    wasm.product(
      own,
      n,
      k,
      a,
      aRow * 8,
      aRow * 8,
      aStep * 8,
      packedB,
      k * 8,
      PANEL_B * 8,
      c,
      accumulate ? 1 : 0,
    );
  } finally {
    if (own < m) waitForHelper();
  }
  if (c !== addressOf(C)) {
    C.set(view(c, C.length));
    copiedBytes += C.length * 8;
  }
  releaseTemporaries();
  return true;
}

function requireSimd(): void {
  if (wasmKernels === undefined)
    throw new Error(
      'kernel-lib: this JavaScript engine has no WebAssembly SIMD, so the WebAssembly kernels cannot run here; use the TypeScript kernels (setKernels("typescript")).',
    );
}

// Each product falls back to its TypeScript kernel (the same bits) when the memory has no room for it.

/** C = A·B  [m×k]·[k×n] → [m×n] (C += A·B with `accumulate`), in WebAssembly SIMD. */
export const matmulSimd: ProductKernel = (m, n, k, A, B, C, accumulate) => {
  requireSimd();
  if (!run(m, n, k, A, k, 1, B, n, 1, C, accumulate)) matmulKernel(m, n, k, A, B, C, accumulate);
};

/** C = Aᵀ·B  [k×m]ᵀ·[k×n] → [m×n] (C += Aᵀ·B with `accumulate`), in WebAssembly SIMD, without forming Aᵀ. */
export const matmulTNSimd: ProductKernel = (m, n, k, A, B, C, accumulate) => {
  requireSimd();
  if (!run(m, n, k, A, 1, m, B, n, 1, C, accumulate)) matmulTNKernel(m, n, k, A, B, C, accumulate);
};

/** C = A·Bᵀ  [m×k]·[n×k]ᵀ → [m×n] (C += A·Bᵀ with `accumulate`), in WebAssembly SIMD, without forming Bᵀ. */
export const matmulNTSimd: ProductKernel = (m, n, k, A, B, C, accumulate) => {
  requireSimd();
  if (!run(m, n, k, A, k, 1, B, 1, k, C, accumulate)) matmulNTKernel(m, n, k, A, B, C, accumulate);
};
