/**
 * What an output sent to the notebook is: a MIME bundle wrapped in a Jupyter `display_data` /
 * `update_display_data` message content, and the writer that sends it.
 */

import type { MimeBundle } from "./protocol";
export type { MimeBundle } from "./protocol";

/** A Jupyter `display_data` / `update_display_data` content. */
export interface DisplayMessage {
  data: MimeBundle;
  metadata: { [key: string]: unknown };
  transient: { display_id?: string };
}

/** Sends `display_data`, or `update_display_data` when `update` is true. */
export type DisplayWriter = (message: DisplayMessage, update: boolean) => void;
