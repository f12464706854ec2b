/**
 * `npm run bench`: how fast kernel-lib trains, next to TensorFlow.js on its plain-JS CPU backend and
 * on its WASM (SIMD) backend, in one process.
 *
 * - SGD steps per second (forward, backward, update; sigmoid hidden layers, linear output, mean
 *   squared error) of the same network, starting weights and batch in all three, for three nets;
 *   kernel-lib runs twice, with its WebAssembly SIMD kernels (the default) and with the TypeScript
 *   kernels forced (`setKernels("typescript")`), so the JSON also says what WebAssembly buys;
 *   repetitions are interleaved (contender and case order rotate every round) and medians reported,
 *   so load from other processes hits every contender alike.
 * - GFLOP/s of kernel-lib's matrix products at the shapes these nets use: the WebAssembly SIMD
 *   kernel (as the layers call it, operand copies included), the TypeScript tiled kernel, and the
 *   plain loop the tiled kernel replaced.
 * - Heap growth over 1,000 kernel-lib training steps (after a full GC) and bytes allocated per step.
 * - Wall time of executing every notebook in notebooks/ with scripts/jupyter/runner.ts, with the
 *   WebAssembly kernels and with GRADIENT_LAB_KERNELS=typescript (interleaved, notebook by notebook).
 * - The browser kernel (scripts/bench/browser.ts): lesson 02 in JupyterLite against tslab, and the
 *   cold-cache time to a first result and bytes transferred.
 * - With --grading: submissions graded per minute by `npm run grade`, for a batch of 30 copies of
 *   the practice notebook, with --jobs 1 and with one job per core (each in its own sandbox).
 *
 * kernel-lib is imported from its sources (compiled on the fly by tsx), so no stale build is timed;
 * the tsc build in kernel-lib/dist that notebooks load runs at the same speed.
 *
 * Options: --json (last line of stdout is one JSON object), --rounds N (default 9),
 * --skip-notebooks, --skip-browser, --grading (adds the grading batch, a few minutes). Progress goes to
 * stderr. Each phase lives in scripts/bench/: training.ts, products.ts, heap.ts, notebooks.ts, grading.ts,
 * browser.ts; report.ts writes the tables and the JSON.
 */
import os from "node:os";
import { measureBrowser, type BrowserBench } from "./bench/browser";
import { measureGrading } from "./bench/grading";
import { HEAP_STEPS, HeapRow, measureHeap } from "./bench/heap";
import { measureNotebooks } from "./bench/notebooks";
import { measureProducts } from "./bench/products";
import { BenchResults, cpuModel, jsonReport, textReport } from "./bench/report";
import { log } from "./bench/timing";
import { CASES, measureTraining, setUpTfjs } from "./bench/training";
import { readCommandLine, runMain } from "./lib/cli";

const USAGE = "usage: npm run bench -- [--json] [--rounds N] [--skip-notebooks] [--skip-browser] [--grading]";

const OPTIONS = {
  json: { type: "boolean" },
  rounds: { type: "string", needs: "a number of rounds" },
  "skip-notebooks": { type: "boolean" },
  "skip-browser": { type: "boolean" },
  grading: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

async function main(): Promise<number> {
  const { values } = readCommandLine(process.argv.slice(2), OPTIONS, USAGE);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const rounds = values.rounds === undefined ? 9 : Math.max(1, Number(values.rounds) || 9);
  const load0 = os.loadavg()[0];
  const tfjsWasm = await setUpTfjs();
  const training = await measureTraining(rounds);

  log(`Timing matrix products …`);
  const gflops = measureProducts(rounds);

  log(`Measuring the heap …`);
  const heap: HeapRow[] = [];
  for (const c of CASES)
    heap.push(await measureHeap(c, training.runners.get(`${c.key}/kernelLib`)!, HEAP_STEPS));

  log(`Running the notebooks …`);
  const notebooks = await measureNotebooks(values["skip-notebooks"] ?? false);
  if (values.grading) log(`Grading a batch …`);
  const grading = await measureGrading(values.grading ?? false);

  log(`Running the browser kernel …`);
  let browser: BrowserBench | { missing: string };
  try {
    browser = values["skip-browser"] ? { missing: "skipped (--skip-browser)" } : await measureBrowser(log);
  } catch (e) {
    browser = { missing: `the browser bench failed: ${(e as Error).message.split("\n")[0]}` };
  }

  const machine = {
    cpu: cpuModel(),
    cores: os.cpus().length,
    node: process.version,
    loadAverage: [load0, os.loadavg()[0]],
  };
  const results: BenchResults = {
    training,
    gflops,
    heap,
    notebooks,
    grading,
    browser,
    machine,
    tfjsWasm,
    rounds,
  };
  console.log(textReport(results));
  if (values.json) console.log(jsonReport(results));
  return 0;
}

runMain(main);
