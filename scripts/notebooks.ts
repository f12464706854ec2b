/**
 * `npm run notebooks -- [name...] [--timeout SECONDS] [--out DIR] [--keep-going]`: runs lesson
 * notebooks top to bottom in a fresh TypeScript kernel, one after another, and reports the first
 * failing cell of each. A name picks the notebooks whose file name contains it (`00`, `welcome`)
 * or is a path to a notebook; no name runs all of notebooks/.
 */
import fs from "node:fs";
import path from "node:path";
import { ensureJupyterEnv, SetupError } from "./jupyter/env";
import { ROOT } from "./lib/paths";
import { DEFAULT_CELL_TIMEOUT_SECONDS, listNotebooks, runNotebook } from "./jupyter/runner";
import { readCommandLine, runMain, UsageError } from "./lib/cli";

const USAGE = "usage: npm run notebooks -- [name...] [--timeout SECONDS] [--out DIR] [--keep-going]";

interface Args {
  names: string[];
  timeoutSeconds: number;
  outDir?: string;
  keepGoing: boolean;
}

const OPTIONS = {
  timeout: { type: "string", needs: "a number of seconds" },
  out: { type: "string", needs: "a folder" },
  "keep-going": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** The command line; null when it asked for help. */
function parseArgs(argv: string[]): Args | null {
  const { values, positionals } = readCommandLine(argv, OPTIONS, USAGE);
  if (values.help) return null;
  const timeoutSeconds = values.timeout === undefined ? DEFAULT_CELL_TIMEOUT_SECONDS : Number(values.timeout);
  if (!(timeoutSeconds > 0)) throw new UsageError(`--timeout needs a number of seconds. ${USAGE}`);
  return { names: positionals, timeoutSeconds, outDir: values.out, keepGoing: values["keep-going"] ?? false };
}

/** The notebooks a list of names picks (see the file comment). */
function pick(names: string[]): string[] {
  const all = listNotebooks();
  if (names.length === 0) return all;
  return names.flatMap((name) => {
    // npm runs scripts from the project root; a path is relative to where the command was typed.
    const asPath = path.resolve(process.env.INIT_CWD ?? process.cwd(), name);
    if (name.endsWith(".ipynb") && fs.existsSync(asPath)) return [asPath];
    const matches = all.filter((file) => path.basename(file).includes(name));
    if (matches.length === 0) {
      throw new UsageError(
        `No notebook in notebooks/ matches "${name}"; the notebooks are: ${all.map((f) => path.basename(f)).join(", ")}.`,
      );
    }
    return matches;
  });
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!args) {
    console.log(USAGE);
    return 0;
  }
  const notebooks = pick(args.names);
  const jupyter = await ensureJupyterEnv();
  if (args.outDir) fs.mkdirSync(args.outDir, { recursive: true });
  let failed = 0;
  for (const file of notebooks) {
    const shown = path.relative(process.cwd(), file);
    // Lessons keep their path below notebooks/ (ko/01-chain-rule.ipynb beside 01-chain-rule.ipynb).
    const inLessons = path.relative(path.join(ROOT, "notebooks"), file);
    const outPath = args.outDir
      ? path.join(
          args.outDir,
          inLessons.startsWith("..") || path.isAbsolute(inLessons) ? path.basename(file) : inLessons,
        )
      : undefined;
    if (outPath) fs.mkdirSync(path.dirname(outPath), { recursive: true });
    const result = await runNotebook(file, {
      jupyter,
      timeoutSeconds: args.timeoutSeconds,
      outPath,
      keepGoing: args.keepGoing,
    });
    const seconds = (result.durationMs / 1000).toFixed(1);
    if (result.ok) {
      console.log(`ok    ${shown} (${seconds} s)`);
    } else {
      failed++;
      console.log(`FAIL  ${shown} (${seconds} s)\n${result.error}\n`);
    }
  }
  console.log(`${notebooks.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

runMain(main, [SetupError]);
