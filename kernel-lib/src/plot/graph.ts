/**
 * The computational graph of a scalar `Value`, drawn micrograd-style: each value is a record box
 * "label | data … | grad …", each operation a small circle between its inputs and its result.
 * `graphDot` builds the Graphviz DOT text (pure); `graphSvg` renders it to SVG with Graphviz
 * compiled to WebAssembly (@viz-js/viz), offline.
 */

import type { Value } from "../value";

/** Options of `graphDot` and `graphSvg`. */
export interface GraphOptions {
  /** Layout direction: "LR" (inputs on the left, default) or "TB" (inputs at the top). */
  rankdir?: "LR" | "TB";
  /** Digits after the decimal point for data and grad; 4 by default. */
  decimals?: number;
  /** Label each input edge with the local derivative ∂(result)/∂(input); false by default. */
  localGrads?: boolean;
}

/** Text safe inside a double-quoted DOT string. */
function quoted(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Text safe as one field of a DOT record label (braces, bars and angle brackets are syntax there). */
function field(s: string): string {
  return quoted(s).replace(/([{}|<>])/g, "\\$1");
}

/** A number with `d` decimals, "-0.0000" shown as "0.0000". */
function fixed(x: number, d: number): string {
  const s = x.toFixed(d);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/**
 * The Graphviz DOT text of `root`'s computational graph: one record node per value with its label,
 * `data` and `grad`, one circle per operation, edges from inputs to operations to results.
 *
 * @example
 * const a = new Value(0.5, "x").mul(new Value(-2, "w")).sigmoid();
 * a.backward();
 * console.log(plot.graphDot(a)); // Graphviz text: one record per value, one circle per operation
 */
export function graphDot(root: Value, opts: GraphOptions = {}): string {
  if (!root || typeof root.topologicalOrder !== "function") {
    throw new Error(
      "plot.graphDot: expected a Value (from kernel-lib's Value class), e.g. plot.graphDot(L).",
    );
  }
  const d = opts.decimals ?? 4;
  const rankdir = opts.rankdir ?? "LR";
  const order = root.topologicalOrder();
  const id = new Map<Value, string>();
  order.forEach((v, i) => id.set(v, `v${i}`));
  const lines = [
    "digraph G {",
    `  graph [rankdir=${rankdir}, bgcolor="transparent", nodesep=0.25, ranksep=0.35];`,
    '  node [fontname="Helvetica", fontsize=12, color="#8c8c8c", fontcolor="#222222", style=filled, fillcolor="#f4f4f4"];',
    '  edge [color="#8c8c8c", fontname="Helvetica", fontsize=10, fontcolor="#8c8c8c", arrowsize=0.7];',
  ];
  for (const v of order) {
    const me = id.get(v) as string;
    // A record's fields run across the rank direction; braces turn them so they read on one line.
    const fields = `${field(v.label)} | data ${fixed(v.data, d)} | grad ${fixed(v.grad, d)}`;
    const label = rankdir === "LR" ? `{ ${fields} }` : fields;
    const fill = v === root ? ', fillcolor="#dbe9f6"' : "";
    lines.push(`  ${me} [shape=record, label="${label}"${fill}];`);
    if (v.op !== "" || v.parents.length > 0) {
      lines.push(
        `  ${me}_op [shape=circle, label="${quoted(v.op || "?")}", width=0.35, fixedsize=false, margin=0.02];`,
      );
      lines.push(`  ${me}_op -> ${me};`);
      v.parents.forEach((p, i) => {
        const lg = opts.localGrads ? ` [label="${fixed(v.localGrads[i], d)}"]` : "";
        lines.push(`  ${id.get(p)} -> ${me}_op${lg};`);
      });
    }
  }
  lines.push("}");
  return lines.join("\n");
}

/** The part of @viz-js/viz that `graphSvg` uses. */
interface VizInstance {
  renderString(dot: string, options: { format: string; engine?: string }): string;
}

let vizReady: Promise<VizInstance> | null = null;

/** Graphviz (WebAssembly), loaded on first use and kept. */
function viz(): Promise<VizInstance> {
  if (!vizReady) {
    // @viz-js/viz ships a CommonJS build (its "require" export), so plain require works here.
    const mod = require("@viz-js/viz") as { instance(): Promise<VizInstance> };
    vizReady = mod.instance();
  }
  return vizReady;
}

/** `root`'s computational graph (or any DOT text) rendered to an SVG document by Graphviz, offline. */
export async function graphSvg(root: Value | string, opts: GraphOptions = {}): Promise<string> {
  const dot = typeof root === "string" ? root : graphDot(root, opts);
  const instance = await viz();
  return instance.renderString(dot, { format: "svg", engine: "dot" });
}

/** The same as `graphSvg`: the computational graph of `root` as SVG text (a Promise). */
export const graph: (root: Value | string, opts?: GraphOptions) => Promise<string> = graphSvg;
