import { describe, expect, it } from "vitest";
import {
  Dense,
  Initializer,
  getInitializer,
  he,
  initializers,
  lecun,
  nielsen,
  normal,
  rai,
  uniform,
  xavierNormal,
  xavierUniform,
} from "../../kernel-lib/src";

/**
 * Asserts that samples have mean 0 and variance `variance`, each within 5 standard errors.
 *
 * For N samples with variance σ² and fourth central moment μ₄ = κσ⁴ (kurtosis κ):
 *   SE(mean) = σ/√N,
 *   Var(s²) = (μ₄ − σ⁴(N − 3)/(N − 1))/N   (s² the unbiased sample variance),
 * which for normal samples (κ = 3) is 2σ⁴/(N − 1), i.e. SE(s²) = σ²√(2/(N − 1)), and for
 * uniform samples on (−a, a) (κ = 9/5: μ₄ = a⁴/5, σ² = a²/3) is about 0.8σ⁴/N.
 */
function expectMoments(samples: Float64Array, variance: number, kurtosis: number): void {
  const n = samples.length;
  let sum = 0;
  for (const x of samples) sum += x;
  const mean = sum / n;
  let ss = 0;
  for (const x of samples) ss += (x - mean) ** 2;
  const sampleVariance = ss / (n - 1);

  const seMean = Math.sqrt(variance / n);
  const seVariance = Math.sqrt((kurtosis * variance ** 2 - (variance ** 2 * (n - 3)) / (n - 1)) / n);
  expect(Math.abs(mean), `mean ${mean}, 5 SE = ${5 * seMean}`).toBeLessThan(5 * seMean);
  expect(
    Math.abs(sampleVariance - variance),
    `variance ${sampleVariance} vs ${variance}, 5 SE = ${5 * seVariance}`,
  ).toBeLessThan(5 * seVariance);
}

const NORMAL = 3;
const UNIFORM = 9 / 5;

describe("initializers: sample mean and variance of a 1250 × 800 layer (10⁶ weights) match the formula", () => {
  // n_in ≠ n_out, so a scheme that confused fan-in and fan-out would miss its variance by far more than 5 SE.
  const nIn = 1250,
    nOut = 800;
  const layer = (init: Initializer, seed = 1) => new Dense(nIn, nOut, { init, seed });

  const cases: [string, Initializer, number, number][] = [
    ["normal(0.5): σ² = 0.25", normal(0.5), 0.25, NORMAL],
    ["normal(0.01) (the default)", normal(), 1e-4, NORMAL],
    ["uniform(0.3): a²/3 = 0.03", uniform(0.3), 0.03, UNIFORM],
    ["xavierUniform: 2/(n_in + n_out)", xavierUniform, 2 / (nIn + nOut), UNIFORM],
    ["xavierNormal: 2/(n_in + n_out)", xavierNormal, 2 / (nIn + nOut), NORMAL],
    ["he: 2/n_in", he(), 2 / nIn, NORMAL],
    ["he(0.1): 2/((1 + α²) n_in)", he(0.1), 2 / ((1 + 0.01) * nIn), NORMAL],
    ["he(0.5): 2/((1 + α²) n_in)", he(0.5), 2 / ((1 + 0.25) * nIn), NORMAL],
    ["nielsen: 1/n_in", nielsen, 1 / nIn, NORMAL],
    ["lecun: 1/n_in", lecun(), 1 / nIn, NORMAL],
    ["lecun(3): 9/n_in", lecun(3), 9 / nIn, NORMAL],
  ];

  for (const [name, init, variance, kurtosis] of cases) {
    it(name, () => {
      const l = layer(init);
      expect(l.W.data.length).toBe(1_000_000);
      expectMoments(l.W.data, variance, kurtosis);
      if (init !== nielsen) expect(l.b.data.every((v) => v === 0)).toBe(true);
    });
  }

  it("nielsen's biases are N(0, 1)", () => {
    expectMoments(layer(nielsen, 3).b.data, 1, NORMAL);
  });

  it("rai: one entry per unit (its n_in weights and bias) is drawn from Beta(2, 1), whose mean 2/3 shifts the mean of all entries to (2/3)/(n_in + 1)", () => {
    const l = layer(rai, 5);
    const all = Float64Array.from([...l.W.data, ...l.b.data]);
    const sigma2 = 0.6007 ** 2 / nIn;
    const expectedMean = 2 / 3 / (nIn + 1);
    // The normal entries dominate the spread of the mean: SE ≈ √((σ² + E[Beta²]/(n_in + 1)) / N),
    // E[Beta(2,1)²] = 1/2.
    const se = Math.sqrt((sigma2 + 0.5 / (nIn + 1)) / all.length);
    const mean = all.reduce((s, v) => s + v, 0) / all.length;
    expect(Math.abs(mean - expectedMean)).toBeLessThan(5 * se);
    expect(expectedMean).toBeGreaterThan(20 * se); // the shift is far from noise, so a symmetric draw would fail
  });

  it("uniform schemes stay inside their limits", () => {
    const limit = Math.sqrt(6 / (nIn + nOut));
    const largest = (x: Float64Array) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(largest(layer(xavierUniform).W.data)).toBeLessThanOrEqual(limit);
    expect(largest(layer(uniform(0.3)).W.data)).toBeLessThanOrEqual(0.3);
  });
});

describe("the initializer registry", () => {
  it("maps names to schemes; xavier means xavierUniform; he by name is plain ReLU's", () => {
    expect(Object.keys(initializers)).toEqual(
      expect.arrayContaining([
        "he",
        "nielsen",
        "normal",
        "uniform",
        "xavier",
        "xavierNormal",
        "xavierUniform",
      ]),
    );
    expect(getInitializer("xavier")).toBe(xavierUniform);
    expect(getInitializer("nielsen")).toBe(nielsen);
    expect(getInitializer("he").name).toBe("he");
    expect(he(0.1).name).toBe("he(α=0.1)");
    const custom = normal(0.2);
    expect(getInitializer(custom)).toBe(custom);
    for (const init of Object.values(initializers)) expect(init.latex.length).toBeGreaterThan(0);
  });

  it("the default for a Dense layer is xavier", () => {
    const a = new Dense(30, 20, { seed: 5 });
    const b = new Dense(30, 20, { seed: 5, init: xavierUniform });
    expect(Array.from(a.W.data)).toEqual(Array.from(b.W.data));
  });
});
