/**
 * What an output sent to the notebook is: a MIME bundle wrapped in a Jupyter `display_data` /
 * `update_display_data` message content, and the writer that sends it.
 */

/** A MIME bundle: one representation of the same output per MIME type. */
export type MimeBundle = { [mime: string]: unknown };

/** A Jupyter `display_data` / `update_display_data` content. */
export interface DisplayMessage {
  data: MimeBundle;
  metadata: { [key: string]: unknown };
  transient: { display_id?: string };
}

/** Sends `display_data`, or `update_display_data` when `update` is true. */
export type DisplayWriter = (message: DisplayMessage, update: boolean) => void;
