/**
 * How outputs reach the notebook, whichever kernel runs kernel-lib: in the browser kernel through
 * the host it installs (`host.ts`), in tslab through tslab's internal writer (`tslab.ts`). Outside
 * a kernel nothing is sent and the caller prints text instead.
 */

import { browserHost } from "./host";
import type { DisplayWriter, MimeBundle } from "./message";
import { tslabPublicDisplay, tslabWithoutWriter, tslabWriter } from "./tslab";
import type { PublicDisplay } from "./tslab";

export type { DisplayMessage, DisplayWriter, MimeBundle } from "./message";

/** The writer for the cell running now: the browser host's, else tslab's; null outside a kernel. */
export function displayWriter(): DisplayWriter | null {
  const host = browserHost();
  if (host !== null) {
    const display = host.display;
    return (message, update) => display.call(host, message, update);
  }
  return tslabWriter();
}

/** Whether outputs can reach a notebook: code runs in a kernel executing a cell. */
export function inKernel(): boolean {
  return displayWriter() !== null || tslabWithoutWriter();
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
      writer(
        { data: bundle, metadata: {}, transient: this.id === undefined ? {} : { display_id: this.id } },
        this.id !== undefined && this.shown,
      );
      this.shown = true;
      return "bundle";
    }
    if (!tslabWithoutWriter()) return "none";
    // tslab runs but its internal writer is not where tslab 1.0.22 keeps it: one MIME type only.
    try {
      if (!this.fallback) this.fallback = tslabPublicDisplay(this.id !== undefined);
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
