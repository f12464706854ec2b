/**
 * The rich-display protocol shared by Gradient Lab's kernels (and by Deno's Jupyter kernel): an
 * object with a `[Symbol.for("Jupyter.display")]()` method returning a MIME bundle (or a Promise of
 * one) is shown as that bundle when it is a cell's last value or is passed to `display(value)`.
 *
 * This file has no dependencies, so the maths can mark its results as displayable without importing
 * any display code: a result is tagged with a *kind* ("history", "dataset", …), and the
 * representation of each kind is registered by `display/values.ts` when kernel-lib loads.
 */

/** A MIME bundle: one representation of the same value per MIME type, e.g. text/html and text/plain. */
export type MimeBundle = { [mime: string]: unknown };

/** The well-known symbol of the protocol: `Symbol.for("Jupyter.display")`. */
export const DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** A value that can show itself richly. */
export interface Displayable {
  [DISPLAY](): MimeBundle | Promise<MimeBundle>;
}

/** The kinds of value kernel-lib shows richly. */
export type DisplayKind = "matrix" | "network" | "value" | "figure" | "history" | "dataset";

type Representer = (value: never) => MimeBundle | Promise<MimeBundle>;

const representers = new Map<DisplayKind, Representer>();

/** Registers how values of `kind` are shown (display/values.ts does this for every kind). */
export function registerRepresenter<T>(
  kind: DisplayKind,
  represent: (value: T) => MimeBundle | Promise<MimeBundle>,
): void {
  representers.set(kind, represent as Representer);
}

/**
 * Makes `target` (an object or a class prototype) displayable as `kind` and returns it. The method
 * is non-enumerable, so JSON, equality checks and `Object.keys` do not see it.
 */
export function representAs<T extends object>(target: T, kind: DisplayKind): T {
  Object.defineProperty(target, DISPLAY, {
    value: function (this: unknown): MimeBundle | Promise<MimeBundle> {
      const represent = representers.get(kind);
      // Without a representer (kernel-lib's display module not loaded), the value shows as text.
      return represent ? represent(this as never) : { "text/plain": String(this) };
    },
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return target;
}

/** The MIME bundle `value` gives under the protocol, or null when it does not implement it. */
export function mimeBundleOf(value: unknown): MimeBundle | Promise<MimeBundle> | null {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return null;
  const method = (value as { [DISPLAY]?: unknown })[DISPLAY];
  return typeof method === "function" ? (method.call(value) as MimeBundle | Promise<MimeBundle>) : null;
}
