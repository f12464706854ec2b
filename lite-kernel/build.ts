/**
 * Builds the kernel as a prebuilt JupyterLab extension that `jupyter lite build` copies into a site:
 * `lite-kernel/dist/@gradient-lab/lite-kernel/` with `package.json` and `static/`.
 *
 * Both parts are bundled with esbuild instead of `jupyter labextension build`: the extension is one
 * plugin whose only shared dependency is `@jupyterlite/services`, so its module-federation
 * container is written here by hand (`remoteEntry.js`: `init` receives the page's share scope,
 * `get("./extension")` returns the plugin built on the page's own copy of the services package).
 * The worker, with the TypeScript compiler, kernel-lib and the declaration files, is a plain script.
 *
 * Usage: `npm run build:lite` (also run by `npm run export`). Writes nothing outside that folder.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as esbuild from "esbuild";

const HERE = __dirname;
const ROOT = path.resolve(HERE, "..");
const NAME = "@gradient-lab/lite-kernel";
/** Where the built extension goes; `jupyter lite build` looks in its parent for extensions. */
export const EXTENSIONS_DIR = path.join(HERE, "dist");
const OUT = path.join(EXTENSIONS_DIR, NAME);

/**
 * kernel-lib's browser build (`npm run build` makes it): the bundle, tslab's API, site files, declarations.
 */
const BROWSER_DIR = path.join(ROOT, "kernel-lib", "dist-browser");

function browserFile(name: string): string {
  const file = path.join(BROWSER_DIR, name);
  if (!fs.existsSync(file))
    throw new Error(
      `kernel-lib's browser build has no ${path.relative(ROOT, file)}: run \`npm run build\` first.`,
    );
  return file;
}

/** Every declaration file the worker's type checker needs, by its path in the checker's file system. */
export function declarationFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const tsLib = path.dirname(require.resolve("typescript/lib/lib.es2022.d.ts"));
  for (const f of fs.readdirSync(tsLib)) {
    if (/^lib\.(es5|es20(1[5-9]|2[0-2])(\.[a-z.]+)?|decorators(\.legacy)?)\.d\.ts$/.test(f)) {
      files[`/lib/${f}`] = fs.readFileSync(path.join(tsLib, f), "utf8");
    }
  }
  files["/lib/globals.d.ts"] = fs.readFileSync(path.join(HERE, "src", "globals.d.ts.txt"), "utf8");
  addTree(files, browserFile("types/kernel-lib"), "/node_modules/kernel-lib");
  addTree(files, browserFile("types/tslab"), "/node_modules/tslab");
  files["/node_modules/kernel-lib/package.json"] ??= JSON.stringify({
    name: "kernel-lib",
    types: "index.d.ts",
  });
  files["/node_modules/tslab/package.json"] ??= JSON.stringify({ name: "tslab", types: "index.d.ts" });
  return files;
}

/** Adds every `.d.ts` and `package.json` below `dir` to `files`, under the checker path `at`. */
function addTree(files: Record<string, string>, dir: string, at: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) addTree(files, p, `${at}/${e.name}`);
    else if (e.name.endsWith(".d.ts") || e.name === "package.json")
      files[`${at}/${e.name}`] = fs.readFileSync(p, "utf8");
  }
}

/** Node built-ins the TypeScript compiler and kernel-lib's Node build mention but never use in a worker. */
const NODE_BUILTINS =
  /^(node:)?(fs|path|os|crypto|inspector|perf_hooks|source-map-support|module|buffer|worker_threads|child_process|url|util|events|stream)$/;

const workerPlugin: esbuild.Plugin = {
  name: "lite-kernel-worker",
  setup(build) {
    build.onResolve({ filter: /^virtual:declaration-files$/ }, () => ({
      path: "declaration-files",
      namespace: "virtual",
    }));
    build.onLoad({ filter: /.*/, namespace: "virtual" }, () => ({
      contents: JSON.stringify(declarationFiles()),
      loader: "json",
    }));
    build.onResolve({ filter: /^kernel-lib$/ }, () => ({ path: browserFile("kernel-lib.js") }));
    build.onResolve({ filter: /^tslab$/ }, () => ({ path: browserFile("tslab.js") }));
    build.onResolve({ filter: NODE_BUILTINS }, (args) => ({ path: args.path, namespace: "empty" }));
    build.onLoad({ filter: /.*/, namespace: "empty" }, () => ({
      contents: "module.exports = {};",
      loader: "js",
    }));
  },
};

/** `@jupyterlite/services` comes from the page (a singleton: its tokens must be the page's). */
const sharedPlugin: esbuild.Plugin = {
  name: "lite-kernel-shared",
  setup(build) {
    build.onResolve({ filter: /^@jupyterlite\/services$/ }, () => ({
      path: "services",
      namespace: "shared",
    }));
    build.onLoad({ filter: /.*/, namespace: "shared" }, () => ({
      contents: "module.exports = __shared;",
      loader: "js",
    }));
  },
};

/** The module-federation container around the plugin bundle `body` (which defines `__extension`). */
function remoteEntry(body: string, workerName: string): string {
  return `(function () {
  // The folder this script was loaded from: the worker and assets sit next to it.
  var base = new URL(".", document.currentScript.src).href;
  var scope = null;
  function build(__shared) {
${body}
    return __extension;
  }
  async function loadShared(name) {
    var versions = scope && scope[name];
    if (!versions) throw new Error(${JSON.stringify(NAME)} + ": the page does not share " + name);
    var chosen = Object.keys(versions).filter(function (v) { return /^0\\.8\\./.test(v); }).sort().pop();
    if (!chosen) throw new Error(${JSON.stringify(NAME)} + ": needs " + name + " 0.8.x, the page has " + Object.keys(versions).join(", "));
    var entry = versions[chosen];
    var factory = await entry.get();
    entry.loaded = 1;
    return factory();
  }
  window._JUPYTERLAB = window._JUPYTERLAB || {};
  window._JUPYTERLAB[${JSON.stringify(NAME)}] = {
    init: function (shareScope) { scope = shareScope; },
    get: async function (module) {
      if (module !== "./extension") throw new Error(${JSON.stringify(NAME)} + " has no module " + module);
      var services = await loadShared("@jupyterlite/services");
      var plugin = build(services).kernelPlugin(base, ${JSON.stringify(workerName)});
      return function () { return { __esModule: true, default: [plugin] }; };
    }
  };
})();
`;
}

/** Content hash for cache-busting file names, as JupyterLab's builder does. */
function hash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

/** Builds the extension into {@link OUT}; returns its folder. */
export async function buildLiteKernel(): Promise<string> {
  // Both halves are one minified browser script kept in memory; they differ in entry and plugins.
  const common = {
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    logLevel: "error",
  } as const;
  const worker = await esbuild.build({
    ...common,
    entryPoints: [path.join(HERE, "src", "worker.ts")],
    plugins: [workerPlugin],
  });
  const ext = await esbuild.build({
    ...common,
    entryPoints: [path.join(HERE, "src", "index.ts")],
    globalName: "__extension",
    plugins: [sharedPlugin],
  });
  const workerCode = worker.outputFiles[0].text;
  const workerName = `worker.${hash(workerCode)}.js`;
  const entry = remoteEntry(ext.outputFiles[0].text, workerName);
  const entryName = `remoteEntry.${hash(entry)}.js`;

  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(path.join(OUT, "static", "assets"), { recursive: true });
  fs.writeFileSync(path.join(OUT, "static", workerName), workerCode);
  fs.writeFileSync(path.join(OUT, "static", entryName), entry);
  // kernel-lib's site files (digits, plotly.js): everything in its browser build but the modules.
  for (const e of fs.readdirSync(BROWSER_DIR, { withFileTypes: true })) {
    if (e.isFile() && !["kernel-lib.js", "tslab.js"].includes(e.name))
      fs.copyFileSync(path.join(BROWSER_DIR, e.name), path.join(OUT, "static", "assets", e.name));
  }
  const pkg = {
    name: NAME,
    version: require("./package.json").version,
    jupyterlab: { _build: { load: `static/${entryName}`, extension: "./extension" } },
  };
  fs.writeFileSync(path.join(OUT, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
  return OUT;
}

if (require.main === module) {
  buildLiteKernel().then(
    (out) => console.log(`lite-kernel built into ${path.relative(process.cwd(), out)}`),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
