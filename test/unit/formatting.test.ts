/**
 * The project's TypeScript and JavaScript is formatted by Prettier (pinned in package.json, settings
 * in .prettierrc.json, the files it covers in .prettierignore): `npm run format` writes, this checks.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import * as prettier from "prettier";
import { describe, expect, test } from "vitest";
import { ROOT } from "../../scripts/lib/paths";

const PRETTIER = path.join(ROOT, "node_modules", "prettier", "bin", "prettier.cjs");

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
});
