/**
 * End to end in JupyterLab itself: start the project's JupyterLab (the venv and tslab kernel from
 * scripts/jupyter/env.ts), open a notebook that calls `show`, a live output and `showGraph`, run all
 * cells from the Run menu in headless Chromium, and see the plots drawn in the output areas by
 * JupyterLab's plotly renderer. Only 127.0.0.1 is reachable from the page.
 */
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureJupyterEnv } from "../../scripts/jupyter/env";
import { ROOT } from "../../scripts/lib/paths";
import { writeNotebook } from "../notebook-fixture";
import { launchChromium, offlinePage } from "./chromium";
import type { PageGlobals } from "./chromium";
import { PLOTLY_MIME } from "../../kernel-lib/src/display/mime";

const SETUP_TIMEOUT_MS = 15 * 60_000;
const HOST = "127.0.0.1";

/** The notebook the test runs: each cell's source. */
const CELLS = [
  'import { plot, show, showGraph, createLiveOutput, sigmoid, relu, Value, Matrix, mlp } from "kernel-lib";',
  "show(plot.activation(sigmoid));",
  'show(plot.curves([{ name: "a", x: [1, 2, 3], y: [1, 0.1, 0.01] }, { name: "b", x: [1, 2, 3], y: [2, 0.2, 0.02] }], { title: "Two curves", xTitle: "epoch", yTitle: "loss", logY: true }));',
  [
    "const live = createLiveOutput();",
    "for (let e = 1; e <= 3; e++) live.update(plot.activation(relu, { title: `live frame ${e}` }));",
    "live.close();",
  ].join("\n"),
  [
    'const a = new Value(2, "a"), b = new Value(-3, "b");',
    'const L = a.mul(b).named("L");',
    "L.backward();",
    "await showGraph(L);",
  ].join("\n"),
  // A cell's last value, shown as what it is: a matrix as a table, a network as its summary.
  "Matrix.from([[1, 2], [3, 4.5]])",
  'mlp([784, 30, 10], { activation: "relu", init: "he", seed: 1 })',
];

/** A free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Builds kernel-lib when its compiled plot module is missing or older than the sources. */
function ensureBuilt(): void {
  const built = path.join(ROOT, "kernel-lib", "dist", "plot", "index.js");
  const srcDir = path.join(ROOT, "kernel-lib", "src", "plot");
  const newest = Math.max(...fs.readdirSync(srcDir).map((f) => fs.statSync(path.join(srcDir, f)).mtimeMs));
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= newest) return;
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "kernel-lib"],
    { cwd: ROOT, encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`building kernel-lib failed:\n${r.stdout}${r.stderr}`);
}

let browser: Browser | undefined;
let server: ChildProcess | undefined;
let serverLog = "";
let dir: string;
let base: string;
let token: string;

beforeAll(async () => {
  ensureBuilt();
  const jupyter = await ensureJupyterEnv({ log: () => {} });
  // The notebook's folder links to the project's node_modules, so `import "kernel-lib"` resolves.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-lab-"));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  writeNotebook(path.join(dir, "show.ipynb"), CELLS);

  const port = await freePort();
  token = randomBytes(16).toString("hex");
  base = `http://${HOST}:${port}`;
  server = spawn(
    path.join(jupyter.binDir, "jupyter"),
    [
      "lab",
      "--no-browser",
      `--ServerApp.ip=${HOST}`,
      `--ServerApp.port=${port}`,
      "--ServerApp.port_retries=0",
      `--ServerApp.root_dir=${dir}`,
      "--KernelSpecManager.ensure_native_kernel=False",
      "--KernelSpecManager.allowed_kernelspecs=tslab",
      "--MappingKernelManager.default_kernel_name=tslab",
      "--LabApp.news_url=None",
      "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
      ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
    ],
    { cwd: dir, env: { ...jupyter.env, JUPYTER_TOKEN: token }, stdio: ["ignore", "pipe", "pipe"] },
  );
  server.stdout?.on("data", (d) => (serverLog += d));
  server.stderr?.on("data", (d) => (serverLog += d));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (server.exitCode !== null)
      throw new Error(`jupyter lab exited with ${server.exitCode}:\n${serverLog}`);
    try {
      if ((await fetch(`${base}/api/status?token=${token}`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`jupyter lab did not answer within 120 s:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  browser = await launchChromium();
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    // A clean shutdown also stops the kernels; fall back to signals if the server does not go.
    await fetch(`${base}/api/shutdown?token=${token}`, { method: "POST" }).catch(() => {});
    const gone = new Promise((r) => server!.once("exit", r));
    const timer = setTimeout(() => server!.exitCode === null && server!.kill("SIGTERM"), 10_000);
    const hard = setTimeout(() => server!.exitCode === null && server!.kill("SIGKILL"), 20_000);
    await gone;
    clearTimeout(timer);
    clearTimeout(hard);
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe("show() in JupyterLab", () => {
  it("draws the figures with JupyterLab's plotly renderer after Run > Run All Cells", async () => {
    const { context, page, problems } = await offlinePage(browser!, [base]);
    await page.goto(`${base}/lab/tree/show.ipynb?token=${token}`);
    // The notebook is open and its tslab kernel idle.
    await page.locator(".jp-Notebook .jp-Cell").first().waitFor({ timeout: 120_000 });
    await page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').waitFor({ timeout: 120_000 });

    // JupyterLab may ask which kernel to use although the notebook names tslab: accept TypeScript.
    const kernelDialog = page.locator(".jp-Dialog", { hasText: "Select Kernel" });
    await kernelDialog.waitFor({ timeout: 5_000 }).then(
      () => kernelDialog.locator(".jp-mod-accept").click(),
      () => {},
    );
    await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
    await page.locator(".lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
    await kernelDialog.waitFor({ timeout: 3_000 }).then(
      () => kernelDialog.locator(".jp-mod-accept").click(),
      () => {},
    );

    // Three plotly outputs (two show() calls and the live output, updated in place) and one SVG.
    const plots = page.locator(".jp-OutputArea-output.jp-RenderedPlotly");
    try {
      await expect
        .poll(() => plots.locator("svg.main-svg").count(), { timeout: 120_000 })
        .toBeGreaterThanOrEqual(3);
      await page
        .locator('.jp-OutputArea-output[data-mime-type="image/svg+xml"]')
        .first()
        .waitFor({ timeout: 60_000 });
      await page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').waitFor({ timeout: 120_000 });
    } catch (err) {
      const shot = path.join(os.tmpdir(), "gradient-lab-jupyterlab-failure.png");
      await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      const seen = await page.evaluate(() =>
        Array.from(
          (globalThis as unknown as PageGlobals).document.querySelectorAll(".jp-OutputArea-output"),
        ).map((o) => `${o.getAttribute("data-mime-type")}: ${o.textContent?.slice(0, 300)}`),
      );
      throw new Error(
        `${(err as Error).message}\noutputs: ${JSON.stringify(seen, null, 1)}\npage problems: ${JSON.stringify(problems)}\nscreenshot: ${shot}\nserver log:\n${serverLog.slice(-3000)}`,
      );
    }

    const outputs = await page.evaluate(() =>
      Array.from(
        (globalThis as unknown as PageGlobals).document.querySelectorAll(".jp-Notebook .jp-Cell"),
      ).map((cell) =>
        Array.from(cell.querySelectorAll(".jp-OutputArea-output")).map((o) => ({
          // JupyterLab's plotly renderer (application/vnd.plotly.v1+json) or another one, by its
          // data-mime-type.
          mime: o.classList.contains("jp-RenderedPlotly")
            ? "application/vnd.plotly.v1+json"
            : o.getAttribute("data-mime-type"),
          fallback: o.querySelector(".gradient-lab-plot") !== null,
          plotly: o.querySelectorAll(".js-plotly-plot svg.main-svg").length > 0,
          // The plotly graph div is the renderer's own node (or inside it), with the drawn traces in .data.
          traces:
            (o.matches(".js-plotly-plot") ? o : o.querySelector(".js-plotly-plot"))?.data?.length ?? null,
          title: o.querySelector(".js-plotly-plot .gtitle")?.textContent ?? null,
          text: o.textContent?.slice(0, 200) ?? "",
        })),
      ),
    );
    const plotly = PLOTLY_MIME;
    expect(outputs[0]).toEqual([]);
    expect(outputs[1]).toEqual([
      expect.objectContaining({ mime: plotly, fallback: false, plotly: true, traces: 2 }),
    ]);
    expect(outputs[2]).toEqual([
      expect.objectContaining({ mime: plotly, plotly: true, traces: 2, title: "Two curves" }),
    ]);
    // The live output is one output showing its last frame.
    expect(outputs[3]).toEqual([
      expect.objectContaining({ mime: plotly, plotly: true, traces: 2, title: "live frame 3" }),
    ]);
    expect(outputs[4]).toEqual([expect.objectContaining({ mime: "image/svg+xml" })]);
    // JupyterLab shows SVG outputs as an <img> with a data: URL; it must have loaded and contain the values.
    const svg = await page
      .locator(".jp-Cell")
      .nth(4)
      .locator(".jp-OutputArea-output img")
      .evaluate((img) => ({
        width: (img as unknown as { naturalWidth: number }).naturalWidth,
        src: decodeURIComponent((img as unknown as { src: string }).src),
      }));
    expect(svg.width).toBeGreaterThan(100);
    expect(svg.src).toContain("data 2.0000");

    // The matrix and the network summary render as HTML tables in the output area.
    expect(outputs[5]).toEqual([expect.objectContaining({ mime: "text/html" })]);
    const tables = await page.locator(".jp-Notebook .jp-Cell").evaluateAll((cells) =>
      cells.slice(5).map((cell) => {
        const table = cell.querySelector(".jp-OutputArea-output table");
        return table
          ? {
              cls: table.className,
              caption: table.querySelector("caption")?.textContent,
              rows: Array.from(table.querySelectorAll("tr")).map((tr) =>
                Array.from(tr.children).map((c) => c.textContent),
              ),
            }
          : null;
      }),
    );
    expect(tables[0]).toEqual({
      cls: "gradient-lab-matrix",
      caption: "Matrix 2 × 2",
      rows: [
        ["", "0", "1"],
        ["0", "1", "2"],
        ["1", "3", "4.5"],
      ],
    });
    expect(tables[1]?.cls).toBe("gradient-lab-summary");
    expect(tables[1]?.rows[1]).toEqual(["dense 1 (relu)", "relu", "784 → 30", "23,550", "he"]);
    expect(tables[1]?.rows[tables[1]!.rows.length - 1]).toEqual(["total", "", "784 → 10", "23,860", ""]);

    expect(problems.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
    await context.close();
  }, 300_000);
});
