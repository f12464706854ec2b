/**
 * The browser host: what a kernel running kernel-lib in a browser Web Worker (JupyterLite) lends it,
 * and the contract between kernel-lib's browser build and that kernel.
 *
 * Files. `npm run build` writes kernel-lib/dist-browser/ (scripts/build-browser.ts):
 * - `kernel-lib.js`: kernel-lib's public exports (exactly those of the Node build) as one
 *   self-contained CommonJS module: its text is the body of a function `(module, exports, require)`;
 *   run it and read `module.exports`. It calls no `require`.
 * - `tslab.js`: the same kind of module for `import … from "tslab"`: tslab's public `display`,
 *   `newDisplay()` and `versions` (see `tslab-api.ts`).
 * - `mnist-digits.bin`: the shipped MNIST digits, compact binary (see data/digits-asset.ts).
 * - `plotly.min.js`: plotly.js, read only when a figure's HTML fallback carries it (display/embed.ts).
 * - `types/kernel-lib/**.d.ts` (entry `index.d.ts`) and `types/tslab/index.d.ts`: the declarations
 *   cells are type-checked against; they need no Node types and parse with TypeScript 5.0.
 *
 * Host. There is no tslab, file system or process in a worker, so the kernel's worker installs
 * this object before it loads `kernel-lib.js` or `tslab.js`:
 *
 * ```ts
 * globalThis[Symbol.for("gradient-lab.host")] = {
 *   display(message, update) { … post a display_data (update_display_data if update) … },
 *   readAsset(name) { … the bytes of dist-browser/<name>, read synchronously (a synchronous XHR) … },
 *   versions: { tslab: "…", typescript: "…", node: "…" }, // optional: what `tslab.versions` shows
 * };
 * ```
 *
 * `message` is a Jupyter `display_data` content `{ data, metadata, transient: { display_id? } }`;
 * an output with a display id is replaced in place by later messages with `update` true. Figures
 * carry `application/vnd.plotly.v1+json`, `text/html` and `text/plain`; exercise checks carry
 * `application/vnd.gradient-lab.check+json` and `text/plain`. The kernel may install a new
 * `display` for each cell (as tslab does with its writer), so outputs reach the cell that made them;
 * a display channel created with `pinWriter` keeps the one current at its creation (for outputs
 * sent after an `await`). In Node no host is installed and kernel-lib finds tslab's writer instead.
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

/**
 * The installed browser host, or null when no kernel installed one (as in Node, where tslab is the kernel).
 */
export function browserHost(): BrowserHost | null {
  const host = (globalThis as unknown as { [HOST_KEY]?: BrowserHost })[HOST_KEY];
  return host !== undefined && host !== null && typeof host.display === "function" ? host : null;
}

/** The browser host, or a clear error naming `what` needed it. */
export function requireBrowserHost(what: string): BrowserHost {
  const host = browserHost();
  if (host === null) {
    throw new Error(
      `${what} needs the browser kernel's host, which is not installed: the kernel's worker must set globalThis[Symbol.for("gradient-lab.host")] before it loads kernel-lib.`,
    );
  }
  return host;
}
