/**
 * Checks that exercise cells call. Each check compares what the learner wrote with a reference,
 * says in one line when it passes, and otherwise names the input it tried, the expected value, the
 * value it got and a hint, then throws so the failure is plain in the notebook.
 *
 * Every check also emits a record ({@link CheckRecord}) that tools may read; the course's grader
 * does not trust them: it runs its own recorders instead (see answers.ts).
 */

import { Matrix } from "./matrix";
import { DisplayChannel } from "./display/channel";
import { CHECK_MIME } from "./display/mime";
import { messages as words } from "./messages";

/** What a check reports: one line for the learner, one record for the grader. */
export interface CheckRecord {
  /** The exercise id, e.g. "2.1". */
  id: string;
  /** Whether the check passed. */
  passed: boolean;
  /** Points earned: `maxPoints` when passed, else 0. */
  points: number;
  /** Points the exercise is worth. */
  maxPoints: number;
  /** The feedback shown to the learner. */
  message: string;
}

/** A pattern of wrong answers and the explanation to show when it matches. */
export interface Mistake {
  /** True when the wrong answer `got` for this input looks like this mistake. */
  test(got: unknown, expected: unknown, input: unknown[]): boolean;
  /** What commonly causes it, e.g. "you returned σ(z), not σ′(z)". */
  explain: string;
}

/** Options shared by the checks. */
export interface CheckOptions {
  /** Points the exercise is worth (default 1). */
  points?: number;
  /** Shown on failure, after the expected and received values. */
  hint?: string;
  /** Numbers agree when |got − expected| ≤ tolerance·max(1, |expected|) (default 1e-6). */
  tolerance?: number;
  /** Known wrong answers and their explanations, tried in order on failure. */
  mistakes?: Mistake[];
}

export { CHECK_MIME } from "./display/mime";

/** Where check records go; by default, to the notebook (or printed outside one). */
let sink: (record: CheckRecord) => void = defaultSink;

function defaultSink(record: CheckRecord): void {
  const text = `${record.passed ? "✓" : "✗"} ${words().exercise(record.id)}: ${record.message} (${record.points}/${words().points(record.maxPoints)})`;
  // In a notebook the line and the grader's record go out together as one output; elsewhere, print the line.
  if (new DisplayChannel().send({ [CHECK_MIME]: record, "text/plain": text }) === "none") console.log(text);
}

/** Sends check records somewhere else (tests use this); returns the previous sink. */
export function setCheckSink(next: (record: CheckRecord) => void): (record: CheckRecord) => void {
  const previous = sink;
  sink = next;
  return previous;
}

/** An error thrown by a failing check; `record` holds the grader's copy. */
export class CheckFailure extends Error {
  /** The failing check's record. */
  readonly record: CheckRecord;
  /** A failure carrying its record. */
  constructor(record: CheckRecord) {
    super(`${words().exercise(record.id)}: ${record.message}`);
    this.name = "CheckFailure";
    this.record = record;
    // The notebook shows an error's stack; for a failed check only the feedback matters, not where in
    // kernel-lib it was thrown.
    this.stack = `${this.name}: ${this.message}`;
  }
}

function requireId(id: string, points: number): void {
  if (typeof id !== "string" || id.trim() === "")
    throw new Error('exercises: every check needs an exercise id such as "2.1".');
  if (!Number.isFinite(points) || points < 0)
    throw new Error(`exercises: points for exercise ${id} must be a non-negative number, got ${points}.`);
}

/**
 * Sends the record; throws on failure. Returns nothing, so a check on a cell's last line shows only its
 * feedback.
 */
function report(id: string, passed: boolean, message: string, points: number): void {
  const record: CheckRecord = { id, passed, points: passed ? points : 0, maxPoints: points, message };
  sink(record);
  if (!passed) throw new CheckFailure(record);
}

/**
 * The error an unfinished exercise throws; the student version of a notebook calls it where a solution was.
 */
export function notImplemented(id: string): Error {
  return new Error(words().notImplemented(id));
}

/** Renders a value compactly for feedback. */
export function describe(x: unknown): string {
  if (typeof x === "number") return Number.isInteger(x) ? String(x) : x.toPrecision(6);
  if (x instanceof Matrix)
    return `Matrix ${x.shape} [${Array.from(x.data.subarray(0, 6), (v) => describe(v)).join(", ")}${x.data.length > 6 ? ", …" : ""}]`;
  if (ArrayBuffer.isView(x) || Array.isArray(x)) {
    const items = Array.from(x as ArrayLike<unknown>);
    return `[${items.slice(0, 6).map(describe).join(", ")}${items.length > 6 ? `, … (${items.length} values)` : ""}]`;
  }
  if (typeof x === "string") return JSON.stringify(x);
  if (x === undefined) return words().forgotReturn;
  return String(x);
}

/**
 * Whether `got` matches `expected`: numbers within tolerance, arrays and matrices entry by entry, else ===.
 */
export function matches(got: unknown, expected: unknown, tolerance = 1e-6): boolean {
  if (typeof expected === "number") {
    if (typeof got !== "number") return false;
    if (Number.isNaN(expected)) return Number.isNaN(got);
    if (!Number.isFinite(expected)) return got === expected;
    return Math.abs(got - expected) <= tolerance * Math.max(1, Math.abs(expected));
  }
  if (expected instanceof Matrix) {
    return (
      got instanceof Matrix &&
      got.rows === expected.rows &&
      got.cols === expected.cols &&
      matches(got.data, expected.data, tolerance)
    );
  }
  if (ArrayBuffer.isView(expected) || Array.isArray(expected)) {
    if (!(ArrayBuffer.isView(got) || Array.isArray(got))) return false;
    const g = got as unknown as ArrayLike<unknown>,
      e = expected as unknown as ArrayLike<unknown>;
    if (g.length !== e.length) return false;
    for (let i = 0; i < e.length; i++) if (!matches(g[i], e[i], tolerance)) return false;
    return true;
  }
  return got === expected;
}

/**
 * The feedback on a wrong answer: the input tried, expected and received values, the matching mistake's
 * explanation, the hint.
 */
export function failureMessage(
  input: unknown[] | undefined,
  got: unknown,
  expected: unknown,
  options: CheckOptions,
): string {
  const tried = input === undefined ? "" : words().forInput(input.map(describe).join(", "));
  let message = words().expectedButGot(tried, describe(expected), describe(got));
  const mistake = (options.mistakes ?? []).find((m) => {
    try {
      return m.test(got, expected, input ?? []);
    } catch {
      return false;
    }
  });
  if (mistake !== undefined) message += ` ${mistake.explain}`;
  if (options.hint) message += ` ${words().hint} ${options.hint}`;
  return message;
}

/**
 * Checks a value the learner computed against the expected one. Passes silently but for one line;
 * on failure shows both values and the hint, then throws.
 */
export function checkValue(id: string, got: unknown, expected: unknown, options: CheckOptions = {}): void {
  const points = options.points ?? 1;
  requireId(id, points);
  if (matches(got, expected, options.tolerance))
    return report(id, true, words().correctValue(describe(got)), points);
  return report(id, false, failureMessage(undefined, got, expected, options), points);
}

/**
 * Checks a learner's function against a reference on each input case (each case is the list of
 * arguments). Stops at the first case that differs and reports that input.
 */
export function checkFunction<A extends unknown[]>(
  id: string,
  learner: (...args: A) => unknown,
  reference: (...args: A) => unknown,
  cases: A[],
  options: CheckOptions = {},
): void {
  const points = options.points ?? 1;
  requireId(id, points);
  if (typeof learner !== "function") {
    return report(id, false, words().notAFunction(describe(learner)), points);
  }
  for (const input of cases) {
    let got: unknown;
    try {
      got = learner(...input);
    } catch (e) {
      if (e instanceof CheckFailure) throw e;
      return report(id, false, words().threw(input.map(describe).join(", "), (e as Error).message), points);
    }
    const expected = reference(...input);
    if (!matches(got, expected, options.tolerance))
      return report(id, false, failureMessage(input, got, expected, options), points);
  }
  return report(id, true, words().correctOnAll(cases.length), points);
}

/** A check of any condition the author states: `passed` with a message for each outcome. */
export function checkThat(
  id: string,
  passed: boolean,
  messages: { pass: string; fail: string },
  options: CheckOptions = {},
): void {
  const points = options.points ?? 1;
  requireId(id, points);
  return report(
    id,
    passed === true,
    passed === true
      ? messages.pass
      : messages.fail + (options.hint ? ` ${words().hint} ${options.hint}` : ""),
    points,
  );
}
