/**
 * `npm run export -- [--out DIR] [--notebooks DIR] [--timeout SECONDS] [--with-solutions]`: runs
 * every lesson notebook in a fresh TypeScript kernel and writes the course as a static website
 * (default `site/`): one page per lesson, an index with the course map, and shared assets. The
 * pages need no network. See scripts/README-export.md.
 */
import path from "node:path";
import { SetupError } from "./jupyter/env";
import { DEFAULT_CELL_TIMEOUT_SECONDS } from "./jupyter/runner";
import { cleanUpInterrupted, ExportError, exportSite } from "./site/build";

const USAGE = "usage: npm run export -- [--out DIR] [--notebooks DIR] [--timeout SECONDS] [--with-solutions]";

const HELP = `${USAGE}

Runs every notebook in notebooks/ top to bottom in a fresh TypeScript kernel and writes the course
as a static website: one page per lesson, index.html with the course map, and shared assets.

  --out DIR          where the site goes (default: site/); replaced only when the export succeeds
  --notebooks DIR    the notebooks to export (default: notebooks/)
  --timeout SECONDS  how long one cell may run (default: ${DEFAULT_CELL_TIMEOUT_SECONDS})
  --with-solutions   show the exercises' reference solutions (hidden by default)`;

interface Args {
  outDir: string;
  notebooksDir?: string;
  timeoutSeconds?: number;
  withSolutions: boolean;
}

function parseArgs(argv: string[]): Args {
  // npm runs scripts from the project root; paths are relative to where the command was typed.
  const from = process.env.INIT_CWD ?? process.cwd();
  const args: Args = { outDir: path.resolve(from, "site"), withSolutions: false };
  const value = (i: number, what: string) => {
    const v = argv[i];
    if (v === undefined || v.startsWith("--")) throw new SetupError(`${argv[i - 1]} needs ${what}. ${USAGE}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--out") args.outDir = path.resolve(from, value(++i, "a folder"));
    else if (arg === "--notebooks") args.notebooksDir = path.resolve(from, value(++i, "a folder"));
    else if (arg === "--timeout") {
      args.timeoutSeconds = Number(value(++i, "a number of seconds"));
      if (!(args.timeoutSeconds > 0)) throw new SetupError(`--timeout needs a number of seconds. ${USAGE}`);
    } else if (arg === "--with-solutions") args.withSolutions = true;
    else if (arg === "--help" || arg === "-h") {
      console.log(HELP);
      process.exit(0);
    } else throw new SetupError(`Unknown argument ${arg}. ${USAGE}`);
  }
  return args;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const relativeOut = path.relative(process.env.INIT_CWD ?? process.cwd(), args.outDir);
  const shownOut = relativeOut === "" ? "." : relativeOut.startsWith("..") ? args.outDir : relativeOut;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      cleanUpInterrupted();
      process.stderr.write(`\nExport interrupted; ${shownOut}/ is unchanged.\n`);
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  }
  try {
    const result = await exportSite({
      outDir: args.outDir,
      notebooksDir: args.notebooksDir,
      timeoutSeconds: args.timeoutSeconds,
      withSolutions: args.withSolutions,
    });
    const figures = result.lessons.reduce((n, l) => n + l.figures, 0);
    console.log(
      `Wrote ${shownOut}/: ${plural(result.lessons.length, "lesson")}, ${plural(figures, "figure")}, ${megabytes(result.bytes)}, in ${Math.round(result.durationMs / 1000)} s. ` +
        `Open ${path.join(shownOut, "index.html")} in a browser.`,
    );
    if (result.warnings.length) console.log(`${result.warnings.length} warning(s), listed above.`);
    return 0;
  } catch (err) {
    if (err instanceof ExportError) {
      console.error(`${err.message}\n\nThe export stopped; ${shownOut}/ is unchanged.`);
      return 1;
    }
    throw err;
  }
}

main().then(
  (code) => (process.exitCode = code),
  (err) => {
    console.error(err instanceof SetupError ? err.message : err);
    process.exitCode = 1;
  },
);
