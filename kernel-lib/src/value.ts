/**
 * `Value`: scalar reverse-mode automatic differentiation, for the chain-rule lesson. Each operation
 * records its inputs and its local derivatives; `backward()` replays the graph in reverse
 * topological order, multiplying local derivatives along every path (the chain rule).
 */

import { stableSigmoid } from "./activations";

/** A number, or a `Value`; plain numbers become constant leaves. */
export type ValueLike = Value | number;

/**
 * A scalar in a computational graph: its value `data`, the gradient `grad` = ∂(output)/∂(this), and how it
 * was made.
 */
export class Value {
  /** The forward value. */
  data: number;
  /** ∂L/∂(this value) for the output L that `backward()` was last called on. */
  grad = 0;
  /** A display name for graph drawings (optional). */
  label: string;
  /** The operation that produced this value ("" for a leaf), e.g. "+", "*", "tanh". */
  readonly op: string;
  /** The values this one was computed from. */
  readonly parents: readonly Value[];
  /** ∂(this)/∂(parent) for each parent, evaluated at the forward values. */
  readonly localGrads: readonly number[];

  /** A leaf value (or, with `parents` and `localGrads`, the result of an operation). */
  constructor(data: number, label = "", op = "", parents: Value[] = [], localGrads: number[] = []) {
    if (typeof data !== "number") {
      throw new Error(`Value: expected a number, got ${typeof data}. Wrap only numbers: new Value(2.0).`);
    }
    this.data = data;
    this.label = label;
    this.op = op;
    this.parents = parents;
    this.localGrads = localGrads;
  }

  /** Gives this value a display name and returns it, for chaining: `a.mul(b).named("e")`. */
  named(label: string): this {
    this.label = label;
    return this;
  }

  /** this + other;  ∂/∂this = 1, ∂/∂other = 1. */
  add(other: ValueLike): Value {
    const o = toValue(other);
    return new Value(this.data + o.data, "", "+", [this, o], [1, 1]);
  }

  /** this − other;  ∂/∂this = 1, ∂/∂other = −1. */
  sub(other: ValueLike): Value {
    const o = toValue(other);
    return new Value(this.data - o.data, "", "−", [this, o], [1, -1]);
  }

  /** this × other;  ∂/∂this = other, ∂/∂other = this. */
  mul(other: ValueLike): Value {
    const o = toValue(other);
    return new Value(this.data * o.data, "", "×", [this, o], [o.data, this.data]);
  }

  /** this ÷ other;  ∂/∂this = 1/other, ∂/∂other = −this/other². */
  div(other: ValueLike): Value {
    const o = toValue(other);
    if (o.data === 0) throw new Error(`Value.div: division by zero (dividing ${this.data} by 0).`);
    return new Value(this.data / o.data, "", "÷", [this, o], [1 / o.data, -this.data / (o.data * o.data)]);
  }

  /** thisⁿ for a constant exponent n;  ∂/∂this = n·thisⁿ⁻¹. */
  pow(n: number): Value {
    if (typeof n !== "number" || !Number.isFinite(n)) {
      throw new Error(`Value.pow: the exponent must be a finite number, got ${String(n)}.`);
    }
    return new Value(this.data ** n, "", `^${n}`, [this], [n * this.data ** (n - 1)]);
  }

  /** −this. */
  neg(): Value {
    return new Value(-this.data, "", "neg", [this], [-1]);
  }

  /** eˣ;  ∂/∂x = eˣ. */
  exp(): Value {
    const e = Math.exp(this.data);
    return new Value(e, "", "exp", [this], [e]);
  }

  /** ln x;  ∂/∂x = 1/x. */
  log(): Value {
    if (this.data <= 0)
      throw new Error(`Value.log: ln is defined for positive numbers only, got ${this.data}.`);
    return new Value(Math.log(this.data), "", "log", [this], [1 / this.data]);
  }

  /** tanh x;  ∂/∂x = 1 − tanh² x. */
  tanh(): Value {
    const t = Math.tanh(this.data);
    return new Value(t, "", "tanh", [this], [1 - t * t]);
  }

  /** σ(x) = 1/(1 + e⁻ˣ);  ∂/∂x = σ(x)(1 − σ(x)). */
  sigmoid(): Value {
    const s = stableSigmoid(this.data);
    return new Value(s, "", "σ", [this], [s * (1 - s)]);
  }

  /** max(0, x);  ∂/∂x = 1 if x > 0 else 0. */
  relu(): Value {
    const x = this.data;
    return new Value(x > 0 ? x : 0, "", "relu", [this], [x > 0 ? 1 : 0]);
  }

  /** Every value this one depends on (itself included), inputs before outputs. */
  topologicalOrder(): Value[] {
    const order: Value[] = [];
    const seen = new Set<Value>();
    // Iterative depth-first search, so deep graphs cannot overflow the call stack.
    const stack: [Value, number][] = [[this, 0]];
    seen.add(this);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const [v, i] = top;
      if (i < v.parents.length) {
        top[1] = i + 1;
        const p = v.parents[i];
        if (!seen.has(p)) {
          seen.add(p);
          stack.push([p, 0]);
        }
      } else {
        stack.pop();
        order.push(v);
      }
    }
    return order;
  }

  /**
   * Backpropagation: sets `grad` = ∂(this)/∂v on every value v in the graph. Visits values from the
   * output back to the inputs, adding `localGrad × grad` to each parent (the chain rule; the sum
   * covers every path from v to the output).
   */
  backward(): void {
    const order = this.topologicalOrder();
    for (const v of order) v.grad = 0;
    this.grad = 1;
    for (let k = order.length - 1; k >= 0; k--) {
      const v = order[k];
      for (let i = 0; i < v.parents.length; i++) v.parents[i].grad += v.localGrads[i] * v.grad;
    }
  }

  /** A one-line summary, e.g. `Value(e = 6, grad = -2)`. */
  toString(): string {
    const name = this.label ? `${this.label} = ` : "";
    return `Value(${name}${fmt(this.data)}, grad = ${fmt(this.grad)})`;
  }
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(6);
}

/** `x` as a `Value` (numbers become constant leaves). */
export function toValue(x: ValueLike): Value {
  if (x instanceof Value) return x;
  if (typeof x !== "number") throw new Error(`Value: expected a Value or a number, got ${typeof x}.`);
  return new Value(x, String(x));
}
