/**
 * The browser kernel's cell semantics, without a browser: the same checker and runner the Web
 * Worker uses, running cells in this process against kernel-lib's real declarations.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { declarationFiles } from "../../lite-kernel/build";
import { CellRunner } from "../../lite-kernel/src/runner";
import * as kernelLib from "../../kernel-lib/dist/index";

let runner: CellRunner;
let count = 0;
const run = (code: string) => runner.execute(code, ++count);

beforeAll(() => {
  runner = new CellRunner(declarationFiles(), { "kernel-lib": kernelLib, tslab: {} });
});

describe("cells on the browser kernel", () => {
  test("top-level declarations and imports persist, and a const can be declared again", async () => {
    expect(
      await run(
        'import { mlp } from "kernel-lib";\nconst a = 21;\nlet b = 2;\nfunction twice(x: number) { return 2 * x; }\nclass Box { constructor(public v: number) {} }',
      ),
    ).toEqual({ status: "ok" });
    expect(await run("twice(a) + new Box(b).v")).toEqual({ status: "ok", result: { "text/plain": "44" } });
    expect(await run("const a = 5;\nb = 3;\na * b")).toEqual({
      status: "ok",
      result: { "text/plain": "15" },
    });
    expect(await run("mlp([2, 3, 1], { seed: 1 }).layers.length")).toEqual({
      status: "ok",
      result: { "text/plain": "2" },
    });
  });

  test("top-level await, and values shown like util.inspect or by their Jupyter.display bundle", async () => {
    expect(await run("const v = await Promise.resolve([1, 'x', { k: true }]);\nv")).toEqual({
      status: "ok",
      result: { "text/plain": "[ 1, 'x', { k: true } ]" },
    });
    expect(
      await run('({ [Symbol.for("Jupyter.display")]() { return { "text/html": "<b>hi</b>" }; } })'),
    ).toEqual({ status: "ok", result: { "text/html": "<b>hi</b>" } });
  });

  test("a type error stops the cell and names the cell's own line and column", async () => {
    const out = await run('const fine = 1;\nconst s: number = "x";');
    expect(out).toMatchObject({
      status: "error",
      ename: "TypeScriptError",
      evalue: "2:7 - Type 'string' is not assignable to type 'number'.",
    });
    // The same shape as the desktop kernel's: the diagnostic, then the line with a caret under the column.
    expect(out.status === "error" && out.traceback).toEqual([
      "2:7 - Type 'string' is not assignable to type 'number'.",
      '  2 | const s: number = "x";',
      "    |       ^",
    ]);
    // The failed cell declared nothing.
    expect(await run("fine")).toMatchObject({ status: "error", evalue: "1:1 - Cannot find name 'fine'." });
  });

  test("a kernel-lib call with wrong argument types is a type error", async () => {
    const out = await run('import { mlp } from "kernel-lib";\nmlp("three layers")');
    expect(out.status).toBe("error");
    expect(out.status === "error" && out.evalue).toMatch(
      /^2:5 - Argument of type 'string' is not assignable/,
    );
  });

  test("a runtime error keeps its name and message, with a traceback of the cell's lines only", async () => {
    const out = await run('function boom(): number {\n  throw new RangeError("too far");\n}\nboom()');
    expect(out).toMatchObject({ status: "error", ename: "RangeError", evalue: "too far" });
    const traceback = out.status === "error" ? out.traceback : [];
    expect(traceback[0]).toBe("RangeError: too far");
    expect(traceback.slice(1)).toEqual([
      '  at boom, line 2 of this cell:  throw new RangeError("too far");',
      "  at line 4 of this cell:  boom()",
    ]);
  });

  test("completion offers kernel-lib's names, and inspection shows their documentation", async () => {
    await run('import { mlp, matmul } from "kernel-lib";');
    const code = "ml";
    expect(runner.checker.complete(code, 2).matches).toContain("mlp");
    const doc = runner.checker.inspect("mlp(", 4);
    expect(doc).toMatch(
      /^mlp\(sizes: number\[\], options\?: MlpOptions\): Sequential\n\nA multilayer perceptron/,
    );
  });
});
