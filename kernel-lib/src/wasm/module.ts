/**
 * The WebAssembly module of kernels.wat, compiled at build time into binary.generated.ts, instantiated
 * once when kernel-lib loads with the one memory it will ever have: the memory it shares with
 * JavaScript (./memory.ts), the matrix products (./simd.ts), the element-wise loops
 * (./elementwise.ts) and the helper thread (./helper.ts) all go through what is exported here.
 *
 * The memory is made once and never grows: growing a WebAssembly memory detaches every JavaScript
 * array on it, and matrices hold such arrays. It is reserved large (256 MiB, or 64 or 16 where the
 * engine refuses), which costs address space only: a page takes real memory once it is written.
 * Where the engine allows it (Node; browsers only on cross-origin-isolated pages), the memory is
 * shared, so a helper thread can work on it too; otherwise it is an ordinary memory.
 */

import { KERNELS_WASM_BASE64, KERNELS_WASM_SHARED_BASE64 } from "./binary.generated";

/** What kernels.wat exports (addresses, strides and lengths in bytes unless said otherwise). */
export interface KernelExports {
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

/** A WebAssembly memory: its buffer (an ArrayBuffer, or a SharedArrayBuffer when shared). */
export interface KernelMemory {
  readonly buffer: ArrayBuffer;
}

/** The slice of the WebAssembly API this file uses (kernel-lib compiles without the DOM typings). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => KernelMemory;
}

const PAGE_BYTES = 65536;
/** The sizes tried for the memory, largest first (MiB). */
const SIZES_MIB = [256, 64, 16];

/** A module's bytes, decoded from base64 (atob exists in browsers, workers and Node ≥ 16). */
function wasmBytes(base64: string): Uint8Array {
  const text: string = (globalThis as unknown as { atob(s: string): string }).atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** The kernels, their compiled module and their memory, as instantiated. */
interface Instantiated {
  kernels: KernelExports;
  /** The compiled module, which a helper thread instantiates again on the same memory. */
  module: object;
  memory: KernelMemory;
  shared: boolean;
}

/** The first memory of the sizes tried that the engine gives (shared or not); undefined if none. */
function makeMemory(wasm: WebAssemblyApi, shared: boolean): KernelMemory | undefined {
  for (const mib of SIZES_MIB) {
    const pages = (mib * 1024 * 1024) / PAGE_BYTES;
    try {
      return new wasm.Memory({ initial: pages, maximum: pages, shared });
    } catch {
      // Too large for this engine, or no shared memory here: try the next.
    }
  }
  return undefined;
}

/**
 * The instantiated kernels, or undefined where this engine has no WebAssembly or no SIMD (it then
 * fails to validate the module). A shared memory first, where the engine gives one, else an
 * ordinary one. Compiled synchronously, which every engine allows for a module of a few kilobytes,
 * also on a browser's main thread.
 */
function instantiate(): Instantiated | undefined {
  const wasm = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (wasm === undefined) return undefined;
  for (const shared of typeof SharedArrayBuffer === "function" ? [true, false] : [false]) {
    try {
      const bytes = wasmBytes(shared ? KERNELS_WASM_SHARED_BASE64 : KERNELS_WASM_BASE64);
      if (!wasm.validate(bytes)) continue;
      const memory = makeMemory(wasm, shared);
      if (memory === undefined) continue;
      const module = new wasm.Module(bytes);
      const kernels = new wasm.Instance(module, { env: { memory } }).exports as KernelExports;
      return { kernels, module, memory, shared };
    } catch {
      // This variant does not run here: try the next.
    }
  }
  return undefined;
}

const instantiated = instantiate();

/** The kernels' exports, or undefined where this engine cannot run WebAssembly SIMD. */
export const wasmKernels: KernelExports | undefined = instantiated?.kernels;

/** The memory the kernels work in (undefined where they cannot run). */
export const wasmMemory: KernelMemory | undefined = instantiated?.memory;

/** The compiled module and its memory, for a helper thread; undefined unless the memory is shared. */
export const sharedModule: { module: object; memory: KernelMemory } | undefined =
  instantiated?.shared === true ? { module: instantiated.module, memory: instantiated.memory } : undefined;

/** Whether this engine runs the WebAssembly SIMD kernels. */
export const simdAvailable: boolean = wasmKernels !== undefined;
