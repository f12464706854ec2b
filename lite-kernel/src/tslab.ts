/**
 * tslab's display API in the browser kernel: `display.html(...)` and friends send one output,
 * `newDisplay()` one that later calls replace in place, as in tslab 1.0.22.
 */
type Host = {
  display(message: { data: Record<string, unknown>; metadata: object; transient: object }, update: boolean): void;
  versions: { tslab: string; typescript: string; node: string };
};

const host = () => (globalThis as Record<symbol, unknown>)[Symbol.for("gradient-lab.host")] as Host;

/** The versions a cell can print. */
export const versions = host().versions;

function base64(b: Uint8Array): string {
  let s = "";
  for (const byte of b) s += String.fromCharCode(byte);
  return btoa(s);
}

function makeDisplay(id?: string) {
  let shown = false;
  const raw = (contentType: string, b: string | Uint8Array) => {
    const data = { [contentType]: typeof b === "string" ? b : base64(b) };
    host().display({ data, metadata: {}, transient: id ? { display_id: id } : {} }, id !== undefined && shown);
    shown = true;
  };
  return {
    javascript: (s: string) => raw("application/javascript", s),
    html: (s: string) => raw("text/html", s),
    markdown: (s: string) => raw("text/markdown", s),
    latex: (s: string) => raw("text/latex", s),
    svg: (s: string) => raw("image/svg+xml", s),
    png: (b: Uint8Array) => raw("image/png", b),
    jpeg: (b: Uint8Array) => raw("image/jpeg", b),
    gif: (b: Uint8Array) => raw("image/gif", b),
    pdf: (b: Uint8Array) => raw("application/pdf", b),
    text: (s: string) => raw("text/plain", s),
    raw,
  };
}

/** Displays rich content as a new output. */
export const display = makeDisplay();

let displays = 0;
/** A display whose every call replaces its previous output. */
export function newDisplay() {
  return makeDisplay(`tslab-${++displays}`);
}
