/**
 * The MIME bundle of a figure: the three representations `show` sends as one output.
 */

import { figureHtml } from "./embed";
import type { MimeBundle } from "./message";
import { PLOTLY_MIME } from "./mime";
import type { Figure } from "../plot/types";
import { checkFigure, jsonReady, summary } from "../plot/util";

/**
 * The MIME bundle of a figure: plotly JSON, HTML (carrying plotly.js if `includePlotly`) and a text
 * summary. Pure apart from reading plotly.js from disk when it is included.
 */
export function figureBundle(fig: Figure, includePlotly: boolean): MimeBundle {
  checkFigure("figureBundle", fig);
  const clean = jsonReady(fig);
  return {
    [PLOTLY_MIME]: { data: clean.data, layout: clean.layout, config: clean.config ?? {} },
    "text/html": figureHtml(clean, { includePlotly }),
    "text/plain": summary(clean),
  };
}
