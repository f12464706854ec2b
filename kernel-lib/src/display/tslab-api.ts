/**
 * The `tslab` module of the browser kernel: tslab's public display API (`display`, `newDisplay()`,
 * `versions`), so that notebook code written for the desktop kernel runs unchanged in the browser.
 * It is not part of kernel-lib's exports; the browser build bundles it on its own as `tslab.js`
 * and the kernel resolves `import … from "tslab"` to it. Outputs go through the browser host.
 */

import { requireBrowserHost } from "./host";
import { newDisplayId } from "./channel";

/** The version strings of the kernel and its compiler (as in tslab). */
export interface Versions {
  tslab: string;
  typescript: string;
  node: string;
}

/** Sends one kind of content to the notebook (as in tslab). */
export interface Display {
  javascript(s: string): void;
  html(s: string): void;
  markdown(s: string): void;
  latex(s: string): void;
  svg(s: string): void;
  png(b: Uint8Array): void;
  jpeg(b: Uint8Array): void;
  gif(b: Uint8Array): void;
  pdf(b: Uint8Array): void;
  text(s: string): void;
  raw(contentType: string, b: string | Uint8Array): void;
}

/** Binary content as Jupyter carries it: base64 text. */
function base64(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 0x8000)
    s += String.fromCharCode(...Array.from(b.subarray(i, i + 0x8000)));
  return btoa(s);
}

/** One display: a new output per call, or with an id one output that each call replaces. */
class HostDisplay implements Display {
  private shown = false;
  constructor(private readonly id?: string) {}
  javascript(s: string): void {
    this.raw("text/javascript", s);
  }
  html(s: string): void {
    this.raw("text/html", s);
  }
  markdown(s: string): void {
    this.raw("text/markdown", s);
  }
  latex(s: string): void {
    this.raw("text/latex", s);
  }
  svg(s: string): void {
    this.raw("image/svg+xml", s);
  }
  png(b: Uint8Array): void {
    this.raw("image/png", b);
  }
  jpeg(b: Uint8Array): void {
    this.raw("image/jpeg", b);
  }
  gif(b: Uint8Array): void {
    this.raw("image/gif", b);
  }
  pdf(b: Uint8Array): void {
    this.raw("application/pdf", b);
  }
  text(s: string): void {
    this.raw("text/plain", s);
  }
  raw(contentType: string, b: string | Uint8Array): void {
    const host = requireBrowserHost("tslab.display");
    const content = b instanceof Uint8Array ? base64(b) : b;
    host.display(
      {
        data: { [contentType]: content },
        metadata: {},
        transient: this.id === undefined ? {} : { display_id: this.id },
      },
      this.id !== undefined && this.shown,
    );
    this.shown = true;
  }
}

/** Returns a new `Display` whose every call replaces its own single output. */
export function newDisplay(): Display {
  return new HostDisplay(newDisplayId());
}

/** Displays rich content: each call makes a new output. */
export const display: Display = new HostDisplay();

/**
 * The version strings of the browser kernel, its TypeScript compiler and browser, as its host reports them.
 */
export const versions: Versions = requireBrowserHost("tslab.versions").versions ?? {
  tslab: "unknown (browser kernel)",
  typescript: "unknown",
  node: "none (a browser)",
};
