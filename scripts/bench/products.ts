/**
 * GFLOP/s of kernel-lib's matrix products at the shapes the benchmark's nets use: the WebAssembly
 * SIMD kernel as the layers call it (operands in the shared memory, nothing copied; B packed; the
 * largest products split with the helper thread), the same on one thread, the same kernel on
 * ordinary arrays (copied in and out per call), the TypeScript tiled kernel, and the plain loop the
 * tiled kernel replaced.
 */
import { rng } from "../../kernel-lib/src/index";
import { matmulKernel, matmulNTKernel, matmulTNKernel, ProductKernel } from "../../kernel-lib/src/kernels";
import {
  THREAD_MIN_MULTIPLY_ADDS,
  helperThreadRunning,
  setHelperThread,
} from "../../kernel-lib/src/wasm/helper";
import { sharedArray } from "../../kernel-lib/src/wasm/memory";
import { matmulNTSimd, matmulSimd, matmulTNSimd } from "../../kernel-lib/src/wasm/simd";
import { calibrate, median, rotate, time } from "./timing";

/** The plain loops kernel-lib used before the tiled kernels (i-k-j, p-i-j and row-dot-row). */
const plain: Record<"NN" | "TN" | "NT", ProductKernel> = {
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
const fast: Record<"NN" | "TN" | "NT", ProductKernel> = {
  NN: matmulKernel,
  TN: matmulTNKernel,
  NT: matmulNTKernel,
};
const simdKernels: Record<"NN" | "TN" | "NT", ProductKernel> = {
  NN: matmulSimd,
  TN: matmulTNSimd,
  NT: matmulNTSimd,
};

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

export interface GflopsRow {
  product: string;
  shape: string;
  use: string;
  /** The TypeScript tiled kernel. */
  tiled: number;
  plainLoop: number;
  /** tiled ÷ plainLoop. */
  speedup: number;
  /** The WebAssembly SIMD kernel as the layers call it: operands in the shared memory, no copies. */
  simd: number;
  /** The same with the helper thread off. */
  simdOneThread: number;
  /** Whether `simd` split this product with the helper thread. */
  helperThread: boolean;
  /** The same kernel on ordinary arrays, copies into and out of the shared memory included. */
  simdCopying: number;
  /** simd ÷ tiled. */
  simdSpeedup: number;
  /** The GFLOP/s the WebAssembly kernel should reach at the wide net's shapes (null for the others). */
  simdTarget: number | null;
  simdMet: boolean | null;
}

/** GFLOP/s each product should reach in WebAssembly SIMD at the wide net's shapes. */
export const SIMD_GFLOPS_TARGET = 12;

/** Times every product for `rounds` interleaved rounds; medians. */
export function measureProducts(rounds: number): GflopsRow[] {
  const random = rng(3);
  const fill = (n: number) => Float64Array.from({ length: n }, () => random.uniform() - 0.5);
  const shared = (a: Float64Array) => {
    const s = sharedArray(a.length);
    if (s === undefined)
      throw new Error("bench: the shared WebAssembly memory has no room for the operands.");
    s.set(a);
    return s;
  };
  const jobs = PRODUCTS.map((s) => {
    const A = fill(s.m * s.k),
      B = fill(s.k * s.n),
      C = new Float64Array(s.m * s.n);
    const [sA, sB, sC] = [shared(A), shared(B), shared(C)];
    const runs = {
      simd: () => simdKernels[s.kind](s.m, s.n, s.k, sA, sB, sC, true),
      simdOneThread: () => {
        setHelperThread(false);
        simdKernels[s.kind](s.m, s.n, s.k, sA, sB, sC, true);
        setHelperThread(true);
      },
      simdCopying: () => simdKernels[s.kind](s.m, s.n, s.k, A, B, C, true),
      tiled: () => fast[s.kind](s.m, s.n, s.k, A, B, C, true),
      plainLoop: () => plain[s.kind](s.m, s.n, s.k, A, B, C, true),
    };
    const calls = {
      simd: calibrate(runs.simd),
      simdOneThread: calibrate(runs.simdOneThread),
      simdCopying: calibrate(runs.simdCopying),
      tiled: calibrate(runs.tiled),
      plainLoop: calibrate(runs.plainLoop),
    };
    return {
      s,
      runs,
      calls,
      samples: {
        simd: [] as number[],
        simdOneThread: [] as number[],
        simdCopying: [] as number[],
        tiled: [] as number[],
        plainLoop: [] as number[],
      },
    };
  });
  for (let r = 0; r < rounds; r++) {
    for (const job of rotate(jobs, r)) {
      for (const which of rotate(
        ["simd", "simdOneThread", "simdCopying", "tiled", "plainLoop"] as const,
        r,
      )) {
        const ms = time(job.runs[which], job.calls[which]);
        job.samples[which].push((2 * job.s.m * job.s.n * job.s.k * job.calls[which]) / (ms * 1e6));
      }
    }
  }
  return jobs.map(({ s, samples }) => {
    const tiled = median(samples.tiled),
      plainLoop = median(samples.plainLoop),
      simd = median(samples.simd),
      simdOneThread = median(samples.simdOneThread),
      simdCopying = median(samples.simdCopying);
    const simdTarget = s.use.startsWith("wide") ? SIMD_GFLOPS_TARGET : null;
    return {
      product: NAMES[s.kind],
      shape: `${s.m}×${s.n}, k=${s.k}`,
      use: s.use,
      tiled,
      plainLoop,
      speedup: tiled / plainLoop,
      simd,
      simdOneThread,
      helperThread: helperThreadRunning() && s.m >= 4 && s.m * s.n * s.k >= THREAD_MIN_MULTIPLY_ADDS,
      simdCopying,
      simdSpeedup: simd / tiled,
      simdTarget,
      simdMet: simdTarget === null ? null : simd >= simdTarget,
    };
  });
}
