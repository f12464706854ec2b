/**
 * Builds kernel-lib for a browser Web Worker (the JupyterLite kernel) from the same compiled
 * sources as in Node, into kernel-lib/dist-browser/ (git-ignored); runs after `tsc` in `npm run
 * build`. The files it writes, their formats and the host they expect are the contract described in
 * kernel-lib/src/display/host.ts. The Node-only files are swapped for their `*.browser.js`
 * counterparts by kernel-lib's package.json "browser" field, which esbuild follows.
 *
 * The folder is written beside the old one and swapped in at the end, so an interrupted build
 * never leaves a half-written bundle.
 */
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { encodeDigits } from "../kernel-lib/src/data/digits-asset";
import { readDigitClasses } from "../kernel-lib/src/data/digits-source";
import { plotlyPath } from "../kernel-lib/src/display/plotly-file";
import { ROOT } from "./lib/paths";

const LIB = path.join(ROOT, "kernel-lib");
const DIST = path.join(LIB, "dist");
/** Where the browser build goes. */
const DIST_BROWSER = path.join(LIB, "dist-browser");

/** Bundles one compiled entry file of kernel-lib into a self-contained CommonJS module for a worker. */
async function bundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [path.join(DIST, entry)],
    outfile,
    bundle: true,
    platform: "browser",
    format: "cjs",
    target: "es2020",
    minify: true,
    // Error classes and functions keep their names (learners read them in messages and tracebacks).
    keepNames: true,
    legalComments: "inline",
    logLevel: "warning",
    // @viz-js/viz's CommonJS build (what `require` picks) reaches for Node's "url" module; its ES
    // module build runs in a worker. It only uses import.meta.url to find a script directory it does
    // not need, since the WebAssembly is inlined.
    alias: { "@viz-js/viz": vizModulePath() },
    define: { "import.meta.url": "undefined" },
  });
}

/** The path of @viz-js/viz's ES module build (its package exports only name the entry). */
function vizModulePath(): string {
  return path.join(path.dirname(require.resolve("@viz-js/viz")), "viz.js");
}

/** Copies every declaration file under `from` to `to`, except the browser stand-ins' own. */
function copyDeclarations(from: string, to: string): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    if (entry.isDirectory()) copyDeclarations(source, path.join(to, entry.name));
    else if (entry.name.endsWith(".d.ts") && !entry.name.endsWith(".browser.d.ts")) {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(source, path.join(to, entry.name));
    }
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(DIST, "index.js"))) {
    throw new Error(
      "kernel-lib/dist/index.js is missing: compile kernel-lib first (npm run build does both).",
    );
  }
  const tmp = `${DIST_BROWSER}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    fs.mkdirSync(tmp, { recursive: true });
    await bundle("index.js", path.join(tmp, "kernel-lib.js"));
    await bundle("display/tslab-api.js", path.join(tmp, "tslab.js"));
    fs.writeFileSync(path.join(tmp, "mnist-digits.bin"), encodeDigits(readDigitClasses()));
    fs.copyFileSync(plotlyPath(), path.join(tmp, "plotly.min.js"));
    copyDeclarations(DIST, path.join(tmp, "types", "kernel-lib"));
    fs.mkdirSync(path.join(tmp, "types", "tslab"), { recursive: true });
    fs.copyFileSync(
      require.resolve("tslab/dist/public.d.ts"),
      path.join(tmp, "types", "tslab", "index.d.ts"),
    );
    fs.rmSync(DIST_BROWSER, { recursive: true, force: true });
    fs.renameSync(tmp, DIST_BROWSER);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`build-browser: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
