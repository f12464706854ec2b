/**
 * kernel-lib's declarations, as the browser build ships them for checking cells: they type-check
 * with tslab's TypeScript 5.0 and without Node's types (a browser kernel has none).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const TYPES = path.resolve(__dirname, "../../kernel-lib/dist-browser/types");

function declarationFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? declarationFiles(path.join(dir, e.name))
        : e.name.endsWith(".d.ts")
          ? [path.join(dir, e.name)]
          : [],
    );
}

describe("the declarations of the browser build", () => {
  it("check with TypeScript 5.0 (tslab's) and no Node types", () => {
    const files = declarationFiles(TYPES);
    expect(files).toContain(path.join(TYPES, "kernel-lib", "index.d.ts"));
    expect(files).toContain(path.join(TYPES, "tslab", "index.d.ts"));
    // tslab's compiler is a separate TypeScript; run it in its own process so it cannot meet ours.
    const script = `
      const ts = require("@tslab/typescript-for-tslab");
      const files = JSON.parse(process.argv[1]);
      const program = ts.createProgram(files, { noEmit: true, strict: true, lib: ["lib.es2020.d.ts"], types: [] });
      const problems = [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()].map((d) => (d.file ? d.file.fileName + ": " : "") + ts.flattenDiagnosticMessageText(d.messageText, "\\n"));
      console.log(JSON.stringify({ version: ts.version, problems }));`;
    const out = JSON.parse(
      execFileSync(process.execPath, ["-e", script, JSON.stringify(files)], { encoding: "utf8" }),
    ) as { version: string; problems: string[] };
    expect(out.version).toMatch(/^5\.0\./);
    expect(out.problems).toEqual([]);
  });
});
