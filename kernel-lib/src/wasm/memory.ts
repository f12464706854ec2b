/**
 * The memory that JavaScript and the WebAssembly kernels share. WebAssembly code reads only its own
 * memory, so kernel-lib keeps the arrays that training works on in it — each layer's weights,
 * gradients and per-batch buffers, and `fit`'s minibatch — and a product on them passes their
 * addresses: nothing is copied per call. Arrays anywhere else still work; a product copies them in
 * and out (./simd.ts).
 *
 * The memory is made once, when kernel-lib loads (./module.ts), and never grows. Blocks are handed
 * out first-fit, in whole 64-byte cache lines (so every array is aligned for f64x2), and handed back
 * when the garbage collector has freed the array that used the block. When the memory is full, new
 * arrays come from the ordinary heap instead: slower products, the same bits.
 *
 * One caution: the collector sees the shared array, not its block, so a plain `subarray` of one does
 * not keep the block from being reused once the array itself is gone. {@link subarrayOf} (which
 * `Matrix.row` uses) makes subarrays that do.
 */

import { wasmMemory } from "./module";

/** Every block is a whole number of cache lines and starts on one. */
const BLOCK_BYTES = 64;

const capacity = wasmMemory === undefined ? 0 : wasmMemory.buffer.byteLength;

/** The whole shared memory as Float64 values (it never grows, so this view never goes stale). */
export const heap: Float64Array =
  wasmMemory === undefined ? new Float64Array(0) : new Float64Array(wasmMemory.buffer);

/** The free blocks, sorted by address, never touching (neighbours are merged): start and size in bytes. */
const freeStarts: number[] = capacity > 0 ? [0] : [];
const freeSizes: number[] = capacity > 0 ? [capacity] : [];
let usedBytes = 0;

/** `bytes` rounded up to whole blocks (at least one). */
const blocks = (bytes: number) => Math.max(BLOCK_BYTES, Math.ceil(bytes / BLOCK_BYTES) * BLOCK_BYTES);

/**
 * Takes a block of at least `bytes` from the memory, first fit; its byte address, or -1 when no free
 * block is large enough. Give it back with {@link release} and the same `bytes`.
 */
export function allocate(bytes: number): number {
  const size = blocks(bytes);
  for (let i = 0; i < freeStarts.length; i++) {
    if (freeSizes[i] < size) continue;
    const at = freeStarts[i];
    if (freeSizes[i] === size) {
      freeStarts.splice(i, 1);
      freeSizes.splice(i, 1);
    } else {
      freeStarts[i] += size;
      freeSizes[i] -= size;
    }
    usedBytes += size;
    return at;
  }
  return -1;
}

/** Gives back the block at `at` that {@link allocate} gave for `bytes`, merged with free neighbours. */
export function release(at: number, bytes: number): void {
  const size = blocks(bytes);
  // The first free block after this one.
  let i = 0;
  while (i < freeStarts.length && freeStarts[i] < at) i++;
  const joinsBefore = i > 0 && freeStarts[i - 1] + freeSizes[i - 1] === at;
  const joinsAfter = i < freeStarts.length && at + size === freeStarts[i];
  if (joinsBefore && joinsAfter) {
    freeSizes[i - 1] += size + freeSizes[i];
    freeStarts.splice(i, 1);
    freeSizes.splice(i, 1);
  } else if (joinsBefore) {
    freeSizes[i - 1] += size;
  } else if (joinsAfter) {
    freeStarts[i] = at;
    freeSizes[i] += size;
  } else {
    freeStarts.splice(i, 0, at);
    freeSizes.splice(i, 0, size);
  }
  usedBytes -= size;
}

/** The slice of FinalizationRegistry this file uses (kernel-lib compiles against ES2020's typings). */
interface Registry {
  register(target: object, held: { at: number; bytes: number }): void;
}
type RegistryConstructor = new (release: (held: { at: number; bytes: number }) => void) => Registry;
const Finalization = (globalThis as unknown as { FinalizationRegistry?: RegistryConstructor })
  .FinalizationRegistry;
/** Gives a shared array's block back once the array itself has been garbage-collected. */
const registry =
  Finalization === undefined ? undefined : new Finalization(({ at, bytes }) => release(at, bytes));

/**
 * `length` zeros in the shared memory, or undefined when it has no room (or this engine has no
 * WebAssembly SIMD, or no FinalizationRegistry to give the block back). The block returns to the
 * memory when the garbage collector frees the array.
 */
export function sharedArray(length: number): Float64Array | undefined {
  if (registry === undefined || length === 0) return undefined;
  const bytes = length * 8;
  const at = allocate(bytes);
  if (at < 0) return undefined;
  const array = heap.subarray(at / 8, at / 8 + length);
  array.fill(0);
  registry.register(array, { at, bytes });
  return array;
}

/** Each subarray that {@link subarrayOf} made of a shared array, with that array, which it keeps alive. */
const parents = new WeakMap<Float64Array, Float64Array>();

/**
 * `array.subarray(start, end)`, which, for a shared array, keeps the array (and so its block) alive
 * for as long as the subarray lives.
 */
export function subarrayOf(array: Float64Array, start: number, end: number): Float64Array {
  const sub = array.subarray(start, end);
  if (addressOf(array) >= 0) parents.set(sub, parents.get(array) ?? array);
  return sub;
}

/** The byte address of `array` in the shared memory, or -1 when it lives elsewhere. */
export function addressOf(array: Float64Array): number {
  return array.buffer === heap.buffer ? array.byteOffset : -1;
}

/** The shared memory's size, the bytes handed out, and the number of free blocks (for tests, the bench). */
export function sharedMemoryUse(): { capacityBytes: number; usedBytes: number; freeBlocks: number } {
  return { capacityBytes: capacity, usedBytes, freeBlocks: freeStarts.length };
}
