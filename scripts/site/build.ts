/**
 * The static site of the course: executes every lesson notebook in a fresh tslab kernel (the same
 * runner as the tests), renders one page per lesson and an index per edition (English at the root,
 * Korean in `ko/`), and writes them with the shared assets (plotly.js once, KaTeX's CSS and fonts,
 * the highlight and site styles).
 *
 * The site is built in a temporary sibling of the output folder and swapped in by renaming, so an
 * export that fails or is interrupted leaves the previous site as it was.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { plotlyPath } from "../../kernel-lib/src/display/plotly-file";
import { ensureJupyterEnv, JupyterEnv } from "../jupyter/env";
import { isAlive, withLock } from "../lib/lock";
import { ROOT } from "../lib/paths";
import { DEFAULT_CELL_TIMEOUT_SECONDS, listNotebooks, Notebook, runNotebook } from "../jupyter/runner";
import { EDITIONS, editionOfPath } from "../jupyter/editions";
import { buildLiteSite, isolationHeaders, LITE_DIR } from "./lite";
import { indexPage, lessonPage, LessonInfo, renderLesson } from "./pages";

/** The file that marks a folder as a site made by the exporter (only such a folder is ever replaced). */
export const SITE_MARKER = ".gradient-lab-site";

/** A problem the user can fix (a lesson that fails, a bad output folder); `message` says what and where. */
export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExportError";
  }
}

/** Options of {@link exportSite}. */
export interface ExportOptions {
  /** The site folder; replaced as a whole when the export succeeds. */
  outDir: string;
  /** Where the notebooks are (default: the project's notebooks/). */
  notebooksDir?: string;
  /** Seconds one cell may run (default: the runner's). */
  timeoutSeconds?: number;
  /** Show the reference solutions of the exercises (default: replaced by a placeholder). */
  withSolutions?: boolean;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** A prepared Jupyter environment (made when absent). */
  jupyter?: JupyterEnv;
}

/** One exported lesson. */
export interface ExportedLesson {
  /** The notebook that was executed. */
  notebookPath: string;
  /** The page, relative to the site folder. */
  page: string;
  title: string;
  /** The executed notebook, outputs included. */
  executed: Notebook;
  /** Plotly figures on the page. */
  figures: number;
  /** SVG and bitmap images on the page. */
  images: number;
  /** Seconds the notebook took to run. */
  seconds: number;
}

/** What {@link exportSite} made. */
export interface ExportResult {
  outDir: string;
  lessons: ExportedLesson[];
  /** Warnings about the content (formulas KaTeX rejected, images from the network). */
  warnings: string[];
  /** Total size of the site's files. */
  bytes: number;
  durationMs: number;
}

/** Temporary folders of exports in progress in this process, removed by {@link cleanUpInterrupted}. */
const inProgress = new Set<string>();

/** Removes the temporary folders of exports still in progress (for a SIGINT handler); synchronous. */
export function cleanUpInterrupted(): void {
  for (const dir of inProgress) fs.rmSync(dir, { recursive: true, force: true });
  inProgress.clear();
}

/** The page file of a notebook: its path in its edition's folder, `/` → `--`, `.ipynb` → `.html`. */
function pageName(inEdition: string): string {
  return inEdition
    .split("/")
    .join("--")
    .replace(/\.ipynb$/, ".html");
}

/**
 * Checks that `outDir` may be replaced: it does not exist, is empty, or holds a previous export
 * (its marker file). Anything else (the project folder, a folder of your own) is refused.
 */
function checkOutDir(outDir: string, notebooksDir: string): void {
  const inside = (child: string, parent: string) => {
    const rel = path.relative(parent, child);
    return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
  };
  if (inside(ROOT, outDir) || inside(notebooksDir, outDir) || inside(outDir, notebooksDir)) {
    throw new ExportError(
      `The output folder ${outDir} contains the project or its notebooks (or is inside the notebooks folder); choose another one with --out.`,
    );
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(outDir);
  } catch {
    return;
  }
  if (!stat.isDirectory())
    throw new ExportError(
      `The output path ${outDir} is a file, not a folder; choose another one with --out.`,
    );
  if (fs.readdirSync(outDir).length > 0 && !fs.existsSync(path.join(outDir, SITE_MARKER))) {
    throw new ExportError(
      `The output folder ${outDir} is not empty and was not made by \`npm run export\` (it has no ${SITE_MARKER} file), so it is left alone: choose another folder with --out, or delete it first.`,
    );
  }
}

/** Removes temporary siblings left by exports that were killed outright (their process is gone). */
function removeStaleTemps(outDir: string): void {
  const parent = path.dirname(outDir);
  const prefix = `.${path.basename(outDir)}.export-`;
  let entries: string[];
  try {
    entries = fs.readdirSync(parent);
  } catch {
    return;
  }
  for (const name of entries) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split("-")[0]);
    if (!pid || pid === process.pid || isAlive(pid)) continue;
    const stale = path.join(parent, name);
    // A previous site moved aside by an export killed in the middle of its swap: put it back.
    if (name.includes("-old-") && !fs.existsSync(outDir)) fs.renameSync(stale, outDir);
    else fs.rmSync(stale, { recursive: true, force: true });
  }
}

/** Copies KaTeX's stylesheet and the WOFF2 fonts it uses (every browser that runs plotly.js reads WOFF2). */
function copyKatex(assets: string): void {
  const dist = path.join(path.dirname(require.resolve("katex/package.json")), "dist");
  const css = fs
    .readFileSync(path.join(dist, "katex.min.css"), "utf8")
    .replace(/,\s*url\(fonts\/[^)]+\)\s*format\("(?:woff|truetype)"\)/g, "");
  const fonts = new Set(Array.from(css.matchAll(/url\(([^)]+)\)/g), (m) => m[1].replace(/^["']|["']$/g, "")));
  const target = path.join(assets, "katex");
  fs.mkdirSync(path.join(target, "fonts"), { recursive: true });
  for (const font of fonts) {
    if (!/^fonts\/[\w.-]+\.woff2$/.test(font))
      throw new Error(`katex.min.css refers to ${font}, which the exporter does not know how to copy.`);
    fs.copyFileSync(path.join(dist, font), path.join(target, font));
  }
  fs.writeFileSync(path.join(target, "katex.min.css"), css);
}

/** Writes the shared assets into `assets/` of the site being built. */
function writeAssets(siteDir: string): void {
  const assets = path.join(siteDir, "assets");
  fs.mkdirSync(assets, { recursive: true });
  fs.copyFileSync(plotlyPath(), path.join(assets, "plotly.min.js"));
  copyKatex(assets);
  const hljsStyles = path.join(path.dirname(require.resolve("highlight.js/package.json")), "styles");
  fs.copyFileSync(path.join(hljsStyles, "github.min.css"), path.join(assets, "highlight.css"));
  fs.copyFileSync(path.join(__dirname, "site.css"), path.join(assets, "site.css"));
  fs.copyFileSync(path.join(__dirname, "figures.js"), path.join(assets, "figures.js"));
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(full) : fs.statSync(full).size;
  }
  return total;
}

/** Puts `built` where `outDir` is, keeping the old site until the new one is in place. */
function swapIn(built: string, outDir: string): void {
  if (!fs.existsSync(outDir)) {
    fs.renameSync(built, outDir);
    return;
  }
  const old = path.join(
    path.dirname(outDir),
    `.${path.basename(outDir)}.export-${process.pid}-old-${randomBytes(3).toString("hex")}`,
  );
  fs.renameSync(outDir, old);
  try {
    fs.renameSync(built, outDir);
  } catch (err) {
    fs.renameSync(old, outDir);
    throw err;
  }
  fs.rmSync(old, { recursive: true, force: true });
}

function shownPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}

/**
 * Writes the pages, the notebooks (as downloads) and the assets of the site into `siteDir` from
 * executed notebooks, in the order given (the course order). Each edition of the course gets its
 * own pages and index: the English one at the root, the Korean one (notebooks/ko/) in `ko/`, every
 * page with a link to the same page in the other language. No kernel is involved.
 */
export function writeSite(
  siteDir: string,
  executed: { notebookPath: string; notebook: Notebook; seconds?: number }[],
  opts: { notebooksDir: string; withSolutions?: boolean },
): { lessons: ExportedLesson[]; warnings: string[] } {
  const relative = (file: string) => path.relative(opts.notebooksDir, file).split(path.sep).join("/");
  const editions = EDITIONS.map((edition) => {
    const items = executed.filter(
      ({ notebookPath }) => editionOfPath(relative(notebookPath)).language === edition.language,
    );
    // A notebook's path inside its edition's folder ("ko/01-chain-rule.ipynb" → "01-chain-rule.ipynb").
    const inEdition = (file: string) =>
      edition.dir ? relative(file).slice(edition.dir.length + 1) : relative(file);
    return {
      edition,
      items,
      inEdition,
      pages: new Set(items.map(({ notebookPath }) => pageName(inEdition(notebookPath)))),
    };
  }).filter((e) => e.items.length > 0);
  const warnings: string[] = [];
  const lessons = new Map<string, ExportedLesson>();
  for (const { edition, items, inEdition } of editions) {
    const folder = path.join(siteDir, edition.dir);
    fs.mkdirSync(folder, { recursive: true });
    const root = edition.dir ? "../" : "";
    const other = editions.find((e) => e.edition !== edition) ?? null;
    // The same page in the other edition, or its index when it lacks the lesson.
    const switchTo = (page: string | null) =>
      other && {
        href: `${root}${other.edition.dir ? `${other.edition.dir}/` : ""}${page && other.pages.has(page) ? page : "index.html"}`,
        language: other.edition.language,
      };
    const pageOf = new Map(
      items.map(({ notebookPath }) => [inEdition(notebookPath), pageName(inEdition(notebookPath))]),
    );
    const rendered = items.map(({ notebookPath, notebook }) => {
      const lesson = renderLesson({
        notebook,
        notebookPath,
        page: pageName(inEdition(notebookPath)),
        notebookName: relative(notebookPath),
        language: edition.language,
        pageOf,
        withSolutions: opts.withSolutions,
        // Stack traces name files by absolute path; the published pages need not show the build machine's
        // folders.
        hidePaths: [ROOT, opts.notebooksDir],
      });
      const shown = shownPath(notebookPath);
      for (const p of lesson.mathProblems)
        warnings.push(
          `${shown}: cell ${p.cell}: KaTeX cannot typeset ${JSON.stringify(p.tex)} (${p.message})`,
        );
      for (const img of lesson.remoteImages)
        warnings.push(
          `${shown}: cell ${img.cell}: the image ${img.src} would be loaded from the network; put the file next to the notebook instead`,
        );
      return lesson;
    });
    const infos: LessonInfo[] = rendered.map((lesson) => lesson.info);
    rendered.forEach((lesson, i) => {
      fs.writeFileSync(
        path.join(folder, lesson.info.page),
        lessonPage(lesson, infos[i - 1] ?? null, infos[i + 1] ?? null, {
          root,
          other: switchTo(lesson.info.page),
        }),
      );
    });
    fs.writeFileSync(
      path.join(folder, "index.html"),
      indexPage(infos, { root, language: edition.language, other: switchTo(null) }),
    );
    items.forEach(({ notebookPath, notebook, seconds }, i) => {
      const download = path.join(siteDir, "notebooks", relative(notebookPath));
      fs.mkdirSync(path.dirname(download), { recursive: true });
      fs.copyFileSync(notebookPath, download);
      lessons.set(notebookPath, {
        notebookPath,
        page: [edition.dir, rendered[i].info.page].filter(Boolean).join("/"),
        title: rendered[i].info.title,
        executed: notebook,
        figures: rendered[i].stats.figures,
        images: rendered[i].stats.images,
        seconds: seconds ?? 0,
      });
    });
  }
  writeAssets(siteDir);
  fs.writeFileSync(
    path.join(siteDir, SITE_MARKER),
    `This folder was written by \`npm run export\` (Gradient Lab) on ${new Date().toISOString()}; the next export replaces it as a whole.\n`,
  );
  return { lessons: executed.map(({ notebookPath }) => lessons.get(notebookPath)!), warnings };
}

/**
 * Executes every notebook under `notebooksDir` and writes the site to `outDir`.
 *
 * @throws {ExportError} naming the notebook and cell when a lesson fails (the previous site stays).
 */
export async function exportSite(options: ExportOptions): Promise<ExportResult> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const outDir = path.resolve(options.outDir);
  const notebooksDir = path.resolve(options.notebooksDir ?? path.join(ROOT, "notebooks"));
  if (!fs.existsSync(notebooksDir)) throw new ExportError(`There is no notebooks folder at ${notebooksDir}.`);
  checkOutDir(outDir, notebooksDir);
  const notebooks = listNotebooks(notebooksDir);
  if (notebooks.length === 0) throw new ExportError(`There are no .ipynb files in ${notebooksDir}.`);
  const jupyter = options.jupyter ?? (await ensureJupyterEnv({ log }));

  fs.mkdirSync(path.dirname(outDir), { recursive: true });
  removeStaleTemps(outDir);
  const building = path.join(
    path.dirname(outDir),
    `.${path.basename(outDir)}.export-${process.pid}-${randomBytes(3).toString("hex")}`,
  );
  fs.mkdirSync(building);
  inProgress.add(building);
  try {
    const executed: { notebookPath: string; notebook: Notebook; seconds: number }[] = [];
    for (const file of notebooks) {
      const shown = shownPath(file);
      log(`Running ${shown} ...`);
      // One kernel run at a time per checkout, shared with the tests (small machines).
      const result = await withLock("a kernel run", log, () =>
        runNotebook(file, {
          jupyter,
          timeoutSeconds: options.timeoutSeconds ?? DEFAULT_CELL_TIMEOUT_SECONDS,
          env: { GRADIENT_LAB_PLOTLY: "none" },
        }),
      );
      if (!result.ok) throw new ExportError(result.error ?? `${shown} failed.`);
      log(`  ok (${(result.durationMs / 1000).toFixed(1)} s)`);
      executed.push({ notebookPath: file, notebook: result.notebook, seconds: result.durationMs / 1000 });
    }
    const { lessons, warnings } = writeSite(building, executed, {
      notebooksDir,
      withSolutions: options.withSolutions,
    });
    log(`Building the in-browser site ${LITE_DIR}/ ...`);
    await buildLiteSite({
      notebooks,
      notebooksDir,
      outDir: path.join(building, LITE_DIR),
      jupyter,
      withSolutions: options.withSolutions ?? false,
    });
    fs.writeFileSync(path.join(building, "_headers"), isolationHeaders());
    const bytes = folderBytes(building);
    swapIn(building, outDir);
    inProgress.delete(building);
    for (const warning of warnings) log(`warning: ${warning}`);
    return { outDir, lessons, warnings, bytes, durationMs: Date.now() - started };
  } finally {
    if (inProgress.has(building)) {
      fs.rmSync(building, { recursive: true, force: true });
      inProgress.delete(building);
    }
  }
}
