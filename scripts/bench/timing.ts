/** Timing helpers of `npm run bench`: repetitions of about the same length, medians, rotation, a full GC. */
import v8 from "node:v8";
import vm from "node:vm";

/** Target wall time of one timed repetition. */
const REP_MS = 150;

/** Writes a progress line to stderr (stdout is the report). */
export const log = (line: string) => process.stderr.write(line + "\n");

/** The median of `xs`. */
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A full garbage collection: `global.gc` under --expose-gc, else the same function via V8 flags. */
export const gc: () => void =
  typeof (globalThis as any).gc === "function"
    ? (globalThis as any).gc
    : (v8.setFlagsFromString("--expose-gc"), vm.runInNewContext("gc"));

/** Runs `step` `count` times and returns the wall time in ms. */
export function time(step: () => void, count: number): number {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) step();
  return performance.now() - t0;
}

/** Warms a step up (≥ 200 ms and ≥ 3 calls) and returns how many calls make one ~REP_MS repetition. */
export function calibrate(step: () => void): number {
  let calls = 0;
  const t0 = performance.now();
  while (calls < 3 || performance.now() - t0 < 200) {
    step();
    calls++;
  }
  const perCall = time(step, Math.max(1, Math.ceil(calls / 4))) / Math.max(1, Math.ceil(calls / 4));
  return Math.max(1, Math.round(REP_MS / perCall));
}

/** Rotates a list by `r` places (so every item takes every position across rounds). */
export function rotate<T>(xs: readonly T[], r: number): T[] {
  const k = r % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
}
