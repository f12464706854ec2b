/**
 * A figure as the builders return it: plain plotly data (`{ data, layout, config }`) that also shows
 * itself as a plot when it is a cell's last value (the rich-display protocol of display/protocol.ts).
 */

import { representAs } from "../display/protocol";
import type { Figure } from "./types";

/** `fig`, marked to display as a plot; its data is unchanged (the mark is non-enumerable). */
export function asFigure(fig: Figure): Figure {
  return representAs(fig, "figure");
}
