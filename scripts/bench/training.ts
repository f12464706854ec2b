/**
 * The training-step contest of `npm run bench`: the same network, starting weights and batch in
 * kernel-lib (with its WebAssembly SIMD kernels and with the TypeScript kernels forced) and in
 * TF.js on its CPU and WASM backends; repetitions interleaved, medians reported.
 */
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { Matrix, SGD, losses, mlp, rng, setKernels } from "../../kernel-lib/src/index";
import { ROOT } from "../lib/paths";
import { calibrate, log, median, rotate, time } from "./timing";

const LR = 0.01;

// ─── the contenders ──────────────────────────────────────────────────────────────────────────────

export interface Case {
  /** Short key used in JSON and the ratio targets. */
  key: "tiny" | "lessons" | "wide";
  name: string;
  sizes: number[];
  batch: number;
}

export const CASES: Case[] = [
  { key: "tiny", name: "tiny 2-16-16-1, batch 10", sizes: [2, 16, 16, 1], batch: 10 },
  {
    key: "lessons",
    name: "lessons' 784-30-30-30-30-10, batch 10",
    sizes: [784, 30, 30, 30, 30, 10],
    batch: 10,
  },
  { key: "wide", name: "wide 784-256-256-256-10, batch 64", sizes: [784, 256, 256, 256, 10], batch: 64 },
];

export type ContenderKey = "kernelLib" | "kernelLibTypescript" | "tfjsCpu" | "tfjsWasm";
export const CONTENDERS: ContenderKey[] = ["kernelLib", "kernelLibTypescript", "tfjsCpu", "tfjsWasm"];
export const LABEL: Record<ContenderKey, string> = {
  kernelLib: "kernel-lib",
  kernelLibTypescript: "kernel-lib (TS kernels)",
  tfjsCpu: "TF.js cpu",
  tfjsWasm: "TF.js wasm",
};

/** One way of running training steps on one case. */
export interface Runner {
  /** Makes this runner's backend current (TF.js keeps one global backend). */
  activate(): Promise<void>;
  /** One SGD step; returns the loss before the update when `withCost`. */
  step(withCost?: boolean): number | undefined;
}

/**
 * A seeded batch: inputs uniform in [0, 1), targets uniform in [0, 1); in the shared memory, as `fit`
 * gathers its minibatches.
 */
function makeBatch(c: Case): { X: Matrix; y: Matrix } {
  const random = rng(42);
  const X = Matrix.shared(c.batch, c.sizes[0]);
  const y = Matrix.shared(c.batch, c.sizes[c.sizes.length - 1]);
  for (let i = 0; i < X.data.length; i++) X.data[i] = random.uniform();
  for (let i = 0; i < y.data.length; i++) y.data[i] = random.uniform();
  return { X, y };
}

/** kernel-lib with its default kernels (WebAssembly SIMD here), or with the TypeScript kernels forced. */
function kernelLibRunner(c: Case, kernels: "auto" | "typescript"): Runner {
  // Built under its own kernels, as a learner's would be: with WebAssembly, the net's matrices and the
  // batch live in the memory the kernels share with JavaScript.
  setKernels(kernels);
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
  const xs = toTensor(X),
    ys = toTensor(y);
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

// ─── the contest ─────────────────────────────────────────────────────────────────────────────────

/** The speed-ups kernel-lib should reach over TF.js, measured in the same run. */
export const TARGETS: { key: Case["key"]; versus: ContenderKey; atLeast: number }[] = [
  { key: "tiny", versus: "tfjsCpu", atLeast: 20 },
  { key: "tiny", versus: "tfjsWasm", atLeast: 20 },
  { key: "lessons", versus: "tfjsWasm", atLeast: 3 },
  { key: "wide", versus: "tfjsWasm", atLeast: 2.5 },
];

/** TF.js's WebAssembly backend, loaded from node_modules; whether it has SIMD and threads here. */
export async function setUpTfjs(): Promise<{ simd: boolean; threads: boolean }> {
  setWasmPaths(path.join(ROOT, "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist") + path.sep);
  const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) as boolean;
  const threads = (await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT")) as boolean;
  return { simd, threads };
}

/** Steps per second of every contender on every case, and what else the contest found. */
export interface TrainingResult {
  cases: {
    name: string;
    kernelLib: number;
    kernelLibTypescript: number;
    tfjsCpu: number;
    tfjsWasm: number;
  }[];
  /** Per case and contender: (max − min) ÷ median of the rounds. */
  spread: number[][];
  ratios: { case: Case["key"]; versus: ContenderKey; ratio: number; target: number; met: boolean }[];
  /** How closely the losses of the first steps agree, per case. */
  sameMaths: string[];
  /** TF.js tensors not disposed over the timing. */
  tfLeak: number;
  /** The runners, by `${case}/${contender}`, warm. */
  runners: Map<string, Runner>;
}

/**
 * Sets every contender up on every case (checking they compute the same losses), calibrates the
 * repetitions and times `rounds` interleaved rounds.
 */
export async function measureTraining(rounds: number): Promise<TrainingResult> {
  // TF.js's one-time "install tfjs-node" notice would land in the middle of the table.
  const warn = console.warn;
  console.warn = () => {};
  try {
    const runners = await setUpRunners();
    log(`Calibrating …`);
    const calls = new Map<string, number>();
    for (const c of CASES) {
      for (const k of CONTENDERS) {
        const r = runners.runners.get(`${c.key}/${k}`)!;
        await r.activate();
        calls.set(
          `${c.key}/${k}`,
          calibrate(() => r.step()),
        );
      }
    }
    console.warn = warn;
    const timed = await timeRounds(runners.runners, calls, rounds);
    return {
      ...timed,
      sameMaths: runners.sameMaths,
      tfLeak: tf.memory().numTensors - runners.tensorsBefore,
      runners: runners.runners,
    };
  } finally {
    console.warn = warn;
  }
}

/** Every contender on every case; the losses of their first three steps must agree. */
async function setUpRunners(): Promise<{
  runners: Map<string, Runner>;
  sameMaths: string[];
  tensorsBefore: number;
}> {
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
    // The same maths: the losses of the first three steps (each before its update) agree to Float32
    // precision.
    const costs: Record<string, number[]> = {};
    for (const k of CONTENDERS) {
      await set[k].activate();
      costs[k] = [0, 1, 2].map(() => set[k].step(true)!);
    }
    const worst = Math.max(
      ...(["tfjsCpu", "tfjsWasm"] as const).flatMap((k) =>
        costs[k].map((v, i) => Math.abs(v - costs.kernelLib[i]) / Math.abs(costs.kernelLib[i])),
      ),
    );
    if (!costs.kernelLibTypescript.every((v, i) => Object.is(v, costs.kernelLib[i]))) {
      throw new Error(
        `${c.name}: kernel-lib's WebAssembly and TypeScript kernels give different losses (${costs.kernelLib} vs ${costs.kernelLibTypescript}); they must agree bit for bit.`,
      );
    }
    if (!(worst < 1e-4))
      throw new Error(
        `${c.name}: kernel-lib and TF.js disagree on the loss (relative difference ${worst}); the nets are not the same.`,
      );
    sameMaths.push(`${c.key}: losses of 3 steps agree to ${worst.toExponential(1)} relative`);
    for (const k of CONTENDERS) runners.set(`${c.key}/${k}`, set[k]);
  }
  return { runners, sameMaths, tensorsBefore: tf.memory().numTensors };
}

/** `rounds` rounds of one repetition per case and contender, the order rotating every round. */
async function timeRounds(
  runners: Map<string, Runner>,
  calls: Map<string, number>,
  rounds: number,
): Promise<Pick<TrainingResult, "cases" | "spread" | "ratios">> {
  log(`Timing training steps: ${rounds} interleaved rounds …`);
  const samples = new Map<string, number[]>();
  for (let round = 0; round < rounds; round++) {
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
    log(`  round ${round + 1}/${rounds}`);
  }
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
  return { cases, spread, ratios };
}
