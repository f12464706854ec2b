/**
 * Does a second thread pay for kernel-lib's matrix products? kernels.wat's `pack` and `product`,
 * compiled with a shared WebAssembly memory, run each product once on this thread alone and once
 * split by rows of C between this thread and a worker thread (the packed B read by both, each entry
 * of C still computed by one thread, so the bits would not change). Hand-offs go through Atomics on a
 * SharedArrayBuffer, the cheapest wake-up Node has. Prints GFLOP/s for each at the shapes of the
 * lessons' and the wide bench net's products (interleaved rounds, medians) and the ratio.
 * Node only: browsers give shared memory only to cross-origin-isolated pages.
 * Run: npx tsx scripts/experiments/second-thread.ts
 */

import fs from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { ROOT } from "../lib/paths";

/** [name, m, n, k, A's row and step (bytes), B's packing strides: along a column of C, along k (bytes)]. */
type Shape = [string, number, number, number, number, number, number, number];
const SHAPES: Shape[] = [
  ["A·B 64×256, k = 784 (wide, layer 1)", 64, 256, 784, 784 * 8, 8, 8, 256 * 8],
  ["A·B 64×256, k = 256 (wide, hidden)", 64, 256, 256, 256 * 8, 8, 8, 256 * 8],
  ["Aᵀ·B 784×256, k = 64 (wide, ∂W layer 1)", 784, 256, 64, 8, 784 * 8, 8, 256 * 8],
  ["Aᵀ·B 256×256, k = 64 (wide, ∂W hidden)", 256, 256, 64, 8, 256 * 8, 8, 256 * 8],
  ["A·Bᵀ 64×256, k = 256 (wide, ∂X hidden)", 64, 256, 256, 256 * 8, 8, 256 * 8, 8],
  ["A·B 10×30, k = 784 (lessons, layer 1)", 10, 30, 784, 784 * 8, 8, 8, 30 * 8],
  ["Aᵀ·B 784×30, k = 10 (lessons, ∂W layer 1)", 784, 30, 10, 8, 784 * 8, 8, 30 * 8],
];
const ROUNDS = 9;

/** The worker: the same module on the same memory, running the bottom rows of each product it is sent. */
const WORKER = `
  const { workerData } = require("node:worker_threads");
  const { module, memory, control } = workerData;
  const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
  for (;;) {
    Atomics.wait(control, 0, 0);
    const c = control;
    kernels.product(c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12]);
    Atomics.store(control, 0, 0);
    Atomics.store(control, 13, 1);
    Atomics.notify(control, 13);
  }`;

async function main(): Promise<void> {
  const wabt = await (require("wabt") as () => Promise<any>)();
  const source = fs
    .readFileSync(path.join(ROOT, "kernel-lib", "src", "wasm", "kernels.wat"), "utf8")
    .replace('(memory (export "memory") 1)', '(import "env" "memory" (memory 1 4096 shared))');
  const features = { simd: true, threads: true };
  const parsed = wabt.parseWat("kernels.wat", source, features);
  parsed.resolveNames();
  parsed.validate(features);
  const module = new WebAssembly.Module(parsed.toBinary({}).buffer);
  parsed.destroy();
  const memory = new WebAssembly.Memory({
    initial: 4096,
    maximum: 4096,
    shared: true,
  } as WebAssembly.MemoryDescriptor);
  const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as any;
  const control = new Int32Array(new SharedArrayBuffer(64));
  const worker = new Worker(WORKER, { eval: true, workerData: { module, memory, control } });
  worker.unref();

  const values = new Float64Array(memory.buffer);
  for (let i = 0; i < 4_000_000; i++) values[i] = Math.sin(i) - 0.1;
  const [A, B, packed, C] = [0, 8_000_000, 12_000_000, 16_000_000];

  const oneThread = ([, m, n, k, aRow, aStep, along, across]: Shape) => {
    kernels.pack(n, k, B, along, across, packed);
    kernels.product(m, n, k, A, aRow, aRow, aStep, packed, k * 8, 64, C, 1);
  };
  const twoThreads = ([, m, n, k, aRow, aStep, along, across]: Shape) => {
    kernels.pack(n, k, B, along, across, packed);
    const top = (m >> 2) << 1; // an even number of rows here, the rest in the worker
    control.set([m - top, n, k, A + top * aRow, aRow, aRow, aStep, packed, k * 8, 64, C + top * n * 8, 1], 1);
    Atomics.store(control, 13, 0);
    Atomics.store(control, 0, 1);
    Atomics.notify(control, 0);
    kernels.product(top, n, k, A, aRow, aRow, aStep, packed, k * 8, 64, C, 1);
    while (Atomics.load(control, 13) === 0) Atomics.wait(control, 13, 0);
  };

  const samples = SHAPES.map(() => ({ one: [] as number[], two: [] as number[] }));
  for (let round = 0; round < ROUNDS; round++) {
    SHAPES.forEach((shape, s) => {
      const [, m, n, k] = shape;
      const reps = Math.max(5, Math.round(2e7 / (2 * m * n * k)));
      for (const [key, run] of round % 2 === 0
        ? ([
            ["one", oneThread],
            ["two", twoThreads],
          ] as const)
        : ([
            ["two", twoThreads],
            ["one", oneThread],
          ] as const)) {
        const t0 = performance.now();
        for (let r = 0; r < reps; r++) run(shape);
        samples[s][key].push((2 * m * n * k * reps) / ((performance.now() - t0) * 1e6));
      }
    });
  }
  const median = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1];
  console.log(`GFLOP/s, median of ${ROUNDS} interleaved rounds: one thread, two threads (ratio)`);
  SHAPES.forEach(([name], s) => {
    const one = median(samples[s].one),
      two = median(samples[s].two);
    console.log(
      `${name.padEnd(44)} ${one.toFixed(2).padStart(6)} ${two.toFixed(2).padStart(6)}  (${(two / one).toFixed(2)}×)`,
    );
  });
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
