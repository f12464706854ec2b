/**
 * The MIME bundle of a figure: the three representations `show` sends as one output.
 */

import { figureHtml } from "./embed";
import type { MimeBundle } from "../display/message";
import type { Figure } from "./types";
import { checkFigure, jsonReady, summary } from "./util";

/** The MIME type of plotly's figure JSON, which JupyterLab's plotly renderer draws. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

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
