/**
 * The WebAssembly SIMD kernels (kernel-lib/src/wasm/) against the reference loops in kernels.ts: the
 * same bits on every shape, in overwrite and accumulate mode; the TypeScript fallback forced on by
 * setKernels and by GRADIENT_LAB_KERNELS; training that gives the same bits with either; and a heap
 * (and WebAssembly memory) that stays flat over 1,000 training steps. The same kernels run in
 * Chromium in test/browser/worker.test.ts.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { SIMD_MIN_MULTIPLY_ADDS, kernelsInUse, setKernels } from "../../kernel-lib/src/kernel-choice";
import {
  ProductKernel,
  matmulNTReference,
  matmulReference,
  matmulTNReference,
} from "../../kernel-lib/src/kernels";
import {
  Dense,
  Matrix,
  SGD,
  leakyRelu,
  losses,
  matmul,
  matmulNT,
  matmulTN,
  mlp,
  relu,
  rng,
  sigmoid,
  tanh,
} from "../../kernel-lib/src";
import { addressOf, allocate, release, sharedArray, sharedMemoryUse } from "../../kernel-lib/src/wasm/memory";
import {
  THREAD_MIN_MULTIPLY_ADDS,
  helperThreadRunning,
  setHelperThread,
} from "../../kernel-lib/src/wasm/helper";
import {
  bytesCopied,
  matmulNTSimd,
  matmulSimd,
  matmulTNSimd,
  simdAvailable,
} from "../../kernel-lib/src/wasm/simd";

const products: {
  name: string;
  simd: ProductKernel;
  reference: ProductKernel;
  sizes: (m: number, n: number, k: number) => [number, number];
}[] = [
  { name: "A·B", simd: matmulSimd, reference: matmulReference, sizes: (m, n, k) => [m * k, k * n] },
  { name: "Aᵀ·B", simd: matmulTNSimd, reference: matmulTNReference, sizes: (m, n, k) => [k * m, k * n] },
  { name: "A·Bᵀ", simd: matmulNTSimd, reference: matmulNTReference, sizes: (m, n, k) => [m * k, n * k] },
];

const random = rng(18);
/**
 * Normal values with some exact zeros, negative zeros, and magnitudes far apart (so rounding differs with the
 * order of the sum).
 */
function values(length: number): Float64Array {
  const a = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const u = random.uniform();
    a[i] = u < 0.05 ? 0 : u < 0.08 ? -0 : random.normal() * 10 ** random.int(9) * 1e-4;
  }
  return a;
}

/**
 * Shapes [m, n, k]: 1×1, empty, around the 2×8 tile and the 4×4 tile, the nets' layer shapes, and random
 * ones.
 */
const shapes: [number, number, number][] = [
  [1, 1, 1],
  [1, 1, 0],
  [0, 3, 2],
  [3, 0, 2],
  [1, 9, 1],
  [9, 1, 1],
  [2, 8, 3],
  [3, 9, 5],
  [7, 17, 33],
  [10, 30, 784],
  [784, 30, 10],
  [10, 784, 30],
  [64, 256, 257],
  [10, 16, 2],
  [10, 1, 16],
  [65, 250, 63],
];
for (const m of [1, 2, 3, 4, 5, 7, 8, 9])
  for (const n of [1, 2, 3, 7, 8, 9, 15, 16, 17]) shapes.push([m, n, 1 + ((m * 7 + n * 3) % 13)]);
for (let t = 0; t < 60; t++) shapes.push([1 + random.int(50), 1 + random.int(50), random.int(80)]);

/**
 * Whether two arrays hold the same doubles bit for bit: Object.is tells 0 from −0 and is exact
 * otherwise. A NaN only has to meet a NaN, since neither JavaScript nor WebAssembly fixes the sign
 * and payload bits of a NaN that an operation makes.
 */
function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** A copy of `a` in the memory the WebAssembly kernels share with JavaScript. */
function shared(a: Float64Array): Float64Array {
  const s = sharedArray(a.length)!;
  s.set(a);
  return s;
}

afterEach(() => setKernels("auto"));

describe("the WebAssembly SIMD kernels", () => {
  it("run in this Node and are the kernels chosen by default", () => {
    expect(simdAvailable).toBe(true);
    expect(kernelsInUse()).toBe("wasm");
  });

  describe.each(products)("$name", ({ simd, reference, sizes }) => {
    it("equals the reference loop bit for bit on every shape, overwriting C", () => {
      for (const [m, n, k] of shapes) {
        const [lengthA, lengthB] = sizes(m, n, k);
        const A = values(lengthA),
          B = values(lengthB);
        const expected = new Float64Array(m * n).fill(NaN),
          actual = new Float64Array(m * n).fill(-1);
        reference(m, n, k, A, B, expected, false);
        simd(m, n, k, A, B, actual, false);
        expect(sameBits(actual, expected), `${m}×${n}, k = ${k}`).toBe(true);
      }
    });

    it("adds into C exactly as the reference does (C += …)", () => {
      for (const [m, n, k] of shapes) {
        const [lengthA, lengthB] = sizes(m, n, k);
        const A = values(lengthA),
          B = values(lengthB);
        const start = values(m * n);
        const expected = start.slice(),
          actual = start.slice();
        reference(m, n, k, A, B, expected, true);
        simd(m, n, k, A, B, actual, true);
        expect(sameBits(actual, expected), `${m}×${n}, k = ${k}`).toBe(true);
      }
    });

    it("propagates NaN and ±Infinity as the reference does", () => {
      const [m, n, k] = [5, 11, 9];
      const [lengthA, lengthB] = sizes(m, n, k);
      const A = values(lengthA),
        B = values(lengthB);
      A[3] = NaN;
      B[7] = Infinity;
      B[lengthB - 1] = -Infinity;
      const expected = new Float64Array(m * n),
        actual = new Float64Array(m * n);
      reference(m, n, k, A, B, expected, false);
      simd(m, n, k, A, B, actual, false);
      expect(sameBits(actual, expected)).toBe(true);
      expect(actual.some(Number.isNaN)).toBe(true);
    });
  });

  it("gives the same bits whichever operands live in the shared memory (passed in place) and which are copied", () => {
    const shapesToMix: [number, number, number][] = [
      [1, 1, 1],
      [3, 9, 5],
      [7, 17, 33],
      [10, 30, 784],
      [65, 250, 63],
    ];
    for (const { simd, reference, sizes } of products) {
      for (const [m, n, k] of shapesToMix) {
        const [lengthA, lengthB] = sizes(m, n, k);
        const A = values(lengthA),
          B = values(lengthB),
          start = values(m * n);
        const expected = start.slice();
        reference(m, n, k, A, B, expected, true);
        // Every one of the 8 ways to place A, B and C.
        for (let where = 0; where < 8; where++) {
          const a = where & 1 ? shared(A) : A.slice(),
            b = where & 2 ? shared(B) : B.slice(),
            c = where & 4 ? shared(start) : start.slice();
          simd(m, n, k, a, b, c, true);
          expect(sameBits(c, expected), `${m}×${n}, k = ${k}, placement ${where}`).toBe(true);
          expect(sameBits(a, A) && sameBits(b, B), "the operands are left as they were").toBe(true);
        }
      }
    }
  });

  it("falls back to the TypeScript kernel, with the same bits, when the shared memory has no room", () => {
    const [m, n, k] = [40, 50, 60];
    const A = values(m * k),
      B = values(k * n);
    const expected = new Float64Array(m * n),
      actual = new Float64Array(m * n);
    matmulReference(m, n, k, A, B, expected, false);
    // Fill the memory: take every free block there is.
    const taken: [number, number][] = [];
    for (let bytes = sharedMemoryUse().capacityBytes; bytes >= 64;) {
      const at = allocate(bytes);
      if (at >= 0) taken.push([at, bytes]);
      else bytes = Math.floor(bytes / 2);
    }
    expect(sharedMemoryUse().usedBytes).toBe(sharedMemoryUse().capacityBytes);
    expect(sharedArray(10)).toBeUndefined();
    expect(Matrix.shared(2, 5).data.length, "a shared matrix becomes an ordinary one").toBe(10);
    matmulSimd(m, n, k, A, B, actual, false);
    for (const [at, bytes] of taken) release(at, bytes);
    expect(sameBits(actual, expected)).toBe(true);
  });

  it("hands out aligned blocks first fit and merges them back when released", () => {
    const before = sharedMemoryUse();
    const a = allocate(8),
      b = allocate(100),
      c = allocate(64);
    expect([a % 64, b % 64, c % 64]).toEqual([0, 0, 0]);
    expect(sharedMemoryUse().usedBytes - before.usedBytes).toBe(64 + 128 + 64);
    release(b, 100);
    expect(allocate(64), "first fit reuses the hole b left").toBe(b);
    release(b, 64);
    release(a, 8);
    release(c, 64);
    expect(sharedMemoryUse()).toEqual(before);
  });

  it("gives a shared array's block back once the array is garbage-collected", async () => {
    const gc: () => void = (v8.setFlagsFromString("--expose-gc"), vm.runInNewContext("gc"));
    const before = sharedMemoryUse().usedBytes;
    (() => {
      for (let i = 0; i < 50; i++) Matrix.shared(100, 100).data[i] = 1;
    })();
    expect(sharedMemoryUse().usedBytes - before).toBeGreaterThanOrEqual(50 * 80_000);
    for (let i = 0; i < 20 && sharedMemoryUse().usedBytes > before; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(sharedMemoryUse().usedBytes).toBeLessThanOrEqual(before);
  });

  it("keeps a shared matrix's memory while a row of it lives, so the row's values are never overwritten", async () => {
    const gc: () => void = (v8.setFlagsFromString("--expose-gc"), vm.runInNewContext("gc"));
    const row = (() => {
      const m = Matrix.shared(50, 100);
      m.data.fill(7);
      return m.row(3);
    })();
    for (let i = 0; i < 5; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
      // New shared matrices would take the block back if the row did not keep it.
      for (let j = 0; j < 20; j++) Matrix.shared(50, 100).data.fill(-1);
    }
    expect(addressOf(row)).toBeGreaterThanOrEqual(0);
    expect(row.every((x) => x === 7)).toBe(true);
  });
});

describe("choosing the kernels", () => {
  it('setKernels("typescript") forces the TypeScript kernels, with the same bits through matmul, matmulTN and matmulNT', () => {
    const A = new Matrix(37, 45, values(37 * 45)),
      B = new Matrix(45, 29, values(45 * 29)),
      D = new Matrix(37, 29, values(37 * 29));
    expect(37 * 45 * 29).toBeGreaterThan(SIMD_MIN_MULTIPLY_ADDS);
    const withWasm = [matmul(A, B), matmulTN(A, D), matmulNT(D, B)];
    setKernels("typescript");
    expect(kernelsInUse()).toBe("typescript");
    const withTypescript = [matmul(A, B), matmulTN(A, D), matmulNT(D, B)];
    withWasm.forEach((c, i) => expect(sameBits(c.data, withTypescript[i].data)).toBe(true));
    setKernels("wasm");
    expect(kernelsInUse()).toBe("wasm");
  });

  it("rejects an unknown choice with the accepted ones", () => {
    expect(() => setKernels("fast" as never)).toThrow(
      /unknown kernels "fast".*"auto", "wasm" or "typescript"/,
    );
    expect(kernelsInUse()).toBe("wasm");
  });

  it("reads GRADIENT_LAB_KERNELS when kernel-lib loads, and names a bad value", () => {
    const lib = path.resolve(__dirname, "../../kernel-lib");
    const run = (value: string) =>
      execFileSync(
        process.execPath,
        ["-e", `process.stdout.write(require(${JSON.stringify(lib)}).kernelsInUse())`],
        {
          env: { ...process.env, GRADIENT_LAB_KERNELS: value },
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
    expect(run("typescript")).toBe("typescript");
    expect(run("wasm")).toBe("wasm");
    expect(run("")).toBe("wasm");
    expect(() => run("simd")).toThrow(
      /GRADIENT_LAB_KERNELS is "simd"; set it to "auto", "wasm" or "typescript"/,
    );
  });

  it("trains a network to the same bits with either kernels", () => {
    const train = () => {
      const net = mlp([784, 30, 30, 10], { activation: "sigmoid", init: "nielsen", seed: 3 });
      const sgd = new SGD(net.parameters(), { lr: 0.5, momentum: 0.9 });
      const r = rng(4);
      const X = new Matrix(20, 784),
        y = new Matrix(20, 10);
      for (let i = 0; i < X.data.length; i++) X.data[i] = r.uniform();
      for (let i = 0; i < 20; i++) y.set(i, r.int(10), 1);
      const costs: number[] = [];
      for (let step = 0; step < 15; step++) {
        net.zeroGrad();
        costs.push(net.backprop(X, y, losses.crossEntropy));
        sgd.step();
      }
      return { costs: Float64Array.from(costs), W: net.layers[0].W.data.slice() };
    };
    setKernels("wasm");
    const wasm = train();
    setKernels("typescript");
    const typescript = train();
    expect(sameBits(wasm.costs, typescript.costs)).toBe(true);
    expect(sameBits(wasm.W, typescript.W)).toBe(true);
  });
});

describe("memory over 1,000 training steps with the WebAssembly kernels", () => {
  it("the JavaScript heap stays flat (under 16 bytes a step) and the shared memory in use does not grow", () => {
    const gc: () => void = (v8.setFlagsFromString("--expose-gc"), vm.runInNewContext("gc"));
    const net = mlp([784, 32, 32, 10], { activation: "sigmoid", output: "linear", seed: 1 });
    const sgd = new SGD(net.parameters(), { lr: 0.01 });
    const r = rng(5);
    const X = Matrix.shared(16, 784),
      y = Matrix.shared(16, 10);
    for (let i = 0; i < X.data.length; i++) X.data[i] = r.uniform();
    for (let i = 0; i < y.data.length; i++) y.data[i] = r.uniform();
    const step = () => {
      net.zeroGrad();
      net.backprop(X, y, losses.mse);
      sgd.step();
    };
    // Warm up first: the JIT's optimized code and its feedback land on the heap in the first hundreds of
    // steps.
    for (let i = 0; i < 1000; i++) step();
    // Three windows of 1,000 steps: a leak grows the heap in every one; the test runner's own
    // allocations (its messages to the main process) land in some windows only.
    const growth: number[] = [];
    const sharedBefore = sharedMemoryUse().usedBytes,
      copiedBefore = bytesCopied();
    for (let window = 0; window < 3; window++) {
      gc();
      gc();
      const heapBefore = process.memoryUsage().heapUsed;
      for (let i = 0; i < 1000; i++) step();
      gc();
      gc();
      growth.push(process.memoryUsage().heapUsed - heapBefore);
    }
    expect(Math.min(...growth), `heap growth per window: ${growth.join(", ")} bytes`).toBeLessThan(16_000);
    expect(sharedMemoryUse().usedBytes, "no shared block is taken and kept").toBe(sharedBefore);
    expect(bytesCopied() - copiedBefore, "no operand is copied: they all live in the shared memory").toBe(0);
    expect(kernelsInUse()).toBe("wasm");
  });
});

describe("the element-wise loops in WebAssembly SIMD", () => {
  const special = [0, -0, NaN, Infinity, -Infinity, 5e-324, -5e-324, 1e308, -1e308, 0.5, 1, -1];
  /** `length` values: the special ones first, then normal ones. */
  const mixed = (length: number) => {
    const a = values(length);
    for (let i = 0; i < Math.min(length, special.length); i++) a[i] = special[(i * 5) % special.length];
    return a;
  };
  const elementwise = [
    { name: "relu", activation: relu },
    { name: "leakyRelu(0.01)", activation: leakyRelu(0.01) },
    { name: "leakyRelu(0.3)", activation: leakyRelu(0.3) },
    { name: "sigmoid", activation: sigmoid },
    { name: "tanh", activation: tanh },
  ];
  const lengths = [8, 9, 10, 15, 16, 17, 31, 64, 301];

  it.each(elementwise)("$name: forward and backward give the TypeScript loop's bits", ({ activation }) => {
    for (const length of lengths) {
      const z = mixed(length),
        dA = mixed(length);
      // The TypeScript loops, on ordinary arrays.
      const a = new Float64Array(length),
        dZ = new Float64Array(length);
      activation.forward(z, a, length);
      activation.backward(z, a, dA, dZ, length);
      // The same calls on shared arrays, which the WebAssembly loops take.
      const zS = shared(z),
        aS = sharedArray(length)!,
        dAS = shared(dA),
        dZS = sharedArray(length)!;
      activation.forward(zS, aS, length);
      activation.backward(zS, aS, dAS, dZS, length);
      expect(sameBits(aS, a), `forward, length ${length}`).toBe(true);
      expect(sameBits(dZS, dZ), `backward, length ${length}`).toBe(true);
    }
  });

  it("run on a Dense layer's buffers, which live in the shared memory, with the TypeScript loop's bits", () => {
    const layer = new Dense(20, 12, { activation: "relu", init: "he", seed: 2 });
    const X = Matrix.shared(5, 20);
    X.data.set(values(100));
    const a = layer.forward(X).clone();
    setKernels("typescript");
    const again = layer.forward(X);
    expect(sameBits(again.data, a.data)).toBe(true);
    expect(layer.z!.data.buffer, "the layer's z lives in the shared memory").toBe(sharedArray(1)!.buffer);
  });
});

describe("the helper thread for large products", () => {
  /** Runs one large product so the helper starts, and waits until it says it is ready. */
  async function helperReady(): Promise<void> {
    setHelperThread(true);
    const [m, n, k] = [64, 128, 128];
    matmulSimd(m, n, k, values(m * k), values(k * n), new Float64Array(m * n), false);
    for (let i = 0; i < 100 && !helperThreadRunning(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(helperThreadRunning(), "the helper thread started").toBe(true);
  }

  it("splits products of at least THREAD_MIN_MULTIPLY_ADDS with the same bits as the reference, on one thread or two", async () => {
    await helperReady();
    const large: [number, number, number][] = [
      [64, 256, 784],
      [65, 250, 257],
      [5, 300, 701],
      [784, 256, 64],
      [129, 129, 129],
    ];
    for (const { simd, reference, sizes } of products) {
      for (const [m, n, k] of large) {
        expect(m * n * k).toBeGreaterThanOrEqual(THREAD_MIN_MULTIPLY_ADDS);
        const [lengthA, lengthB] = sizes(m, n, k);
        const A = sharedArray(lengthA)!,
          B = sharedArray(lengthB)!,
          start = values(m * n);
        A.set(values(lengthA));
        B.set(values(lengthB));
        for (const accumulate of [false, true]) {
          const expected = start.slice();
          reference(m, n, k, A, B, expected, accumulate);
          for (const twoThreads of [true, false]) {
            setHelperThread(twoThreads);
            const inPlace = sharedArray(m * n)!,
              copied = start.slice();
            inPlace.set(start);
            simd(m, n, k, A, B, inPlace, accumulate);
            simd(m, n, k, A.slice(), B.slice(), copied, accumulate);
            const what = `${m}×${n}, k = ${k}${accumulate ? ", accumulating" : ""}, ${twoThreads ? "two threads" : "one"}`;
            expect(sameBits(inPlace, expected), what).toBe(true);
            expect(sameBits(copied, expected), what).toBe(true);
          }
        }
      }
    }
    setHelperThread(true);
  });

  it("never keeps a process alive, and GRADIENT_LAB_THREADS=1 keeps every product on one thread", () => {
    const lib = path.resolve(__dirname, "../../kernel-lib");
    const script = `
      const lib = require(${JSON.stringify(lib)});
      const helper = require(${JSON.stringify(path.join(lib, "dist/wasm/helper.js"))});
      const X = lib.Matrix.shared(64, 512), W = lib.Matrix.shared(512, 256);
      const until = Date.now() + 3000;
      while (!helper.helperThreadRunning() && Date.now() < until) lib.matmul(X, W);
      lib.matmul(X, W);
      process.stdout.write(String(helper.helperThreadRunning()));`;
    const run = (threads: string) =>
      execFileSync(process.execPath, ["-e", script], {
        env: { ...process.env, GRADIENT_LAB_THREADS: threads },
        encoding: "utf8",
        timeout: 20_000,
      });
    // The helper starts, works, and the process still ends by itself when its script does.
    expect(run("")).toBe("true");
    expect(run("1")).toBe("false");
  });
});
