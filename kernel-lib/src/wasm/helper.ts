/**
 * A helper thread for the largest products. Where the kernels' memory is shared between threads
 * (./module.ts: Node, and browsers on cross-origin-isolated pages), a worker thread instantiates the
 * same module on the same memory and computes the bottom rows of a product while the calling thread
 * computes the top rows: each entry of C is still computed by one thread, in the same order, so the
 * bits do not change. Only products of at least THREAD_MIN_MULTIPLY_ADDS multiply-adds are split:
 * waking the thread and waiting for it costs tens of microseconds, more than the lessons' products
 * take (scripts/experiments/second-thread.ts measures both sides).
 *
 * The two threads talk through a few Int32 slots on a SharedArrayBuffer with Atomics. The helper
 * starts with the first product large enough and works once it has said it is ready; until then,
 * and wherever it cannot start, products run on the calling thread alone. GRADIENT_LAB_THREADS=1
 * (or {@link setHelperThread}(false)) keeps them there. The browser build replaces this file with
 * helper.browser.ts: the course's site is not cross-origin isolated, so its memory is never shared.
 */

import { environmentVariable } from "../environment";
import { sharedModule } from "./module";

/** Products from this many multiply-adds (m·n·k) up are split between the two threads. */
export const THREAD_MIN_MULTIPLY_ADDS = 1 << 20;

// The slots of `control`.
/** 1 while a job waits for the helper or runs (the helper sets it back to 0). */
const JOB = 0;
/** 1 once the helper has instantiated the module and waits for jobs. */
const READY = 1;
/** 1 when the helper has finished its last job (so a new one may be posted). */
const DONE = 2;
/** 1 if the helper's last job failed. */
const FAILED = 3;
/** The 12 arguments of kernels.wat's `product` for the helper's rows. */
const ARGS = 4;

/** How long the caller waits for the helper before giving up on it (ms). */
const PATIENCE_MS = 30_000;

/** The helper's code (CommonJS, run by worker_threads from this string: no file to find at run time). */
const HELPER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, control } = workerData;
const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
Atomics.store(control, ${READY}, 1);
for (;;) {
  Atomics.wait(control, ${JOB}, 0);
  const a = control.subarray(${ARGS}, ${ARGS + 12});
  let failed = 0;
  try {
    kernels.product(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11]);
  } catch (e) {
    failed = 1;
  }
  Atomics.store(control, ${FAILED}, failed);
  Atomics.store(control, ${JOB}, 0);
  Atomics.store(control, ${DONE}, 1);
  Atomics.notify(control, ${DONE});
}`;

let enabled = environmentVariable("GRADIENT_LAB_THREADS") !== "1";
/** The helper's control slots once it has been started; undefined before, or if it cannot start. */
let control: Int32Array | undefined;
let cannotStart = sharedModule === undefined;

/** Starts the helper thread (once); false where it cannot run. */
function start(): boolean {
  if (control !== undefined) return true;
  if (cannotStart) return false;
  try {
    const { Worker } = require("node:worker_threads") as typeof import("node:worker_threads");
    const slots = new Int32Array(new SharedArrayBuffer(4 * (ARGS + 12)));
    slots[DONE] = 1;
    const worker = new Worker(HELPER_SOURCE, {
      eval: true,
      workerData: { ...sharedModule, control: slots },
    });
    // The helper never keeps the process alive, and a helper that fails to start is not used.
    worker.unref();
    worker.on("error", () => (cannotStart = true));
    control = slots;
    return true;
  } catch {
    cannotStart = true;
    return false;
  }
}

/**
 * Offers the bottom rows of an m×n product (inner size k; kernels.wat's `product` arguments, byte
 * addresses and strides) to the helper thread, which starts on them at once. Returns the number of
 * top rows the caller computes itself: m when the helper takes none (the product is small, the
 * helper is off, not ready or cannot run); otherwise call {@link waitForHelper} after them.
 */
export function offerRows(
  m: number,
  n: number,
  k: number,
  A: number,
  aRow: number,
  aStep: number,
  B: number,
  bCol: number,
  bStep: number,
  C: number,
  accumulate: boolean,
): number {
  if (!enabled || m < 4 || m * n * k < THREAD_MIN_MULTIPLY_ADDS || !start()) return m;
  const c = control!;
  if (cannotStart || Atomics.load(c, READY) !== 1 || Atomics.load(c, DONE) !== 1) return m;
  const top = (m >> 2) << 1; // an even number of rows (whole 2-row tiles), about half
  // kernels.wat's `product` arguments for rows top…m − 1 (no array made: a product allocates nothing).
  c[ARGS] = m - top;
  c[ARGS + 1] = n;
  c[ARGS + 2] = k;
  c[ARGS + 3] = A + top * aRow;
  c[ARGS + 4] = aRow;
  c[ARGS + 5] = aRow;
  c[ARGS + 6] = aStep;
  c[ARGS + 7] = B;
  c[ARGS + 8] = bCol;
  c[ARGS + 9] = bStep;
  c[ARGS + 10] = C + top * n * 8;
  c[ARGS + 11] = accumulate ? 1 : 0;
  Atomics.store(c, DONE, 0);
  Atomics.store(c, JOB, 1);
  Atomics.notify(c, JOB);
  return top;
}

/** Waits until the helper has done the rows {@link offerRows} gave it; throws if it failed or went silent. */
export function waitForHelper(): void {
  const c = control!;
  const deadline = Date.now() + PATIENCE_MS;
  while (Atomics.load(c, DONE) === 0) {
    if (Date.now() > deadline) {
      cannotStart = true;
      throw new Error(
        `kernel-lib: the helper thread did not finish its part of a product within ${PATIENCE_MS / 1000} s; it is switched off. Run again (set GRADIENT_LAB_THREADS=1 to keep products on one thread).`,
      );
    }
    Atomics.wait(c, DONE, 0, 100);
  }
  if (Atomics.load(c, FAILED) === 1) {
    cannotStart = true;
    throw new Error(
      "kernel-lib: the helper thread failed in a product; it is switched off. Run the cell again (set GRADIENT_LAB_THREADS=1 to keep products on one thread).",
    );
  }
}

/** Turns the helper thread on (where it can run) or off; products give the same bits either way. */
export function setHelperThread(on: boolean): void {
  enabled = on;
}

/** Whether products are being split with a running helper thread (it says it is ready). */
export function helperThreadRunning(): boolean {
  return enabled && !cannotStart && control !== undefined && Atomics.load(control, READY) === 1;
}
