/**
 * The browser host: what a kernel running kernel-lib in a browser Web Worker (JupyterLite) lends it.
 * There is no tslab, no file system and no process there, so the kernel's worker installs this
 * object on `globalThis[Symbol.for("gradient-lab.host")]` before it loads kernel-lib's browser
 * bundle or runs any cell:
 *
 * ```ts
 * globalThis[Symbol.for("gradient-lab.host")] = {
 *   display(message, update) { … post a display_data / update_display_data message … },
 *   readAsset(name) { … synchronous XHR for the site's file `name`, returned as bytes … },
 *   versions: { tslab: "…", typescript: "…", node: "…" }, // optional: what `tslab.versions` shows
 * };
 * ```
 *
 * The kernel may install a new `display` for each cell (as tslab does with its writer), so outputs
 * reach the cell that made them; a display channel created with `pinWriter` keeps the one current
 * at its creation (for outputs sent after an `await`). In Node no host is installed and kernel-lib
 * finds tslab's writer instead.
 */

import type { DisplayMessage } from "./message";

/** The global symbol under which a browser kernel installs its {@link BrowserHost}. */
export const HOST_KEY: unique symbol = Symbol.for("gradient-lab.host");

/** The version strings `tslab.versions` shows in a browser kernel. */
export interface HostVersions {
  /** The browser kernel's name and version, shown where the desktop shows tslab's version. */
  tslab: string;
  /** The version of the TypeScript compiler that checks and compiles cells. */
  typescript: string;
  /** Where Node's version goes on the desktop: here, a note on the browser. */
  node: string;
}

/** What a browser kernel provides to kernel-lib (see the module comment). */
export interface BrowserHost {
  /**
   * Sends one output of the running cell: `display_data`, or `update_display_data` when `update`
   * is true (then `message.transient.display_id` names the output to replace).
   */
  display(message: DisplayMessage, update: boolean): void;
  /**
   * The bytes of a file kernel-lib ships beside its browser bundle (e.g. "mnist-digits.bin"),
   * read synchronously. Throws when the file cannot be read.
   */
  readAsset(name: string): Uint8Array;
  /** What `tslab.versions` shows; optional. */
  versions?: HostVersions;
}

/** The installed browser host, or null (always null in Node, where tslab is the kernel). */
export function browserHost(): BrowserHost | null {
  const host = (globalThis as unknown as { [HOST_KEY]?: BrowserHost })[HOST_KEY];
  return host !== undefined && host !== null && typeof host.display === "function" ? host : null;
}

/** The browser host, or a clear error naming `what` needed it. */
export function requireBrowserHost(what: string): BrowserHost {
  const host = browserHost();
  if (host === null) {
    throw new Error(`${what} needs the browser kernel's host, which is not installed: the kernel's worker must set globalThis[Symbol.for("gradient-lab.host")] before it loads kernel-lib.`);
  }
  return host;
}
