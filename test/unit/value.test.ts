import { describe, expect, it } from "vitest";
import { Value, toValue } from "../../kernel-lib/src";
import { linspace } from "./helpers";

describe("Value: golden values", () => {
  it("micrograd's README example: g = 24.7041, ∂g/∂a = 138.8338, ∂g/∂b = 645.5773", () => {
    // From github.com/karpathy/micrograd (README), with `x += y` written x = x.add(y):
    const a = new Value(-4.0);
    const b = new Value(2.0);
    let c = a.add(b); //                                        c = a + b = −2
    let d = a.mul(b).add(b.pow(3)); //                          d = ab + b³ = −8 + 8 = 0
    c = c.add(c.add(1)); //                                     c = 2c + 1 = −3
    c = c.add(toValue(1).add(c).add(a.neg())); //               c = 2c + 1 − a = −3 + (1 − 3 + 4) = −1
    d = d.add(d.mul(2).add(b.add(a).relu())); //                d = 3d + relu(−2) = 0
    d = d.add(toValue(3).mul(d).add(b.sub(a).relu())); //       d = 4d + relu(6) = 6
    const e = c.sub(d); //                                      e = −1 − 6 = −7
    const f = e.pow(2); //                                      f = 49
    let g = f.div(2.0); //                                      g = 24.5
    g = g.add(toValue(10.0).div(f)); //                         g = 49/2 + 10/49 = 2421/98 = 24.704081…
    g.backward();

    // By hand. Unrolled, c = 3a + 4b + 3 and d = 12(ab + b³) + 4·relu(a + b) + relu(b − a), so at
    // (a, b) = (−4, 2), where a + b < 0 and b − a > 0:
    //   ∂c/∂a = 3, ∂c/∂b = 4;  ∂d/∂a = 12b − 1 = 23, ∂d/∂b = 12(a + 3b²) + 1 = 97.
    // g = f/2 + 10/f with f = e², e = c − d:
    //   ∂g/∂f = 1/2 − 10/f² = 2381/4802;  ∂g/∂e = 2e·∂g/∂f = −14·2381/4802 = −16667/2401.
    //   ∂g/∂a = ∂g/∂e·(3 − 23) = 333340/2401 = 138.8338…
    //   ∂g/∂b = ∂g/∂e·(4 − 97) = 1550031/2401 = 645.5773…
    expect(g.data).toBeCloseTo(2421 / 98, 12);
    expect(a.grad).toBeCloseTo(333340 / 2401, 10);
    expect(b.grad).toBeCloseTo(1550031 / 2401, 10);
    // The README's printed values, to its 4 decimals.
    expect(g.data.toFixed(4)).toBe("24.7041");
    expect(a.grad.toFixed(4)).toBe("138.8338");
    expect(b.grad.toFixed(4)).toBe("645.5773");
  });

  it("f = x·y + z at x = 2, y = −3, z = 10", () => {
    const x = new Value(2, "x"),
      y = new Value(-3, "y"),
      z = new Value(10, "z");
    const q = x.mul(y); // q = −6
    const f = q.add(z); // f = 4
    f.backward();
    expect(f.data).toBe(4);
    // ∂f/∂q = 1 and ∂f/∂z = 1 (addition passes the gradient through);
    // ∂f/∂x = ∂f/∂q · ∂q/∂x = 1 · y = −3;  ∂f/∂y = 1 · x = 2.
    expect(q.grad).toBe(1);
    expect(z.grad).toBe(1);
    expect(x.grad).toBe(-3);
    expect(y.grad).toBe(2);
  });
});

describe("Value: each operation's derivative against finite differences", () => {
  const h = 1e-6;

  /** ∂out/∂x from backward vs (op(x + h) − op(x − h))/2h, relative error < 1e-6. */
  function expectDerivative(op: (x: Value) => Value, x: number): void {
    const input = new Value(x);
    op(input).backward();
    const numeric = (op(new Value(x + h)).data - op(new Value(x - h)).data) / (2 * h);
    const err = Math.abs(input.grad - numeric) / Math.max(Math.abs(numeric), 1e-3);
    expect(err, `at x = ${x}: analytic ${input.grad}, numeric ${numeric}`).toBeLessThan(1e-6);
  }

  const points = linspace(-3, 3, 24); // an even count: 0 is not among them
  const positive = linspace(0.1, 5, 25);
  const ops: [string, (x: Value) => Value, number[]][] = [
    ["exp", (x) => x.exp(), points],
    ["log", (x) => x.log(), positive],
    ["tanh", (x) => x.tanh(), points],
    ["sigmoid", (x) => x.sigmoid(), [...points, -40, 40]],
    ["relu", (x) => x.relu(), points],
    ["neg", (x) => x.neg(), points],
    ["add", (x) => x.add(1.5), points],
    ["sub (both sides)", (x) => x.sub(x.mul(x)), points],
    ["mul", (x) => x.mul(-2.5), points],
    ["div: x / 3", (x) => x.div(3), points],
    ["div: 3 / x", (x) => toValue(3).div(x), points],
    ["div: x / (1 + x²)", (x) => x.div(x.mul(x).add(1)), points],
    ["pow 3", (x) => x.pow(3), points],
    ["pow −2", (x) => x.pow(-2), points],
    ["pow 0.5", (x) => x.pow(0.5), positive],
    ["pow 1.7", (x) => x.pow(1.7), positive],
  ];
  for (const [name, op, xs] of ops) {
    it(name, () => {
      for (const x of xs) expectDerivative(op, x);
    });
  }
});

describe("Value: graphs", () => {
  it("a value used twice gets the sum of both paths' gradients", () => {
    const x = new Value(3);
    const y = x.mul(x); // ∂y/∂x = x + x = 6 (two edges from x)
    y.backward();
    expect(x.grad).toBe(6);

    const a = new Value(-2);
    const b = a.add(a).add(a.mul(5)); // b = 2a + 5a: ∂b/∂a = 1 + 1 + 5 = 7
    b.backward();
    expect(a.grad).toBe(7);
  });

  it("a shared sub-expression (diamond) sums over both paths", () => {
    const x = new Value(0.5);
    const t = x.tanh();
    const out = t.mul(t).add(t.exp()); // out = t² + eᵗ: ∂out/∂t = 2t + eᵗ, times 1 − t²
    out.backward();
    const tv = Math.tanh(0.5);
    expect(x.grad).toBeCloseTo((2 * tv + Math.exp(tv)) * (1 - tv * tv), 15);
  });

  it("backward twice gives the same gradients (they are reset, not accumulated)", () => {
    const x = new Value(1.5);
    const y = x.mul(x).mul(x);
    y.backward();
    y.backward();
    expect(x.grad).toBeCloseTo(3 * 1.5 ** 2, 14);
  });

  it("a chain of 10,000 operations does not overflow the stack", () => {
    const x = new Value(1);
    let y = x;
    for (let i = 0; i < 10_000; i++) y = y.mul(1.0001).add(0.0001);
    expect(() => y.backward()).not.toThrow();
    // y = 1.0001ⁿ(x + 1) − 1, so ∂y/∂x = 1.0001¹⁰⁰⁰⁰.
    expect(x.grad).toBeCloseTo(1.0001 ** 10_000, 9);
    expect(y.topologicalOrder().length).toBe(1 + 4 * 10_000); // x, and per step: 2 constants, 2 results
  });

  it("topological order puts inputs before outputs", () => {
    const a = new Value(1),
      b = new Value(2);
    const c = a.mul(b),
      d = c.add(a);
    const order = d.topologicalOrder();
    expect(order[order.length - 1]).toBe(d);
    expect(order.indexOf(c)).toBeLessThan(order.indexOf(d));
    expect(order.indexOf(a)).toBeLessThan(order.indexOf(c));
    expect(new Set(order).size).toBe(order.length);
  });

  it("records ops, labels and a readable summary", () => {
    const e = new Value(2).mul(new Value(3)).named("e");
    expect(e.op).toBe("×");
    expect(e.parents.map((p) => p.data)).toEqual([2, 3]);
    expect(e.localGrads).toEqual([3, 2]);
    e.backward();
    expect(e.toString()).toBe("Value(e = 6, grad = 1)");
  });
});
