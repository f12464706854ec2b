/**
 * The desktop kernel's side of the display channel: tslab. tslab's public `display` sends one MIME
 * type per output, so a bundle (plotly JSON + HTML + text) goes through tslab's internal writer
 * instead: the function `lastWriteDisplayData(message, update)` that tslab's `jupyter` module holds
 * for the cell being executed (tslab 1.0.22 is pinned for this; a test covers it). When that writer
 * is missing but tslab is running, the richest single MIME type goes through the public `display`.
 *
 * The browser build replaces this file with `tslab.browser.ts` (see kernel-lib's package.json
 * "browser" field), since tslab and `require` do not exist in a Web Worker.
 */

import type { DisplayWriter } from "./message";

/** The part of tslab's public `Display` used as a fallback. */
export interface PublicDisplay {
  raw(contentType: string, b: string): unknown;
}

type JupyterModule = { lastWriteDisplayData?: unknown };

let jupyterModule: JupyterModule | null = null;

/**
 * tslab's `jupyter` module as loaded by the running kernel, found among the loaded modules (so the
 * kernel's own copy is used even if tslab is installed elsewhere). Never loads tslab itself.
 */
function findJupyterModule(): JupyterModule | null {
  if (jupyterModule) return jupyterModule;
  const cache = require.cache;
  for (const key of Object.keys(cache)) {
    if (!/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(key)) continue;
    const exp = cache[key]?.exports as JupyterModule | undefined;
    if (exp && "lastWriteDisplayData" in exp) {
      jupyterModule = exp;
      return exp;
    }
  }
  return null;
}

/** tslab's internal display writer for the current cell, or null outside a kernel. */
export function tslabWriter(): DisplayWriter | null {
  const w = findJupyterModule()?.lastWriteDisplayData;
  return typeof w === "function" ? (w as DisplayWriter) : null;
}

/** True when code runs in tslab (its executor defines `globalThis.__tslab__`). */
function inTslab(): boolean {
  return (globalThis as { __tslab__?: unknown }).__tslab__ !== undefined;
}

/** Whether tslab runs but its internal writer is not where tslab 1.0.22 keeps it. */
export function tslabWithoutWriter(): boolean {
  return inTslab() && findJupyterModule() === null;
}

/** tslab's public display: the shared one, or a new one that overwrites its own output when `updatable`. */
export function tslabPublicDisplay(updatable: boolean): PublicDisplay {
  const tslab = require("tslab") as { display: PublicDisplay; newDisplay(): PublicDisplay };
  return updatable ? tslab.newDisplay() : tslab.display;
}
