/**
 * The project's TypeScript and JavaScript is formatted by Prettier (pinned in package.json, settings
 * in .prettierrc.json, the files it covers in .prettierignore): `npm run format` writes, this checks.
 * Prettier wraps code at 110 characters but leaves comments as written, so comments are checked
 * here; long string literals (messages, HTML) stay whole so that they can be searched for.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import * as prettier from "prettier";
import { describe, expect, test } from "vitest";
import { ROOT } from "../../scripts/lib/paths";

const PRETTIER = path.join(ROOT, "node_modules", "prettier", "bin", "prettier.cjs");
const PRINT_WIDTH = 110;

/** The project's TypeScript and JavaScript files that Prettier covers, relative to ROOT. */
async function coveredFiles(): Promise<string[]> {
  const listed = spawnSync("git", ["ls-files", "-z", "*.ts", "*.js", "*.mjs", "*.cjs"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  expect(listed.status, listed.stderr).toBe(0);
  const files: string[] = [];
  for (const file of listed.stdout.split("\0").filter(Boolean)) {
    const info = await prettier.getFileInfo(path.join(ROOT, file), {
      ignorePath: [".gitignore", ".prettierignore"].map((f) => path.join(ROOT, f)),
    });
    if (!info.ignored && fs.existsSync(path.join(ROOT, file))) files.push(file);
  }
  return files;
}

describe("formatting", () => {
  test("covers the code of every part and leaves notebooks, Markdown and generated files alone", async () => {
    const covered = async (file: string) =>
      !(
        await prettier.getFileInfo(path.join(ROOT, file), {
          ignorePath: [".gitignore", ".prettierignore"].map((f) => path.join(ROOT, f)),
        })
      ).ignored;
    for (const file of [
      "kernel-lib/src/index.ts",
      "kernel/src/main.ts",
      "lite-kernel/src/worker.ts",
      "lite-kernel/build.ts",
      "scripts/grade.ts",
      "scripts/site/figures.js",
      "test/unit/formatting.test.ts",
      "jupyter/hub/copy-lessons.ts",
      "binder/register-kernel.ts",
    ]) {
      expect(await covered(file), file).toBe(true);
    }
    for (const file of [
      "README.md",
      "notebooks/00-welcome.ipynb",
      "package.json",
      "scripts/site/site.css",
      "kernel-lib/src/wasm/binary.generated.ts",
      "kernel-lib/dist/index.js",
    ]) {
      expect(await covered(file), file).toBe(false);
    }
  });

  test("every covered file is formatted (run `npm run format` to fix)", () => {
    const check = spawnSync(process.execPath, [PRETTIER, "--check", "."], { cwd: ROOT, encoding: "utf8" });
    // Prettier names each file that is not formatted on stderr: "[warn] scripts/grade.ts".
    const unformatted = check.stderr
      .split("\n")
      .filter((line) => line.startsWith("[warn] ") && !line.includes("Code style issues"));
    expect(
      unformatted.map((line) => line.slice("[warn] ".length)),
      "Run `npm run format`, then commit.",
    ).toEqual([]);
    expect(check.status, check.stderr).toBe(0);
  });

  test(`no comment line is longer than ${PRINT_WIDTH} characters`, async () => {
    const files = await coveredFiles();
    expect(files.length).toBeGreaterThan(100);
    const long: string[] = [];
    for (const file of files) {
      fs.readFileSync(path.join(ROOT, file), "utf8")
        .split("\n")
        .forEach((line, i) => {
          const text = line.trimStart();
          const comment = text.startsWith("//") || text.startsWith("*") || text.startsWith("/*");
          // Characters, not UTF-16 units: ∂, ‖ and Hangul count once.
          if (comment && [...line].length > PRINT_WIDTH) long.push(`${file}:${i + 1}`);
        });
    }
    expect(long, `Rewrap these comments to ${PRINT_WIDTH} characters.`).toEqual([]);
  });
});
