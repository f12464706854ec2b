/**
 * Installs the browser host kernel-lib's browser build calls (see kernel-lib's display/host.ts):
 * `display` posts an output to the page, `readAsset` reads a file shipped beside kernel-lib (the
 * digits, plotly.js) from the site with a synchronous request, and `versions` is what
 * `tslab.versions` shows. Imported first by the worker, so it is in place before kernel-lib loads.
 */
import ts from "typescript";

/** The worker's own folder on the site; kernel-lib's files are in `assets/` below it. */
const BASE_URL = new URL(".", self.location.href).href;

(globalThis as Record<symbol, unknown>)[Symbol.for("gradient-lab.host")] = {
  display(message: { data: unknown; metadata?: unknown; transient?: unknown }, update: boolean): void {
    // Every output is a point where Kernel → Interrupt can stop the cell (e.g. fit's progress).
    (globalThis as Record<string, unknown> & { __gl_interruptPoint?: () => void }).__gl_interruptPoint?.();
    (self as unknown as Worker).postMessage({
      type: "display",
      message: { metadata: {}, transient: {}, ...message },
      update,
    });
  },
  readAsset(name: string): Uint8Array {
    const xhr = new XMLHttpRequest();
    xhr.open("GET", new URL(`assets/${name}`, BASE_URL).href, false);
    // Synchronous requests in a worker may return binary bodies.
    xhr.responseType = "arraybuffer";
    xhr.send();
    if (xhr.status !== 200)
      throw new Error(`Could not read the site file assets/${name} (HTTP ${xhr.status}).`);
    return new Uint8Array(xhr.response as ArrayBuffer);
  },
  versions: {
    tslab: "Gradient Lab browser kernel 0.1.0",
    typescript: ts.version,
    node: "none: runs in your browser",
  },
};
