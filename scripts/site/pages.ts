/**
 * The pages of the exported site: one per lesson (the executed notebook as HTML, with its
 * Markdown, highlighted code and outputs) and an index with the course map. Everything is rendered
 * here at build time; a page loads only the site's shared assets.
 */
import fs from "node:fs";
import path from "node:path";
import hljs from "highlight.js/lib/core";
import typescript from "highlight.js/lib/languages/typescript";
import type { Language } from "../../kernel-lib/src/messages";
import { cellSource, Notebook, NotebookCell } from "../jupyter/runner";
import { MarkdownRenderer, MathProblem, newMarkdownContext } from "./markdown";
import { liteLessonHref } from "./lite";
import { escapeHtml, joinText, OutputStats, renderOutput } from "./outputs";

hljs.registerLanguage("typescript", typescript);

/** The site's name, shown in every page's header. */
export const SITE_NAME = "Gradient Lab";

/** The words of the site's own frame (header, pager, index, footer), in each language of the course. */
const SITE_TEXT = {
  en: {
    tagline:
      "A TypeScript course on why deep networks stop learning: the chain rule, vanishing gradients, ReLU and dead neurons.",
    courseMap: "Course map",
    courseMapTitle: "course map",
    previous: "← Previous",
    next: "Next →",
    allLessons: "All lessons",
    runInBrowser: "Run this lesson in your browser",
    download: "Download the notebook",
    about: (duration: string) => `about ${duration}`,
    footer: (notebook: string, lite: string) =>
      `The lesson <code>${notebook}</code>, run top to bottom in a TypeScript kernel. To run it yourself, <a href="${lite}">run it in your browser</a> (nothing to install), or open it in JupyterLab with <code>npm start</code>.`,
    intro:
      "Each lesson is a Jupyter notebook written in TypeScript. These pages show every notebook as it runs from top to bottom: the text, the code and what the code printed and drew. To run and change the code yourself, download a notebook, or clone the project and run <code>npm start</code>.",
    startWith: (title: string) => `Start with “${title}” →`,
    solutionHidden: "// Your code here. (The reference solution is not shown on this site.)",
    otherLanguage: "Read this in English",
  },
  ko: {
    tagline:
      "깊은 신경망이 왜 학습을 멈추는지 다루는 TypeScript 강좌: 연쇄 법칙, 기울기 소실, ReLU, 죽은 뉴런.",
    courseMap: "강좌 지도",
    courseMapTitle: "강좌 지도",
    previous: "← 이전",
    next: "다음 →",
    allLessons: "모든 강의",
    runInBrowser: "브라우저에서 이 강의 실행하기",
    download: "노트북 내려받기",
    about: (duration: string) => `약 ${duration.replace(/ min$/, "분").replace(/ hours?$/, "시간")}`,
    footer: (notebook: string, lite: string) =>
      `TypeScript 커널에서 처음부터 끝까지 실행한 강의 <code>${notebook}</code> 입니다. 직접 실행하려면 <a href="${lite}">브라우저에서 실행</a>하거나(설치할 것이 없습니다), <code>npm start -- --ko</code> 로 JupyterLab에서 여세요.`,
    intro:
      "각 강의는 TypeScript로 쓴 Jupyter 노트북입니다. 이 페이지들은 모든 노트북을 처음부터 끝까지 실행한 모습, 곧 글과 코드, 그리고 코드가 출력하고 그린 것을 보여 줍니다. 코드를 직접 실행하고 바꿔 보려면 노트북을 내려받거나, 프로젝트를 복제하고 <code>npm start -- --ko</code> 를 실행하세요.",
    startWith: (title: string) => `“${title}”부터 시작하기 →`,
    solutionHidden: "// 여기에 코드를 작성하세요. (참고 답안은 이 사이트에 보이지 않습니다.)",
    otherLanguage: "한국어로 읽기",
  },
};

/** A link to the same page in the course's other language. */
export interface LanguageSwitch {
  /** The address, relative to the page. */
  href: string;
  /** The language it leads to. */
  language: Language;
}

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
  /** The language the lesson is written in. */
  language: Language;
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
  /** The notebook's path below the notebooks folder, with `/` (default: the page's name with `.ipynb`). */
  notebookName?: string;
  /** The language the lesson is written in (default English): the site's own words follow it. */
  language?: Language;
}

const SOLUTION_BEGIN = /^(\s*)\/\/\s*BEGIN SOLUTION\b/;
const SOLUTION_END = /^\s*\/\/\s*END SOLUTION\b/;

/** Code with each reference solution replaced by a one-line placeholder comment. */
export function hideSolutions(code: string, placeholder: string = SITE_TEXT.en.solutionHidden): string {
  const out: string[] = [];
  let inside = false;
  for (const line of code.split("\n")) {
    const begin = SOLUTION_BEGIN.exec(line);
    if (!inside && begin) {
      inside = true;
      out.push(`${begin[1]}${placeholder}`);
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
  const texts = nb.cells
    .filter((c) => c.cell_type === "markdown")
    .slice(0, 3)
    .map(cellSource);
  for (const text of texts) {
    const m =
      /\btakes?\s+(?:about|around|roughly|approximately|some)?\s*(\d+(?:\s*(?:–|-|to)\s*\d+)?)\s*(minutes?|mins?|hours?|h)\b/i.exec(
        text,
      ) ?? /(\d+(?:\s*(?:–|-|~)\s*\d+)?)\s*(분|시간)(?:쯤|정도|가량)?\s*걸립니다/.exec(text);
    if (m) {
      const unit = /^h|시간/i.test(m[2]) ? (m[1] === "1" ? "hour" : "hours") : "min";
      return `${m[1].replace(/\s*(?:-|to)\s*/, "–")} ${unit}`;
    }
  }
  return null;
}

const MENTIONS_OTHER_LESSON =
  /\.ipynb|\b(?:notebook|lesson)s?\s+\d|\bprevious (?:notebook|lesson)|\blast (?:notebook|lesson)/i;

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
    const paragraphs = cellSource(cell)
      .split(/\n\s*\n/)
      .map((p) => p.trim());
    const intro = paragraphs.find((p) => p && !/^(#|[-*+] |\d+[.)] |>|\||<|\$\$|```)/.test(p));
    if (!intro) continue;
    const sentences = intro.replace(/\s*\n\s*/g, " ").split(/(?<=[.!?])\s+(?=[A-Z*_`$(“"\uac00-\ud7af])/);
    const standalone = sentences.filter((s) => !MENTIONS_OTHER_LESSON.test(s));
    // Hangul says in about 30 characters what English says in 60.
    return (
      standalone.find((s) => s.length >= (/[\uac00-\ud7af]/.test(s) ? 30 : 60)) ??
      standalone[0] ??
      sentences[0]
    );
  }
  return "";
}

/** The index entry of a notebook. */
export function lessonInfo(
  nb: Notebook,
  notebookName: string,
  page: string,
  markdown = new MarkdownRenderer(),
  language: Language = "en",
): LessonInfo {
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
    language,
  };
}

const IMAGE_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".svg": "image/svg+xml",
  ".webp": "image/webp",
};

/** Renders an executed notebook as the body of its page. */
export function renderLesson(opts: LessonOptions): RenderedLesson {
  const { notebook: nb, notebookPath, page, pageOf } = opts;
  const notebookName = opts.notebookName ?? page.replace(/\.html$/, ".ipynb");
  const language = opts.language ?? "en";
  const ctx = newMarkdownContext();
  const markdown = new MarkdownRenderer(ctx);
  const stats: OutputStats = { figures: 0, images: 0 };
  const mathProblems: RenderedLesson["mathProblems"] = [];
  const remoteImages: RenderedLesson["remoteImages"] = [];
  let figureCount = 0;
  const outputContext = {
    markdown,
    stats,
    nextFigureId: () => `figure-${++figureCount}`,
    hidePaths: opts.hidePaths,
  };
  let cellNumber = 0;

  ctx.rewriteLink = (href) => {
    const m = /^([^:/?#]+\.ipynb)(#.*)?$/.exec(href);
    if (m && pageOf.has(decodeURIComponent(m[1])))
      return pageOf.get(decodeURIComponent(m[1]))! + (m[2] ?? "");
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
        if (mime && fs.existsSync(file))
          return `data:${mime};base64,${fs.readFileSync(file).toString("base64")}`;
        return src;
      };
      cells.push(
        `<section class="cell markdown-cell" id="${id}">${markdown.render(cellSource(cell))}</section>`,
      );
    } else if (cell.cell_type === "code") {
      const source = cellSource(cell);
      const shown = opts.withSolutions ? source : hideSolutions(source, SITE_TEXT[language].solutionHidden);
      const parts = [`<section class="cell code-cell" id="${id}">`];
      if (!cellTags.includes("remove-input") && shown.trim()) {
        const count = cell.execution_count ?? " ";
        parts.push(
          `<div class="input"><div class="prompt" aria-hidden="true">[${escapeHtml(String(count))}]</div>`,
          `<pre class="source"><code class="hljs language-typescript">${highlight(shown)}</code></pre></div>`,
        );
      }
      const outputs = cellTags.includes("remove-output")
        ? []
        : (cell.outputs ?? []).map((o) => renderOutput(o, outputContext)).filter(Boolean);
      if (outputs.length) parts.push(`<div class="outputs">${outputs.join("\n")}</div>`);
      parts.push(`</section>`);
      cells.push(parts.join("\n"));
    } else if (
      cell.cell_type === "raw" &&
      /html/i.test(String(cell.metadata?.format ?? cell.metadata?.raw_mimetype ?? ""))
    ) {
      cells.push(`<section class="cell raw-cell" id="${id}">${cellSource(cell)}</section>`);
    }
    for (const problem of ctx.problems.slice(problemsBefore))
      mathProblems.push({ ...problem, cell: index + 1 });
  });

  const info = lessonInfo(
    nb,
    notebookName,
    page,
    new MarkdownRenderer(newMarkdownContext({ macros: ctx.macros })),
    language,
  );
  return { info, body: cells.join("\n"), stats, mathProblems, remoteImages };
}

/**
 * The `<head>` and page frame shared by all pages; `root` leads from the page to the site's root ("" or
 * "../").
 */
function frame(opts: {
  title: string;
  body: string;
  scripts?: string[];
  description?: string;
  language: Language;
  root: string;
}): string {
  return `<!DOCTYPE html>
<html lang="${opts.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)}</title>
${opts.description ? `<meta name="description" content="${escapeHtml(opts.description)}">\n` : ""}<link rel="stylesheet" href="${opts.root}assets/katex/katex.min.css">
<link rel="stylesheet" href="${opts.root}assets/highlight.css">
<link rel="stylesheet" href="${opts.root}assets/site.css">
</head>
<body>
${opts.body}
${(opts.scripts ?? []).map((src) => `<script src="${opts.root}${src}"></script>`).join("\n")}
</body>
</html>
`;
}

function header(current: string | null, language: Language, other: LanguageSwitch | null): string {
  const text = SITE_TEXT[language];
  const switchLink = other
    ? ` <a class="language-switch" href="${escapeHtml(other.href)}" hreflang="${other.language}" lang="${other.language}">${escapeHtml(SITE_TEXT[other.language].otherLanguage)}</a>`
    : "";
  return `<header class="site-header"><div class="bar">
<a class="site-name" href="index.html"${current === null ? ' aria-current="page"' : ""}>${SITE_NAME}</a>
<nav class="header-nav" aria-label="Site"><a href="index.html#course">${text.courseMap}</a>${switchLink}</nav>
</div></header>`;
}

function pager(
  prev: LessonInfo | null,
  next: LessonInfo | null,
  where: "top" | "bottom",
  language: Language,
): string {
  const text = SITE_TEXT[language];
  const link = (lesson: LessonInfo | null, rel: "prev" | "next") =>
    lesson
      ? `<a class="pager-${rel}" rel="${rel}" href="${escapeHtml(lesson.page)}"><span class="pager-label">${rel === "prev" ? text.previous : text.next}</span><span class="pager-title">${lesson.titleHtml}</span></a>`
      : `<span class="pager-${rel} pager-none"></span>`;
  return `<nav class="pager pager-${where}" aria-label="Lessons">${link(prev, "prev")}<a class="pager-index" href="index.html">${text.allLessons}</a>${link(next, "next")}</nav>`;
}

/** Options of the page builders for an edition of the course in a folder of the site. */
export interface PageOptions {
  /** From the page to the site's root: "" for the English edition, "../" for one in a folder. */
  root?: string;
  /** The same page in the other language, if the course has one. */
  other?: LanguageSwitch | null;
}

/** The complete HTML of a lesson page. */
export function lessonPage(
  lesson: RenderedLesson,
  prev: LessonInfo | null,
  next: LessonInfo | null,
  opts: PageOptions = {},
): string {
  const { info } = lesson;
  const root = opts.root ?? "";
  const text = SITE_TEXT[info.language];
  const meta = [info.notebook];
  if (info.duration) meta.push(text.about(info.duration));
  const lite = escapeHtml(root + liteLessonHref(info.notebook));
  const download = `${root}notebooks/${info.notebook.split("/").map(encodeURIComponent).join("/")}`;
  const body = `${header(info.page, info.language, opts.other ?? null)}
<div class="page">
${pager(prev, next, "top", info.language)}
<p class="lesson-meta">${meta.map(escapeHtml).join(" · ")} · <a class="run-in-browser" href="${lite}">${text.runInBrowser}</a> · <a href="${escapeHtml(download)}" download>${text.download}</a></p>
<main class="notebook">
${lesson.body}
</main>
${pager(prev, next, "bottom", info.language)}
</div>
<footer class="site-footer"><div class="bar">${text.footer(escapeHtml(info.notebook), lite)}</div></footer>`;
  const scripts = lesson.stats.figures > 0 ? ["assets/plotly.min.js", "assets/figures.js"] : [];
  return frame({
    title: `${info.title} — ${SITE_NAME}`,
    body,
    scripts,
    description: info.summary,
    language: info.language,
    root,
  });
}

/** The number a notebook's file name starts with ("01" of 01-chain-rule.ipynb), or "". */
function lessonNumber(lesson: LessonInfo): string {
  return /^(\d+)[-_ .]/.exec(path.posix.basename(lesson.notebook))?.[1] ?? "";
}

/** The complete HTML of the index page of an edition: the course map. */
export function indexPage(lessons: LessonInfo[], opts: PageOptions & { language?: Language } = {}): string {
  const language = opts.language ?? lessons[0]?.language ?? "en";
  const root = opts.root ?? "";
  const text = SITE_TEXT[language];
  const items = lessons
    .map(
      (lesson) => `<li class="course-item${lessonNumber(lesson) ? " numbered" : ""}">
${lessonNumber(lesson) ? `<span class="course-number" aria-hidden="true">${lessonNumber(lesson)}</span>` : ""}<a class="course-link" href="${escapeHtml(lesson.page)}">${lesson.titleHtml}</a>
${lesson.summaryHtml ? `<p class="course-summary">${lesson.summaryHtml}</p>` : ""}
<p class="course-meta">${lesson.duration ? `<span class="course-duration">${escapeHtml(text.about(lesson.duration))}</span> · ` : ""}<a href="${escapeHtml(`${root}notebooks/${lesson.notebook.split("/").map(encodeURIComponent).join("/")}`)}" download>${escapeHtml(path.posix.basename(lesson.notebook))}</a></p>
</li>`,
    )
    .join("\n");
  const first = lessons[0];
  const body = `${header(null, language, opts.other ?? null)}
<div class="page">
<main class="index">
<h1>${SITE_NAME}</h1>
<p class="tagline">${escapeHtml(text.tagline)}</p>
<p>${text.intro}</p>
${first ? `<p><a class="start" href="${escapeHtml(first.page)}">${escapeHtml(text.startWith(first.title))}</a></p>` : ""}
<h2 id="course">${text.courseMap}</h2>
<ol class="course-map">
${items}
</ol>
</main>
</div>`;
  return frame({
    title: `${SITE_NAME} — ${text.courseMapTitle}`,
    body,
    description: text.tagline,
    language,
    root,
  });
}
