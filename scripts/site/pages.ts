/**
 * The pages of the exported site: one per lesson (the executed notebook as HTML, with its
 * Markdown, highlighted code and outputs) and an index with the course map. Everything is rendered
 * here at build time; a page loads only the site's shared assets.
 */
import fs from "node:fs";
import path from "node:path";
import hljs from "highlight.js/lib/core";
import typescript from "highlight.js/lib/languages/typescript";
import { cellSource, Notebook, NotebookCell } from "../notebook-runner";
import { MarkdownRenderer, MathProblem, newMarkdownContext } from "./markdown";
import { liteLessonHref } from "./lite";
import { escapeHtml, joinText, OutputStats, renderOutput } from "./outputs";

hljs.registerLanguage("typescript", typescript);

/** The site's name, shown in every page's header. */
export const SITE_NAME = "Gradient Lab";
const TAGLINE = "A TypeScript course on why deep networks stop learning: the chain rule, vanishing gradients, ReLU and dead neurons.";

/** What the index and the neighbouring pages need to know about a lesson. */
export interface LessonInfo {
  /** The page's file name in the site, e.g. `01-chain-rule.html`. */
  page: string;
  /** The notebook's file name, e.g. `01-chain-rule.ipynb` (the download's name in `notebooks/`). */
  notebook: string;
  /** The first heading as plain text (math kept as TeX). */
  title: string;
  /** The first heading as HTML (math typeset). */
  titleHtml: string;
  /** One sentence about the lesson, as plain text (math kept as TeX). */
  summary: string;
  /** The same sentence as HTML (math typeset). */
  summaryHtml: string;
  /** The time the notebook says it takes, e.g. "25 min", or null. */
  duration: string | null;
}

/** A rendered lesson: its page body and what it holds. */
export interface RenderedLesson {
  info: LessonInfo;
  /** The `<main>` content. */
  body: string;
  stats: OutputStats;
  /** Formulas KaTeX rejected, with the cell they are in (1-based). */
  mathProblems: (MathProblem & { cell: number })[];
  /** Images the page would load from the network (not allowed on the site), with their cell. */
  remoteImages: { src: string; cell: number }[];
}

/** Options of {@link renderLesson}. */
export interface LessonOptions {
  /** The executed notebook. */
  notebook: Notebook;
  /** Where the notebook file lives (for images next to it). */
  notebookPath: string;
  /** The page file name. */
  page: string;
  /** Notebook file name → page file name, for links between lessons. */
  pageOf: Map<string, string>;
  /** Show the reference solutions between `// BEGIN SOLUTION` and `// END SOLUTION` (default: hide them). */
  withSolutions?: boolean;
  /** Folder paths to drop from text outputs, e.g. the project folder in stack traces. */
  hidePaths?: string[];
}

const SOLUTION_BEGIN = /^(\s*)\/\/\s*BEGIN SOLUTION\b/;
const SOLUTION_END = /^\s*\/\/\s*END SOLUTION\b/;

/** Code with each reference solution replaced by a one-line placeholder comment. */
export function hideSolutions(code: string): string {
  const out: string[] = [];
  let inside = false;
  for (const line of code.split("\n")) {
    const begin = SOLUTION_BEGIN.exec(line);
    if (!inside && begin) {
      inside = true;
      out.push(`${begin[1]}// Your code here. (The reference solution is not shown on this site.)`);
    } else if (inside) {
      if (SOLUTION_END.test(line)) inside = false;
    } else {
      out.push(line);
    }
  }
  return out.join("\n");
}

function highlight(code: string): string {
  return hljs.highlight(code, { language: "typescript", ignoreIllegals: true }).value;
}

function tags(cell: NotebookCell): string[] {
  return Array.isArray(cell.metadata?.tags) ? cell.metadata.tags : [];
}

/** The plain-text first heading of a notebook, or null. */
function firstHeading(nb: Notebook): string | null {
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    const m = /^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$/m.exec(cellSource(cell));
    if (m) return m[1];
  }
  return null;
}

/** How long the notebook says it takes ("It takes about 25 minutes"), from its first Markdown cells. */
export function statedDuration(nb: Notebook): string | null {
  const meta = nb.metadata?.gradient_lab?.duration;
  if (typeof meta === "string" && meta.trim()) return meta.trim();
  const texts = nb.cells.filter((c) => c.cell_type === "markdown").slice(0, 3).map(cellSource);
  for (const text of texts) {
    const m = /\btakes?\s+(?:about|around|roughly|approximately|some)?\s*(\d+(?:\s*(?:–|-|to)\s*\d+)?)\s*(minutes?|mins?|hours?|h)\b/i.exec(text);
    if (m) {
      const unit = /^h/i.test(m[2]) ? (m[1] === "1" ? "hour" : "hours") : "min";
      return `${m[1].replace(/\s*(?:-|to)\s*/, "–")} ${unit}`;
    }
  }
  return null;
}

const MENTIONS_OTHER_LESSON = /\.ipynb|\b(?:notebook|lesson)s?\s+\d|\bprevious (?:notebook|lesson)|\blast (?:notebook|lesson)/i;

/**
 * One sentence about the lesson: `metadata.gradient_lab.summary` when set, else the first sentence
 * of the introduction (the first paragraph after the title) that stands on its own: one that does
 * not point to another notebook and is not a short link sentence.
 */
export function summarySource(nb: Notebook): string {
  const meta = nb.metadata?.gradient_lab?.summary;
  if (typeof meta === "string" && meta.trim()) return meta.trim();
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    const paragraphs = cellSource(cell).split(/\n\s*\n/).map((p) => p.trim());
    const intro = paragraphs.find((p) => p && !/^(#|[-*+] |\d+[.)] |>|\||<|\$\$|```)/.test(p));
    if (!intro) continue;
    const sentences = intro.replace(/\s*\n\s*/g, " ").split(/(?<=[.!?])\s+(?=[A-Z*_`$(“"])/);
    const standalone = sentences.filter((s) => !MENTIONS_OTHER_LESSON.test(s));
    return standalone.find((s) => s.length >= 60) ?? standalone[0] ?? sentences[0];
  }
  return "";
}

/** The index entry of a notebook. */
export function lessonInfo(nb: Notebook, notebookName: string, page: string, markdown = new MarkdownRenderer()): LessonInfo {
  const heading = firstHeading(nb) ?? notebookName.replace(/\.ipynb$/, "");
  const summary = summarySource(nb);
  return {
    page,
    notebook: notebookName,
    title: markdown.plainInline(heading),
    titleHtml: markdown.renderInline(heading),
    summary: summary ? markdown.plainInline(summary) : "",
    summaryHtml: summary ? markdown.renderInline(summary) : "",
    duration: statedDuration(nb),
  };
}

const IMAGE_TYPES: Record<string, string> = { ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp" };

/** Renders an executed notebook as the body of its page. */
export function renderLesson(opts: LessonOptions): RenderedLesson {
  const { notebook: nb, notebookPath, page, pageOf } = opts;
  const notebookName = page.replace(/\.html$/, ".ipynb");
  const ctx = newMarkdownContext();
  const markdown = new MarkdownRenderer(ctx);
  const stats: OutputStats = { figures: 0, images: 0 };
  const mathProblems: RenderedLesson["mathProblems"] = [];
  const remoteImages: RenderedLesson["remoteImages"] = [];
  let figureCount = 0;
  const outputContext = { markdown, stats, nextFigureId: () => `figure-${++figureCount}`, hidePaths: opts.hidePaths };
  let cellNumber = 0;

  ctx.rewriteLink = (href) => {
    const m = /^([^:/?#]+\.ipynb)(#.*)?$/.exec(href);
    if (m && pageOf.has(decodeURIComponent(m[1]))) return pageOf.get(decodeURIComponent(m[1]))! + (m[2] ?? "");
    return href;
  };

  const cells: string[] = [];
  nb.cells.forEach((cell, index) => {
    cellNumber = index + 1;
    const cellTags = tags(cell);
    if (cellTags.includes("remove-cell")) return;
    const problemsBefore = ctx.problems.length;
    const id = `cell-${index + 1}`;
    if (cell.cell_type === "markdown") {
      ctx.rewriteImage = (src) => {
        if (src.startsWith("attachment:")) {
          const bundle = cell.attachments?.[decodeURIComponent(src.slice("attachment:".length))];
          const mime = bundle && Object.keys(bundle).find((k) => k.startsWith("image/"));
          return mime ? `data:${mime};base64,${joinText(bundle[mime]).replace(/\s+/g, "")}` : src;
        }
        if (/^[a-z][a-z0-9+.-]*:/i.test(src) || src.startsWith("//")) {
          if (!src.startsWith("data:")) remoteImages.push({ src, cell: cellNumber });
          return src;
        }
        const file = path.resolve(path.dirname(notebookPath), decodeURIComponent(src.split(/[?#]/)[0]));
        const mime = IMAGE_TYPES[path.extname(file).toLowerCase()];
        if (mime && fs.existsSync(file)) return `data:${mime};base64,${fs.readFileSync(file).toString("base64")}`;
        return src;
      };
      cells.push(`<section class="cell markdown-cell" id="${id}">${markdown.render(cellSource(cell))}</section>`);
    } else if (cell.cell_type === "code") {
      const source = cellSource(cell);
      const shown = opts.withSolutions ? source : hideSolutions(source);
      const parts = [`<section class="cell code-cell" id="${id}">`];
      if (!cellTags.includes("remove-input") && shown.trim()) {
        const count = cell.execution_count ?? " ";
        parts.push(
          `<div class="input"><div class="prompt" aria-hidden="true">[${escapeHtml(String(count))}]</div>`,
          `<pre class="source"><code class="hljs language-typescript">${highlight(shown)}</code></pre></div>`,
        );
      }
      const outputs = cellTags.includes("remove-output") ? [] : (cell.outputs ?? []).map((o) => renderOutput(o, outputContext)).filter(Boolean);
      if (outputs.length) parts.push(`<div class="outputs">${outputs.join("\n")}</div>`);
      parts.push(`</section>`);
      cells.push(parts.join("\n"));
    } else if (cell.cell_type === "raw" && /html/i.test(String(cell.metadata?.format ?? cell.metadata?.raw_mimetype ?? ""))) {
      cells.push(`<section class="cell raw-cell" id="${id}">${cellSource(cell)}</section>`);
    }
    for (const problem of ctx.problems.slice(problemsBefore)) mathProblems.push({ ...problem, cell: index + 1 });
  });

  const info = lessonInfo(nb, notebookName, page, new MarkdownRenderer(newMarkdownContext({ macros: ctx.macros })));
  return { info, body: cells.join("\n"), stats, mathProblems, remoteImages };
}

/** The `<head>` and page frame shared by all pages. */
function frame(opts: { title: string; body: string; scripts?: string[]; description?: string }): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)}</title>
${opts.description ? `<meta name="description" content="${escapeHtml(opts.description)}">\n` : ""}<link rel="stylesheet" href="assets/katex/katex.min.css">
<link rel="stylesheet" href="assets/highlight.css">
<link rel="stylesheet" href="assets/site.css">
</head>
<body>
${opts.body}
${(opts.scripts ?? []).map((src) => `<script src="${src}"></script>`).join("\n")}
</body>
</html>
`;
}

function header(current: string | null): string {
  return `<header class="site-header"><div class="bar">
<a class="site-name" href="index.html"${current === null ? ' aria-current="page"' : ""}>${SITE_NAME}</a>
<nav class="header-nav" aria-label="Site"><a href="index.html#course">Course map</a></nav>
</div></header>`;
}

function pager(prev: LessonInfo | null, next: LessonInfo | null, where: "top" | "bottom"): string {
  const link = (lesson: LessonInfo | null, rel: "prev" | "next") =>
    lesson
      ? `<a class="pager-${rel}" rel="${rel}" href="${escapeHtml(lesson.page)}"><span class="pager-label">${rel === "prev" ? "← Previous" : "Next →"}</span><span class="pager-title">${lesson.titleHtml}</span></a>`
      : `<span class="pager-${rel} pager-none"></span>`;
  return `<nav class="pager pager-${where}" aria-label="Lessons">${link(prev, "prev")}<a class="pager-index" href="index.html">All lessons</a>${link(next, "next")}</nav>`;
}

/** The complete HTML of a lesson page. */
export function lessonPage(lesson: RenderedLesson, prev: LessonInfo | null, next: LessonInfo | null): string {
  const { info } = lesson;
  const meta = [info.notebook];
  if (info.duration) meta.push(`about ${info.duration}`);
  const body = `${header(info.page)}
<div class="page">
${pager(prev, next, "top")}
<p class="lesson-meta">${meta.map(escapeHtml).join(" · ")} · <a class="run-in-browser" href="${escapeHtml(liteLessonHref(info.notebook))}">Run this lesson in your browser</a> · <a href="notebooks/${escapeHtml(encodeURIComponent(info.notebook))}" download>Download the notebook</a></p>
<main class="notebook">
${lesson.body}
</main>
${pager(prev, next, "bottom")}
</div>
<footer class="site-footer"><div class="bar">The lesson <code>${escapeHtml(info.notebook)}</code>, run top to bottom in a TypeScript kernel. To run it yourself, <a href="${escapeHtml(liteLessonHref(info.notebook))}">run it in your browser</a> (nothing to install), or open it in JupyterLab with <code>npm start</code>.</div></footer>`;
  const scripts = lesson.stats.figures > 0 ? ["assets/plotly.min.js", "assets/figures.js"] : [];
  return frame({ title: `${info.title} — ${SITE_NAME}`, body, scripts, description: info.summary });
}

/** The number a notebook's file name starts with ("01" of 01-chain-rule.ipynb), or "". */
function lessonNumber(lesson: LessonInfo): string {
  return /^(\d+)[-_ .]/.exec(lesson.notebook)?.[1] ?? "";
}

/** The complete HTML of the index page: the course map. */
export function indexPage(lessons: LessonInfo[]): string {
  const items = lessons
    .map(
      (lesson) => `<li class="course-item${lessonNumber(lesson) ? " numbered" : ""}">
${lessonNumber(lesson) ? `<span class="course-number" aria-hidden="true">${lessonNumber(lesson)}</span>` : ""}<a class="course-link" href="${escapeHtml(lesson.page)}">${lesson.titleHtml}</a>
${lesson.summaryHtml ? `<p class="course-summary">${lesson.summaryHtml}</p>` : ""}
<p class="course-meta">${lesson.duration ? `<span class="course-duration">about ${escapeHtml(lesson.duration)}</span> · ` : ""}<a href="notebooks/${escapeHtml(encodeURIComponent(lesson.notebook))}" download>${escapeHtml(lesson.notebook)}</a></p>
</li>`,
    )
    .join("\n");
  const first = lessons[0];
  const body = `${header(null)}
<div class="page">
<main class="index">
<h1>${SITE_NAME}</h1>
<p class="tagline">${escapeHtml(TAGLINE)}</p>
<p>Each lesson is a Jupyter notebook written in TypeScript. These pages show every notebook as it runs from top to bottom: the text, the code and what the code printed and drew. To run and change the code yourself, download a notebook, or clone the project and run <code>npm start</code>.</p>
${first ? `<p><a class="start" href="${escapeHtml(first.page)}">Start with “${escapeHtml(first.title)}” →</a></p>` : ""}
<h2 id="course">Course map</h2>
<ol class="course-map">
${items}
</ol>
</main>
</div>`;
  return frame({ title: `${SITE_NAME} — course map`, body, description: TAGLINE });
}
