/**
 * Live training progress for `fit`: in a notebook one output that is redrawn in place (a progress
 * bar, the current loss and a small loss curve); in a terminal one line on stderr rewritten with
 * "\r". The notebook view uses the plots' theme, so it reads on light and dark backgrounds.
 * Redraws are throttled to at most ten a second, so they cost nothing measurable.
 */

import { inKernel } from "./display/channel";
import { stderrIsTerminal, writeStderr } from "./environment";
import { createLiveOutput } from "./display/live";
import { colour, colours } from "./plot/theme";

/** Where `fit` shows its progress: "auto" picks the notebook, else a terminal, else nothing. */
export type ProgressMode = "auto" | "notebook" | "terminal" | "off";

/** What the progress display shows. */
export interface ProgressState {
  /** Current epoch (from 1). */
  epoch: number;
  /** Number of epochs planned. */
  epochs: number;
  /** Steps done so far. */
  step: number;
  /** Number of steps planned (epochs × minibatches per epoch). */
  totalSteps: number;
  /** Losses of every step so far (the display draws a downsampled curve). */
  stepLosses: readonly number[];
  /** Mean training loss of the last finished epoch (NaN until there is one). */
  epochLoss: number;
  /** Validation loss of the last finished epoch (NaN without validation data). */
  valLoss: number;
}

/** Something that draws progress; `finish` draws the final state unthrottled. */
export interface ProgressReporter {
  /** Draws `state` unless the last redraw was less than 100 ms ago. */
  update(state: ProgressState): void;
  /** Draws the final `state` and ends the display (a newline in a terminal). */
  finish(state: ProgressState): void;
}

const MIN_INTERVAL_MS = 100;

function format(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(4) : String(x);
}

/** One line of text: "[#####.....]  epoch 3/30  step 250/3000  loss 0.4312  epoch loss 0.4511". */
export function progressLine(s: ProgressState, width = 20): string {
  const done = s.totalSteps > 0 ? s.step / s.totalSteps : 1;
  const filled = Math.round(done * width);
  const last = s.stepLosses.length > 0 ? s.stepLosses[s.stepLosses.length - 1] : NaN;
  const parts = [
    `[${"#".repeat(filled)}${".".repeat(width - filled)}]`,
    `epoch ${s.epoch}/${s.epochs}`,
    `step ${s.step}/${s.totalSteps}`,
    `loss ${format(last)}`,
  ];
  if (Number.isFinite(s.epochLoss)) parts.push(`epoch loss ${format(s.epochLoss)}`);
  if (Number.isFinite(s.valLoss)) parts.push(`val loss ${format(s.valLoss)}`);
  return parts.join("  ");
}

/** An SVG polyline of the step losses on a log scale, averaged into at most `points` buckets. */
function lossCurveSvg(losses: readonly number[], w = 260, h = 56, points = 130): string {
  const buckets: number[] = [];
  const size = Math.max(1, Math.ceil(losses.length / points));
  for (let i = 0; i < losses.length; i += size) {
    let sum = 0,
      count = 0;
    for (let j = i; j < Math.min(i + size, losses.length); j++) {
      if (losses[j] > 0 && Number.isFinite(losses[j])) {
        sum += losses[j];
        count++;
      }
    }
    if (count > 0) buckets.push(Math.log10(sum / count));
  }
  if (buckets.length < 2) return "";
  const lo = Math.min(...buckets),
    hi = Math.max(...buckets),
    span = hi - lo || 1;
  const xy = buckets.map(
    (v, i) =>
      `${((i / (buckets.length - 1)) * (w - 4) + 2).toFixed(1)},${(h - 2 - ((v - lo) / span) * (h - 4)).toFixed(1)}`,
  );
  return `<svg width="${w}" height="${h}" style="border:1px solid ${colours.grid}"><polyline fill="none" stroke="${colour(0)}" stroke-width="1.5" points="${xy.join(" ")}"/></svg>`;
}

/** The notebook view: progress bar, numbers and the loss curve (log scale) as one HTML block. */
export function progressHtml(s: ProgressState): string {
  const pct = s.totalSteps > 0 ? (100 * s.step) / s.totalSteps : 100;
  const text = progressLine(s).replace(/^\[[#.]*\]\s*/, "");
  return (
    `<div style="font-family:monospace;font-size:12px">` +
    `<div style="width:260px;height:8px;background:${colours.grid}"><div style="width:${pct.toFixed(1)}%;height:8px;background:${colour(0)}"></div></div>` +
    `<div>${text}</div>${lossCurveSvg(s.stepLosses)}<div style="color:${colours.text}">minibatch loss, log scale</div></div>`
  );
}

/** Calls `draw` at most every 100 ms; `finish` always draws. */
function throttled(draw: (s: ProgressState) => void, end?: () => void): ProgressReporter {
  let last = -Infinity;
  return {
    update(s) {
      const now = Date.now();
      if (now - last < MIN_INTERVAL_MS) return;
      last = now;
      draw(s);
    },
    finish(s) {
      draw(s);
      if (end) end();
    },
  };
}

const off: ProgressReporter = { update() {}, finish() {} };

/**
 * A progress reporter for a mode. "auto" shows the notebook view inside a Jupyter kernel, the
 * terminal line when stderr is a terminal (not under a test runner or CI), and nothing otherwise.
 */
export function createProgress(mode: ProgressMode): ProgressReporter {
  if (mode !== "auto" && mode !== "notebook" && mode !== "terminal" && mode !== "off") {
    throw new Error(
      `fit: progress must be "auto", "notebook", "terminal" or "off", got ${JSON.stringify(mode)}.`,
    );
  }
  if (mode === "off") return off;
  if (mode === "notebook" || (mode === "auto" && inKernel())) {
    // One output, replaced in place; outside a kernel its methods do nothing.
    const output = createLiveOutput();
    return throttled(
      (s) => output.html(progressHtml(s)),
      () => output.close(),
    );
  }
  if (mode === "terminal" || stderrIsTerminal()) {
    let previous = 0;
    return throttled(
      (s) => {
        const line = progressLine(s);
        writeStderr("\r" + line.padEnd(previous));
        previous = line.length;
      },
      () => writeStderr("\n"),
    );
  }
  return off;
}
