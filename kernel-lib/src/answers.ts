/**
 * Grading without trusting the learner's process. When the course's grader runs a submission, the
 * exercise checks in the learner's kernel only record the learner's answers to the test inputs, as
 * data ({@link AnswerRecord}); a separate kernel running the reference notebook records the test
 * inputs and the expected values ({@link ExpectedRecord}); the grader's own process compares the two
 * with {@link judge}. Whatever the learner's code does to its own kernel, a record it forges can at
 * most claim an answer, and the expected answers of hidden tests never reach it.
 *
 * Learners never call this file: in the notebook, `exercises.check*` give their feedback as before.
 */

import { CheckOptions, describe, failureMessage, matches } from "./exercises";
import { Matrix } from "./matrix";
import { DisplayChannel } from "./display/channel";
import { ANSWER_MIME, CALLS_MIME, EXPECTED_MIME, VERDICT_MIME } from "./display/mime";
import { messages as words } from "./messages";

export { ANSWER_MIME, EXPECTED_MIME, CALLS_MIME, VERDICT_MIME } from "./display/mime";

/**
 * A value as JSON: plain JSON for finite numbers, strings, booleans, null and arrays; tagged
 * objects for what JSON lacks (NaN, ±Infinity, undefined, typed arrays, matrices, plain objects).
 */
export type Encoded = number | string | boolean | null | Encoded[] | { [tag: string]: unknown };

/** Thrown by {@link encodeValue} for what is not data (a function, a class instance, a cycle). */
export class NotData extends Error {}

/** Elements an encoded value may hold, so a huge answer cannot swamp the grader. */
const MAX_ITEMS = 1_000_000;

/** Sets a key as an own data property, so a key such as `__proto__` cannot change the object's prototype. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A value as {@link Encoded} data; throws {@link NotData} for functions, class instances and cycles. */
export function encodeValue(x: unknown): Encoded {
  let items = 0;
  const seen = new Set<unknown>();
  const encode = (v: unknown): Encoded => {
    if (++items > MAX_ITEMS) throw new NotData(`more than ${MAX_ITEMS} values`);
    if (typeof v === "number") return Number.isFinite(v) ? v : { $n: String(v) };
    if (typeof v === "string" || typeof v === "boolean" || v === null) return v;
    if (v === undefined) return { $u: 1 };
    if (typeof v !== "object") throw new NotData(`a ${typeof v}`);
    if (seen.has(v)) throw new NotData("a value that contains itself");
    seen.add(v);
    try {
      if (v instanceof Matrix) return { $m: [v.rows, v.cols], d: Array.from(v.data, encode) };
      if (
        v instanceof Float64Array ||
        v instanceof Float32Array ||
        v instanceof Int32Array ||
        v instanceof Uint8Array
      ) {
        items += v.length;
        return { $t: v.constructor.name, d: Array.from(v as ArrayLike<number>, encode) };
      }
      if (Array.isArray(v)) return v.map(encode);
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null)
        throw new NotData(`an instance of ${proto?.constructor?.name ?? "a class"}`);
      const out: Record<string, Encoded> = {};
      for (const key of Object.keys(v)) define(out, key, encode((v as Record<string, unknown>)[key]));
      return { $o: out };
    } finally {
      seen.delete(v);
    }
  };
  return encode(x);
}

const TYPED: Record<string, new (values: number[]) => ArrayLike<number>> = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint8Array,
};

/** The value an {@link Encoded} stands for; throws on anything {@link encodeValue} never makes. */
export function decodeValue(e: unknown): unknown {
  if (typeof e === "number" || typeof e === "string" || typeof e === "boolean" || e === null) return e;
  if (Array.isArray(e)) return e.map(decodeValue);
  if (typeof e !== "object") throw new Error("not an encoded value");
  const tagged = e as Record<string, unknown>;
  if (typeof tagged.$n === "string" && ["NaN", "Infinity", "-Infinity"].includes(tagged.$n))
    return Number(tagged.$n);
  if (tagged.$u === 1) return undefined;
  if (Array.isArray(tagged.$m) && Array.isArray(tagged.d)) {
    const [rows, cols] = tagged.$m.map(Number);
    const data = Float64Array.from(tagged.d.map((v) => Number(decodeValue(v))));
    if (!(rows >= 0 && cols >= 0 && rows * cols === data.length))
      throw new Error("an encoded matrix of the wrong size");
    return new Matrix(rows, cols, data);
  }
  if (typeof tagged.$t === "string" && TYPED[tagged.$t] && Array.isArray(tagged.d))
    return new TYPED[tagged.$t](tagged.d.map((v) => Number(decodeValue(v))));
  if (tagged.$o && typeof tagged.$o === "object" && !Array.isArray(tagged.$o)) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(tagged.$o as Record<string, unknown>))
      define(out, key, decodeValue(value));
    return out;
  }
  throw new Error("not an encoded value");
}

/** One answer: the value the learner's code gave, or the message of what it threw. */
export type Answer = { value: Encoded } | { threw: string };

/** What the learner's kernel hands back for one check call: answers only, no verdict. */
export interface AnswerRecord {
  id: string;
  kind: "function" | "value" | "that";
  answers: Answer[];
}

/**
 * What the learner's kernel hands back for a judged check: the value of each learner's name, and its answers
 * when it is a function.
 */
export interface NamesRecord {
  id: string;
  kind: "names";
  /** Per name: its value as data, what reading it threw, or that it is a function. */
  values: Record<string, Answer | { function: true }>;
  /** Per function name: its answer to each recorded input, in order. */
  calls: Record<string, Answer[]>;
}

/** The inputs a reference's check cell gave each of the learner's functions (null when they are not data). */
export interface CallsRecord {
  id: string;
  calls: Record<string, Encoded[] | null>;
}

/** What the reference's kernel hands back for one check call: inputs, expected values and how to compare. */
export interface ExpectedRecord {
  id: string;
  kind: "function" | "value" | "that";
  points: number;
  tolerance?: number;
  hint?: string;
  /** For checkFunction: each test input (its list of arguments), or null when they are not data. */
  cases: Encoded[] | null;
  /** The expected answer per input (checkFunction), the expected value (checkValue), or true (checkThat). */
  expected: Encoded[];
  /** checkThat's feedback on pass and on failure. */
  messages?: { pass: string; fail: string };
}

function answer(compute: () => unknown): Answer {
  try {
    return { value: encodeValue(compute()) };
  } catch (e) {
    if (e instanceof NotData) return { threw: `its answer is not data the grader can read (${e.message})` };
    return { threw: String((e as Error)?.message ?? e) };
  }
}

function emit(mime: string, record: object, text: string): void {
  if (new DisplayChannel().send({ [mime]: record, "text/plain": text }) === "none") console.log(text);
}

/**
 * The checks as the grader runs them in the learner's kernel: same signatures as `exercises`, but
 * they only record the learner's answers (the reference function and expected values are ignored).
 * `answerFunction` calls the learner's function on test inputs the grader supplies as data.
 */
export function answerChecks() {
  const record = (r: AnswerRecord) =>
    emit(ANSWER_MIME, r, `Exercise ${r.id}: answers recorded for the grader.`);
  const answerFunction = (id: string, learner: unknown, cases: Encoded[]) =>
    record({
      id,
      kind: "function",
      answers: cases.map((c) =>
        answer(() => (learner as (...args: unknown[]) => unknown)(...(decodeValue(c) as unknown[]))),
      ),
    });
  return Object.freeze({
    answerFunction,
    checkFunction: (id: string, learner: unknown, _reference: unknown, cases: unknown[][]) =>
      record({
        id,
        kind: "function",
        answers: cases.map((c) => answer(() => (learner as (...args: unknown[]) => unknown)(...c))),
      }),
    checkValue: (id: string, got: unknown) => record({ id, kind: "value", answers: [answer(() => got)] }),
    checkThat: (id: string, passed: unknown) =>
      record({ id, kind: "that", answers: [answer(() => passed === true)] }),
    /**
     * For a judged check: the value of each of the learner's names, and each function's answers to the
     * recorded inputs.
     */
    answerNames: (id: string, getters: Record<string, () => unknown>, cases: Record<string, Encoded[]>) => {
      const values: NamesRecord["values"] = {};
      const calls: NamesRecord["calls"] = {};
      for (const [name, get] of Object.entries(getters)) {
        let value: unknown;
        try {
          value = get();
        } catch (e) {
          values[name] = { threw: String((e as Error)?.message ?? e) };
          continue;
        }
        if (typeof value !== "function") {
          values[name] = answer(() => value);
          continue;
        }
        values[name] = { function: true };
        calls[name] = (cases[name] ?? []).map((c) =>
          answer(() => (value as (...args: unknown[]) => unknown)(...(decodeValue(c) as unknown[]))),
        );
      }
      emit(
        ANSWER_MIME,
        { id, kind: "names", values, calls },
        `Exercise ${id}: answers recorded for the grader.`,
      );
    },
  });
}

/** `x` as {@link Encoded} data, or null when it is not data. */
function encodeOr(x: unknown): Encoded | null {
  try {
    return encodeValue(x);
  } catch {
    return null;
  }
}

/** A check's test inputs as data, or null when any of them is not data. */
function encodeCases(cases: unknown[][]): Encoded[] | null {
  return cases.every((c) => encodeOr(c) !== null) ? cases.map((c) => encodeValue(c)) : null;
}

/** The fields of a record that come from a check's options. */
function common(options: CheckOptions = {}) {
  return { points: options.points ?? 1, tolerance: options.tolerance, hint: options.hint };
}

/** The checks as the grader runs them in the reference's kernel: they record inputs and expected values. */
export function expectedChecks() {
  const record = (r: ExpectedRecord) =>
    emit(EXPECTED_MIME, r, `Exercise ${r.id}: expected values recorded for the grader.`);
  const seen = new Map<string, Map<string, Map<string, Encoded> | null>>();
  return Object.freeze({
    /**
     * `value` itself, or for a function one that also records the inputs it is given, for the learner's run
     * to answer.
     */
    spy<T>(id: string, name: string, value: T): T {
      if (typeof value !== "function") return value;
      const f = value as unknown as (...args: unknown[]) => unknown;
      return ((...args: unknown[]) => {
        const byName = seen.get(id) ?? new Map<string, Map<string, Encoded> | null>();
        seen.set(id, byName);
        if (!byName.has(name)) byName.set(name, new Map());
        const inputs = byName.get(name);
        if (inputs) {
          const encoded = encodeOr(args);
          if (encoded === null || inputs.size >= 10_000) byName.set(name, null);
          else inputs.set(JSON.stringify(encoded), encoded);
        }
        return f(...args);
      }) as unknown as T;
    },
    /** Records the inputs the spies of exercise `id` saw. */
    calls: (id: string) => {
      const calls: CallsRecord["calls"] = {};
      for (const [name, inputs] of seen.get(id) ?? []) calls[name] = inputs ? [...inputs.values()] : null;
      seen.delete(id);
      emit(CALLS_MIME, { id, calls }, `Exercise ${id}: test inputs recorded for the grader.`);
    },
    checkFunction: (
      id: string,
      learner: unknown,
      reference: (...args: unknown[]) => unknown,
      cases: unknown[][],
      options?: CheckOptions,
    ) => {
      // In the reference the learner's function is the reference's own; calling it lets a spy see the inputs.
      for (const c of cases) {
        try {
          if (typeof learner === "function") learner(...c);
        } catch {
          // the verdict comes from `reference` below
        }
      }
      record({
        id,
        kind: "function",
        ...common(options),
        cases: encodeCases(cases),
        expected: cases.map((c) => encodeValue(reference(...c))),
      });
    },
    checkValue: (id: string, _got: unknown, expected: unknown, options?: CheckOptions) =>
      record({ id, kind: "value", ...common(options), cases: null, expected: [encodeValue(expected)] }),
    checkThat: (
      id: string,
      _passed: unknown,
      messages: { pass: string; fail: string },
      options?: CheckOptions,
    ) => record({ id, kind: "that", ...common(options), cases: null, expected: [true], messages }),
  });
}

/** The verdict on one check call. */
export interface Verdict {
  passed: boolean;
  /** Feedback as the learner's check would give it (without the mistake explanations, which are code). */
  message: string;
}

/** Compares a learner's answers with the reference's expectations, in the grader's own process. */
export function judge(expected: ExpectedRecord, given: AnswerRecord | undefined): Verdict {
  if (
    !given ||
    given.kind !== expected.kind ||
    !Array.isArray(given.answers) ||
    given.answers.length !== expected.expected.length
  ) {
    return {
      passed: false,
      message: "The check gave no answers (did the code before it fail, or replace the check?).",
    };
  }
  const options = { hint: expected.hint };
  for (let i = 0; i < expected.expected.length; i++) {
    const a = given.answers[i];
    const input =
      expected.kind === "function" && expected.cases
        ? (decodeValue(expected.cases[i]) as unknown[])
        : undefined;
    if (!a || typeof a !== "object") return { passed: false, message: "The check gave no answers." };
    if ("threw" in a) {
      const message = String(a.threw).slice(0, 400);
      return {
        passed: false,
        message: input ? words().threw(input.map(describe).join(", "), message) : words().itThrew(message),
      };
    }
    let got: unknown;
    try {
      got = decodeValue(a.value);
    } catch {
      return { passed: false, message: "The check's answer is not data the grader can read." };
    }
    const want = decodeValue(expected.expected[i]);
    if (expected.kind === "that") {
      return got === true
        ? { passed: true, message: expected.messages?.pass ?? "passed." }
        : {
            passed: false,
            message:
              (expected.messages?.fail ?? "failed.") +
              (expected.hint ? ` ${words().hint} ${expected.hint}` : ""),
          };
    }
    if (!matches(got, want, expected.tolerance))
      return { passed: false, message: failureMessage(input, got, want, options) };
    if (expected.kind === "value") return { passed: true, message: words().correctValue(describe(got)) };
  }
  return { passed: true, message: words().correctOnAll(expected.expected.length) };
}

/**
 * The checks as the judge runs them: a clean kernel running the reference notebook, where a judged
 * check cell reads the learner's names from their {@link NamesRecord} (see `learner`). Each check
 * of an exercise in `judged` records a verdict (decided here, by kernel-lib's own comparison, and
 * never thrown, so every check of the cell is judged); checks of other exercises do nothing.
 */
export function judgeChecks(judged: string[]) {
  const ids = new Set(judged);
  const verdict = (id: string, expected: ExpectedRecord, given: AnswerRecord) => {
    if (!ids.has(id)) return;
    const v = judge(expected, given);
    emit(VERDICT_MIME, { id, ...v }, `Exercise ${id}: ${v.passed ? "passed" : "failed"}: ${v.message}`);
  };
  return Object.freeze({
    /**
     * The learner's names of exercise `id`, from their record (JSON): data as values, functions as
     * stand-ins that answer the recorded inputs (`cases`, JSON) with the learner's answers. Reading
     * a name whose value could not be read throws with the reason.
     */
    learner(id: string, recordJson: string, casesJson: string): any {
      const record = JSON.parse(recordJson) as NamesRecord;
      const cases = JSON.parse(casesJson) as Record<string, Encoded[] | null>;
      const out: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(record.values ?? {})) {
        if (value && typeof value === "object" && "function" in value) {
          const known = new Map<string, Answer>();
          (cases[name] ?? []).forEach((c, k) =>
            known.set(JSON.stringify(c), record.calls?.[name]?.[k] ?? { threw: "no answer was recorded" }),
          );
          define(out, name, (...args: unknown[]) => {
            const a = known.get(JSON.stringify(encodeValue(args)));
            if (!a)
              throw new Error(
                `the check called ${name} with inputs (${args.map(describe).join(", ")}) that the grader did not record`,
              );
            if (a && typeof a === "object" && "threw" in a) throw new Error(String(a.threw));
            try {
              return decodeValue((a as { value: unknown }).value);
            } catch {
              throw new Error(`the answer of ${name} to these inputs is not data the grader can read`);
            }
          });
        } else if (value && typeof value === "object" && "value" in value) {
          try {
            define(out, name, decodeValue(value.value));
          } catch {
            Object.defineProperty(out, name, {
              enumerable: true,
              get: () => {
                throw new Error(`your ${name} is not data the grader can read`);
              },
            });
          }
        } else {
          const why =
            value && typeof value === "object" && "threw" in value
              ? String(value.threw)
              : "no value was recorded";
          Object.defineProperty(out, name, {
            enumerable: true,
            get: () => {
              throw new Error(`your ${name} could not be read by the grader: ${why}`);
            },
          });
        }
      }
      return out;
    },
    checkFunction: (
      id: string,
      learner: unknown,
      reference: (...args: unknown[]) => unknown,
      cases: unknown[][],
      options?: CheckOptions,
    ) => {
      if (!ids.has(id)) return;
      const expected: ExpectedRecord = {
        id,
        kind: "function",
        ...common(options),
        cases: encodeCases(cases),
        expected: cases.map((c) => encodeValue(reference(...c))),
      };
      verdict(id, expected, {
        id,
        kind: "function",
        answers: cases.map((c) => answer(() => (learner as (...args: unknown[]) => unknown)(...c))),
      });
    },
    checkValue: (id: string, got: unknown, expected: unknown, options?: CheckOptions) =>
      verdict(
        id,
        { id, kind: "value", ...common(options), cases: null, expected: [encodeValue(expected)] },
        { id, kind: "value", answers: [answer(() => got)] },
      ),
    checkThat: (
      id: string,
      passed: unknown,
      messages: { pass: string; fail: string },
      options?: CheckOptions,
    ) =>
      verdict(
        id,
        { id, kind: "that", ...common(options), cases: null, expected: [true], messages },
        { id, kind: "that", answers: [answer(() => passed === true)] },
      ),
  });
}
