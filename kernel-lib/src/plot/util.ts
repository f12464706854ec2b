/**
 * Small helpers the figure builders share: turning typed arrays into JSON-ready plain arrays,
 * formatting numbers for labels, and reading a figure's title back.
 */

import type { Figure } from "./types";

/** `values` as a plain array, with NaN and ±∞ as `null` (plotly leaves a gap there). */
export function plain(values: ArrayLike<number>): (number | null)[] {
  const out = new Array<number | null>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = Number.isFinite(v) ? v : null;
  }
  return out;
}

/** A number in at most 3 significant digits: 0.000123 → "1.23e-4", 12.5 → "12.5". */
export function short(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e4) return String(Number(x.toPrecision(3)));
  const [m, e] = x.toExponential(2).split("e");
  return `${Number(m)}e${Number(e)}`;
}

/** The label of the power of ten 10^k, e.g. -5 → "1e-5", 0 → "1", 2 → "100". */
export function powerLabel(k: number): string {
  if (k >= 0 && k <= 3) return String(10 ** k);
  return `1e${k}`;
}

/** The title text of a figure ("" if it has none), without HTML tags. */
export function titleOf(fig: Figure): string {
  const t = fig.layout?.title as unknown;
  const text =
    typeof t === "string"
      ? t
      : t !== null && typeof t === "object"
        ? (t as { text?: unknown }).text
        : undefined;
  return typeof text === "string" ? stripTags(text) : "";
}

/** Text with HTML tags removed and `<br>` turned into spaces. */
export function stripTags(s: string): string {
  return s
    .replace(/<br\s*\/?>/gi, " ")
    .replace(/<[^>]*>/g, "")
    .trim();
}

/** Throws a clear error unless `n` is a positive integer. */
export function checkCount(where: string, name: string, n: number): void {
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${where}: ${name} must be a positive integer, got ${n}.`);
}

/** The smallest and largest finite values of `values` (NaN, NaN when there are none). */
export function extent(values: ArrayLike<number>, positiveOnly = false): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || (positiveOnly && v <= 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [NaN, NaN];
}

/**
 * A deep copy of `fig` that survives JSON: typed arrays become plain arrays, NaN and ±∞ become
 * null. Also detaches the copy from arrays the caller may keep changing (live training plots).
 */
export function jsonReady(fig: Figure): Figure {
  return JSON.parse(
    JSON.stringify(fig, (_key, v: unknown) =>
      ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v,
    ),
  ) as Figure;
}

/** Throws a clear error unless `fig` looks like a figure `{ data: Trace[], layout }`. */
export function checkFigure(where: string, fig: unknown): asserts fig is Figure {
  if (fig !== null && typeof fig === "object" && typeof (fig as { then?: unknown }).then === "function") {
    throw new Error(
      `${where}: got a Promise, not a figure. Graph drawings are asynchronous: use \`await showGraph(value)\`.`,
    );
  }
  if (fig === null || typeof fig !== "object" || !Array.isArray((fig as Figure).data)) {
    throw new Error(
      `${where}: expected a figure { data: Trace[], layout } such as plot.activation(sigmoid) returns, got ${fig === null ? "null" : typeof fig}.`,
    );
  }
}

/** A one-paragraph text description of a figure: its title and the names of its series. */
export function summary(fig: Figure): string {
  const title = titleOf(fig) || "untitled figure";
  const names: string[] = [];
  for (const t of fig.data) {
    if (typeof t.name === "string" && t.name !== "" && !names.includes(t.name)) names.push(t.name);
  }
  const shown = names.length > 8 ? [...names.slice(0, 8), `… ${names.length - 8} more`] : names;
  const traces = `${fig.data.length} trace${fig.data.length === 1 ? "" : "s"}`;
  return `Figure: ${title} (${traces}${shown.length ? `: ${shown.join(", ")}` : ""})`;
}
