/**
 * Live outputs: one output area in the notebook that is replaced in place (a Jupyter display id
 * with `update_display_data`), for training progress that redraws every few steps. In plain Node
 * (no kernel) every method does nothing; the trainer prints its own terminal line there.
 */

import { figureHtml, markPlotlyInlined, nextNeedsPlotly, plotlyEmbedding } from "./embed";
import { DisplayChannel, inKernel, newDisplayId } from "./channel";
import { figureBundle } from "./bundle";
import { PLOTLY_MIME } from "./mime";
import type { Figure } from "../plot/types";
import { checkFigure, jsonReady, stripTags, summary } from "../plot/util";

/** An output that redraws in place. */
export interface LiveOutput {
  /** The Jupyter display id of this output. */
  readonly id: string;
  /** Replaces the output with the figure `fig` (plotly JSON, lightweight HTML, text). */
  update(fig: Figure): void;
  /** Replaces the output with plain text. */
  text(s: string): void;
  /** Replaces the output with HTML (and its text as text/plain). */
  html(s: string): void;
  /**
   * Ends the live output. If the embedding mode wants plotly.js in the next figure's HTML, the last
   * figure is sent once more with it, so exported notebooks show it offline. Later calls do nothing.
   */
  close(): void;
}

/**
 * JupyterLab redraws an updated output in the same renderer when its preferred MIME type is
 * unchanged, and its plotly renderer ignores such redraws (it draws once). An update that briefly
 * switches the output to HTML of the same height makes JupyterLab create a fresh plotly renderer
 * for the next frame; both messages are handled before the page repaints.
 */
function placeholder(fig: Figure): { [mime: string]: string } {
  const height = typeof fig.layout?.height === "number" ? fig.layout.height : 450;
  return { "text/html": `<div style="height:${height}px"></div>`, "text/plain": "(redrawing)" };
}

/**
 * A new live output. Nothing appears until the first `update`, `text` or `html`; each later call
 * replaces the output. Updates send the plotly JSON (what JupyterLab draws) and HTML that relies on
 * plotly.js being on the page; `close()` sends the final figure with plotly.js if needed.
 */
export function createLiveOutput(): LiveOutput {
  const id = newDisplayId();
  const channel = new DisplayChannel(id);
  let last: Figure | null = null;
  // Whether the output currently holds a plotly figure (so the next figure needs the placeholder).
  let showsFigure = false;
  let closed = false;
  const active = () => !closed && inKernel();
  return {
    id,
    update(fig: Figure): void {
      checkFigure("liveOutput.update", fig);
      if (!active()) return;
      const clean = jsonReady(fig);
      last = clean;
      if (showsFigure) channel.send(placeholder(clean));
      showsFigure = true;
      channel.send({
        [PLOTLY_MIME]: { data: clean.data, layout: clean.layout, config: clean.config ?? {} },
        "text/html": figureHtml(clean, { includePlotly: false }),
        "text/plain": summary(clean),
      });
    },
    text(s: string): void {
      if (!active()) return;
      last = null;
      showsFigure = false;
      channel.send({ "text/plain": String(s) });
    },
    html(s: string): void {
      if (!active()) return;
      last = null;
      showsFigure = false;
      channel.send({ "text/html": String(s), "text/plain": stripTags(String(s)) });
    },
    close(): void {
      if (!active()) return;
      closed = true;
      if (last === null) return;
      // Without plotly.js to add, the last update already is the final form of the output.
      if (!nextNeedsPlotly(plotlyEmbedding())) return;
      channel.send(placeholder(last));
      if (channel.send(figureBundle(last, true)) !== "none") markPlotlyInlined();
    },
  };
}

/** A live figure: `createLiveOutput()`, showing `initial` right away when given. */
export function liveFigure(initial?: Figure): LiveOutput {
  const out = createLiveOutput();
  if (initial !== undefined) out.update(initial);
  return out;
}
