/**
 * The WebAssembly SIMD matrix products (kernels.wat, compiled at build time into
 * binary.generated.ts): the same three products as the TypeScript kernels in ../kernels.ts, with the
 * same signatures and bit-for-bit the same results, two columns of C per f64x2 instruction.
 *
 * WebAssembly code reads only its own memory, so the operands travel through one scratch region at
 * the start of it: A, B (and C when accumulating) are copied in, C is copied out. The region is
 * reused from call to call and grows only when a product needs more room than any before it, so a
 * training loop allocates nothing; views on the memory are made again after it grows (growing
 * detaches the old ones), and no view on it ever leaves this file.
 */

import { matmulKernel, matmulNTKernel, matmulTNKernel, ProductKernel } from "../kernels";
import { KERNELS_WASM_BASE64 } from "./binary.generated";

/** What kernels.wat exports (addresses and strides in bytes). */
interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  pack(
    rows: number,
    depth: number,
    src: number,
    rowStride: number,
    depthStride: number,
    dst: number,
    panel: number,
  ): void;
  product(
    m: number,
    n: number,
    k: number,
    A: number,
    aRow: number,
    aGap: number,
    aStep: number,
    B: number,
    bCol: number,
    bStep: number,
    C: number,
    accumulate: number,
  ): void;
}

/** The slice of the WebAssembly API this file uses (kernel-lib compiles without the DOM typings). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { exports: unknown };
}

const PAGE_BYTES = 65536;
/** The columns of one tile of kernels.wat's `product`, and of one panel of a packed B. */
const PANEL_B = 8;

/** The module's bytes, decoded from base64 (atob exists in browsers, workers and Node ≥ 16). */
function wasmBytes(): Uint8Array {
  const text: string = (globalThis as unknown as { atob(s: string): string }).atob(KERNELS_WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * The instantiated kernels, or undefined where this engine has no WebAssembly or no SIMD (it then
 * fails to validate the module). Compiled synchronously, which every engine allows for a module of
 * under a kilobyte, also on a browser's main thread.
 */
function instantiate(): KernelExports | undefined {
  const wasm = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (wasm === undefined) return undefined;
  try {
    const bytes = wasmBytes();
    if (!wasm.validate(bytes)) return undefined;
    return new wasm.Instance(new wasm.Module(bytes)).exports as KernelExports;
  } catch {
    return undefined;
  }
}

const kernels = instantiate();

/** Whether this engine runs the WebAssembly SIMD kernels. */
export const simdAvailable: boolean = kernels !== undefined;

/** The whole memory as Float64 values; made again whenever the memory grows. */
let memory = kernels === undefined ? new Float64Array(0) : new Float64Array(kernels.memory.buffer);

/**
 * The size of the WebAssembly memory in bytes (0 without WebAssembly SIMD): it grows only when a product
 * needs more room than any before it.
 */
export function simdMemoryBytes(): number {
  return kernels === undefined ? 0 : kernels.memory.buffer.byteLength;
}

/**
 * Grows the memory to hold at least `doubles` Float64 values; false when it cannot grow that far
 * (WebAssembly's 32-bit memory ends at 4 GiB, and the engine may refuse sooner).
 */
function reserve(doubles: number): boolean {
  if (doubles <= memory.length) return true;
  const pages = Math.ceil((doubles * 8 - kernels!.memory.buffer.byteLength) / PAGE_BYTES);
  try {
    kernels!.memory.grow(pages);
  } catch {
    return false;
  }
  memory = new Float64Array(kernels!.memory.buffer);
  views.length = 0;
  return true;
}

/** Views on the memory made lately, so that copying C out allocates nothing in a training loop. */
const views: Float64Array[] = [];
const MAX_VIEWS = 32;

/** A view on `length` values of the memory from value `at` (reused when the same one was made lately). */
function view(at: number, length: number): Float64Array {
  for (let i = 0; i < views.length; i++) {
    if (views[i].byteOffset === at * 8 && views[i].length === length) return views[i];
  }
  const made = memory.subarray(at, at + length);
  if (views.length === MAX_VIEWS) views.shift();
  views.push(made);
  return made;
}

/** `length` rounded up to a whole 64-byte cache line (8 doubles), where the next operand starts. */
const lineUp = (length: number) => (length + 7) & ~7;

/**
 * Runs one product in the scratch region, laid out as [A | B | C | B packed]: copies A, B (and C with
 * `accumulate`) in, packs B into kernels.wat's panels of 8 columns, multiplies, and copies C out.
 * A(i, p) is A[i·aRow + p·aStep] and B(p, j) is B[p·bRow + j·bCol]. A gets room after it for the
 * missing second row of the bottom tile when m is odd, which kernels.wat reads and drops. Returns
 * false, having done nothing, when the memory cannot grow to hold the product.
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
  const atB = lineUp(A.length + aRow + 1),
    atC = atB + lineUp(B.length),
    atPackedB = atC + lineUp(C.length);
  if (!reserve(atPackedB + Math.ceil(n / PANEL_B) * PANEL_B * k)) return false;
  memory.set(A, 0);
  memory.set(B, atB);
  if (accumulate) memory.set(C, atC);
  const wasm = kernels!;
  wasm.pack(n, k, atB * 8, bCol * 8, bRow * 8, atPackedB * 8, PANEL_B);
  wasm.product(
    m,
    n,
    k,
    0,
    aRow * 8,
    aRow * 8,
    aStep * 8,
    atPackedB * 8,
    k * 8,
    PANEL_B * 8,
    atC * 8,
    accumulate ? 1 : 0,
  );
  C.set(view(atC, C.length));
  return true;
}

function requireSimd(): void {
  if (kernels === undefined)
    throw new Error(
      'kernel-lib: this JavaScript engine has no WebAssembly SIMD, so the WebAssembly kernels cannot run here; use the TypeScript kernels (setKernels("typescript")).',
    );
}

// Each product falls back to its TypeScript kernel (the same bits) when it is too large for the memory.

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
