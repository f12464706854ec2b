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
 * --skip-notebooks, --skip-browser, --grading (adds the grading batch, a few minutes). Progress goes to stderr.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { PerformanceObserver } from "node:perf_hooks";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { Matrix, SGD, losses, mlp, rng, setKernels } from "../kernel-lib/src/index";
import { matmulKernel, matmulNTKernel, matmulTNKernel } from "../kernel-lib/src/kernels";
import { matmulNTSimd, matmulSimd, matmulTNSimd, simdAvailable } from "../kernel-lib/src/wasm/simd";
import { measureBrowser, type BrowserBench } from "./bench/browser";

const ROOT = path.resolve(__dirname, "..");
const args = process.argv.slice(2);
const asJson = args.includes("--json");
const skipNotebooks = args.includes("--skip-notebooks");
const skipBrowser = args.includes("--skip-browser");
const withGrading = args.includes("--grading");
const roundsArg = args.indexOf("--rounds");
const ROUNDS = roundsArg >= 0 ? Math.max(1, Number(args[roundsArg + 1]) || 9) : 9;
/** Target wall time of one timed repetition. */
const REP_MS = 150;
const LR = 0.01;

const log = (line: string) => process.stderr.write(line + "\n");
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A full garbage collection: `global.gc` under --expose-gc, else the same function via V8 flags. */
const gc: () => void =
  typeof (globalThis as any).gc === "function"
    ? (globalThis as any).gc
    : (v8.setFlagsFromString("--expose-gc"), vm.runInNewContext("gc"));

// ─── the contenders ──────────────────────────────────────────────────────────────────────────────

interface Case {
  /** Short key used in JSON and the ratio targets. */
  key: "tiny" | "lessons" | "wide";
  name: string;
  sizes: number[];
  batch: number;
}

const CASES: Case[] = [
  { key: "tiny", name: "tiny 2-16-16-1, batch 10", sizes: [2, 16, 16, 1], batch: 10 },
  { key: "lessons", name: "lessons' 784-30-30-30-30-10, batch 10", sizes: [784, 30, 30, 30, 30, 10], batch: 10 },
  { key: "wide", name: "wide 784-256-256-256-10, batch 64", sizes: [784, 256, 256, 256, 10], batch: 64 },
];

type ContenderKey = "kernelLib" | "kernelLibTypescript" | "tfjsCpu" | "tfjsWasm";
const CONTENDERS: ContenderKey[] = ["kernelLib", "kernelLibTypescript", "tfjsCpu", "tfjsWasm"];
const LABEL: Record<ContenderKey, string> = { kernelLib: "kernel-lib", kernelLibTypescript: "kernel-lib (TS kernels)", tfjsCpu: "TF.js cpu", tfjsWasm: "TF.js wasm" };

/** One way of running training steps on one case. */
interface Runner {
  /** Makes this runner's backend current (TF.js keeps one global backend). */
  activate(): Promise<void>;
  /** One SGD step; returns the loss before the update when `withCost`. */
  step(withCost?: boolean): number | undefined;
}

/** A seeded batch: inputs uniform in [0, 1), targets uniform in [0, 1). */
function makeBatch(c: Case): { X: Matrix; y: Matrix } {
  const random = rng(42);
  const X = new Matrix(c.batch, c.sizes[0]);
  const y = new Matrix(c.batch, c.sizes[c.sizes.length - 1]);
  for (let i = 0; i < X.data.length; i++) X.data[i] = random.uniform();
  for (let i = 0; i < y.data.length; i++) y.data[i] = random.uniform();
  return { X, y };
}

/** kernel-lib with its default kernels (WebAssembly SIMD here), or with the TypeScript kernels forced. */
function kernelLibRunner(c: Case, kernels: "auto" | "typescript"): Runner {
  const net = mlp(c.sizes, { activation: "sigmoid", output: "linear", seed: 1 });
  const sgd = new SGD(net.parameters(), { lr: LR });
  const { X, y } = makeBatch(c);
  return {
    activate: async () => setKernels(kernels),
    step(withCost) {
      net.zeroGrad();
      const cost = net.backprop(X, y, losses.mse);
      sgd.step();
      return withCost ? cost : undefined;
    },
  };
}

/**
 * The same network in TF.js: tf.variable weights copied from kernel-lib's starting weights,
 * z = a·W + b, sigmoid on hidden layers, linear output, C = Σ(ŷ − y)² / (2n) — kernel-lib's mse —
 * and tf.train.sgd(lr).minimize.
 */
async function tfjsRunner(c: Case, backend: "cpu" | "wasm"): Promise<Runner> {
  await tf.setBackend(backend);
  const start = mlp(c.sizes, { activation: "sigmoid", output: "linear", seed: 1 });
  const { X, y } = makeBatch(c);
  const toTensor = (m: Matrix) => tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols]);
  const Ws = start.layers.map((l) => tf.variable(toTensor(l.W)));
  const bs = start.layers.map((l) => tf.variable(tf.tensor1d(Float32Array.from(l.b.data))));
  const xs = toTensor(X), ys = toTensor(y);
  const optimizer = tf.train.sgd(LR);
  const vars = [...Ws, ...bs];
  const loss = (): tf.Scalar => {
    let a: tf.Tensor = xs;
    for (let i = 0; i < Ws.length; i++) {
      const z = tf.add(tf.matMul(a, Ws[i]), bs[i]);
      a = i < Ws.length - 1 ? tf.sigmoid(z) : z;
    }
    return tf.div(tf.sum(tf.square(tf.sub(a, ys))), 2 * c.batch) as tf.Scalar;
  };
  return {
    activate: async () => {
      if (tf.getBackend() !== backend) await tf.setBackend(backend);
    },
    step(withCost) {
      const cost = optimizer.minimize(loss, withCost === true, vars);
      if (cost === null) return undefined;
      const value = cost.dataSync()[0];
      cost.dispose();
      return value;
    },
  };
}

// ─── timing ──────────────────────────────────────────────────────────────────────────────────────

/** Runs `step` `count` times and returns the wall time in ms. */
function time(step: () => void, count: number): number {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) step();
  return performance.now() - t0;
}

/** Warms a step up (≥ 200 ms and ≥ 3 calls) and returns how many calls make one ~REP_MS repetition. */
function calibrate(step: () => void): number {
  let calls = 0;
  const t0 = performance.now();
  while (calls < 3 || performance.now() - t0 < 200) {
    step();
    calls++;
  }
  const perCall = time(step, Math.max(1, Math.ceil(calls / 4))) / Math.max(1, Math.ceil(calls / 4));
  return Math.max(1, Math.round(REP_MS / perCall));
}

/** Rotates a list by `r` places (so every item takes every position across rounds). */
function rotate<T>(xs: readonly T[], r: number): T[] {
  const k = r % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
}

// ─── matrix-product throughput ───────────────────────────────────────────────────────────────────

type Kernel = (m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array, accumulate: boolean) => void;

/** The plain loops kernel-lib used before the tiled kernels (i-k-j, p-i-j and row-dot-row). */
const plain: Record<"NN" | "TN" | "NT", Kernel> = {
  NN(m, n, k, A, B, C, accumulate) {
    if (!accumulate) C.fill(0);
    for (let i = 0; i < m; i++) {
      const ci = i * n;
      for (let p = 0; p < k; p++) {
        const aip = A[i * k + p];
        if (aip === 0) continue;
        const bp = p * n;
        for (let j = 0; j < n; j++) C[ci + j] += aip * B[bp + j];
      }
    }
  },
  TN(m, n, k, A, B, C, accumulate) {
    if (!accumulate) C.fill(0);
    for (let p = 0; p < k; p++) {
      const bp = p * n;
      for (let i = 0; i < m; i++) {
        const api = A[p * m + i];
        if (api === 0) continue;
        const ci = i * n;
        for (let j = 0; j < n; j++) C[ci + j] += api * B[bp + j];
      }
    }
  },
  NT(m, n, k, A, B, C, accumulate) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += A[i * k + p] * B[j * k + p];
        C[i * n + j] = accumulate ? C[i * n + j] + s : s;
      }
    }
  },
};
const fast: Record<"NN" | "TN" | "NT", Kernel> = { NN: matmulKernel, TN: matmulTNKernel, NT: matmulNTKernel };
const simdKernels: Record<"NN" | "TN" | "NT", Kernel> = { NN: matmulSimd, TN: matmulTNSimd, NT: matmulNTSimd };

interface ProductShape {
  kind: "NN" | "TN" | "NT";
  m: number;
  n: number;
  k: number;
  /** Where the nets use it. */
  use: string;
}

const PRODUCTS: ProductShape[] = [
  { kind: "NN", m: 10, n: 30, k: 784, use: "lessons: z = X·W, layer 1" },
  { kind: "NN", m: 10, n: 30, k: 30, use: "lessons: z = X·W, hidden" },
  { kind: "TN", m: 784, n: 30, k: 10, use: "lessons: dW = Xᵀ·δ, layer 1" },
  { kind: "NT", m: 10, n: 30, k: 30, use: "lessons: dX = δ·Wᵀ, hidden" },
  { kind: "NN", m: 64, n: 256, k: 784, use: "wide: z = X·W, layer 1" },
  { kind: "NN", m: 64, n: 256, k: 256, use: "wide: z = X·W, hidden" },
  { kind: "TN", m: 784, n: 256, k: 64, use: "wide: dW = Xᵀ·δ, layer 1" },
  { kind: "TN", m: 256, n: 256, k: 64, use: "wide: dW = Xᵀ·δ, hidden" },
  { kind: "NT", m: 64, n: 256, k: 256, use: "wide: dX = δ·Wᵀ, hidden" },
];

const NAMES = { NN: "A·B", TN: "Aᵀ·B", NT: "A·Bᵀ" };

interface GflopsRow {
  product: string;
  shape: string;
  use: string;
  /** The TypeScript tiled kernel. */
  tiled: number;
  plainLoop: number;
  /** tiled ÷ plainLoop. */
  speedup: number;
  /** The WebAssembly SIMD kernel, copies of the operands in and out of its memory included. */
  simd: number;
  /** simd ÷ tiled. */
  simdSpeedup: number;
  /** The GFLOP/s the WebAssembly kernel should reach at the wide net's shapes (null for the others). */
  simdTarget: number | null;
  simdMet: boolean | null;
}

/** GFLOP/s each product should reach in WebAssembly SIMD at the wide net's shapes. */
const SIMD_GFLOPS_TARGET = 12;

function measureProducts(): GflopsRow[] {
  const random = rng(3);
  const fill = (n: number) => Float64Array.from({ length: n }, () => random.uniform() - 0.5);
  const jobs = PRODUCTS.map((s) => {
    const A = fill(s.m * s.k), B = fill(s.k * s.n), C = new Float64Array(s.m * s.n);
    const runs = {
      simd: () => simdKernels[s.kind](s.m, s.n, s.k, A, B, C, true),
      tiled: () => fast[s.kind](s.m, s.n, s.k, A, B, C, true),
      plainLoop: () => plain[s.kind](s.m, s.n, s.k, A, B, C, true),
    };
    const calls = { simd: calibrate(runs.simd), tiled: calibrate(runs.tiled), plainLoop: calibrate(runs.plainLoop) };
    return { s, runs, calls, samples: { simd: [] as number[], tiled: [] as number[], plainLoop: [] as number[] } };
  });
  for (let r = 0; r < ROUNDS; r++) {
    for (const job of rotate(jobs, r)) {
      for (const which of rotate(["simd", "tiled", "plainLoop"] as const, r)) {
        const ms = time(job.runs[which], job.calls[which]);
        job.samples[which].push((2 * job.s.m * job.s.n * job.s.k * job.calls[which]) / (ms * 1e6));
      }
    }
  }
  return jobs.map(({ s, samples }) => {
    const tiled = median(samples.tiled), plainLoop = median(samples.plainLoop), simd = median(samples.simd);
    const simdTarget = s.use.startsWith("wide") ? SIMD_GFLOPS_TARGET : null;
    return {
      product: NAMES[s.kind], shape: `${s.m}×${s.n}, k=${s.k}`, use: s.use, tiled, plainLoop, speedup: tiled / plainLoop,
      simd, simdSpeedup: simd / tiled, simdTarget, simdMet: simdTarget === null ? null : simd >= simdTarget,
    };
  });
}

// ─── heap ────────────────────────────────────────────────────────────────────────────────────────

interface HeapRow {
  case: string;
  steps: number;
  /** heapUsed after a full GC, after the steps minus before them. */
  growthBytes: number;
  /** New-space bytes allocated per step (measured between GCs). */
  allocatedPerStep: number;
  flat: boolean;
}

/** Heap growth is "flat" under this many bytes (16 bytes a step over 1,000 steps). */
const FLAT_LIMIT = 16_000;
/** Training steps per heap measurement. */
const HEAP_STEPS = 1000;

function newSpaceUsed(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space")!.space_used_size;
}

/** Measures the (already timed, so warm) kernel-lib runner of case `c` over `steps` steps. */
async function measureHeap(c: Case, runner: Runner, steps: number): Promise<HeapRow> {
  await runner.activate();
  for (let i = 0; i < 100; i++) runner.step();
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < steps; i++) runner.step();
  gc();
  gc();
  const growthBytes = process.memoryUsage().heapUsed - before;

  // Allocation per step: new-space use right after a GC grows by exactly what is allocated, as long
  // as no scavenge runs in between (checked with a GC observer); reading the statistics itself
  // allocates a little, measured with zero steps and subtracted.
  let collections = 0;
  const observer = new PerformanceObserver((list) => (collections += list.getEntries().length));
  observer.observe({ entryTypes: ["gc"] });
  const window = Math.min(steps, 100);
  const sample = (n: number) => {
    gc();
    const s0 = newSpaceUsed();
    for (let i = 0; i < n; i++) runner.step();
    return newSpaceUsed() - s0;
  };
  const overhead = sample(0);
  await new Promise((r) => setImmediate(r));
  collections = 0;
  const allocated = sample(window) - overhead;
  await new Promise((r) => setImmediate(r));
  observer.disconnect();
  // The sample's own gc() calls are 1 entry; more means a scavenge ran inside the window.
  const allocatedPerStep = collections > 1 ? NaN : Math.max(0, allocated) / window;
  return { case: c.name, steps, growthBytes, allocatedPerStep, flat: growthBytes < FLAT_LIMIT };
}

// ─── notebooks ───────────────────────────────────────────────────────────────────────────────────

interface NotebookFigure {
  /** Wall time of the suite with kernel-lib's default kernels (WebAssembly SIMD where available). */
  seconds: number | null;
  /** The same suite with GRADIENT_LAB_KERNELS=typescript (the kernels before WebAssembly). */
  secondsTypescript: number | null;
  count: number;
  passed: number;
  /** Seconds per notebook, with each kernel choice. */
  perNotebook: { notebook: string; seconds: number; secondsTypescript: number }[];
  missing?: string;
}

async function measureNotebooks(): Promise<NotebookFigure> {
  const none = { seconds: null, secondsTypescript: null, count: 0, passed: 0, perNotebook: [] };
  if (skipNotebooks) return { ...none, missing: "skipped (--skip-notebooks)" };
  let runner: typeof import("./jupyter/runner");
  try {
    runner = await import("./jupyter/runner");
  } catch (e) {
    return { ...none, missing: `scripts/jupyter/runner.ts did not load: ${(e as Error).message.split("\n")[0]}` };
  }
  const notebooks = fs.existsSync(path.join(ROOT, "notebooks")) ? runner.listNotebooks() : [];
  if (notebooks.length === 0) return { ...none, missing: "there are no notebooks in notebooks/ yet" };
  try {
    const { ensureJupyterEnv } = await import("./jupyter/env");
    const jupyter = await ensureJupyterEnv({ log });
    let passed = 0;
    const perNotebook: NotebookFigure["perNotebook"] = [];
    // Each notebook with both kernel choices, alternating which goes first, so load hits both alike.
    for (const [index, nb] of notebooks.entries()) {
      const times: { [kernels: string]: number } = {};
      for (const kernels of rotate(["auto", "typescript"], index)) {
        log(`  notebook ${path.relative(ROOT, nb)} (GRADIENT_LAB_KERNELS=${kernels}) …`);
        const t0 = performance.now();
        const result = await runner.runNotebook(nb, { jupyter, env: { GRADIENT_LAB_KERNELS: kernels } });
        times[kernels] = (performance.now() - t0) / 1000;
        if (result.ok) passed += kernels === "auto" ? 1 : 0;
        else log(`    failed: ${(result.error ?? "").split("\n")[0]}`);
      }
      perNotebook.push({ notebook: path.basename(nb), seconds: times.auto, secondsTypescript: times.typescript });
    }
    const total = (key: "seconds" | "secondsTypescript") => perNotebook.reduce((sum, r) => sum + r[key], 0);
    return { seconds: total("seconds"), secondsTypescript: total("secondsTypescript"), count: notebooks.length, passed, perNotebook };
  } catch (e) {
    return { ...none, count: notebooks.length, missing: `the notebook runner failed: ${(e as Error).message.split("\n")[0]}` };
  }
}

// ─── grading ─────────────────────────────────────────────────────────────────────────────────────

interface GradingFigure {
  submissions: number;
  /** Submissions per minute, per --jobs value. */
  perMinute: { jobs: number; perMinute: number; seconds: number; allFullMarks: boolean }[];
  /** Speed-up of the most jobs over --jobs 1. */
  speedup: number | null;
  missing?: string;
}

const GRADING_BATCH = 30;

/** Grades 30 solved copies of the fixture practice notebook with `npm run grade`, with 1 job and with one per core. */
async function measureGrading(): Promise<GradingFigure> {
  if (!withGrading) return { submissions: 0, perMinute: [], speedup: null, missing: "skipped (add --grading)" };
  const { spawn } = await import("node:child_process");
  const practice = path.join(ROOT, "test", "assignments", "fixtures", "reference");
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-bench-grade-"));
  try {
    const subs = path.join(scratch, "submissions");
    fs.mkdirSync(subs);
    for (let i = 1; i <= GRADING_BATCH; i++) fs.copyFileSync(path.join(practice, "practice.ipynb"), path.join(subs, `student-${String(i).padStart(2, "0")}.ipynb`));
    const perMinute: GradingFigure["perMinute"] = [];
    for (const jobs of [...new Set([1, os.cpus().length])]) {
      log(`  grading ${GRADING_BATCH} submissions with --jobs ${jobs} …`);
      const t0 = performance.now();
      const stdout = await new Promise<string>((resolve, reject) => {
        const tsx = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
        const child = spawn(process.execPath, [tsx, path.join(ROOT, "scripts", "grade.ts"), subs, "--json", "--jobs", String(jobs), "--source", practice, "--report-dir", path.join(scratch, `reports-${jobs}`)], { stdio: ["ignore", "pipe", "inherit"] });
        let out = "";
        child.stdout.on("data", (chunk) => (out += chunk));
        child.on("error", reject);
        child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`npm run grade exited with ${code}`))));
      });
      const seconds = (performance.now() - t0) / 1000;
      const grades: { score: number; maxScore: number }[] = JSON.parse(stdout).submissions;
      perMinute.push({ jobs, perMinute: (GRADING_BATCH / seconds) * 60, seconds, allFullMarks: grades.every((g) => g.maxScore > 0 && g.score === g.maxScore) });
    }
    const speedup = perMinute.length > 1 ? perMinute[perMinute.length - 1].perMinute / perMinute[0].perMinute : null;
    return { submissions: GRADING_BATCH, perMinute, speedup };
  } catch (e) {
    return { submissions: GRADING_BATCH, perMinute: [], speedup: null, missing: `grading failed: ${(e as Error).message.split("\n")[0]}` };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

// ─── main ────────────────────────────────────────────────────────────────────────────────────────

const TARGETS: { key: Case["key"]; versus: ContenderKey; atLeast: number }[] = [
  { key: "tiny", versus: "tfjsCpu", atLeast: 20 },
  { key: "tiny", versus: "tfjsWasm", atLeast: 20 },
  { key: "lessons", versus: "tfjsWasm", atLeast: 3 },
  { key: "wide", versus: "tfjsWasm", atLeast: 2.5 },
];

function cpuModel(): string {
  try {
    const line = fs.readFileSync("/proc/cpuinfo", "utf8").split("\n").find((l) => l.startsWith("model name"));
    if (line) return line.split(":")[1].trim();
  } catch {}
  return os.cpus()[0]?.model ?? "unknown";
}

function table(header: string[], rows: string[][], right: boolean[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => (right[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join("  ");
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const fmt = (x: number, digits = 3) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toPrecision(digits)) : "—");

async function main(): Promise<void> {
  const load0 = os.loadavg()[0];
  setWasmPaths(path.join(ROOT, "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist") + path.sep);
  const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) as boolean;
  const threads = (await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT")) as boolean;
  // TF.js's one-time "install tfjs-node" notice would land in the middle of the table.
  const warn = console.warn;
  console.warn = () => {};

  log(`Setting up ${CASES.length} cases × ${CONTENDERS.length} contenders …`);
  const runners = new Map<string, Runner>();
  const sameMaths: string[] = [];
  for (const c of CASES) {
    const set: Record<ContenderKey, Runner> = {
      kernelLib: kernelLibRunner(c, "auto"),
      kernelLibTypescript: kernelLibRunner(c, "typescript"),
      tfjsCpu: await tfjsRunner(c, "cpu"),
      tfjsWasm: await tfjsRunner(c, "wasm"),
    };
    // The same maths: the losses of the first three steps (each before its update) agree to Float32 precision.
    const costs: Record<string, number[]> = {};
    for (const k of CONTENDERS) {
      await set[k].activate();
      costs[k] = [0, 1, 2].map(() => set[k].step(true)!);
    }
    const worst = Math.max(
      ...(["tfjsCpu", "tfjsWasm"] as const).flatMap((k) => costs[k].map((v, i) => Math.abs(v - costs.kernelLib[i]) / Math.abs(costs.kernelLib[i]))),
    );
    if (!costs.kernelLibTypescript.every((v, i) => Object.is(v, costs.kernelLib[i]))) {
      throw new Error(`${c.name}: kernel-lib's WebAssembly and TypeScript kernels give different losses (${costs.kernelLib} vs ${costs.kernelLibTypescript}); they must agree bit for bit.`);
    }
    if (!(worst < 1e-4)) throw new Error(`${c.name}: kernel-lib and TF.js disagree on the loss (relative difference ${worst}); the nets are not the same.`);
    sameMaths.push(`${c.key}: losses of 3 steps agree to ${worst.toExponential(1)} relative`);
    for (const k of CONTENDERS) runners.set(`${c.key}/${k}`, set[k]);
  }
  const tensorsBefore = tf.memory().numTensors;

  log(`Calibrating …`);
  const calls = new Map<string, number>();
  for (const c of CASES) {
    for (const k of CONTENDERS) {
      const r = runners.get(`${c.key}/${k}`)!;
      await r.activate();
      calls.set(`${c.key}/${k}`, calibrate(() => r.step()));
    }
  }
  console.warn = warn;

  log(`Timing training steps: ${ROUNDS} interleaved rounds …`);
  const samples = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of rotate(CASES, round)) {
      for (const k of rotate(CONTENDERS, round)) {
        const id = `${c.key}/${k}`;
        const r = runners.get(id)!;
        await r.activate();
        const n = calls.get(id)!;
        const ms = time(() => r.step(), n);
        (samples.get(id) ?? samples.set(id, []).get(id)!).push((n * 1000) / ms);
      }
    }
    log(`  round ${round + 1}/${ROUNDS}`);
  }
  const tfLeak = tf.memory().numTensors - tensorsBefore;
  const stepsPerSecond = (c: Case, k: ContenderKey) => median(samples.get(`${c.key}/${k}`)!);
  const cases = CASES.map((c) => ({
    name: c.name,
    kernelLib: stepsPerSecond(c, "kernelLib"),
    kernelLibTypescript: stepsPerSecond(c, "kernelLibTypescript"),
    tfjsCpu: stepsPerSecond(c, "tfjsCpu"),
    tfjsWasm: stepsPerSecond(c, "tfjsWasm"),
  }));
  const spread = CASES.map((c) =>
    CONTENDERS.map((k) => {
      const xs = samples.get(`${c.key}/${k}`)!;
      return (Math.max(...xs) - Math.min(...xs)) / median(xs);
    }),
  );

  const ratios = TARGETS.map((t) => {
    const i = CASES.findIndex((c) => c.key === t.key);
    const ratio = cases[i].kernelLib / cases[i][t.versus];
    return { case: t.key, versus: t.versus, ratio, target: t.atLeast, met: ratio >= t.atLeast };
  });

  log(`Timing matrix products …`);
  const gflops = measureProducts();

  log(`Measuring the heap …`);
  const heap: HeapRow[] = [];
  for (const c of CASES) heap.push(await measureHeap(c, runners.get(`${c.key}/kernelLib`)!, HEAP_STEPS));

  log(`Running the notebooks …`);
  const notebooks = await measureNotebooks();
  if (withGrading) log(`Grading a batch …`);
  const grading = await measureGrading();

  log(`Running the browser kernel …`);
  let browser: BrowserBench | { missing: string };
  try {
    browser = skipBrowser ? { missing: "skipped (--skip-browser)" } : await measureBrowser(log);
  } catch (e) {
    browser = { missing: `the browser bench failed: ${(e as Error).message.split("\n")[0]}` };
  }

  const machine = { cpu: cpuModel(), cores: os.cpus().length, node: process.version, loadAverage: [load0, os.loadavg()[0]] };

  // ─── report ───
  const out: string[] = [];
  out.push(`Gradient Lab benchmark — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
  out.push(`kernel-lib kernels: ${simdAvailable ? "WebAssembly SIMD" : "TypeScript (no WebAssembly SIMD here)"}; TF.js ${tf.version_core}; wasm SIMD ${simd ? "on" : "OFF"}, wasm threads ${threads ? "on" : "off"}; ${ROUNDS} interleaved rounds, medians; load average ${load0.toFixed(2)} → ${os.loadavg()[0].toFixed(2)}`);
  out.push("");
  out.push("SGD training steps per second (forward + backward + update; sigmoid hidden, linear output, MSE):");
  out.push(
    table(
      ["case", "kernel-lib", "k-l TS kernels", "TF.js cpu", "TF.js wasm", "spread (k-l/TS/cpu/wasm)"],
      cases.map((r, i) => [r.name, fmt(r.kernelLib), fmt(r.kernelLibTypescript), fmt(r.tfjsCpu), fmt(r.tfjsWasm), spread[i].map((s) => `±${Math.round(s * 50)}%`).join(" / ")]),
      [false, true, true, true, true, true],
    ),
  );
  out.push(`(${sameMaths.join("; ")}; TF.js tensors left over: ${tfLeak})`);
  out.push("");
  out.push("Targets (kernel-lib ÷ TF.js, same run):");
  out.push(
    table(
      ["case", "versus", "ratio", "target", "met"],
      ratios.map((r) => [r.case, LABEL[r.versus], `${fmt(r.ratio)}×`, `≥ ${r.target}×`, r.met ? "yes" : "NO"]),
      [false, false, true, true, false],
    ),
  );
  out.push("");
  out.push(`Matrix products, GFLOP/s (Float64; WebAssembly SIMD with its copies, TypeScript tiled kernel, the plain loop it replaced; target for SIMD at the wide net's shapes ≥ ${SIMD_GFLOPS_TARGET}):`);
  out.push(
    table(
      ["product", "shape (C m×n, inner k)", "used for", "wasm SIMD", "TS tiled", "plain loop", "SIMD ÷ tiled", "tiled ÷ plain", "target met"],
      gflops.map((g) => [g.product, g.shape, g.use, fmt(g.simd), fmt(g.tiled), fmt(g.plainLoop), `${fmt(g.simdSpeedup)}×`, `${fmt(g.speedup)}×`, g.simdMet === null ? "" : g.simdMet ? "yes" : "NO"]),
      [false, false, false, true, true, true, true, true, false],
    ),
  );
  out.push("");
  out.push(`kernel-lib heap (heapUsed after a full GC, after the steps minus before; "flat" = under ${FLAT_LIMIT / 1000} kB):`);
  out.push(
    table(
      ["case", "steps", "growth", "allocated / step", "flat"],
      heap.map((h) => [h.case, String(h.steps), `${(h.growthBytes / 1024).toFixed(1)} KiB`, Number.isNaN(h.allocatedPerStep) ? "(scavenge, n/a)" : `${h.allocatedPerStep.toFixed(1)} B`, h.flat ? "yes" : "NO"]),
      [false, true, true, true, false],
    ),
  );
  out.push("(allocated / step: new-space bytes per step; 16 B is the boxed JS number backprop returns, the loss.)");
  out.push("");
  out.push(
    notebooks.missing
      ? `Notebook suite: missing — ${notebooks.missing}`
      : `Notebook suite: ${notebooks.count} notebooks (${notebooks.passed} passed) in ${notebooks.seconds!.toFixed(1)} s with the WebAssembly kernels, ` +
          `${notebooks.secondsTypescript!.toFixed(1)} s with GRADIENT_LAB_KERNELS=typescript (${notebooks.perNotebook.map((r) => `${r.notebook.replace(/\.ipynb$/, "")} ${r.seconds.toFixed(1)}/${r.secondsTypescript.toFixed(1)}`).join(", ")})`,
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
  const allMet = ratios.every((r) => r.met) && heap.every((h) => h.flat) && gflops.every((g) => g.simdMet !== false);
  out.push(`All targets met: ${allMet ? "yes" : "no"}`);
  console.log(out.join("\n"));

  if (asJson) {
    console.log(
      JSON.stringify({
        cases,
        ratios,
        gflops,
        heap,
        notebooks,
        browser,
        grading,
        machine: { ...machine, wasmSimd: simd, wasmThreads: threads, kernelLibWasmSimd: simdAvailable, rounds: ROUNDS },
        allTargetsMet: allMet,
      }),
    );
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
