/**
 * What kernel-lib asks of the process it runs in: environment settings, the terminal for `fit`'s
 * progress line, and how a value prints as text. The browser build replaces this file with
 * `environment.browser.ts` (see kernel-lib's package.json "browser" field), since a Web Worker has no
 * process.
 */

/** The environment variable `name`, or undefined when unset. */
export function environmentVariable(name: string): string | undefined {
  return process.env[name];
}

/**
 * Whether stderr is an interactive terminal (not a test runner or CI), where a line can be redrawn with "\r".
 */
export function stderrIsTerminal(): boolean {
  return process.stderr.isTTY === true && process.env.VITEST === undefined && process.env.CI === undefined;
}

/** Writes `text` to stderr as it is (no newline added). */
export function writeStderr(text: string): void {
  process.stderr.write(text);
}

/** A value as text, as Node prints it (`util.inspect`). */
export function inspectValue(value: unknown): string {
  return (require("util") as typeof import("util")).inspect(value);
}
