/**
 * Committed notebooks are clean: valid nbformat 4.5 with cell ids, the TypeScript kernelspec, no
 * outputs, no execution counts. Also checks `npm run strip`, the command that cleans them.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { ensureJupyterEnv } from "../../scripts/jupyter/env";
import { ROOT } from "../../scripts/lib/paths";
import {
  hygieneProblems,
  readNotebook,
  serializeNotebook,
  stripNotebook,
} from "../../scripts/jupyter/hygiene";
import { listNotebooks, Notebook } from "../../scripts/jupyter/runner";

const notebooks = listNotebooks();

describe("committed notebooks are clean", () => {
  for (const file of notebooks) {
    test(path.relative(ROOT, file), () => {
      expect(
        hygieneProblems(readNotebook(file)),
        `${path.relative(ROOT, file)}: run \`npm run strip\``,
      ).toEqual([]);
    });
  }

  test(
    "every notebook passes nbformat's own validation",
    async () => {
      const jupyter = await ensureJupyterEnv();
      const check = [
        "import sys, nbformat",
        "for f in sys.argv[1:]:",
        "    nb = nbformat.read(f, as_version=nbformat.NO_CONVERT)",
        "    nbformat.validate(nb)",
        "    assert (nb.nbformat, nb.nbformat_minor) >= (4, 5), f + ' is older than nbformat 4.5'",
      ].join("\n");
      const result = spawnSync(jupyter.python, ["-c", check, ...notebooks], {
        env: jupyter.env,
        encoding: "utf8",
      });
      expect(result.status, result.stderr).toBe(0);
    },
    15 * 60_000,
  );
});

/** A notebook the way it looks after a run in JupyterLab, saved by an older Jupyter (no ids). */
function dirtyNotebook(): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 4,
    metadata: {
      kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" },
      language_info: { name: "typescript" },
    },
    cells: [
      { cell_type: "markdown", source: "# Title", metadata: {} },
      {
        cell_type: "code",
        source: "1 + 1",
        metadata: { execution: { "iopub.status.busy": "2024-01-01T00:00:00Z" }, tags: ["keep"] },
        outputs: [{ output_type: "stream", name: "stdout", text: "2\n" }],
        execution_count: 3,
      },
    ],
  };
}

describe("hygiene rules and stripping", () => {
  test("hygieneProblems names each problem", () => {
    const problems = hygieneProblems(dirtyNotebook()).join("\n");
    expect(problems).toMatch(/nbformat 4\.4/);
    expect(problems).toMatch(/cell 1 has no valid id/);
    expect(problems).toMatch(/cell 2 has outputs/);
    expect(problems).toMatch(/cell 2 has an execution count/);
    expect(problems).toMatch(/cell 2 has execution timing metadata/);

    const python = dirtyNotebook();
    python.metadata.kernelspec = { name: "python3", display_name: "Python 3", language: "python" };
    python.metadata.language_info = { name: "python" };
    expect(hygieneProblems(stripNotebook(python)).join("\n")).toMatch(
      /kernelspec\.name is "python3"[\s\S]*language_info\.name is "python"/,
    );
  });

  test("stripNotebook makes a notebook clean and keeps its content", () => {
    const stripped = stripNotebook(dirtyNotebook());
    expect(hygieneProblems(stripped)).toEqual([]);
    expect(stripped.nbformat_minor).toBe(5);
    expect(stripped.cells[1].source).toBe("1 + 1");
    expect(stripped.cells[1].metadata).toEqual({ tags: ["keep"] });
    expect(serializeNotebook(stripNotebook(stripped))).toBe(serializeNotebook(stripped));
  });

  test("committed notebooks are formatted as Jupyter writes them (sorted keys, one-space indent)", () => {
    for (const file of notebooks) {
      const shown = path.relative(ROOT, file);
      expect(
        serializeNotebook(readNotebook(file)),
        `${shown} is formatted differently: run \`npm run strip -- ${shown}\``,
      ).toBe(fs.readFileSync(file, "utf8"));
    }
  });

  test("npm run strip rewrites a dirty notebook in place and leaves no temporary files", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-strip-"));
    try {
      const file = path.join(dir, "dirty.ipynb");
      fs.writeFileSync(file, JSON.stringify(dirtyNotebook()));
      const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
      const result = spawnSync(tsx, [path.join(ROOT, "scripts", "strip.ts"), file], { encoding: "utf8" });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain("stripped");
      expect(hygieneProblems(readNotebook(file))).toEqual([]);
      expect(fs.readdirSync(dir)).toEqual(["dirty.ipynb"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
