/**
 * The browser build's stand-in for `environment.ts`: a Web Worker has no environment variables, no
 * terminal and no `util.inspect`; its console is the nearest thing to stderr.
 */

import type * as Desktop from "./environment";

/** No environment variables in the browser. */
export const environmentVariable: typeof Desktop.environmentVariable = () => undefined;

/** No terminal in the browser. */
export const stderrIsTerminal: typeof Desktop.stderrIsTerminal = () => false;

/** Writes `text` to the console's error stream, which a browser kernel shows as stderr. */
export const writeStderr: typeof Desktop.writeStderr = (text) => console.error(text);

/** A value as text: JSON where it has a JSON form, else its string. */
export const inspectValue: typeof Desktop.inspectValue = (value) => {
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch {
    // a cycle or a BigInt: fall through to the string form
  }
  return String(value);
};
