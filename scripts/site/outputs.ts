/**
 * A code cell's outputs as static HTML. For each output the richest representation the page can
 * show wins: a plotly figure from its JSON (drawn in the browser by the site's one shared
 * plotly.min.js), an exercise check by its text line, SVG and bitmap images, HTML, Markdown, LaTeX,
 * then plain text. Streams and errors keep their terminal colours.
 */
import type { MarkdownRenderer } from "./markdown";
import { typeset } from "./markdown";
import { CHECK_MIME, PLOTLY_MIME } from "../../kernel-lib/src/display/mime";

export { PLOTLY_MIME } from "../../kernel-lib/src/display/mime";

/** Counts what a page holds, for the exporter's report and the tests. */
export interface OutputStats {
  figures: number;
  images: number;
}

/** What rendering outputs needs from the page being built. */
export interface OutputContext {
  markdown: MarkdownRenderer;
  stats: OutputStats;
  /** A page-unique id for the next figure. */
  nextFigureId(): string;
  /** Folder paths to drop from text outputs (stack traces name files under the project folder). */
  hidePaths?: string[];
}

/** HTML-escapes text for element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** An nbformat multiline string (a string or a list of lines) as one string. */
export function joinText(value: unknown): string {
  if (Array.isArray(value)) return value.join("");
  return typeof value === "string"
    ? value
    : value === undefined || value === null
      ? ""
      : JSON.stringify(value, null, 2);
}

/** JSON to place inside a `<script>` element: nothing in it can close the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * Applies carriage returns and backspaces as a terminal would (a progress line rewritten with
 * `\r` shows only its last state), like JupyterLab's output area.
 */
export function fixCarriageReturns(text: string): string {
  return text
    .replace(/\r+\n/g, "\n")
    .split("\n")
    .map((line) => {
      let shown = "";
      for (const segment of line.split("\r")) shown = segment + shown.slice(segment.length);
      while (/[^\x08]\x08/.test(shown)) shown = shown.replace(/[^\x08]\x08/, "");
      return shown.replace(/\x08/g, "");
    })
    .join("\n");
}

const ANSI_COLOURS = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"];

/** Terminal text with ANSI colour codes as escaped HTML with `ansi-*` classes; other escapes dropped. */
export function ansiToHtml(text: string): string {
  const parts: string[] = [];
  let fg: string | null = null;
  let bg: string | null = null;
  let bold = false;
  let underline = false;
  // SGR sequences set the style; any other escape sequence (cursor moves, OSC titles) is removed.
  const re = /\x1b\[([0-9;]*)m|\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]/g;
  let last = 0;
  const emit = (s: string) => {
    if (!s) return;
    const classes = [
      fg && `ansi-${fg}-fg`,
      bg && `ansi-${bg}-bg`,
      bold && "ansi-bold",
      underline && "ansi-underline",
    ].filter(Boolean);
    parts.push(classes.length ? `<span class="${classes.join(" ")}">${escapeHtml(s)}</span>` : escapeHtml(s));
  };
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    emit(text.slice(last, m.index));
    last = re.lastIndex;
    if (m[1] === undefined) continue;
    const codes = m[1] === "" ? [0] : m[1].split(";").map(Number);
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (c === 0) [fg, bg, bold, underline] = [null, null, false, false];
      else if (c === 1) bold = true;
      else if (c === 4) underline = true;
      else if (c === 22) bold = false;
      else if (c === 24) underline = false;
      else if (c >= 30 && c <= 37) fg = ANSI_COLOURS[c - 30];
      else if (c >= 90 && c <= 97) fg = `bright-${ANSI_COLOURS[c - 90]}`;
      else if (c === 39) fg = null;
      else if (c >= 40 && c <= 47) bg = ANSI_COLOURS[c - 40];
      else if (c >= 100 && c <= 107) bg = `bright-${ANSI_COLOURS[c - 100]}`;
      else if (c === 49) bg = null;
      else if (c === 38 || c === 48) i += codes[i + 1] === 5 ? 2 : codes[i + 1] === 2 ? 4 : 0; // 256/true colour: skipped
    }
  }
  emit(text.slice(last));
  return parts.join("");
}

function terminalBlock(text: string, cls: string, ctx: OutputContext): string {
  let shown = fixCarriageReturns(text);
  for (const dir of ctx.hidePaths ?? []) shown = shown.split(dir.endsWith("/") ? dir : dir + "/").join("");
  return `<pre class="${cls}">${ansiToHtml(shown)}</pre>`;
}

/** An SVG document (as graphviz writes it) without its XML prolog, doctype and comments before `<svg`. */
function svgBody(svg: string): string {
  const start = svg.search(/<svg[\s>]/);
  return start > 0 ? svg.slice(start) : svg;
}

function dataUrl(mime: string, data: string): string {
  return `data:${mime};base64,${data.replace(/\s+/g, "")}`;
}

/** The HTML of one plotly figure: a `<div>` and its JSON, drawn by the site's figures.js. */
function plotlyFigure(spec: any, text: string, ctx: OutputContext): string {
  ctx.stats.figures++;
  const id = ctx.nextFigureId();
  const height = typeof spec?.layout?.height === "number" ? spec.layout.height : 450;
  const figure = { data: spec?.data ?? [], layout: spec?.layout ?? {}, config: spec?.config ?? {} };
  return [
    `<div class="output output-figure">`,
    `<div class="plotly-figure" id="${id}" data-figure="${id}-data" style="height:${height}px" role="img" aria-label="${escapeHtml(text.trim())}"></div>`,
    `<script type="application/json" id="${id}-data">${scriptJson(figure)}</script>`,
    `</div>`,
  ].join("");
}

function checkOutput(record: any, text: string): string {
  const passed = record?.passed === true;
  return `<div class="output output-check ${passed ? "check-passed" : "check-failed"}">${escapeHtml(text.trim())}</div>`;
}

/** The HTML of a display_data / execute_result output's MIME bundle. */
function richOutput(data: Record<string, unknown>, ctx: OutputContext): string {
  const text = joinText(data["text/plain"]);
  if (data[PLOTLY_MIME] !== undefined) return plotlyFigure(data[PLOTLY_MIME], text, ctx);
  if (data[CHECK_MIME] !== undefined)
    return checkOutput(data[CHECK_MIME], text || joinText((data[CHECK_MIME] as any)?.message));
  if (data["image/svg+xml"] !== undefined) {
    ctx.stats.images++;
    return `<div class="output output-image output-svg">${svgBody(joinText(data["image/svg+xml"]))}</div>`;
  }
  for (const mime of ["image/png", "image/jpeg", "image/gif", "image/webp"]) {
    if (data[mime] === undefined) continue;
    ctx.stats.images++;
    return `<div class="output output-image"><img src="${dataUrl(mime, joinText(data[mime]))}" alt="${escapeHtml(text.trim() || "output image")}"></div>`;
  }
  if (data["text/html"] !== undefined)
    return `<div class="output output-html">${joinText(data["text/html"])}</div>`;
  if (data["text/markdown"] !== undefined)
    return `<div class="output output-markdown">${ctx.markdown.render(joinText(data["text/markdown"]))}</div>`;
  if (data["text/latex"] !== undefined) {
    const tex = joinText(data["text/latex"])
      .trim()
      .replace(/^\$\$?([\s\S]*?)\$?\$$/, "$1");
    return `<div class="output output-latex">${typeset(tex, true, ctx.markdown.ctx)}</div>`;
  }
  if (data["application/json"] !== undefined)
    return `<pre class="output output-text">${escapeHtml(JSON.stringify(data["application/json"], null, 2))}</pre>`;
  if (data["text/plain"] !== undefined) return terminalBlock(text, "output output-text", ctx);
  const kinds = Object.keys(data).join(", ");
  return `<div class="output output-missing">(an output of type ${escapeHtml(kinds)} that this page cannot show)</div>`;
}

/** The HTML of one output of a code cell. */
export function renderOutput(output: Record<string, any>, ctx: OutputContext): string {
  switch (output.output_type) {
    case "stream":
      return terminalBlock(
        joinText(output.text),
        `output output-stream output-${output.name === "stderr" ? "stderr" : "stdout"}`,
        ctx,
      );
    case "error": {
      const traceback = Array.isArray(output.traceback) ? output.traceback.join("\n") : "";
      return terminalBlock(
        traceback.trim() ? traceback : `${output.ename}: ${output.evalue}`,
        "output output-error",
        ctx,
      );
    }
    case "display_data":
    case "execute_result":
      return richOutput(output.data ?? {}, ctx);
    default:
      return "";
  }
}
