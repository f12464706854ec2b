/**
 * The browser build's stand-in for helper.ts: no helper thread. A browser gives a WebAssembly memory
 * shared between threads only to cross-origin-isolated pages (COOP/COEP headers), which static
 * hosts of the course's site do not send, so products run on the kernel's worker alone.
 */

/** Returns m: the caller computes every row. */
export function offerRows(m: number): number {
  return m;
}

/** Never called: no rows are ever offered. */
export function waitForHelper(): void {}

/** Has no effect: there is no helper thread here. */
export function setHelperThread(_on: boolean): void {}

/** Always false here. */
export function helperThreadRunning(): boolean {
  return false;
}
