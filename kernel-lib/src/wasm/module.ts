/**
 * The WebAssembly module of kernels.wat, compiled at build time into binary.generated.ts, instantiated
 * once when kernel-lib loads: the memory it shares with JavaScript (./memory.ts), the matrix products
 * (./simd.ts) and the element-wise loops (./elementwise.ts) all go through the exports here.
 */

import { KERNELS_WASM_BASE64 } from "./binary.generated";

/** What kernels.wat exports (addresses, strides and lengths in bytes unless said otherwise). */
export interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  pack(rows: number, depth: number, src: number, rowStride: number, depthStride: number, dst: number): void;
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
  /** The element-wise loops over `count` doubles (see kernels.wat). */
  relu(z: number, a: number, count: number): void;
  reluBackward(z: number, dA: number, dZ: number, count: number): void;
  leakyRelu(z: number, a: number, count: number, alpha: number): void;
  leakyReluBackward(z: number, dA: number, dZ: number, count: number, alpha: number): void;
  sigmoidBackward(a: number, dA: number, dZ: number, count: number): void;
  tanhBackward(a: number, dA: number, dZ: number, count: number): void;
}

/** The slice of the WebAssembly API this file uses (kernel-lib compiles without the DOM typings). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { exports: unknown };
}

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
 * a few kilobytes, also on a browser's main thread.
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

/** The kernels' exports, or undefined where this engine cannot run WebAssembly SIMD. */
export const wasmKernels: KernelExports | undefined = instantiate();

/** Whether this engine runs the WebAssembly SIMD kernels. */
export const simdAvailable: boolean = wasmKernels !== undefined;
