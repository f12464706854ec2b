/**
 * Turns one cell's TypeScript into JavaScript that runs at the worker's top level and keeps its
 * declarations for later cells, the way the desktop kernel does: every top-level `const`, `let`,
 * `var`, `function`, `class` and `import` becomes a global, so a later cell sees it and re-running
 * a cell that declares a `const` simply replaces the value. The body runs inside an async function
 * (top-level `await`), and the last expression statement is returned as the cell's value.
 *
 * Every edit keeps the line count of the text it replaces, so a runtime error's line in the
 * generated code maps back to the learner's line through the compiler's source map alone.
 */
import ts from "typescript";
import { lineMapFromSourceMap, type LineMap } from "./sourcemap";

/** A cell ready to run. */
export interface RunnableCell {
  /** Global names the cell declares; they must exist (as `var`) before `code` runs. */
  names: string[];
  /** An expression evaluating to a promise of the cell's last value. */
  code: string;
  /** Generated line (1-based) → the cell's own line (1-based). */
  lines: LineMap;
}

/** The name the runner defines for modules the cell imports: `__gl_require("kernel-lib")`. */
export const REQUIRE = "__gl_require";

/**
 * The function every loop of a cell calls at each pass, where Kernel → Interrupt can stop it (see runner.ts).
 */
export const INTERRUPT_POINT = "__gl_interruptPoint";

/**
 * Puts a call of {@link INTERRUPT_POINT} at the start of every loop body, so that even `while (true) {}`
 * can be interrupted. Runs inside the compiler, so the source map still maps every line back.
 */
const interruptibleLoops: ts.TransformerFactory<ts.SourceFile> = (context) => (sf) => {
  const f = context.factory;
  /** The loop's body with the call first; a traceback through the call points at the loop's own line. */
  const withPoint = (loop: ts.Node, body: ts.Statement): ts.Block => {
    const point = f.createExpressionStatement(
      f.createCallExpression(f.createIdentifier(INTERRUPT_POINT), undefined, []),
    );
    const start = loop.getStart(sf);
    ts.setSourceMapRange(point, { pos: start, end: start });
    return ts.isBlock(body)
      ? f.updateBlock(body, [point, ...body.statements])
      : f.createBlock([point, body], true);
  };
  const visit = (node: ts.Node): ts.Node => {
    const n = ts.visitEachChild(node, visit, context);
    if (ts.isWhileStatement(n)) return f.updateWhileStatement(n, n.expression, withPoint(node, n.statement));
    if (ts.isDoStatement(n)) return f.updateDoStatement(n, withPoint(node, n.statement), n.expression);
    if (ts.isForStatement(n))
      return f.updateForStatement(n, n.initializer, n.condition, n.incrementor, withPoint(node, n.statement));
    if (ts.isForInStatement(n))
      return f.updateForInStatement(n, n.initializer, n.expression, withPoint(node, n.statement));
    if (ts.isForOfStatement(n))
      return f.updateForOfStatement(
        n,
        n.awaitModifier,
        n.initializer,
        n.expression,
        withPoint(node, n.statement),
      );
    return n;
  };
  return ts.visitNode(sf, visit) as ts.SourceFile;
};

/** Compiles `source` (the learner's cell) for {@link runCell}; `file` names it in stack traces. */
export function rewriteCell(source: string, file: string): RunnableCell {
  const out = ts.transpileModule(source, {
    fileName: "cell.ts",
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      // Keeps imports whose names the cell does not use itself: a later cell may.
      verbatimModuleSyntax: true,
      esModuleInterop: true,
      experimentalDecorators: true,
      sourceMap: true,
      inlineSources: false,
    },
    transformers: { before: [interruptibleLoops] },
  });
  const js = out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
  const lines = lineMapFromSourceMap(out.sourceMapText ?? "");
  const sf = ts.createSourceFile("cell.js", js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);

  const names: string[] = [];
  const hoisted: string[] = [];
  const edits: { start: number; end: number; text: string }[] = [];
  const replace = (node: ts.Node, text: string) => {
    const start = node.getStart(sf);
    edits.push({ start, end: node.end, text: keepLines(js.slice(start, node.end), text) });
  };

  const statements = sf.statements;
  statements.forEach((stmt, i) => {
    const last = i === statements.length - 1;
    if (ts.isImportDeclaration(stmt)) {
      replace(stmt, importAssignments(stmt, sf, names));
    } else if (ts.isVariableStatement(stmt)) {
      const parts = stmt.declarationList.declarations.map((d) => {
        collectBindingNames(d.name, names);
        return `${d.name.getText(sf)} = ${d.initializer ? d.initializer.getText(sf) : "undefined"}`;
      });
      replace(stmt, `(${parts.join(", ")});`);
    } else if (ts.isFunctionDeclaration(stmt) && stmt.name) {
      // Stays a declaration (hoisted within the cell); published as a global before the body runs.
      names.push(stmt.name.text);
      hoisted.push(`globalThis[${JSON.stringify(stmt.name.text)}] = ${stmt.name.text};`);
    } else if (ts.isClassDeclaration(stmt) && stmt.name) {
      names.push(stmt.name.text);
      replace(stmt, `${stmt.name.text} = ${stmt.getText(sf)};`);
    } else if (ts.isExportDeclaration(stmt) || ts.isExportAssignment(stmt)) {
      replace(stmt, "");
    } else if (last && ts.isExpressionStatement(stmt)) {
      replace(stmt, `return (${stmt.expression.getText(sf)});`);
    }
  });

  let body = js;
  for (const e of edits.sort((a, b) => b.start - a.start))
    body = body.slice(0, e.start) + e.text + body.slice(e.end);
  // Everything before the body sits on the body's first line, so generated line n is JS line n.
  const code = `(async () => { ${hoisted.join(" ")}${body}\n})()\n//# sourceURL=${file}`;
  return { names: [...new Set(names)], code, lines };
}

/** `import d, { a as b } from "m"` → `d = require("m").default; ({ a: b } = require("m"));` */
function importAssignments(stmt: ts.ImportDeclaration, sf: ts.SourceFile, names: string[]): string {
  const spec = (stmt.moduleSpecifier as ts.StringLiteral).text;
  const mod = `${REQUIRE}(${JSON.stringify(spec)})`;
  const clause = stmt.importClause;
  if (!clause) return `${mod};`;
  if (clause.isTypeOnly) return "";
  const out: string[] = [];
  if (clause.name) {
    names.push(clause.name.text);
    out.push(`${clause.name.text} = ${mod}.default;`);
  }
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) {
    names.push(bindings.name.text);
    out.push(`${bindings.name.text} = ${mod};`);
  } else if (bindings) {
    const props = bindings.elements
      .filter((el) => !el.isTypeOnly)
      .map((el) => {
        names.push(el.name.text);
        const from = (el.propertyName ?? el.name).getText(sf);
        return from === el.name.text ? from : `${from}: ${el.name.text}`;
      });
    if (props.length > 0) out.push(`({ ${props.join(", ")} } = ${mod});`);
  }
  return out.join(" ");
}

/** Adds every identifier a declaration binds, including those inside destructuring patterns. */
export function collectBindingNames(name: ts.BindingName, into: string[]): void {
  if (ts.isIdentifier(name)) {
    into.push(name.text);
    return;
  }
  for (const el of name.elements) {
    if (!ts.isOmittedExpression(el)) collectBindingNames(el.name, into);
  }
}

/** `text` padded with newlines to span as many lines as `original`. */
function keepLines(original: string, text: string): string {
  const missing = count(original, "\n") - count(text, "\n");
  return missing > 0 ? text + "\n".repeat(missing) : text;
}

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}
