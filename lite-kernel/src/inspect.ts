/**
 * Values as the notebook shows them: an object with a `[Symbol.for("Jupyter.display")]()` method
 * shows its own MIME bundle (the convention of Deno's kernel that kernel-lib follows); anything
 * else shows as text in the style of Node's `util.inspect`, which is what the desktop kernel prints.
 */

/** A Jupyter MIME bundle: MIME type → data. */
export type MimeBundle = Record<string, unknown>;

const DISPLAY = Symbol.for("Jupyter.display");

/** The MIME bundle a cell's value is shown as. */
export async function mimeBundle(value: unknown): Promise<MimeBundle> {
  if (
    value !== null &&
    typeof value === "object" &&
    typeof (value as Record<symbol, unknown>)[DISPLAY] === "function"
  ) {
    const bundle = await (value as Record<symbol, () => MimeBundle | Promise<MimeBundle>>)[DISPLAY]();
    if (bundle && typeof bundle === "object") return bundle;
  }
  return { "text/plain": inspect(value) };
}

/** Console-style text of each argument: strings as they are, everything else inspected. */
export function formatArgs(args: unknown[]): string {
  return args.map((a) => (typeof a === "string" ? a : inspect(a))).join(" ");
}

/** Text of `value` like Node's `util.inspect` (depth 2, 100 array items, sorted by insertion). */
export function inspect(value: unknown, depth = 2, seen: unknown[] = []): string {
  switch (typeof value) {
    case "string":
      return quote(value);
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "undefined":
      return "undefined";
    case "boolean":
      return String(value);
    case "symbol":
      return value.toString();
    case "function":
      return value.toString().startsWith("class ")
        ? `[class ${value.name || "(anonymous)"}]`
        : `[Function: ${value.name || "(anonymous)"}]`;
  }
  if (value === null) return "null";
  const obj = value as object;
  if (seen.includes(obj)) return "[Circular *1]";
  if (obj instanceof Error) return obj.stack ?? `${obj.name}: ${obj.message}`;
  if (obj instanceof Date) return obj.toISOString();
  if (obj instanceof RegExp) return String(obj);
  if (depth < 0) return Array.isArray(obj) ? "[Array]" : `[${constructorName(obj) ?? "Object"}]`;
  const inner = [...seen, obj];
  const item = (v: unknown) => inspect(v, depth - 1, inner);

  if (Array.isArray(obj) || ArrayBuffer.isView(obj)) {
    const arr = obj as ArrayLike<unknown>;
    const shown = Array.from({ length: Math.min(arr.length, 100) }, (_, i) => item(arr[i]));
    if (arr.length > 100) shown.push(`... ${arr.length - 100} more item${arr.length - 100 > 1 ? "s" : ""}`);
    const prefix = Array.isArray(obj) ? "" : `${constructorName(obj)}(${arr.length}) `;
    return prefix + wrap("[", shown, "]");
  }
  if (obj instanceof Map) {
    const shown = [...obj].map(([k, v]) => `${item(k)} => ${item(v)}`);
    return `Map(${obj.size}) ` + wrap("{", shown, "}");
  }
  if (obj instanceof Set) return `Set(${obj.size}) ` + wrap("{", [...obj].map(item), "}");
  if (obj instanceof Promise) return "Promise { <pending> }";

  const shown = Object.keys(obj).map(
    (k) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : quote(k)}: ${item((obj as Record<string, unknown>)[k])}`,
  );
  const name = constructorName(obj);
  const prefix = name && name !== "Object" ? `${name} ` : "";
  return prefix + (shown.length === 0 ? "{}" : wrap("{", shown, "}"));
}

function constructorName(obj: object): string | undefined {
  const proto = Object.getPrototypeOf(obj);
  if (proto === null) return "[Object: null prototype]";
  return proto?.constructor?.name;
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
}

/** One line when short (like Node's 72-column rule), else one entry per line. */
function wrap(open: string, items: string[], close: string): string {
  if (items.length === 0) return `${open}${close}`;
  const oneLine = `${open} ${items.join(", ")} ${close}`;
  if (oneLine.length <= 72 && !oneLine.includes("\n")) return oneLine;
  return `${open}\n${items.map((s) => "  " + s.replace(/\n/g, "\n  ")).join(",\n")}\n${close}`;
}
