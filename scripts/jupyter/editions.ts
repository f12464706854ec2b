/**
 * The course's editions: the English lessons in notebooks/ and the Korean ones in notebooks/ko/,
 * with the same file names and the same code cells (see test/notebooks/editions.test.ts). A
 * notebook's language is read from its Markdown, so it holds for a learner's submission wherever
 * the file was saved and whatever it is called.
 */
import ts from "typescript";
import type { Language } from "../../kernel-lib/src/messages";
import { cellSource, Notebook } from "./runner";

/** One edition of the course. */
export interface Edition {
  /** Its language, as kernel-lib's `setLanguage` takes it. */
  language: Language;
  /** Its folder inside notebooks/ ("" for the English lessons). */
  dir: string;
  /** Its name, in its own language (for the website's language switch). */
  name: string;
}

/** Every edition, English first. */
export const EDITIONS: readonly Edition[] = [
  { language: "en", dir: "", name: "English" },
  { language: "ko", dir: "ko", name: "한국어" },
];

/** The edition whose folder is `language`'s. */
export function edition(language: Language): Edition {
  return EDITIONS.find((e) => e.language === language)!;
}

/**
 * The edition a notebook belongs to, from its path relative to notebooks/ ("ko/01-chain-rule.ipynb" →
 * Korean).
 */
export function editionOfPath(relative: string): Edition {
  const first = relative.split(/[\\/]/)[0];
  return EDITIONS.find((e) => e.dir !== "" && e.dir === first) ?? EDITIONS[0];
}

/**
 * The line the first code cell of every Korean notebook starts with, so kernel-lib's feedback and figure text
 * are Korean.
 */
export const KOREAN_PRELUDE = 'import { setLanguage } from "kernel-lib";\nsetLanguage("ko");';

/** A word with at least one Hangul syllable or jamo. */
const HANGUL_WORD = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/u;

/**
 * The share of Hangul words among the words of a notebook's Markdown prose, leaving out formulas,
 * code, links and HTML tags, which stay in Latin script in both editions.
 */
export function hangulShare(nb: Notebook): number {
  const prose = nb.cells
    .filter((c) => c.cell_type === "markdown")
    .map((c) => cellSource(c))
    .join("\n")
    .replace(/\$\$[\s\S]*?\$\$|\$[^$\n]*\$/g, " ")
    .replace(/`[^`\n]*`/g, " ")
    .replace(/<[^>]*>|\]\([^)]*\)/g, " ");
  const words = prose.match(/[\p{L}]+/gu) ?? [];
  return words.length === 0 ? 0 : words.filter((w) => HANGUL_WORD.test(w)).length / words.length;
}

/** The language a notebook is written in: Korean when most words of its prose are Hangul. */
export function notebookLanguage(nb: Notebook): Language {
  return hangulShare(nb) > 0.5 ? "ko" : "en";
}

/**
 * A code cell's source as the editions must share it: its tokens with comments dropped, every
 * string and template text replaced by a placeholder (messages and titles may be translated), and,
 * in a Korean notebook's first code cell, the `setLanguage` prelude removed. Two cells that differ
 * in anything else (a name, a number, an operator) give different results.
 */
export function codeSkeleton(source: string): string {
  const text = source.startsWith(KOREAN_PRELUDE) ? source.slice(KOREAN_PRELUDE.length) : source;
  const scanner = ts.createScanner(
    ts.ScriptTarget.Latest,
    /* skipTrivia */ true,
    ts.LanguageVariant.Standard,
    text,
  );
  const tokens: string[] = [];
  // Template literals are scanned piece by piece: after a `}` inside `${…}`, rescan as the template's
  // continuation.
  const braces: ("code" | "template")[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.CloseBraceToken && braces.pop() === "template")
      kind = scanner.reScanTemplateToken(false);
    switch (kind) {
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
        tokens.push("<string>");
        break;
      case ts.SyntaxKind.TemplateHead:
        tokens.push("<template>${");
        braces.push("template");
        break;
      case ts.SyntaxKind.TemplateMiddle:
        tokens.push("}<template>${");
        braces.push("template");
        break;
      case ts.SyntaxKind.TemplateTail:
        tokens.push("}<template>");
        break;
      case ts.SyntaxKind.OpenBraceToken:
        braces.push("code");
        tokens.push("{");
        break;
      default:
        tokens.push(scanner.getTokenText());
    }
  }
  return tokens.join(" ");
}

/** The formulas of a Markdown text ($…$ and $$…$$), in order. */
export function formulas(markdown: string): string[] {
  return markdown.match(/\$\$[\s\S]*?\$\$|\$[^$\n]*\$/g) ?? [];
}

/**
 * How a translated notebook differs from its original beyond what a translation may change: the
 * cells (ids, types, order), the code (see {@link codeSkeleton}), the tags and the formulas. Each
 * problem names the cell and says what to bring in step; none means the two are in step.
 */
export function translationProblems(original: Notebook, translated: Notebook, language: Language): string[] {
  const problems: string[] = [];
  const ids = (nb: Notebook) => nb.cells.map((c) => `${c.id} (${c.cell_type})`);
  if (ids(original).join("\n") !== ids(translated).join("\n")) {
    const missing = ids(original).filter((id) => !ids(translated).includes(id));
    const extra = ids(translated).filter((id) => !ids(original).includes(id));
    problems.push(
      `the cells differ: ${missing.length ? `missing ${missing.join(", ")}` : ""}${missing.length && extra.length ? "; " : ""}${extra.length ? `not in the original ${extra.join(", ")}` : ""}${!missing.length && !extra.length ? "same cells in another order" : ""}; give the translation the original's cells, ids and order`,
    );
    return problems;
  }
  const firstCode = original.cells.findIndex((c) => c.cell_type === "code");
  original.cells.forEach((cell, i) => {
    const other = translated.cells[i];
    if (cell.cell_type === "code") {
      const source = cellSource(other);
      if (language !== "en" && i === firstCode && !source.startsWith(KOREAN_PRELUDE))
        problems.push(
          `cell ${cell.id}: the first code cell must start with ${JSON.stringify(KOREAN_PRELUDE)}`,
        );
      if (codeSkeleton(cellSource(cell)) !== codeSkeleton(source))
        problems.push(
          `cell ${cell.id}: the code differs from the original beyond comments and strings; make the same change in both editions`,
        );
      const tags = (c: typeof cell) => JSON.stringify(c.metadata?.tags ?? []);
      if (tags(cell) !== tags(other))
        problems.push(`cell ${cell.id}: the tags differ (${tags(cell)} against ${tags(other)})`);
    } else if (cell.cell_type === "markdown") {
      const a = formulas(cellSource(cell)),
        b = formulas(cellSource(other));
      const lost = a.filter((f) => !b.includes(f));
      if (lost.length > 0)
        problems.push(
          `cell ${cell.id}: formulas of the original are missing or changed: ${lost.slice(0, 3).join(" ")}`,
        );
    }
  });
  return problems;
}
