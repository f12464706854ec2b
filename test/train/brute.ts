/**
 * Brute-force reference computations for the diagnostics tests: one example at a time, with scalar
 * arithmetic and the activations' scalar definitions f and f′ — no matrix kernels, no fused paths.
 */
import type { Activation } from "../../kernel-lib/src/activations";
import type { Matrix } from "../../kernel-lib/src/matrix";
import type { Sequential } from "../../kernel-lib/src/network";

/** z and a of every layer for one example x. */
export function forwardOne(net: Sequential, x: number[]): { z: number[][]; a: number[][] } {
  const zs: number[][] = [],
    as: number[][] = [];
  let input = x;
  for (const l of net.layers) {
    const z: number[] = [];
    for (let j = 0; j < l.numOutputs; j++) {
      let s = l.b.get(0, j);
      for (let i = 0; i < l.numInputs; i++) s += input[i] * l.W.get(i, j);
      z.push(s);
    }
    let a: number[];
    if (l.activation.name === "softmax") {
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const t = e.reduce((p, q) => p + q, 0);
      a = e.map((v) => v / t);
    } else {
      a = z.map((v) => (l.activation as Activation).f(v));
    }
    zs.push(z);
    as.push(a);
    input = a;
  }
  return { z: zs, a: as };
}

/**
 * ∂C/∂W and ∂C/∂b of every layer for C = (1/n) Σₓ Cₓ, summed example by example. The output
 * layer is softmax with cross-entropy (δ = ŷ − y) or sigmoid with the quadratic cost
 * (δ = (ŷ − y) σ′(z)).
 */
export function gradientsBrute(net: Sequential, X: Matrix, y: Matrix): { dW: number[][][]; db: number[][] } {
  const L = net.layers.length;
  const dW = net.layers.map((l) =>
    Array.from({ length: l.numInputs }, () => new Array(l.numOutputs).fill(0)),
  );
  const db = net.layers.map((l) => new Array(l.numOutputs).fill(0));
  const n = X.rows;
  for (let r = 0; r < n; r++) {
    const x = Array.from(X.row(r));
    const { z, a } = forwardOne(net, x);
    const out = net.layers[L - 1];
    let delta = a[L - 1].map((v, j) => {
      const diff = v - y.get(r, j);
      return out.activation.name === "softmax" ? diff : diff * (out.activation as Activation).df(z[L - 1][j]);
    });
    for (let l = L - 1; l >= 0; l--) {
      const input = l === 0 ? x : a[l - 1];
      for (let i = 0; i < input.length; i++)
        for (let j = 0; j < delta.length; j++) dW[l][i][j] += (input[i] * delta[j]) / n;
      for (let j = 0; j < delta.length; j++) db[l][j] += delta[j] / n;
      if (l > 0) {
        const layer = net.layers[l],
          below = net.layers[l - 1];
        const next: number[] = [];
        for (let i = 0; i < layer.numInputs; i++) {
          let s = 0;
          for (let j = 0; j < layer.numOutputs; j++) s += layer.W.get(i, j) * delta[j];
          next.push(s * (below.activation as Activation).df(z[l - 1][i]));
        }
        delta = next;
      }
    }
  }
  return { dW, db };
}

/** The Euclidean norm of a nested array of numbers. */
export function normOf(values: number[] | number[][]): number {
  let s = 0;
  for (const v of values.flat()) s += v * v;
  return Math.sqrt(s);
}
