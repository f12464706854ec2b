/** The benchmark's report: the text tables on stdout, and with --json one JSON object on the last line. */
import fs from "node:fs";
import os from "node:os";
import * as tf from "@tensorflow/tfjs-core";
import { simdAvailable } from "../../kernel-lib/src/wasm/simd";
import type { BrowserBench } from "./browser";
import type { GradingFigure } from "./grading";
import { FLAT_LIMIT, HeapRow } from "./heap";
import type { NotebookFigure } from "./notebooks";
import { GflopsRow, SIMD_GFLOPS_TARGET } from "./products";
import { LABEL, TrainingResult } from "./training";

/** Everything one run measured. */
export interface BenchResults {
  training: TrainingResult;
  gflops: GflopsRow[];
  heap: HeapRow[];
  notebooks: NotebookFigure;
  grading: GradingFigure;
  browser: BrowserBench | { missing: string };
  machine: { cpu: string; cores: number; node: string; loadAverage: number[] };
  /** TF.js's WebAssembly backend: SIMD and threads available. */
  tfjsWasm: { simd: boolean; threads: boolean };
  rounds: number;
}

/** The processor's model name. */
export function cpuModel(): string {
  try {
    const line = fs
      .readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    if (line) return line.split(":")[1].trim();
  } catch {}
  return os.cpus()[0]?.model ?? "unknown";
}

function table(header: string[], rows: string[][], right: boolean[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r.map((cell, c) => (right[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join("  ");
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const fmt = (x: number, digits = 3) =>
  Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toPrecision(digits)) : "—";

/** Whether every target was met: speed-ups over TF.js, a flat heap, no copies per step, SIMD GFLOP/s. */
export function allTargetsMet(r: BenchResults): boolean {
  return (
    r.training.ratios.every((t) => t.met) &&
    r.heap.every((h) => h.flat && h.noCopies !== false) &&
    r.gflops.every((g) => g.simdMet !== false)
  );
}

/** The text report. */
export function textReport(results: BenchResults): string {
  const { cases, spread, ratios, sameMaths, tfLeak } = results.training;
  const { machine, gflops, heap, notebooks, grading, browser } = results;
  const { simd, threads } = results.tfjsWasm;
  const load0 = machine.loadAverage[0];
  const ROUNDS = results.rounds;
  const out: string[] = [];
  out.push(`Gradient Lab benchmark — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
  out.push(
    `kernel-lib kernels: ${simdAvailable ? "WebAssembly SIMD" : "TypeScript (no WebAssembly SIMD here)"}; TF.js ${tf.version_core}; wasm SIMD ${simd ? "on" : "OFF"}, wasm threads ${threads ? "on" : "off"}; ${ROUNDS} interleaved rounds, medians; load average ${load0.toFixed(2)} → ${os.loadavg()[0].toFixed(2)}`,
  );
  out.push("");
  out.push(
    "SGD training steps per second (forward + backward + update; sigmoid hidden, linear output, MSE):",
  );
  out.push(
    table(
      ["case", "kernel-lib", "k-l TS kernels", "TF.js cpu", "TF.js wasm", "spread (k-l/TS/cpu/wasm)"],
      cases.map((r, i) => [
        r.name,
        fmt(r.kernelLib),
        fmt(r.kernelLibTypescript),
        fmt(r.tfjsCpu),
        fmt(r.tfjsWasm),
        spread[i].map((s) => `±${Math.round(s * 50)}%`).join(" / "),
      ]),
      [false, true, true, true, true, true],
    ),
  );
  out.push(`(${sameMaths.join("; ")}; TF.js tensors left over: ${tfLeak})`);
  out.push("");
  out.push("Targets (kernel-lib ÷ TF.js, same run):");
  out.push(
    table(
      ["case", "versus", "ratio", "target", "met"],
      ratios.map((r) => [
        r.case,
        LABEL[r.versus],
        `${fmt(r.ratio)}×`,
        `≥ ${r.target}×`,
        r.met ? "yes" : "NO",
      ]),
      [false, false, true, true, false],
    ),
  );
  out.push("");
  out.push(
    `Matrix products, GFLOP/s (Float64; WebAssembly SIMD as the layers call it, on shared memory, with the helper thread where marked "2"; the same on one thread; on ordinary arrays, copies included; TypeScript tiled kernel; the plain loop it replaced; target for SIMD at the wide net's shapes ≥ ${SIMD_GFLOPS_TARGET}):`,
  );
  out.push(
    table(
      [
        "product",
        "shape (C m×n, inner k)",
        "used for",
        "wasm SIMD",
        "threads",
        "1 thread",
        "copying",
        "TS tiled",
        "plain loop",
        "SIMD ÷ tiled",
        "tiled ÷ plain",
        "target met",
      ],
      gflops.map((g) => [
        g.product,
        g.shape,
        g.use,
        fmt(g.simd),
        g.helperThread ? "2" : "1",
        fmt(g.simdOneThread),
        fmt(g.simdCopying),
        fmt(g.tiled),
        fmt(g.plainLoop),
        `${fmt(g.simdSpeedup)}×`,
        `${fmt(g.speedup)}×`,
        g.simdMet === null ? "" : g.simdMet ? "yes" : "NO",
      ]),
      [false, false, false, true, true, true, true, true, true, true, true, false],
    ),
  );
  out.push("");
  out.push(
    `kernel-lib heap (heapUsed after a full GC, after the steps minus before; "flat" = under ${FLAT_LIMIT / 1000} kB and no shared WebAssembly memory kept):`,
  );
  out.push(
    table(
      ["case", "steps", "growth", "allocated / step", "shared memory kept", "copied / step", "flat"],
      heap.map((h) => [
        h.case,
        String(h.steps),
        `${(h.growthBytes / 1024).toFixed(1)} KiB`,
        Number.isNaN(h.allocatedPerStep) ? "(scavenge, n/a)" : `${h.allocatedPerStep.toFixed(1)} B`,
        `${h.sharedMemoryGrowthBytes} B`,
        `${h.copiedPerStep} B`,
        h.flat ? "yes" : "NO",
      ]),
      [false, true, true, true, true, true, false],
    ),
  );
  out.push(
    "(allocated / step: new-space bytes per step; 16 B is the boxed JS number backprop returns, the loss.)",
  );
  out.push("");
  out.push(
    notebooks.missing
      ? `Notebook suite: missing — ${notebooks.missing}`
      : `Notebook suite: ${notebooks.count} notebooks (${notebooks.passed} passed) in ${notebooks.seconds!.toFixed(1)} s with the WebAssembly kernels, ` +
          `${notebooks.secondsTypescript!.toFixed(1)} s with GRADIENT_LAB_KERNELS=typescript; ${notebooks.samePrinted} of ${notebooks.count} printed the same text with both (${notebooks.perNotebook.map((r) => `${r.notebook.replace(/\.ipynb$/, "")} ${r.seconds.toFixed(1)}/${r.secondsTypescript.toFixed(1)}`).join(", ")})`,
  );
  if ("missing" in browser) out.push(`Browser kernel: missing — ${browser.missing}`);
  else {
    const b = browser;
    out.push(
      `Browser kernel: ${b.lesson} in ${b.browserSeconds.toFixed(1)} s in JupyterLite (Chromium) vs ${b.tslabSeconds.toFixed(1)} s in tslab: ` +
        `${b.ratio.toFixed(2)}× (target ≤ ${b.targetRatio}×, ${b.ratio <= b.targetRatio ? "met" : "NOT met"})`,
    );
    out.push(
      `Browser first load (cold cache): first result after ${b.coldFirstResultSeconds.toFixed(1)} s; ${b.coldFiles} files, ` +
        `${(b.coldBytes / 1e6).toFixed(1)} MB (${(b.coldGzipBytes / 1e6).toFixed(1)} MB gzip-compressed)`,
    );
  }
  out.push(
    grading.missing
      ? `Grading: ${grading.missing}`
      : `Grading ${grading.submissions} submissions: ${grading.perMinute.map((g) => `${fmt(g.perMinute)} per minute with --jobs ${g.jobs} (${g.seconds.toFixed(0)} s${g.allFullMarks ? "" : ", NOT all full marks"})`).join("; ")}${grading.speedup ? `; ${fmt(grading.speedup)}× with more jobs` : ""}`,
  );
  const allMet = allTargetsMet(results);
  out.push(`All targets met: ${allMet ? "yes" : "no"}`);
  return out.join("\n");
}

/** The JSON report (one line). */
export function jsonReport(r: BenchResults): string {
  const { cases, ratios } = r.training;
  return JSON.stringify({
    cases,
    ratios,
    gflops: r.gflops,
    heap: r.heap,
    notebooks: r.notebooks,
    browser: r.browser,
    grading: r.grading,
    machine: {
      ...r.machine,
      wasmSimd: r.tfjsWasm.simd,
      wasmThreads: r.tfjsWasm.threads,
      kernelLibWasmSimd: simdAvailable,
      rounds: r.rounds,
    },
    allTargetsMet: allTargetsMet(r),
  });
}
