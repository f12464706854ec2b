/**
 * Markdown cells to HTML at build time: markdown-it (CommonMark + tables + raw HTML such as the
 * lessons' `<details>` hints) with the mathematics typeset by KaTeX on the server, so a page needs
 * KaTeX's CSS and fonts but no script.
 *
 * Math is recognised before any other inline rule sees it, so `_`, `*`, `\\` and `\{` inside
 * `$…$` reach KaTeX untouched: `$…$` inline (Pandoc's rule: no space just inside the dollars, no
 * digit right after the closing one), `$$…$$` displayed, inline or as a block of its own lines
 * (which may span blank lines). `\$` is a literal dollar, and code spans and fences are left alone.
 */
import katex from "katex";
import MarkdownIt from "markdown-it";

/** A markdown-it instance. */
type Markdown = InstanceType<typeof MarkdownIt>;

/** A formula KaTeX could not typeset; the page shows its source in red instead. */
export interface MathProblem {
  tex: string;
  message: string;
}

/** What one render of a notebook's Markdown needs and reports. */
export interface MarkdownContext {
  /**
   * `\gdef` / `\newcommand` definitions, shared by all cells of one notebook (as MathJax does in JupyterLab).
   */
  macros: Record<string, string>;
  /** Formulas that failed, for the exporter to report. */
  problems: MathProblem[];
  /**
   * Rewrites a link target (e.g. `02-x.ipynb` → `02-x.html`); returns it unchanged when there is nothing to
   * do.
   */
  rewriteLink?: (href: string) => string;
  /** Rewrites an image source (e.g. a cell attachment or a local file → a data: URL). */
  rewriteImage?: (src: string) => string;
}

/** A fresh context for one notebook. */
export function newMarkdownContext(partial: Partial<MarkdownContext> = {}): MarkdownContext {
  return { macros: {}, problems: [], ...partial };
}

const DOLLAR = 0x24;
const BACKSLASH = 0x5c;

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** The index of the `$` closing inline math that opens at `start`, or -1. */
function closingDollar(src: string, start: number, max: number): number {
  for (let i = start + 1; i < max; i++) {
    const code = src.charCodeAt(i);
    if (code === BACKSLASH) {
      i++; // `\$`, `\\`, `\{` … belong to the formula
      continue;
    }
    if (code !== DOLLAR) continue;
    if (i === start + 1) return -1; // `$$` is handled elsewhere
    if (isSpace(src.charCodeAt(i - 1))) continue;
    if (i + 1 < max && isDigit(src.charCodeAt(i + 1))) continue;
    return i;
  }
  return -1;
}

function mathInline(state: MarkdownIt.StateInline, silent: boolean): boolean {
  const { src, pos, posMax } = state;
  if (src.charCodeAt(pos) !== DOLLAR) return false;
  if (src.charCodeAt(pos + 1) === DOLLAR) {
    const end = src.indexOf("$$", pos + 2);
    if (end < 0 || end + 2 > posMax || src.slice(pos + 2, end).trim() === "") return false;
    if (!silent) {
      const token = state.push("math_display", "math", 0);
      token.content = src.slice(pos + 2, end);
      token.markup = "$$";
    }
    state.pos = end + 2;
    return true;
  }
  if (pos + 1 >= posMax || isSpace(src.charCodeAt(pos + 1))) return false;
  const end = closingDollar(src, pos, posMax);
  if (end < 0) return false;
  // Punctuation right after the formula stays on its line (KaTeX's boxes allow a break before it).
  const trailing = /^[.,;:!?)\]\u2019\u201d]+/.exec(src.slice(end + 1, posMax))?.[0] ?? "";
  if (!silent) {
    const token = state.push("math_inline", "math", 0);
    token.content = src.slice(pos + 1, end);
    token.markup = "$";
    token.meta = { trailing };
  }
  state.pos = end + 1 + trailing.length;
  return true;
}

/** `$$` at the start of a line, up to the line that ends with `$$` (nothing may follow it). */
function mathBlock(
  state: MarkdownIt.StateBlock,
  startLine: number,
  endLine: number,
  silent: boolean,
): boolean {
  let pos = state.bMarks[startLine] + state.tShift[startLine];
  let max = state.eMarks[startLine];
  if (state.sCount[startLine] - state.blkIndent >= 4) return false;
  if (pos + 2 > max || state.src.slice(pos, pos + 2) !== "$$") return false;
  const first = state.src.slice(pos + 2, max);
  let content: string;
  let last = startLine;
  const closeOnFirst = first.trimEnd().endsWith("$$") && first.trim().length >= 2;
  if (closeOnFirst) {
    const inner = first.trimEnd().slice(0, -2);
    if (inner.includes("$$")) return false; // `$$a$$ text $$b$$`: inline
    content = inner;
  } else {
    if (first.includes("$$")) return false; // `$$a$$ and more`: inline
    const lines = [first];
    let found = false;
    for (let line = startLine + 1; line < endLine; line++) {
      pos = state.bMarks[line] + state.tShift[line];
      max = state.eMarks[line];
      const text = state.src.slice(pos, max);
      const close = text.indexOf("$$");
      if (close >= 0) {
        if (text.slice(close + 2).trim() !== "") return false;
        lines.push(text.slice(0, close));
        last = line;
        found = true;
        break;
      }
      lines.push(state.src.slice(state.bMarks[line], max));
    }
    if (!found) return false;
    content = lines.join("\n");
  }
  if (content.trim() === "") return false;
  if (silent) return true;
  state.line = last + 1;
  const token = state.push("math_block", "math", 0);
  token.block = true;
  token.content = content;
  token.map = [startLine, state.line];
  token.markup = "$$";
  return true;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Typesets `tex` with KaTeX; on a parse error records it and returns the source marked as broken. */
export function typeset(tex: string, displayMode: boolean, ctx: MarkdownContext): string {
  try {
    return katex.renderToString(tex, {
      displayMode,
      throwOnError: true,
      macros: ctx.macros,
      globalGroup: true,
      // MathJax in JupyterLab accepts Unicode letters such as σ in math; so do the pages.
      strict: "ignore",
      output: "htmlAndMathml",
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    ctx.problems.push({ tex, message });
    const shown = displayMode ? `$$${tex}$$` : `$${tex}$`;
    return `<span class="math-error" title="${escapeHtml(message)}">${escapeHtml(shown)}</span>`;
  }
}

/** A markdown-it instance with math, rendering against `getContext()` (the notebook being exported). */
export function createMarkdown(getContext: () => MarkdownContext): Markdown {
  const md = new MarkdownIt({ html: true, linkify: false, typographer: false });
  md.inline.ruler.before("escape", "math_inline", mathInline);
  md.block.ruler.before("fence", "math_block", mathBlock, {
    alt: ["paragraph", "reference", "blockquote", "list"],
  });
  md.renderer.rules.math_inline = (tokens, idx) => {
    const html = typeset(tokens[idx].content, false, getContext());
    const trailing = String(tokens[idx].meta?.trailing ?? "");
    return trailing ? `<span class="math-nowrap">${html}${escapeHtml(trailing)}</span>` : html;
  };
  md.renderer.rules.math_display = (tokens, idx) => typeset(tokens[idx].content, true, getContext());
  md.renderer.rules.math_block = (tokens, idx) =>
    `<div class="math-block">${typeset(tokens[idx].content, true, getContext())}</div>\n`;

  const defaultLinkOpen =
    md.renderer.rules.link_open ??
    ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    const href = token.attrGet("href");
    const rewrite = getContext().rewriteLink;
    if (href !== null && rewrite) token.attrSet("href", rewrite(String(href)));
    return defaultLinkOpen(tokens, idx, options, env, self);
  };
  const defaultImage = md.renderer.rules.image!;
  md.renderer.rules.image = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    const src = token.attrGet("src");
    const rewrite = getContext().rewriteImage;
    if (src !== null && rewrite) token.attrSet("src", rewrite(String(src)));
    return defaultImage(tokens, idx, options, env, self);
  };
  // Headings get ids, so a lesson's sections can be linked to.
  md.core.ruler.push("heading_ids", (state) => {
    const used: Set<string> =
      (state.env as { usedIds?: Set<string> } | undefined)?.usedIds ?? new Set<string>();
    const tokens = state.tokens;
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i].type !== "heading_open") continue;
      const text =
        tokens[i + 1]?.children
          ?.filter((t) => t.type === "text" || t.type === "code_inline")
          .map((t) => t.content)
          .join("") ?? "";
      const base = slug(text) || "section";
      let id = base;
      for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
      used.add(id);
      tokens[i].attrSet("id", id);
    }
  });
  return md;
}

/** A URL fragment for a heading: lower case letters, digits and dashes. */
export function slug(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * Renders a notebook's Markdown with one shared markdown-it and context: `render(text)` for a
 * cell, with heading ids unique across the whole page.
 */
export class MarkdownRenderer {
  private readonly md: Markdown;
  private readonly usedIds = new Set<string>();

  constructor(readonly ctx: MarkdownContext = newMarkdownContext()) {
    this.md = createMarkdown(() => this.ctx);
  }

  /** The HTML of one Markdown cell's text. */
  render(text: string): string {
    return this.md.render(text, { usedIds: this.usedIds });
  }

  /** The plain text of one line of Markdown (for titles and summaries): math kept as its TeX. */
  plainInline(text: string): string {
    const tokens = this.md.parseInline(text, {})[0]?.children ?? [];
    return tokens
      .map((t: MarkdownIt.Token) =>
        t.type === "math_inline"
          ? `$${t.content}$${t.meta?.trailing ?? ""}`
          : t.type === "softbreak" || t.type === "hardbreak"
            ? " "
            : t.content,
      )
      .join("")
      .replace(/\s+/g, " ")
      .trim();
  }

  /** The HTML of one line of Markdown without a surrounding paragraph (titles and summaries). */
  renderInline(text: string): string {
    return this.md.renderInline(text, { usedIds: this.usedIds });
  }
}
