/**
 * Heap growth over kernel-lib training steps (after a full GC), bytes allocated per step, and what
 * the WebAssembly kernels' shared memory did: blocks kept, bytes copied per step.
 */
import v8 from "node:v8";
import { sharedMemoryUse } from "../../kernel-lib/src/wasm/memory";
import { bytesCopied, simdAvailable } from "../../kernel-lib/src/wasm/simd";
import { PerformanceObserver } from "node:perf_hooks";
import type { Case, Runner } from "./training";
import { gc } from "./timing";

export interface HeapRow {
  case: string;
  steps: number;
  /** heapUsed after a full GC, after the steps minus before them. */
  growthBytes: number;
  /** New-space bytes allocated per step (measured between GCs). */
  allocatedPerStep: number;
  /** Bytes of the shared WebAssembly memory in use after the steps minus before (0 when nothing is kept). */
  sharedMemoryGrowthBytes: number;
  /** Bytes the products copied into and out of the shared memory per step (0: every operand lives there). */
  copiedPerStep: number;
  /** The heap grew less than FLAT_LIMIT and the shared memory not at all. */
  flat: boolean;
  /** The target: no copies per step with the WebAssembly kernels (null where they cannot run). */
  noCopies: boolean | null;
}

/** Heap growth is "flat" under this many bytes (16 bytes a step over 1,000 steps). */
export const FLAT_LIMIT = 16_000;
/** Training steps per heap measurement. */
export const HEAP_STEPS = 1000;

function newSpaceUsed(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space")!.space_used_size;
}

/** Measures the (already timed, so warm) kernel-lib runner of case `c` over `steps` steps. */
export async function measureHeap(c: Case, runner: Runner, steps: number): Promise<HeapRow> {
  await runner.activate();
  for (let i = 0; i < 100; i++) runner.step();
  gc();
  gc();
  const before = process.memoryUsage().heapUsed,
    sharedBefore = sharedMemoryUse().usedBytes,
    copiedBefore = bytesCopied();
  for (let i = 0; i < steps; i++) runner.step();
  const copiedPerStep = (bytesCopied() - copiedBefore) / steps;
  gc();
  gc();
  const growthBytes = process.memoryUsage().heapUsed - before,
    sharedMemoryGrowthBytes = sharedMemoryUse().usedBytes - sharedBefore;

  // Allocation per step: new-space use right after a GC grows by exactly what is allocated, as long
  // as no scavenge runs in between (checked with a GC observer); reading the statistics itself
  // allocates a little, measured with zero steps and subtracted.
  let collections = 0;
  const observer = new PerformanceObserver((list) => (collections += list.getEntries().length));
  observer.observe({ entryTypes: ["gc"] });
  const window = Math.min(steps, 100);
  const sample = (n: number) => {
    gc();
    const s0 = newSpaceUsed();
    for (let i = 0; i < n; i++) runner.step();
    return newSpaceUsed() - s0;
  };
  const overhead = sample(0);
  await new Promise((r) => setImmediate(r));
  collections = 0;
  const allocated = sample(window) - overhead;
  await new Promise((r) => setImmediate(r));
  observer.disconnect();
  // The sample's own gc() calls are 1 entry; more means a scavenge ran inside the window.
  const allocatedPerStep = collections > 1 ? NaN : Math.max(0, allocated) / window;
  return {
    case: c.name,
    steps,
    growthBytes,
    allocatedPerStep,
    sharedMemoryGrowthBytes,
    copiedPerStep,
    flat: growthBytes < FLAT_LIMIT && sharedMemoryGrowthBytes <= 0,
    noCopies: simdAvailable ? copiedPerStep === 0 : null,
  };
}
