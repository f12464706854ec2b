/**
 * Checks the grader cannot turn into "answers to these inputs" (a `checkThat` predicate, a check
 * on an expression, a check cell that trains a network from the learner's settings) are decided in
 * a clean kernel, the judge, never in the learner's. Three runs take part:
 *
 * 1. the reference run (once per batch) wraps the learner's names in the check cell with spies, so
 *    it records the inputs the check gives each of the learner's functions;
 * 2. the learner's run replaces the check cell by one that hands back, as data, the value of each
 *    name the learner's exercise cells define and their functions' answers to those inputs;
 * 3. the judge run is the reference notebook again, with those names in the check cell read from
 *    the learner's data: everything else the check uses (data sets, settings, hidden tests, the
 *    expected values) is the reference's own, and the verdicts it records are the grade.
 *
 * The learner's code never runs in the judge, and nothing of the check but its test inputs reaches
 * the learner's kernel.
 */
import ts from "typescript";
import {
  ANSWER_MIME,
  CALLS_MIME,
  CallsRecord,
  Encoded,
  NamesRecord,
  Verdict,
  VERDICT_MIME,
} from "../../kernel-lib/src/answers";
import { Exercise, gradedCheckSource, NotebookFormat } from "./format";
import { TSLAB_KERNELSPEC } from "../jupyter/hygiene";
import { cellSource, Notebook, NotebookCell, RunResult } from "../jupyter/runner";

/** How one exercise's check is judged: the learner's names it reads and the cell with those reads renamed. */
export interface JudgePlan {
  id: string;
  /** Names the exercise cells declare and the check cell reads, in the order they appear. */
  names: string[];
  /** The name of the object that holds the learner's values in the rewritten check cell. */
  holder: string;
  /** The check cell with every read of a learner's name `x` turned into `holder.x`. */
  source: string;
}

function parse(source: string): ts.SourceFile {
  return ts.createSourceFile("cell.ts", source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

/**
 * The names a cell declares at its top level: `const`/`let`/`var` (destructuring too), functions and classes.
 */
export function declaredNames(source: string): string[] {
  const names: string[] = [];
  const bind = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.push(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name);
  };
  for (const statement of parse(source).statements) {
    if (ts.isVariableStatement(statement))
      for (const d of statement.declarationList.declarations) bind(d.name);
    else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name)
      names.push(statement.name.text);
  }
  return names;
}

/**
 * Whether `node` is an identifier that reads a variable (not a property name, a declaration, a type, or a
 * label).
 */
function isRead(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if (
    (ts.isPropertyAssignment(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isPropertySignature(parent)) &&
    parent.name === node
  )
    return false;
  if (ts.isQualifiedName(parent) || ts.isTypeReferenceNode(parent) || ts.isTypeQueryNode(parent))
    return false;
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return false;
  if (ts.isImportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent)) return false;
  return true;
}

/** Whether an identifier that reads a variable is also written there (`x = …`, `x++`, `[x] = …`). */
function isWritten(node: ts.Identifier): boolean {
  let child: ts.Node = node;
  let parent = node.parent;
  // Climb through destructuring patterns on the left of an assignment.
  while (
    ts.isArrayLiteralExpression(parent) ||
    ts.isObjectLiteralExpression(parent) ||
    ts.isShorthandPropertyAssignment(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isParenthesizedExpression(parent)
  ) {
    child = parent;
    parent = parent.parent;
  }
  if (
    ts.isBinaryExpression(parent) &&
    parent.left === child &&
    parent.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
    parent.operatorToken.kind <= ts.SyntaxKind.LastAssignment
  )
    return true;
  if (
    (ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) &&
    [ts.SyntaxKind.PlusPlusToken, ts.SyntaxKind.MinusMinusToken].includes(parent.operator)
  )
    return true;
  if ((ts.isForInStatement(parent) || ts.isForOfStatement(parent)) && parent.initializer === child)
    return true;
  return false;
}

/**
 * The check cell with each read of a name in `names` turned into `holder.name`, and the names it
 * read; null when the cell declares or assigns one of them (then it cannot be judged this way).
 */
export function renameReads(
  source: string,
  names: Set<string>,
  holder: string,
): { source: string; read: string[] } | null {
  const file = parse(source);
  const edits: { start: number; end: number; text: string }[] = [];
  const read: string[] = [];
  let blocked = false;
  const visit = (node: ts.Node): void => {
    if (blocked) return;
    if (
      (ts.isVariableDeclaration(node) ||
        ts.isParameter(node) ||
        ts.isBindingElement(node) ||
        ts.isFunctionDeclaration(node) ||
        ts.isClassDeclaration(node) ||
        ts.isFunctionExpression(node)) &&
      node.name &&
      ts.isIdentifier(node.name) &&
      names.has(node.name.text)
    ) {
      blocked = true;
      return;
    }
    if (ts.isIdentifier(node) && names.has(node.text) && isRead(node)) {
      if (isWritten(node)) {
        blocked = true;
        return;
      }
      if (!read.includes(node.text)) read.push(node.text);
      const access = `${holder}.${node.text}`;
      const shorthand = ts.isShorthandPropertyAssignment(node.parent);
      edits.push({
        start: node.getStart(file),
        end: node.getEnd(),
        text: shorthand ? `${node.text}: ${access}` : access,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (blocked) return null;
  let out = source;
  for (const edit of edits.sort((a, b) => b.start - a.start))
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return { source: out, read };
}

/**
 * The judge plan of an exercise, or null when its check cell reads no name of the learner's or cannot be
 * rewritten.
 */
export function judgePlan(reference: Notebook, exercise: Exercise, index: number): JudgePlan | null {
  const names = new Set<string>();
  for (const s of exercise.solutionCells)
    for (const name of declaredNames(cellSource(reference.cells[s.index]))) names.add(name);
  names.delete("exercises");
  if (names.size === 0) return null;
  const holder = `gradientLabLearner${index}`;
  let renamed: ReturnType<typeof renameReads>;
  try {
    renamed = renameReads(cellSource(reference.cells[exercise.checkCell.index]), names, holder);
  } catch {
    return null;
  }
  if (!renamed || renamed.read.length === 0) return null;
  return { id: exercise.id, names: renamed.read, holder, source: renamed.source };
}

/** The judge plans of a reference's exercises, by exercise id. */
export function judgePlans(reference: Notebook, format: NotebookFormat): Map<string, JudgePlan> {
  const plans = new Map<string, JudgePlan>();
  format.exercises.forEach((exercise, k) => {
    const plan = judgePlan(reference, exercise, k);
    if (plan) plans.set(exercise.id, plan);
  });
  return plans;
}

/**
 * The reference run's check cell: the learner's names read through spies that record the inputs given to
 * functions.
 */
export function spiedCheckSource(plan: JudgePlan, checksName: string): string {
  const spies = plan.names.map(
    (name) => `${name}: ${checksName}.spy(${JSON.stringify(plan.id)}, ${JSON.stringify(name)}, ${name})`,
  );
  return [
    `const ${plan.holder} = { ${spies.join(", ")} };`,
    gradedCheckSource(plan.source, checksName),
    `;${checksName}.calls(${JSON.stringify(plan.id)});`,
  ].join("\n");
}

/**
 * The learner's run's check cell: the values of the learner's names and their functions' answers to the
 * recorded inputs, as data.
 */
export function namesCheckSource(plan: JudgePlan, checksName: string, calls: CallsRecord["calls"]): string {
  const getters = plan.names.map((name) => `${name}: () => ${name}`);
  const cases: Record<string, Encoded[]> = {};
  for (const name of plan.names) if (calls[name]) cases[name] = calls[name]!;
  return [
    `// The grader's check of exercise ${plan.id}: your values of ${plan.names.join(", ")} go back to the grader, which checks them in a clean kernel.`,
    `${checksName}.answerNames(${JSON.stringify(plan.id)}, { ${getters.join(", ")} }, ${JSON.stringify(cases)});`,
  ].join("\n");
}

/**
 * The function inputs each reference check cell recorded, by exercise id; a name maps to null when its inputs
 * are not data.
 */
export function callsRecords(
  format: NotebookFormat,
  run: RunResult,
  plans: Map<string, JudgePlan>,
): Map<string, CallsRecord["calls"]> {
  const found = new Map<string, CallsRecord["calls"]>();
  for (const exercise of format.exercises) {
    if (!plans.has(exercise.id)) continue;
    const outputs = run.notebook.cells[exercise.checkCell.index + 1]?.outputs ?? []; // after the setup cell
    const record = outputs
      .map((o) => o?.data?.[CALLS_MIME])
      .find((r) => r && typeof r === "object" && r.id === exercise.id) as CallsRecord | undefined;
    if (record && record.calls && typeof record.calls === "object") found.set(exercise.id, record.calls);
  }
  return found;
}

/** The learner's names record of an exercise among a cell's outputs (the first one), or null. */
export function namesRecord(cell: NotebookCell | undefined, id: string): NamesRecord | null {
  for (const output of cell?.outputs ?? []) {
    const record = output?.data?.[ANSWER_MIME];
    if (record && typeof record === "object" && record.id === id && record.kind === "names")
      return record as NamesRecord;
  }
  return null;
}

/**
 * The judge's notebook: the reference, cut after the last judged check, with each judged check cell
 * reading the learner's names from `answers` (the learner's records) and recording verdicts
 * through `checksName`; the other check cells record nothing.
 */
export function buildJudgeNotebook(
  reference: Notebook,
  format: NotebookFormat,
  plans: Map<string, JudgePlan>,
  answers: Map<string, NamesRecord>,
  calls: Map<string, CallsRecord["calls"]>,
  checksName: string,
): { nb: Notebook; checkIndex: Map<string, number> } {
  const judged = format.exercises.filter((e) => plans.has(e.id) && answers.has(e.id));
  const last = Math.max(...judged.map((e) => e.checkCell.index));
  const byCheckCell = new Map(format.exercises.map((e) => [e.checkCell.index, e]));
  const cells: NotebookCell[] = [
    {
      cell_type: "code",
      id: "gradient-lab-judge",
      metadata: {},
      source: `const ${checksName} = require("kernel-lib/dist/answers").judgeChecks(${JSON.stringify(judged.map((e) => e.id))});`,
      outputs: [],
      execution_count: null,
    },
  ];
  const checkIndex = new Map<string, number>();
  reference.cells.slice(0, last + 1).forEach((cell, i) => {
    const copy: NotebookCell = {
      cell_type: cell.cell_type,
      id: cell.id,
      metadata: {},
      source: cellSource(cell),
    };
    if (cell.cell_type === "code") {
      copy.outputs = [];
      copy.execution_count = null;
    }
    const exercise = byCheckCell.get(i);
    if (exercise) {
      const plan = plans.get(exercise.id);
      const record = answers.get(exercise.id);
      if (plan && record) {
        const types = plan.names.map((name) => `${name}: typeof ${name}`).join("; ");
        const cases = calls.get(exercise.id) ?? {};
        copy.source = [
          `const ${plan.holder} = ${checksName}.learner(${JSON.stringify(exercise.id)}, ${JSON.stringify(JSON.stringify(record))}, ${JSON.stringify(JSON.stringify(cases))}) as { ${types} };`,
          gradedCheckSource(plan.source, checksName),
        ].join("\n");
        checkIndex.set(exercise.id, cells.length);
      } else {
        copy.source = gradedCheckSource(cellSource(cell), checksName);
      }
    }
    cells.push(copy);
  });
  return {
    nb: { nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { ...TSLAB_KERNELSPEC } }, cells },
    checkIndex,
  };
}

/** The verdicts the judge recorded for each judged exercise, or the reason it recorded none. */
export function judgeVerdicts(
  run: RunResult,
  checkIndex: Map<string, number>,
  explain: (index: number) => string,
): Map<string, Verdict[] | string> {
  const out = new Map<string, Verdict[] | string>();
  for (const [id, index] of checkIndex) {
    const verdicts = (run.notebook.cells[index]?.outputs ?? [])
      .map((o) => o?.data?.[VERDICT_MIME])
      .filter((v) => v && typeof v === "object" && v.id === id && typeof v.passed === "boolean")
      .map((v) => ({ passed: v.passed as boolean, message: String(v.message ?? "") }));
    const result = run.cells.find((c) => c.index === index);
    if (result?.status === "ok" && verdicts.length > 0) out.set(id, verdicts);
    else if (verdicts.some((v) => !v.passed)) out.set(id, verdicts);
    else out.set(id, result ? explain(index) : "the judge's run stopped before the check");
  }
  return out;
}
