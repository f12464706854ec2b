/**
 * Headless Chromium for the browser tests: the system's /usr/bin/chromium (never downloaded),
 * with every request that is not a local file (or the local Jupyter server) aborted, so a test
 * proves the page works offline.
 */
import { chromium } from "playwright-core";
import type { Browser, BrowserContext, Page } from "playwright-core";

/** The Chromium the tests drive; override with CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Launches headless Chromium without sandbox, GPU or background network traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** What a page did wrong: uncaught errors, console errors, and requests that were blocked. */
export interface PageProblems {
  errors: string[];
  blocked: string[];
}

/**
 * A new page in its own context that may load only file:// URLs (and URLs starting with one of
 * `allowedPrefixes`); everything else is aborted and recorded.
 */
export async function offlinePage(
  browser: Browser,
  allowedPrefixes: string[] = [],
): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const problems: PageProblems = { errors: [], blocked: [] };
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:") || url.startsWith("data:") || allowedPrefixes.some((p) => url.startsWith(p)))
      return route.continue();
    problems.blocked.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("pageerror", (e) => problems.errors.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.errors.push(`console error: ${m.text()}`);
  });
  return { context, page, problems };
}

/**
 * The few DOM shapes the tests touch inside the page. The project compiles without the DOM library,
 * so page functions reach the document as `(globalThis as unknown as PageGlobals).document`.
 */
export interface PageElement {
  getAttribute(name: string): string | null;
  readonly textContent: string | null;
  readonly classList: { contains(name: string): boolean };
  matches(selector: string): boolean;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  /** A plotly graph div's traces and layout (absent on other elements). */
  readonly data?: { visible?: unknown }[];
  readonly layout?: { title?: { text?: string } };
}

/** The page's globals used by the tests. */
export interface PageGlobals {
  document: {
    querySelectorAll(selector: string): ArrayLike<PageElement>;
    readonly scripts: ArrayLike<PageElement>;
  };
}
