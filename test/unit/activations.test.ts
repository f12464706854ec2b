import { describe, expect, it } from "vitest";
import {
  Activation,
  Random,
  activations,
  elu,
  gelu,
  getActivation,
  gradCheckScalar,
  leakyRelu,
  linear,
  relu,
  sigmoid,
  softmax,
  softplus,
  tanh,
} from "../../kernel-lib/src";
import { linspace, ulpDistance } from "./helpers";

/** Every element-wise activation, with leakyRelu at a few slopes. */
const all: [string, Activation][] = [
  ["sigmoid", sigmoid],
  ["tanh", tanh],
  ["relu", relu],
  ["leakyRelu(0.01)", leakyRelu(0.01)],
  ["leakyRelu(0.2)", leakyRelu(0.2)],
  ["leakyRelu(0)", leakyRelu(0)],
  ["elu", elu],
  ["gelu", gelu],
  ["softplus", softplus],
  ["linear", linear],
];

/** 200 points over [−6, 6]; none of them is 0, so relu/leakyRelu/elu are never checked at their kink. */
const points = linspace(-6, 6, 200);

describe("activation derivatives against finite differences", () => {
  it("the check points stay away from the kink at 0", () => {
    expect(Math.min(...points.map(Math.abs))).toBeGreaterThan(0.01);
  });

  for (const [name, act] of all) {
    it(`${name}: df matches (f(z+h) − f(z−h))/2h at 200 points, relative error < 1e-6`, () => {
      const result = gradCheckScalar(act, points);
      expect(result.checked).toBe(points.length);
      expect(result.maxRelativeError, result.where).toBeLessThan(1e-6);
      expect(result.ok).toBe(true);
    });
  }
});

describe("activation array loops agree with the scalar definitions", () => {
  const random = new Random(11);
  const z = Float64Array.from({ length: 500 }, () => random.normal(0, 4));
  const dA = Float64Array.from({ length: 500 }, () => random.normal());

  for (const [name, act] of all) {
    it(`${name}: forward is f and backward is dA·f′, bit for bit`, () => {
      const a = new Float64Array(z.length);
      act.forward(z, a, 1);
      for (let i = 0; i < z.length; i++) expect(a[i]).toBe(act.f(z[i]));

      const dZ = new Float64Array(z.length);
      act.backward(z, a, dA, dZ, 1);
      // ulpDistance 0 means equal as numbers: relu's loop writes 0 where dA·0 gives −0.
      for (let i = 0; i < z.length; i++) expect(ulpDistance(dZ[i], dA[i] * act.df(z[i]))).toBe(0);
    });
  }

  it("forward may write over its input (z and a the same array)", () => {
    for (const [, act] of all) {
      const inPlace = z.slice();
      act.forward(inPlace, inPlace, 1);
      for (let i = 0; i < z.length; i++) expect(inPlace[i]).toBe(act.f(z[i]));
    }
  });
});

describe("softmax", () => {
  const cols = 4;
  const rows = 3;
  const random = new Random(5);
  const z = Float64Array.from({ length: rows * cols }, () => random.normal(0, 2));

  function softmaxOf(x: Float64Array): Float64Array {
    const a = new Float64Array(x.length);
    softmax.forward(x, a, cols);
    return a;
  }

  it("rows are probabilities summing to 1, invariant to adding a constant", () => {
    const a = softmaxOf(z);
    const shifted = softmaxOf(z.map((x) => x + 100));
    for (let r = 0; r < rows; r++) {
      let total = 0;
      for (let j = 0; j < cols; j++) total += a[r * cols + j];
      expect(total).toBeCloseTo(1, 14);
    }
    for (let i = 0; i < a.length; i++) expect(shifted[i]).toBeCloseTo(a[i], 14);
  });

  it("backward is the Jacobian-vector product, matching finite differences of Σ dA ⊙ softmax(z)", () => {
    const dA = Float64Array.from({ length: z.length }, () => random.normal());
    const a = softmaxOf(z);
    const dZ = new Float64Array(z.length);
    softmax.backward(z, a, dA, dZ, cols);
    const h = 1e-5;
    const cost = (x: Float64Array) => softmaxOf(x).reduce((s, ai, i) => s + dA[i] * ai, 0);
    for (let i = 0; i < z.length; i++) {
      const plus = z.slice(),
        minus = z.slice();
      plus[i] += h;
      minus[i] -= h;
      const numeric = (cost(plus) - cost(minus)) / (2 * h);
      expect(Math.abs(dZ[i] - numeric) / Math.max(Math.abs(numeric), 1e-8)).toBeLessThan(1e-6);
    }
  });

  it("is finite for logits of ±1000", () => {
    const a = softmaxOf(
      Float64Array.from([1000, -1000, 0, 999, -1000, -1000, -1000, -1000, 1000, 1000, 1000, 1000]),
    );
    expect(Array.from(a.subarray(0, 4))).toEqual([
      1 / (1 + Math.exp(-1)),
      0,
      0,
      Math.exp(-1) / (1 + Math.exp(-1)),
    ]);
    expect(Array.from(a.subarray(4, 8))).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(Array.from(a.subarray(8))).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});

describe("numerical stability at extreme inputs", () => {
  it("sigmoid(±1000) is exactly 1 and 0, with a zero derivative, no NaN", () => {
    expect(sigmoid.f(1000)).toBe(1);
    expect(sigmoid.f(-1000)).toBe(0);
    expect(sigmoid.df(1000)).toBe(0);
    expect(sigmoid.df(-1000)).toBe(0);
    const a = new Float64Array(2);
    sigmoid.forward(Float64Array.from([1000, -1000]), a, 1);
    expect(Array.from(a)).toEqual([1, 0]);
  });

  it("softplus(1000) = 1000 and softplus(−1000) is a finite non-negative ≈ 0", () => {
    expect(softplus.f(1000)).toBe(1000);
    const low = softplus.f(-1000);
    expect(Number.isFinite(low)).toBe(true);
    expect(low).toBeGreaterThanOrEqual(0);
    expect(low).toBeLessThan(1e-300);
    expect(softplus.df(1000)).toBe(1);
    expect(softplus.df(-1000)).toBe(0);
  });

  it("tanh, gelu and elu give finite values and derivatives at ±1000", () => {
    for (const act of [tanh, gelu, elu, relu, leakyRelu(0.1), linear]) {
      for (const z of [1000, -1000]) {
        expect(Number.isFinite(act.f(z)), `${act.name}(${z})`).toBe(true);
        expect(Number.isFinite(act.df(z)), `${act.name}′(${z})`).toBe(true);
      }
    }
    expect(tanh.f(1000)).toBe(1);
    expect(tanh.f(-1000)).toBe(-1);
    expect(gelu.f(1000)).toBe(1000);
    expect(gelu.f(-1000)).toBe(-0);
    expect(elu.f(-1000)).toBe(-1);
    expect(elu.df(-1000)).toBe(0);
  });

  it("gelu keeps its relative precision deep in the left tail (golden values from 50-digit arithmetic)", () => {
    // z = −6: GELU = −8.4396467007622970837e-11, GELU′ = −7.7099739309536955117e-10 (mpmath, tanh form).
    expect(Math.abs(gelu.f(-6) / -8.4396467007622970837e-11 - 1)).toBeLessThan(1e-13);
    expect(Math.abs(gelu.df(-6) / -7.7099739309536955117e-10 - 1)).toBeLessThan(1e-13);
    // z = −10: GELU = −1.2040923482098106799e-37.
    expect(Math.abs(gelu.f(-10) / -1.2040923482098106799e-37 - 1)).toBeLessThan(1e-12);
  });

  it("sigmoid′ peaks at 1/4, at z = 0", () => {
    expect(sigmoid.df(0)).toBe(0.25);
    for (const z of linspace(-10, 10, 1001)) expect(sigmoid.df(z)).toBeLessThanOrEqual(0.25);
  });
});

describe("activation values and the registry", () => {
  it("known values", () => {
    expect(sigmoid.f(0)).toBe(0.5);
    expect(tanh.f(0)).toBe(0);
    expect(relu.f(-2)).toBe(0);
    expect(relu.f(3)).toBe(3);
    expect(leakyRelu(0.1).f(-2)).toBeCloseTo(-0.2, 15);
    expect(leakyRelu(0.1).df(-2)).toBe(0.1);
    expect(elu.f(-1)).toBeCloseTo(Math.exp(-1) - 1, 15);
    expect(softplus.f(0)).toBeCloseTo(Math.LN2, 15);
    expect(gelu.f(0)).toBe(0);
    // The tanh approximation of GELU at 1: ½(1 + tanh(√(2/π)·1.044715)) ≈ 0.841192.
    expect(gelu.f(1)).toBeCloseTo(0.84119199060827670478, 15);
    expect(linear.f(-7.5)).toBe(-7.5);
  });

  it("derivatives at the kink follow the documented convention (the left slope)", () => {
    expect(relu.df(0)).toBe(0);
    expect(leakyRelu(0.2).df(0)).toBe(0.2);
    expect(elu.df(0)).toBe(1); // e⁰ = 1: ELU with α = 1 is smooth at 0
  });

  it("the registry holds every element-wise activation by name; leakyRelu there has α = 0.01", () => {
    expect(Object.keys(activations).sort()).toEqual([
      "elu",
      "gelu",
      "leakyRelu",
      "linear",
      "relu",
      "sigmoid",
      "softplus",
      "tanh",
    ]);
    for (const [name, act] of Object.entries(activations)) {
      expect(act.name).toBe(name);
      expect(getActivation(name)).toBe(act);
      expect(typeof act.latex.f).toBe("string");
      expect(typeof act.latex.df).toBe("string");
    }
    expect(activations.leakyRelu.alpha).toBe(0.01);
    const custom = leakyRelu(0.3);
    expect(getActivation(custom)).toBe(custom);
  });

  it("each activation says what kind it is, and the kind matches its derivative far from 0", () => {
    const kinds = Object.fromEntries(Object.entries(activations).map(([name, act]) => [name, act.kind]));
    expect(kinds).toEqual({
      sigmoid: "saturating",
      tanh: "saturating",
      relu: "rectifier",
      leakyRelu: "rectifier",
      elu: "rectifier",
      gelu: "rectifier",
      softplus: "rectifier",
      linear: "linear",
    });
    for (const act of Object.values(activations)) {
      // Saturating: f′ vanishes on both sides; rectifier: f′ ≈ 1 for large z and < 1 for very negative z;
      // linear: f′ = 1.
      if (act.kind === "saturating") expect(Math.max(act.df(-30), act.df(30))).toBeLessThan(1e-9);
      if (act.kind === "rectifier") expect([act.df(30) > 1 - 1e-9, act.df(-30) < 1]).toEqual([true, true]);
      if (act.kind === "linear") expect([act.df(-30), act.df(30)]).toEqual([1, 1]);
    }
  });

  it("a parametrised activation is made by name from its saved parameters (leakyRelu's α, 0.01 when missing)", () => {
    expect(getActivation("leakyRelu", "test", { alpha: 0.2 }).df(-1)).toBe(0.2);
    expect(getActivation("leakyRelu", "test", {}).alpha).toBe(0.01);
    expect(getActivation("relu", "test", { alpha: 0.2 })).toBe(relu);
    expect(() => getActivation("leakyRelu", "test", { alpha: 2 })).toThrow(
      /alpha must be a number in \[0, 1\)/,
    );
    expect(() => getActivation("leaky", "test", { alpha: 0.2 })).toThrow(/unknown activation "leaky"/);
  });
});
