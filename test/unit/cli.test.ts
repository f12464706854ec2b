/** How the entry files read their command line (scripts/lib/cli.ts): values, positionals and the errors. */
import { describe, expect, test } from "vitest";
import { readCommandLine, UsageError } from "../../scripts/lib/cli";

const USAGE = "usage: npm run x -- <files...> [--out DIR] [--json]";
const OPTIONS = {
  out: { type: "string", needs: "a folder" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const read = (argv: string[]) => readCommandLine(argv, OPTIONS, USAGE);

describe("readCommandLine", () => {
  test("reads flags, values (spaced or with =), the short alias and positionals in order", () => {
    expect(read(["a.ipynb", "--out", "dir", "--json", "b.ipynb"])).toEqual({
      values: { out: "dir", json: true },
      positionals: ["a.ipynb", "b.ipynb"],
      unknown: [],
    });
    expect(read(["--out=-odd-name", "-h"]).values).toEqual({ out: "-odd-name", help: true });
    expect(read(["--", "--json"]).positionals).toEqual(["--json"]);
  });

  test("an unknown option, a missing value and a value for a flag are UsageErrors that end with the usage", () => {
    const message = (argv: string[]) => {
      try {
        read(argv);
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        return (err as Error).message;
      }
      throw new Error(`no error for ${argv.join(" ")}`);
    };
    expect(message(["--bogus"])).toBe(`Unknown option --bogus. ${USAGE}`);
    expect(message(["--out"])).toBe(`--out needs a folder. ${USAGE}`);
    expect(message(["--out", "--json"])).toBe(`--out needs a folder. ${USAGE}`);
    expect(message(["--json=yes"])).toBe(`--json takes no value. ${USAGE}`);
  });

  test("with passUnknown, unknown options and positionals are handed back verbatim, in order", () => {
    const line = readCommandLine(
      ["--ServerApp.x=1", "--out", "dir", "notebook.ipynb", "--foo", "bar"],
      OPTIONS,
      USAGE,
      { passUnknown: true },
    );
    expect(line.values).toEqual({ out: "dir" });
    expect(line.unknown).toEqual(["--ServerApp.x=1", "notebook.ipynb", "--foo", "bar"]);
    expect(line.positionals).toEqual([]);
  });
});
