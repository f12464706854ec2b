/**
 * Which kernels compute the matrix products: the WebAssembly SIMD kernels (wasm/simd.ts) wherever
 * the JavaScript engine runs WebAssembly SIMD — Node and every current browser — and otherwise the
 * TypeScript kernels (kernels.ts), which are also the readable reference. Both sum every entry of C
 * in the same order, so they give the same results bit for bit; only the speed differs.
 *
 * The choice is made when kernel-lib loads, from the environment variable GRADIENT_LAB_KERNELS
 * ("auto", the default; "wasm"; or "typescript"), and can be changed at any time with
 * {@link setKernels}.
 */

import { environmentVariable } from "./environment";
import { matmulKernel, matmulNTKernel, matmulTNKernel, ProductKernel } from "./kernels";
import { sharedArray } from "./wasm/memory";
import { matmulNTSimd, matmulSimd, matmulTNSimd, simdAvailable } from "./wasm/simd";

/**
 * A choice of kernels: "wasm" (WebAssembly SIMD), "typescript", or "auto" (wasm where the engine runs it).
 */
export type KernelChoice = "auto" | "wasm" | "typescript";

/**
 * Products smaller than this many multiply-adds (m·n·k) run in TypeScript even with the WebAssembly
 * kernels chosen: below it, copying the operands into WebAssembly memory and back costs more than
 * the product (the tiny 2-16-16-1 network's products are all below it).
 */
export const SIMD_MIN_MULTIPLY_ADDS = 4096;

let useSimd = false;

/**
 * Chooses the kernels behind `matmul`, `matmulTN` and `matmulNT` (and so behind every layer):
 * "wasm" for WebAssembly SIMD (an error where the engine has none), "typescript" for the
 * TypeScript kernels, "auto" for WebAssembly SIMD where available. The results are the same bits.
 */
export function setKernels(choice: KernelChoice): void {
  if (choice === "wasm" && !simdAvailable) {
    throw new Error(
      'setKernels: this JavaScript engine cannot run WebAssembly SIMD, so the "wasm" kernels are not available here. Use "auto" or "typescript".',
    );
  }
  if (choice !== "auto" && choice !== "wasm" && choice !== "typescript") {
    throw new Error(`setKernels: unknown kernels "${String(choice)}". Use "auto", "wasm" or "typescript".`);
  }
  useSimd = choice !== "typescript" && simdAvailable;
}

/** The kernels in use: "wasm" (WebAssembly SIMD) or "typescript". */
export function kernelsInUse(): "wasm" | "typescript" {
  return useSimd ? "wasm" : "typescript";
}

/**
 * `length` zeros for a matrix that products will read or write often (a layer's weights and buffers):
 * in the memory the WebAssembly kernels share with JavaScript (wasm/memory.ts) while they are the
 * kernels in use and it has room, so products on it copy nothing; otherwise an ordinary array.
 */
export function kernelArray(length: number): Float64Array {
  return (useSimd ? sharedArray(length) : undefined) ?? new Float64Array(length);
}

/** The choice in GRADIENT_LAB_KERNELS, checked. */
function choiceFromEnvironment(): KernelChoice {
  const value = environmentVariable("GRADIENT_LAB_KERNELS");
  if (value === undefined || value === "") return "auto";
  if (value === "auto" || value === "wasm" || value === "typescript") return value;
  throw new Error(
    `kernel-lib: GRADIENT_LAB_KERNELS is "${value}"; set it to "auto", "wasm" or "typescript", or unset it.`,
  );
}

setKernels(choiceFromEnvironment());

/**
 * One product with the chosen kernels: `simd` for products of at least SIMD_MIN_MULTIPLY_ADDS multiply-adds,
 * else `typescript`.
 */
function chosen(simd: ProductKernel, typescript: ProductKernel): ProductKernel {
  return (m, n, k, A, B, C, accumulate) => {
    if (useSimd && m * n * k >= SIMD_MIN_MULTIPLY_ADDS) simd(m, n, k, A, B, C, accumulate);
    else typescript(m, n, k, A, B, C, accumulate);
  };
}

/** C = A·B  [m×k]·[k×n] (C += A·B with `accumulate`) with the chosen kernels. */
export const matmulChosen: ProductKernel = chosen(matmulSimd, matmulKernel);
/** C = Aᵀ·B  [k×m]ᵀ·[k×n] (C += Aᵀ·B with `accumulate`) with the chosen kernels. */
export const matmulTNChosen: ProductKernel = chosen(matmulTNSimd, matmulTNKernel);
/** C = A·Bᵀ  [m×k]·[n×k]ᵀ (C += A·Bᵀ with `accumulate`) with the chosen kernels. */
export const matmulNTChosen: ProductKernel = chosen(matmulNTSimd, matmulNTKernel);
