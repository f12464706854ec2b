/**
 * How figures reach the notebook. tslab's public `display` sends one MIME type per output, so a
 * bundle (plotly JSON + HTML + text) goes through tslab's internal writer instead: the function
 * `lastWriteDisplayData(message, update)` that tslab's `jupyter` module holds for the cell being
 * executed (tslab 1.0.22 is pinned for this; a test covers it). When that writer is missing but
 * tslab is running, the richest single MIME type goes through the public `display`. Outside a
 * kernel nothing is sent and the caller prints text instead.
 */

import type { MimeBundle } from "../display/protocol";
export type { MimeBundle } from "../display/protocol";

/** The message tslab's writer takes: a Jupyter `display_data` / `update_display_data` content. */
export interface DisplayMessage {
  data: MimeBundle;
  metadata: { [key: string]: unknown };
  transient: { display_id?: string };
}

/** tslab's internal writer: sends `display_data`, or `update_display_data` when `update` is true. */
export type DisplayWriter = (message: DisplayMessage, update: boolean) => void;

/** The part of tslab's public `Display` used as a fallback. */
interface PublicDisplay {
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
export function displayWriter(): DisplayWriter | null {
  const w = findJupyterModule()?.lastWriteDisplayData;
  return typeof w === "function" ? (w as DisplayWriter) : null;
}

/** True when code runs in tslab (its executor defines `globalThis.__tslab__`). */
function inTslab(): boolean {
  return (globalThis as { __tslab__?: unknown }).__tslab__ !== undefined;
}

/** Whether outputs can reach a notebook: code runs in a tslab Jupyter kernel executing a cell. */
export function inKernel(): boolean {
  return displayWriter() !== null || (inTslab() && findJupyterModule() === null);
}

/** The MIME types tried, richest first, when only one can be sent. */
const SINGLE_PREFERENCE = ["text/html", "image/svg+xml", "text/markdown", "text/plain"];

/** How an output was delivered: as the whole bundle, as its richest single MIME type, or not at all. */
export type Delivery = "bundle" | "single" | "none";

/**
 * One output area in the notebook. Without an id every `send` makes a new output; with an id the
 * first `send` makes the output and later ones replace it (`update_display_data`).
 */
export class DisplayChannel {
  /** The Jupyter display id (transient), if the output is updated in place. */
  readonly id: string | undefined;
  private shown = false;
  private readonly pinned: DisplayWriter | null;
  private fallback: PublicDisplay | null = null;

  /** A channel; `pinWriter` keeps the writer of the cell running now (for outputs sent after an await). */
  constructor(id?: string, pinWriter = false) {
    this.id = id;
    this.pinned = pinWriter ? displayWriter() : null;
  }

  /** Sends `bundle` to the notebook. Never throws for lack of a kernel: returns "none" instead. */
  send(bundle: MimeBundle): Delivery {
    const writer = this.pinned ?? displayWriter();
    if (writer) {
      writer({ data: bundle, metadata: {}, transient: this.id === undefined ? {} : { display_id: this.id } }, this.id !== undefined && this.shown);
      this.shown = true;
      return "bundle";
    }
    if (!inTslab() || findJupyterModule() !== null) return "none";
    // tslab runs but its internal writer is not where tslab 1.0.22 keeps it: one MIME type only.
    try {
      if (!this.fallback) {
        const tslab = require("tslab") as { display: PublicDisplay; newDisplay(): PublicDisplay };
        this.fallback = this.id === undefined ? tslab.display : tslab.newDisplay();
      }
      const mime = SINGLE_PREFERENCE.find((m) => typeof bundle[m] === "string");
      if (mime === undefined) return "none";
      this.fallback.raw(mime, bundle[mime] as string);
      this.shown = true;
      return "single";
    } catch {
      return "none";
    }
  }
}

/** A fresh display id for an output updated in place. */
export function newDisplayId(): string {
  return `gradient-lab-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
