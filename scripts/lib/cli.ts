/**
 * What every entry file (`npm start`, `npm run grade`, ...) shares: the error for a request that
 * cannot be done as asked, the reading of the command line, and the `main` wrapper that reports
 * errors and sets the exit status.
 */
import { parseArgs } from "node:util";

/**
 * The user asked for something wrong (an option, a path, a combination); the message says what and how to fix
 * it.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** One option of an entry file: a flag, or an option that takes a value. */
export interface OptionSpec {
  type: "boolean" | "string";
  /** A one-letter alias (`-h`). */
  short?: string;
  /** What the value is, for the error when it is missing: "a folder" gives "--out needs a folder". */
  needs?: string;
}

/** The values of the options given, by name: `true` for a flag, the text for an option with a value. */
export type OptionValues<T extends Record<string, OptionSpec>> = {
  [K in keyof T]?: T[K]["type"] extends "boolean" ? boolean : string;
};

/** An entry file's command line, read by {@link readCommandLine}. */
export interface CommandLine<T extends Record<string, OptionSpec>> {
  values: OptionValues<T>;
  /** The arguments that are not options, in order (none with `passUnknown`: they are in `unknown`). */
  positionals: string[];
  /**
   * With `passUnknown`: the unknown options and everything not consumed by a known option, verbatim and in
   * order.
   */
  unknown: string[];
}

/**
 * Reads `argv` with Node's `util.parseArgs`: `--name value`, `--name=value` and the short aliases.
 * An unknown option, a missing value (or one that looks like another option) and a value given to a
 * flag are UsageErrors that end with `usage`. With `passUnknown`, unknown options and positionals
 * are handed back verbatim in `unknown` instead (for options another program reads).
 */
export function readCommandLine<T extends Record<string, OptionSpec>>(
  argv: string[],
  options: T,
  usage: string,
  { passUnknown = false }: { passUnknown?: boolean } = {},
): CommandLine<T> {
  const config = Object.fromEntries(
    Object.entries(options).map(([name, spec]) => [
      name,
      spec.short ? { type: spec.type, short: spec.short } : { type: spec.type },
    ]),
  );
  // Not strict: the tokens are checked below, so the errors can say what to type instead.
  const { tokens } = parseArgs({
    args: argv,
    options: config,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  const consumed = new Set<number>();
  for (const token of tokens) {
    if (token.kind === "option-terminator") continue;
    if (token.kind === "positional") {
      positionals.push(token.value);
      continue;
    }
    const spec = options[token.name];
    if (!spec) {
      if (passUnknown) continue;
      throw new UsageError(`Unknown option ${token.rawName}. ${usage}`);
    }
    consumed.add(token.index);
    if (spec.type === "boolean") {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value. ${usage}`);
      values[token.name] = true;
    } else {
      // A value that starts with "-" is more likely the next option than a value: `--out --nbgrader`.
      if (token.value === undefined || (!token.inlineValue && token.value.startsWith("-"))) {
        throw new UsageError(`${token.rawName} needs ${spec.needs ?? "a value"}. ${usage}`);
      }
      if (!token.inlineValue) consumed.add(token.index + 1);
      values[token.name] = token.value;
    }
  }
  const unknown = passUnknown ? argv.filter((_, i) => !consumed.has(i)) : [];
  return { values: values as OptionValues<T>, positionals: passUnknown ? [] : positionals, unknown };
}

/** Error types whose message is written for the user (a setup problem they can fix), so no stack is shown. */
type ReportedError = abstract new (...args: never[]) => Error;

/**
 * Runs an entry file's `main` and sets the exit status to the number it returns. A
 * {@link UsageError} prints its message alone and exits with 2; an error of one of the `reported`
 * types prints its message alone and exits with 1; anything else is a fault of the program and
 * prints its stack, exit 1.
 */
export function runMain(
  main: () => number | void | Promise<number | void>,
  reported: ReportedError[] = [],
): void {
  const fail = (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(err.message);
      process.exitCode = 2;
    } else {
      const known = err instanceof Error && reported.some((type) => err instanceof type);
      console.error(
        known ? (err as Error).message : err instanceof Error ? (err.stack ?? err.message) : String(err),
      );
      process.exitCode = 1;
    }
  };
  try {
    Promise.resolve(main()).then((code) => {
      if (code !== undefined) process.exitCode = code;
    }, fail);
  } catch (err) {
    fail(err);
  }
}
