/**
 * `npm run export -- [--out DIR] [--notebooks DIR] [--timeout SECONDS] [--with-solutions]`: runs
 * every lesson notebook in a fresh TypeScript kernel and writes the course as a static website
 * (default `site/`): one page per lesson, an index with the course map, and shared assets. The
 * pages need no network. See docs/website.md.
 */
import path from "node:path";
import { SetupError } from "./jupyter/env";
import { DEFAULT_CELL_TIMEOUT_SECONDS } from "./jupyter/runner";
import { readCommandLine, runMain, UsageError } from "./lib/cli";
import { cleanUpInterrupted, ExportError, exportSite } from "./site/build";

const USAGE = "usage: npm run export -- [--out DIR] [--notebooks DIR] [--timeout SECONDS] [--with-solutions]";

const HELP = `${USAGE}

Runs every notebook in notebooks/ top to bottom in a fresh TypeScript kernel and writes the course
as a static website: one page per lesson, index.html with the course map, and shared assets.

  --out DIR          where the site goes (default: site/); replaced only when the export succeeds
  --notebooks DIR    the notebooks to export (default: notebooks/)
  --timeout SECONDS  how long one cell may run (default: ${DEFAULT_CELL_TIMEOUT_SECONDS})
  --with-solutions   show the exercises' reference solutions (hidden by default)`;

const OPTIONS = {
  out: { type: "string", needs: "a folder" },
  notebooks: { type: "string", needs: "a folder" },
  timeout: { type: "string", needs: "a number of seconds" },
  "with-solutions": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

interface Args {
  outDir: string;
  notebooksDir?: string;
  timeoutSeconds?: number;
  withSolutions: boolean;
}

/** The command line; null when it asked for help. */
function parseArgs(argv: string[]): Args | null {
  // npm runs scripts from the project root; paths are relative to where the command was typed.
  const from = process.env.INIT_CWD ?? process.cwd();
  const { values, positionals } = readCommandLine(argv, OPTIONS, USAGE);
  if (values.help) return null;
  if (positionals.length > 0) throw new UsageError(`Unknown argument ${positionals[0]}. ${USAGE}`);
  const timeoutSeconds = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0))
    throw new UsageError(`--timeout needs a number of seconds. ${USAGE}`);
  return {
    outDir: path.resolve(from, values.out ?? "site"),
    notebooksDir: values.notebooks === undefined ? undefined : path.resolve(from, values.notebooks),
    timeoutSeconds,
    withSolutions: values["with-solutions"] ?? false,
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!args) {
    console.log(HELP);
    return 0;
  }
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

runMain(main, [SetupError]);
