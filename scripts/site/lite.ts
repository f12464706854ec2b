/**
 * The in-browser part of the exported site: a JupyterLite site in `<out>/lite/` with every lesson,
 * the TypeScript kernel (lite-kernel/, registered as `tslab` so the lessons open as they are), the
 * plotly renderer from the Python plotly package, and kernel-lib with its digits. A lesson opens at
 * `lite/lab/index.html?path=<notebook>.ipynb`. Nothing is loaded from any other host.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildStudentVersions } from "../assignments/student-versions";
import type { JupyterEnv } from "../jupyter/env";
import { readNotebook, serializeNotebook } from "../jupyter/hygiene";
import { buildLiteKernel, EXTENSIONS_DIR } from "../../lite-kernel/build";

/** The folder of the JupyterLite site inside an exported site. */
export const LITE_DIR = "lite";

/** The address of a lesson in the JupyterLite site, relative to the exported site's root. */
export function liteLessonHref(notebookFile: string): string {
  return `${LITE_DIR}/lab/index.html?path=${notebookFile.split("/").map(encodeURIComponent).join("/")}`;
}

/** Options for {@link buildLiteSite}. */
/**
 * The `_headers` file (Netlify's and Cloudflare Pages' format) that makes the browser lessons
 * cross-origin isolated where the host reads it, so that Kernel → Interrupt can stop a computing
 * cell. Other hosts ignore it; the lessons work either way.
 */
export function isolationHeaders(): string {
  return [
    `/${LITE_DIR}/*`,
    "  Cross-Origin-Opener-Policy: same-origin",
    "  Cross-Origin-Embedder-Policy: require-corp",
    "",
  ].join("\n");
}

export interface LiteSiteOptions {
  /** The lesson notebooks (reference versions, with solutions). */
  notebooks: string[];
  /** The folder they are in; their paths below it are kept in the site. */
  notebooksDir: string;
  /** Where the JupyterLite site goes (created; must not exist yet). */
  outDir: string;
  /** The project's Jupyter environment (with jupyterlite-core). */
  jupyter: JupyterEnv;
  /** Keep the exercises' reference solutions instead of handing out the learner versions. */
  withSolutions: boolean;
}

/**
 * JupyterLab extensions in the venv that `jupyter lite build` copies from it but that need a Jupyter
 * server or are of no use in the site: nbgrader's (it asks its server extension on start), Jupyter
 * Notebook's links, and the widget manager, all pulled in by the nbgrader pin. Disabled in the site.
 */
const SERVER_ONLY_EXTENSIONS = [
  "@jupyter/nbgrader",
  "@jupyter-notebook/lab-extension",
  "@jupyter-widgets/jupyterlab-manager",
];

/** Thrown when the JupyterLite site cannot be built; the message says why. */
export class LiteBuildError extends Error {}

/** Builds the JupyterLite site into `options.outDir`. */
export async function buildLiteSite(options: LiteSiteOptions): Promise<void> {
  await buildLiteKernel();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-lite-"));
  try {
    const contents = path.join(work, "files");
    fs.mkdirSync(contents);
    writeLessons(options.notebooks, options.notebooksDir, contents, options.withSolutions);
    const liteDir = path.join(work, "lite-dir");
    fs.mkdirSync(liteDir);
    fs.writeFileSync(
      path.join(liteDir, "jupyter-lite.json"),
      JSON.stringify(
        {
          "jupyter-lite-schema-version": 0,
          "jupyter-config-data": {
            appName: "Gradient Lab",
            defaultKernelName: "tslab",
            disabledExtensions: SERVER_ONLY_EXTENSIONS,
          },
        },
        null,
        2,
      ),
    );
    const jupyter = path.join(options.jupyter.binDir, "jupyter");
    const result = spawnSync(
      jupyter,
      [
        "lite",
        "build",
        "--lite-dir",
        liteDir,
        "--contents",
        contents,
        "--output-dir",
        options.outDir,
        "--apps",
        "lab",
        "--no-sourcemaps",
        "--no-unused-shared-packages",
        `--FederatedExtensionAddon.extra_labextensions_path=${EXTENSIONS_DIR}`,
      ],
      { cwd: work, env: options.jupyter.env, encoding: "utf8" },
    );
    if (result.status !== 0) {
      throw new LiteBuildError(
        `jupyter lite build failed (exit ${result.status}):\n${(result.stderr || result.stdout || String(result.error)).trim()}`,
      );
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Writes the lessons a learner opens: the learner versions, or the references with solutions. */
function writeLessons(notebooks: string[], notebooksDir: string, dir: string, withSolutions: boolean): void {
  const targets = notebooks.map((source) => ({ source, relative: path.relative(notebooksDir, source) }));
  const write = (relative: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    fs.writeFileSync(path.join(dir, relative), text);
  };
  if (withSolutions) {
    for (const { source, relative } of targets) write(relative, serializeNotebook(readNotebook(source)));
    return;
  }
  const { notebooks: versions, errors } = buildStudentVersions(targets);
  if (errors.length > 0)
    throw new LiteBuildError(`The learner versions cannot be made:\n${errors.join("\n")}`);
  for (const { target, nb } of versions) write(target.relative, serializeNotebook(nb));
}
