/**
 * `npm run export` end to end: a small notebooks folder (the welcome lesson and a tiny lesson with
 * figures, a graph, mathematics, a check and an error) is executed in the real kernel and exported
 * once; the pages are then opened in headless Chromium with every non-file request blocked. Also:
 * a failing or interrupted export leaves the previous site as it was.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { plotlyPath } from "../../kernel-lib/src/display/plotly-file";
import { ensureJupyterEnv, JupyterEnv } from "../../scripts/jupyter/env";
import { ROOT } from "../../scripts/lib/paths";
import { cellSource, Notebook } from "../../scripts/jupyter/runner";
import { CellSpec, writeNotebook } from "../notebook-fixture";
import { KOREAN_PRELUDE } from "../../scripts/jupyter/editions";
import { ExportError, exportSite, ExportResult, SITE_MARKER } from "../../scripts/site/build";
import { PLOTLY_MIME } from "../../scripts/site/outputs";
import { launchChromium, offlinePage } from "../browser/chromium";

const EXPORT_TIMEOUT_MS = 15 * 60_000;
// Generous: a kernel run waits its turn while other test files run notebooks (one at a time per checkout).
const CLI_TIMEOUT_MS = 10 * 60_000;
const PAGE_TIMEOUT_MS = 2 * 60_000;
/** What a copy of plotly.js contains (its banner, or the line that defines the global). */
const PLOTLY_SIGNS = [/\* plotly\.js v\d+\.\d+\.\d+/, /window\.Plotly\s*=\s*Plotly/];

let jupyter: JupyterEnv;
let scratch: string;
let notebooksDir: string;
let site: string;
let result: ExportResult;
let browser: Browser;
const exportLog: string[] = [];

const TINY: CellSpec[] = [
  {
    markdown: [
      "# A tiny lesson",
      "",
      "This tiny lesson holds one of everything an exported page shows: the activation $a = \\sigma(z)$, figures, a graph and a check.",
      "",
      "It takes about 5 minutes. It comes after [the welcome](00-welcome.ipynb).",
      "",
      "$$C = \\tfrac12 (a - y)^2, \\qquad \\frac{\\partial C}{\\partial a} = a - y$$",
      "",
      "| $z$ | $\\sigma(z)$ |",
      "|---|---|",
      "| 0 | 0.5 |",
    ].join("\n"),
  },
  'import { plot, show, showGraph, Value, sigmoid, relu, exercises } from "kernel-lib";\nconsole.log("stdout from the tiny lesson");',
  'show(plot.activation(sigmoid, { range: [-6, 6], title: "The sigmoid saturates on both sides" }));',
  'show(plot.activation(relu, { range: [-3, 3], title: "ReLU has slope 1 for z > 0" }));',
  'const wV = new Value(0.5, "w"), xV = new Value(2, "x");\nconst aV = wV.mul(xV).named("z").sigmoid().named("a");\naV.backward();\nawait showGraph(aV);',
  "function double(n: number): number {\n  // BEGIN SOLUTION\n  return n * 2; // the reference solution of the tiny lesson\n  // END SOLUTION\n}",
  'exercises.checkValue("0.1", double(21), 42, { points: 1 });',
  { source: 'throw new Error("an error shown on purpose");', tags: ["raises-exception"] },
  "6 * 7",
  { markdown: "That is all: $\\partial a/\\partial w = \\sigma'(z)\\,x$." },
];

/** The tiny lesson in Korean: the same code (the prelude aside), Korean prose and figure titles. */
const TINY_KO: CellSpec[] = TINY.map((cell, i): CellSpec => {
  if (i === 0) {
    return {
      markdown: [
        "# 아주 작은 강의",
        "",
        "이 작은 강의에는 내보낸 페이지가 보여 주는 모든 것이 하나씩 들어 있습니다: 활성화 $a = \\sigma(z)$, 그림, 그래프, 검사.",
        "",
        "5분쯤 걸립니다. [환영 강의](00-welcome.ipynb) 다음에 옵니다.",
        "",
        "$$C = \\tfrac12 (a - y)^2, \\qquad \\frac{\\partial C}{\\partial a} = a - y$$",
      ].join("\n"),
    };
  }
  if (i === 1) return `${KOREAN_PRELUDE}\n${cell as string}`;
  if (i === 2)
    return 'show(plot.activation(sigmoid, { range: [-6, 6], title: "시그모이드는 양쪽에서 포화됩니다" }));';
  if (typeof cell === "object" && "markdown" in cell)
    return { markdown: "끝입니다: $\\partial a/\\partial w = \\sigma'(z)\\,x$." };
  return cell;
});

/** The plotly outputs of an executed notebook. */
function plotlyOutputs(nb: Notebook): number {
  return nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.[PLOTLY_MIME] !== undefined).length;
}

/** Waits until every figure on the page has been drawn by plotly (the page marks each with data-drawn). */
async function figuresDrawn(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      Array.from(document.querySelectorAll(".plotly-figure")).every((el) => el.getAttribute("data-drawn")),
    null,
    { timeout: 60_000 },
  );
}

function url(file: string): string {
  return pathToFileURL(path.join(site, file)).href;
}

/** Every file under `dir`, relative, with `/`. */
function walk(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full, base) : [path.relative(base, full).split(path.sep).join("/")];
  });
}

/** Each file's content hash and modification time: equal snapshots mean nothing was touched. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    walk(dir).map((f) => {
      const full = path.join(dir, f);
      return [
        f,
        `${createHash("sha1").update(fs.readFileSync(full)).digest("hex")} ${fs.statSync(full).mtimeMs}`,
      ];
    }),
  );
}

/** Temporary folders an export left beside `site`. */
function leftovers(): string[] {
  return fs
    .readdirSync(path.dirname(site))
    .filter((name) => name.startsWith(`.${path.basename(site)}.export-`));
}

/**
 * Runs `npm run export`'s script with `args` in its own process group; `onStderr` sees the error
 * output so far after each chunk. Resolves with the exit code and the output.
 */
function runCli(
  args: string[],
  onStderr?: (stderr: string, child: ReturnType<typeof spawn>) => void,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      path.join(ROOT, "node_modules", ".bin", "tsx"),
      [path.join(ROOT, "scripts", "export.ts"), ...args],
      {
        cwd: ROOT,
        env: { ...process.env, INIT_CWD: ROOT },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true, // its own process group, so a test can press Ctrl-C on it as a terminal would
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => {
      stderr += d;
      onStderr?.(stderr, child);
    });
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

beforeAll(async () => {
  jupyter = await ensureJupyterEnv();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-site-"));
  notebooksDir = path.join(scratch, "notebooks");
  fs.mkdirSync(notebooksDir);
  // The notebooks' folder links to the project's node_modules, so `import "kernel-lib"` resolves.
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(notebooksDir, "node_modules"), "dir");
  fs.copyFileSync(
    path.join(ROOT, "notebooks", "00-welcome.ipynb"),
    path.join(notebooksDir, "00-welcome.ipynb"),
  );
  writeNotebook(path.join(notebooksDir, "01-tiny.ipynb"), TINY);
  // The Korean edition: the real welcome lesson and the tiny one.
  fs.mkdirSync(path.join(notebooksDir, "ko"));
  fs.copyFileSync(
    path.join(ROOT, "notebooks", "ko", "00-welcome.ipynb"),
    path.join(notebooksDir, "ko", "00-welcome.ipynb"),
  );
  writeNotebook(path.join(notebooksDir, "ko", "01-tiny.ipynb"), TINY_KO);
  site = path.join(scratch, "site");
  result = await exportSite({ outDir: site, notebooksDir, jupyter, log: (line) => exportLog.push(line) });
  browser = await launchChromium();
}, EXPORT_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

describe("the exported site", () => {
  test("has a page per notebook, an index, the notebooks, and no warnings", () => {
    expect(result.lessons.map((l) => l.page)).toEqual([
      "00-welcome.html",
      "01-tiny.html",
      "ko/00-welcome.html",
      "ko/01-tiny.html",
    ]);
    expect(result.lessons.map((l) => l.title)).toEqual([
      "0 · Welcome to Gradient Lab",
      "A tiny lesson",
      "0 · Gradient Lab에 오신 것을 환영합니다",
      "아주 작은 강의",
    ]);
    for (const file of [
      "index.html",
      "00-welcome.html",
      "01-tiny.html",
      "notebooks/00-welcome.ipynb",
      "notebooks/01-tiny.ipynb",
      SITE_MARKER,
      "ko/index.html",
      "ko/00-welcome.html",
      "ko/01-tiny.html",
      "notebooks/ko/00-welcome.ipynb",
      "notebooks/ko/01-tiny.ipynb",
      "lite/files/ko/01-tiny.ipynb",
    ]) {
      expect(fs.existsSync(path.join(site, file)), file).toBe(true);
    }
    expect(result.warnings).toEqual([]);
    expect(leftovers()).toEqual([]);
    // Hosts that read `_headers` serve the browser lessons cross-origin isolated (Interrupt then stops any
    // cell).
    expect(fs.readFileSync(path.join(site, "_headers"), "utf8")).toMatch(
      /^\/lite\/\*\n  Cross-Origin-Opener-Policy: same-origin\n  Cross-Origin-Embedder-Policy: require-corp\n/,
    );
    // The tiny lesson: two figures and a graph, all from outputs of the executed notebook.
    const tiny = result.lessons[1];
    expect(plotlyOutputs(tiny.executed)).toBe(2);
    expect(tiny.figures).toBe(2);
    expect(tiny.images).toBe(1);
  });

  test(
    "every page loads offline, with no console or page error and no request beyond its folder, and draws every figure",
    async () => {
      for (const file of ["index.html", "ko/index.html", ...result.lessons.map((l) => l.page)]) {
        const { context, page, problems } = await offlinePage(browser);
        try {
          await page.goto(url(file));
          await figuresDrawn(page);
          const counts = await page.evaluate(() => ({
            figures: document.querySelectorAll(".plotly-figure").length,
            drawn: Array.from(document.querySelectorAll(".plotly-figure")).filter(
              (el) => el.getAttribute("data-drawn") === "true" && el.querySelector("svg.main-svg"),
            ).length,
            mainSvgs: document.querySelectorAll("svg.main-svg").length,
          }));
          const lesson = result.lessons.find((l) => l.page === file);
          const expected = lesson ? plotlyOutputs(lesson.executed) : 0;
          expect(counts.figures, file).toBe(expected);
          expect(counts.drawn, file).toBe(expected);
          expect(counts.mainSvgs, file).toBeGreaterThanOrEqual(expected);
          expect(problems.errors, file).toEqual([]);
          expect(problems.blocked, file).toEqual([]);
        } finally {
          await context.close();
        }
      }
    },
    PAGE_TIMEOUT_MS,
  );

  test(
    "the mathematics is typeset where a notebook has $, with KaTeX's fonts from the site",
    async () => {
      for (const lesson of result.lessons) {
        const hasMath = lesson.executed.cells.some(
          (c) => c.cell_type === "markdown" && cellSource(c).includes("$"),
        );
        const { context, page, problems } = await offlinePage(browser);
        try {
          await page.goto(url(lesson.page));
          const math = await page.evaluate(async () => {
            await document.fonts.ready;
            return {
              katex: document.querySelectorAll(".katex").length,
              display: document.querySelectorAll(".katex-display").length,
              errors: document.querySelectorAll(".math-error").length,
              fontLoaded: document.fonts.check("16px KaTeX_Main"),
            };
          });
          expect(math.errors, lesson.page).toBe(0);
          if (hasMath) {
            expect(math.katex, lesson.page).toBeGreaterThan(0);
            expect(math.fontLoaded, lesson.page).toBe(true);
          }
          if (lesson.page.endsWith("01-tiny.html")) expect(math.display, lesson.page).toBe(1);
          expect(problems.blocked).toEqual([]);
        } finally {
          await context.close();
        }
      }
    },
    PAGE_TIMEOUT_MS,
  );

  test(
    "the tiny lesson shows its graph, table, check, stdout, result and error, but not the reference solution",
    async () => {
      const html = fs.readFileSync(path.join(site, "01-tiny.html"), "utf8");
      expect(html).not.toContain("the reference solution of the tiny lesson");
      expect(html).toContain("The reference solution is not shown on this site.");
      const { context, page } = await offlinePage(browser);
      try {
        await page.goto(url("01-tiny.html"));
        const shown = await page.evaluate(() => {
          const text = (selector: string) =>
            Array.from(document.querySelectorAll(selector)).map((el) => el.textContent ?? "");
          const graph = document.querySelector(".output-svg svg");
          return {
            graphWidth: graph ? graph.getBoundingClientRect().width : 0,
            graphNodes: graph ? graph.querySelectorAll("g.node").length : 0,
            tables: document.querySelectorAll(".markdown-cell table").length,
            checks: text(".output-check.check-passed"),
            stdout: text("pre.output-stdout").join(""),
            // A cell's last value is its result (an execute_result, shown as text).
            results: text("pre.output-text").join(""),
            errors: text("pre.output-error").join(""),
            welcomeLinks: Array.from(document.querySelectorAll(".markdown-cell a")).map((a) =>
              a.getAttribute("href"),
            ),
            highlighted: document.querySelectorAll("pre.source .hljs-keyword").length,
          };
        });
        expect(shown.graphWidth).toBeGreaterThan(50);
        expect(shown.graphNodes).toBeGreaterThan(3);
        expect(shown.tables).toBe(1);
        expect(shown.checks).toHaveLength(1);
        expect(shown.checks[0]).toMatch(/^✓ Exercise 0\.1\b.*42/);
        expect(shown.stdout).toContain("stdout from the tiny lesson");
        expect(shown.results).toBe("42");
        expect(shown.errors).toContain("an error shown on purpose");
        expect(shown.welcomeLinks).toEqual(["00-welcome.html"]);
        expect(shown.highlighted).toBeGreaterThan(3);
      } finally {
        await context.close();
      }
    },
    PAGE_TIMEOUT_MS,
  );

  test(
    "each edition's index maps its course, and previous / next / index links lead through every lesson",
    async () => {
      const editions = [
        {
          index: "index.html",
          lessons: result.lessons.filter((l) => !l.page.startsWith("ko/")),
          summary: "Gradient Lab is a short course on why deep networks sometimes stop learning.",
          about: "about 5 min",
        },
        {
          index: "ko/index.html",
          lessons: result.lessons.filter((l) => l.page.startsWith("ko/")),
          summary: "Gradient Lab은 깊은 신경망이 왜 때때로 학습을 멈추는지를 다루는 짧은 강좌입니다.",
          about: "약 5분",
        },
      ];
      for (const { index, lessons, summary, about } of editions) {
        expect(lessons).toHaveLength(2);
        const { context, page, problems } = await offlinePage(browser);
        try {
          await page.goto(url(index));
          const map = await page.evaluate(() =>
            Array.from(document.querySelectorAll(".course-item")).map((li) => ({
              href: li.querySelector(".course-link")?.getAttribute("href"),
              title: li.querySelector(".course-link")?.textContent?.trim(),
              summary: li.querySelector(".course-summary")?.textContent?.trim() ?? "",
              duration: li.querySelector(".course-duration")?.textContent ?? null,
            })),
          );
          expect(map.map((m) => m.href)).toEqual(lessons.map((l) => path.posix.basename(l.page)));
          expect(map[0].summary).toBe(summary);
          expect(map[1].summary).toMatch(/^(This tiny lesson holds one of everything|이 작은 강의에는)/);
          expect(map.map((m) => m.duration)).toEqual([about, about]);

          // Forward through the course with "Next", back with "Previous", then to the index.
          await Promise.all([page.waitForURL(url(lessons[0].page)), page.click(".course-link >> nth=0")]);
          for (let i = 0; i < lessons.length; i++) {
            expect(page.url()).toBe(url(lessons[i].page));
            expect(await page.title()).toContain(lessons[i].title);
            expect(await page.locator(".pager-bottom a[rel=prev]").count()).toBe(i === 0 ? 0 : 1);
            if (i === lessons.length - 1) {
              expect(await page.locator(".pager-bottom a[rel=next]").count()).toBe(0);
              break;
            }
            await Promise.all([
              page.waitForURL(url(lessons[i + 1].page)),
              page.click(".pager-bottom a[rel=next]"),
            ]);
          }
          for (let i = lessons.length - 1; i > 0; i--) {
            await Promise.all([
              page.waitForURL(url(lessons[i - 1].page)),
              page.click(".pager-top a[rel=prev]"),
            ]);
          }
          await Promise.all([page.waitForURL(url(index)), page.click(".pager-bottom .pager-index")]);
          expect(problems.errors).toEqual([]);
          expect(problems.blocked).toEqual([]);
        } finally {
          await context.close();
        }
      }
      const lessons = result.lessons;
      // Every relative link of every page names a file of the site.
      for (const file of ["index.html", "ko/index.html", ...lessons.map((l) => l.page)]) {
        const html = fs.readFileSync(path.join(site, file), "utf8");
        const targets = Array.from(
          html.matchAll(/\s(?:href|src)="([^"#]+)(?:#[^"]*)?"/g),
          (m) => m[1],
        ).filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
        expect(targets.length, file).toBeGreaterThan(3);
        for (const target of targets) {
          // A "Run this lesson in your browser" link opens JupyterLite with the lesson:
          // lite/lab/index.html?path=<notebook>.
          const [filePart, query] = target.split("?");
          expect(
            fs.existsSync(path.join(site, path.dirname(file), decodeURIComponent(filePart))),
            `${file} → ${target}`,
          ).toBe(true);
          const lesson = new URLSearchParams(query ?? "").get("path");
          if (lesson !== null)
            expect(
              fs.existsSync(path.join(site, "lite", "files", lesson)),
              `${file} → ${target}: the lesson in the browser site`,
            ).toBe(true);
        }
      }
    },
    PAGE_TIMEOUT_MS,
  );

  test(
    "every page links to the same page in the other language; the Korean pages show Korean text, feedback and figure titles",
    async () => {
      const pairs = [
        ["index.html", "ko/index.html"],
        ["00-welcome.html", "ko/00-welcome.html"],
        ["01-tiny.html", "ko/01-tiny.html"],
      ];
      for (const [english, korean] of pairs) {
        for (const [from, to] of [
          [english, korean],
          [korean, english],
        ]) {
          const { context, page, problems } = await offlinePage(browser);
          try {
            await page.goto(url(from));
            expect(await page.getAttribute("html", "lang"), from).toBe(from.startsWith("ko/") ? "ko" : "en");
            await Promise.all([page.waitForURL(url(to)), page.click(".language-switch")]);
            expect(await page.getAttribute("html", "lang"), to).toBe(to.startsWith("ko/") ? "ko" : "en");
            expect(problems.errors).toEqual([]);
            expect(problems.blocked).toEqual([]);
          } finally {
            await context.close();
          }
        }
      }
      const { context, page, problems } = await offlinePage(browser);
      try {
        await page.goto(url("ko/01-tiny.html"));
        await figuresDrawn(page);
        const shown = await page.evaluate(async () => {
          await document.fonts.ready;
          // Two Hangul syllables drawn in the page's font: a font with Hangul draws two different glyphs, a
          // missing one the same empty box.
          const paragraph = document.querySelector(".markdown-cell p") as HTMLElement;
          const draw = (text: string) => {
            const canvas = document.createElement("canvas");
            canvas.width = canvas.height = 48;
            const g = canvas.getContext("2d")!;
            g.font = `32px ${getComputedStyle(paragraph).fontFamily}`;
            g.fillText(text, 4, 38);
            return Array.from(g.getImageData(0, 0, 48, 48).data).join(",");
          };
          return {
            paragraph: paragraph.textContent ?? "",
            distinctGlyphs: new Set([draw("가"), draw("힣"), draw("\uE000")]).size,
            checks: Array.from(document.querySelectorAll(".output-check.check-passed")).map(
              (el) => el.textContent ?? "",
            ),
            titles: Array.from(document.querySelectorAll(".plotly-figure .gtitle")).map(
              (el) => el.textContent ?? "",
            ),
            xTitles: Array.from(document.querySelectorAll(".plotly-figure .g-xtitle")).map(
              (el) => el.textContent ?? "",
            ),
            placeholder: Array.from(document.querySelectorAll("pre.source")).some((el) =>
              (el.textContent ?? "").includes("참고 답안은 이 사이트에 보이지 않습니다"),
            ),
            nav: document.querySelector(".pager-index")?.textContent,
          };
        });
        expect(shown.paragraph).toMatch(/^이 작은 강의에는/);
        expect(shown.distinctGlyphs).toBe(3);
        expect(shown.checks).toHaveLength(1);
        expect(shown.checks[0]).toMatch(/^✓ 연습 문제 0\.1: 정답입니다: 42\./);
        expect(shown.titles[0]).toBe("시그모이드는 양쪽에서 포화됩니다");
        // The second figure's title is the notebook's own (the code cell is the English one); its axis titles
        // come from kernel-lib's Korean messages.
        expect(shown.xTitles).toEqual(["사전 활성화 z", "사전 활성화 z"]);
        expect(shown.placeholder).toBe(true);
        expect(shown.nav).toBe("모든 강의");
        expect(problems.errors).toEqual([]);
      } finally {
        await context.close();
      }
    },
    PAGE_TIMEOUT_MS,
  );

  test("plotly.js is one shared file of the site, and no page carries a copy", () => {
    // The browser site (lite/) is an application of its own: its kernel reads its own copy of plotly.js.
    const copies = walk(site).filter(
      (f) =>
        /\.(js|html)$/.test(f) &&
        !f.startsWith("lite/") &&
        PLOTLY_SIGNS.some((sign) => sign.test(fs.readFileSync(path.join(site, f), "utf8"))),
    );
    expect(copies).toEqual(["assets/plotly.min.js"]);
    expect(
      fs.readFileSync(path.join(site, "assets", "plotly.min.js")).equals(fs.readFileSync(plotlyPath())),
    ).toBe(true);
    for (const lesson of result.lessons) {
      const html = fs.readFileSync(path.join(site, lesson.page), "utf8");
      expect(html.length, lesson.page).toBeLessThan(300_000);
      // A Korean page (ko/…) reaches the shared assets one folder up.
      const root = lesson.page.startsWith("ko/") ? "../" : "";
      expect(html.includes(`<script src="${root}assets/plotly.min.js"></script>`), lesson.page).toBe(
        lesson.figures > 0,
      );
    }
  });
});

describe("a failed or interrupted export", () => {
  test(
    "names the notebook and the cell, exits non-zero, and leaves the previous site as it was",
    async () => {
      const broken = path.join(scratch, "broken");
      writeNotebook(path.join(broken, "broken.ipynb"), [
        "const fine = 1;",
        'const wrong: number = "text";',
        "fine",
      ]);
      const before = snapshot(site);
      const run = await runCli(["--notebooks", broken, "--out", site]);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(
        /broken\.ipynb: cell 2 of 3 failed \(TypeScriptError: 1:7 - Type 'string' is not assignable to type 'number'\.\)/,
      );
      expect(run.stderr).toContain('const wrong: number = "text";');
      expect(run.stderr).toMatch(/The export stopped; .*site\/ is unchanged\./);
      expect(snapshot(site)).toEqual(before);
      expect(leftovers()).toEqual([]);
    },
    CLI_TIMEOUT_MS,
  );

  test(
    "Ctrl-C during an export removes the unfinished site and keeps the previous one",
    async () => {
      const slow = path.join(scratch, "slow");
      writeNotebook(path.join(slow, "slow.ipynb"), [
        "const until = Date.now() + 90_000;\nwhile (Date.now() < until) {}",
      ]);
      const before = snapshot(site);
      let sawTemp = false;
      let pressed = false;
      const run = await runCli(["--notebooks", slow, "--out", site], (stderr, child) => {
        if (pressed || !/Running .*slow\.ipynb/.test(stderr)) return;
        pressed = true;
        sawTemp = leftovers().length > 0;
        // Give the kernel time to start and enter the slow cell, then press Ctrl-C (SIGINT to the process
        // group).
        setTimeout(() => process.kill(-child.pid!, "SIGINT"), 8_000);
      });
      expect(sawTemp).toBe(true);
      expect(
        run.code === 130 || run.signal === "SIGINT",
        `exit ${run.code} ${run.signal}\n${run.stderr}`,
      ).toBe(true);
      expect(run.stderr).toMatch(/Export interrupted; .*site\/ is unchanged\./);
      expect(snapshot(site)).toEqual(before);
      expect(leftovers()).toEqual([]);
    },
    CLI_TIMEOUT_MS,
  );

  test("refuses to replace a folder it did not make", async () => {
    const mine = path.join(scratch, "mine");
    fs.mkdirSync(mine);
    fs.writeFileSync(path.join(mine, "keep.txt"), "mine");
    await expect(exportSite({ outDir: mine, notebooksDir, jupyter, log: () => {} })).rejects.toThrow(
      ExportError,
    );
    await expect(exportSite({ outDir: mine, notebooksDir, jupyter, log: () => {} })).rejects.toThrow(
      /is not empty and was not made by `npm run export`/,
    );
    await expect(exportSite({ outDir: ROOT, notebooksDir, jupyter, log: () => {} })).rejects.toThrow(
      /contains the project/,
    );
    expect(fs.readdirSync(mine)).toEqual(["keep.txt"]);
  });
});
