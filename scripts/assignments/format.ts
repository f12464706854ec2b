/**
 * The exercise format of Gradient Lab notebooks, as the assignment tools read it:
 *
 * - an exercise cell holds the reference solution between lines `// BEGIN SOLUTION` and
 *   `// END SOLUTION`;
 * - the next check cell calls `exercises.checkFunction|checkValue|checkThat("<id>", …, { points })`
 *   and gives the solution regions before it their exercise id;
 * - a check cell may hold `// BEGIN HIDDEN TESTS` … `// END HIDDEN TESTS`, extra checks that only
 *   the grader runs.
 *
 * {@link analyzeNotebook} finds the exercises and every way a notebook breaks the format;
 * {@link studentNotebook} makes the version handed out to students.
 */
import ts from "typescript";
import { cellSource, Notebook, NotebookCell } from "../jupyter/runner";

/** The marker lines, each alone on its line (indentation allowed). */
export const MARKERS = {
  beginSolution: "// BEGIN SOLUTION",
  endSolution: "// END SOLUTION",
  beginHidden: "// BEGIN HIDDEN TESTS",
  endHidden: "// END HIDDEN TESTS",
} as const;

/** The checks of kernel-lib's `exercises` that a check cell calls. */
export const CHECK_METHODS = ["checkFunction", "checkValue", "checkThat"] as const;

/** Which argument of each check holds its options (`{ points, hint, … }`). */
const OPTIONS_ARGUMENT: Record<(typeof CHECK_METHODS)[number], number> = {
  checkFunction: 4,
  checkValue: 3,
  checkThat: 3,
};

/** A solution or hidden-tests region: line numbers (from 0) of its two marker lines. */
export interface Region {
  kind: "solution" | "hidden";
  begin: number;
  end: number;
  /** The indentation of the BEGIN marker, kept for the line that replaces a solution. */
  indent: string;
}

/** One `exercises.checkX(...)` call in a cell. */
export interface CheckCall {
  method: (typeof CHECK_METHODS)[number];
  /** The exercise id, or null when the first argument is not a string literal. */
  id: string | null;
  /** The `points` option as written in the call, or null when it is missing or not a number. */
  points: number | null;
  /** Whether the call sits in a hidden-tests region. */
  hidden: boolean;
  /** Line (from 0) of the call. */
  line: number;
  /** Where the `exercises` name of the call starts and ends in the cell source. */
  nameStart: number;
  nameEnd: number;
  /**
   * The learner's function or value (second argument) when it is a plain name such as `sigmoidPrime`, else
   * null.
   */
  learner: string | null;
}

/** A code cell as the format sees it. */
export interface CellFormat {
  index: number;
  id: string | null;
  regions: Region[];
  checks: CheckCall[];
}

/** A cell named by its position (from 0) and its id. */
export interface CellRef {
  index: number;
  id: string;
}

/** One exercise of a reference notebook. */
export interface Exercise {
  id: string;
  /** What the exercise is worth: the sum of the `points` of its visible checks. */
  points: number;
  /** The cell whose checks grade it. */
  checkCell: CellRef;
  /** The cells holding its solution regions (possibly none: a check of earlier work). */
  solutionCells: CellRef[];
  /** Whether its check cell has hidden tests. */
  hiddenTests: boolean;
}

/** What {@link analyzeNotebook} finds. */
export interface NotebookFormat {
  exercises: Exercise[];
  /** Every break of the format, one readable line each ("cell 4 (id "x"), line 3: …"); empty when valid. */
  errors: string[];
  /** Per code cell, its regions and checks. */
  cells: Map<number, CellFormat>;
  /** The line each solution region becomes in the student version, by cell index, in region order. */
  replacements: Map<number, string[]>;
}

const LOOKS_LIKE_MARKER = /\/\/\s*(BEGIN|END)\s*(SOLUTION|HIDDEN)/i;

/** "cell 4 (id "sigmoid-prime")", numbered from 1 as Jupyter users count. */
export function cellName(index: number, id: string | null | undefined): string {
  return id ? `cell ${index + 1} (id "${id}")` : `cell ${index + 1}`;
}

/** The regions of one cell's source, and the problems with its markers. */
export function findRegions(source: string): { regions: Region[]; problems: string[] } {
  const regions: Region[] = [];
  const problems: string[] = [];
  let open: { kind: Region["kind"]; begin: number; indent: string; marker: string } | null = null;
  source.split("\n").forEach((raw, line) => {
    const text = raw.trim();
    const at = `line ${line + 1}`;
    const begin =
      text === MARKERS.beginSolution ? "solution" : text === MARKERS.beginHidden ? "hidden" : null;
    const end = text === MARKERS.endSolution ? "solution" : text === MARKERS.endHidden ? "hidden" : null;
    if (begin) {
      if (open) {
        problems.push(
          `${at}: \`${text}\` is inside the region that \`${open.marker}\` opened on line ${open.begin + 1}; regions cannot nest: close that one first`,
        );
      } else {
        open = { kind: begin, begin: line, indent: /^\s*/.exec(raw)![0], marker: text };
      }
    } else if (end) {
      const wanted = end === "solution" ? MARKERS.beginSolution : MARKERS.beginHidden;
      if (!open) {
        problems.push(`${at}: \`${text}\` has no \`${wanted}\` before it`);
      } else if (open.kind !== end) {
        problems.push(
          `${at}: \`${text}\` cannot close the region that \`${open.marker}\` opened on line ${open.begin + 1}; regions cannot nest`,
        );
      } else {
        regions.push({ kind: open.kind, begin: open.begin, end: line, indent: open.indent });
        open = null;
      }
    } else if (LOOKS_LIKE_MARKER.test(text)) {
      problems.push(
        `${at}: \`${text}\` looks like a marker but is not one; write exactly \`${MARKERS.beginSolution}\`, \`${MARKERS.endSolution}\`, ` +
          `\`${MARKERS.beginHidden}\` or \`${MARKERS.endHidden}\`, alone on its line`,
      );
    }
  });
  if (open) {
    const { marker, begin } = open as { marker: string; begin: number };
    const closer = marker === MARKERS.beginSolution ? MARKERS.endSolution : MARKERS.endHidden;
    problems.push(`line ${begin + 1}: \`${marker}\` has no \`${closer}\` after it`);
  }
  return { regions, problems };
}

/** The `exercises.checkX(...)` calls in a cell's source (found by parsing it as TypeScript). */
export function findChecks(source: string, regions: Region[] = []): CheckCall[] {
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const calls: CheckCall[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const target = node.expression.expression;
      const method = node.expression.name.text as CheckCall["method"];
      if (
        ts.isIdentifier(target) &&
        target.text === "exercises" &&
        (CHECK_METHODS as readonly string[]).includes(method)
      ) {
        const first = node.arguments[0];
        const id =
          first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first))
            ? first.text
            : null;
        const options = node.arguments[OPTIONS_ARGUMENT[method]];
        let points: number | null = null;
        if (options && ts.isObjectLiteralExpression(options)) {
          for (const property of options.properties) {
            if (
              ts.isPropertyAssignment(property) &&
              property.name.getText(file) === "points" &&
              ts.isNumericLiteral(property.initializer)
            ) {
              points = Number(property.initializer.text);
            }
          }
        }
        const line = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
        const hidden = regions.some((r) => r.kind === "hidden" && r.begin < line && line < r.end);
        const second = node.arguments[1];
        const learner =
          second &&
          (ts.isIdentifier(second) || ts.isPropertyAccessExpression(second)) &&
          /^[\w$.]+$/.test(second.getText(file))
            ? second.getText(file)
            : null;
        calls.push({
          method,
          id,
          points,
          hidden,
          line,
          nameStart: target.getStart(file),
          nameEnd: target.getEnd(),
          learner,
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return calls;
}

/** Whether the source imports `exercises` by that name from kernel-lib before `beforeLine` (from 0). */
function importsExercises(source: string, beforeLine = Infinity): boolean {
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  return file.statements.some((statement) => {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) return false;
    if (statement.moduleSpecifier.text !== "kernel-lib") return false;
    if (file.getLineAndCharacterOfPosition(statement.getStart(file)).line >= beforeLine) return false;
    const bindings = statement.importClause?.namedBindings;
    return (
      !!bindings && ts.isNamedImports(bindings) && bindings.elements.some((e) => e.name.text === "exercises")
    );
  });
}

/**
 * The line that stands for a solution in the student version. It uses the notebook's own
 * `exercises` when an earlier line imports it, and otherwise loads it, so the cell always compiles.
 */
export function notImplementedLine(id: string, indent: string, exercisesInScope: boolean): string {
  const target = exercisesInScope ? "exercises" : 'require("kernel-lib").exercises';
  return `${indent}throw ${target}.notImplemented(${JSON.stringify(id)});`;
}

/** Finds the exercises of a notebook and everything that breaks the format. */
export function analyzeNotebook(nb: Notebook): NotebookFormat {
  const errors: string[] = [];
  const cells = new Map<number, CellFormat>();
  const exercises: Exercise[] = [];
  const replacements = new Map<number, string[]>();
  if (!Array.isArray(nb.cells))
    return { exercises, errors: ["has no cells list; it is not a Jupyter notebook"], cells, replacements };

  const seenIds = new Map<string, number>();
  nb.cells.forEach((cell, index) => {
    if (typeof cell.id !== "string" || cell.id === "") return;
    const before = seenIds.get(cell.id);
    if (before !== undefined)
      errors.push(
        `${cellName(index, cell.id)} repeats the id of cell ${before + 1}; every cell needs its own id: give it a new one`,
      );
    else seenIds.set(cell.id, index);
  });

  // Solution regions waiting for their check cell, each with whether `exercises` is in scope there.
  let pending: { ref: CellRef | null; index: number; regions: Region[]; inScope: boolean[] }[] = [];
  let exercisesImported = false;
  const byId = new Map<string, Exercise>();
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const source = cellSource(cell);
    const where = cellName(index, cell.id);
    const { regions, problems } = findRegions(source);
    for (const problem of problems) errors.push(`${where}, ${problem}`);
    let checks: CheckCall[] = [];
    try {
      checks = findChecks(source, regions);
    } catch (err) {
      errors.push(`${where}: could not be read as TypeScript (${(err as Error).message})`);
    }
    cells.set(index, { index, id: cell.id ?? null, regions, checks });

    const solutions = regions.filter((r) => r.kind === "solution");
    const hidden = regions.filter((r) => r.kind === "hidden");
    const visible = checks.filter((c) => !c.hidden);
    const hasId = typeof cell.id === "string" && cell.id !== "";
    if ((solutions.length > 0 || checks.length > 0) && !hasId) {
      errors.push(
        `${where} has no cell id, so the grader cannot find it in a submission: run \`npm run strip\` on the notebook (it adds ids)`,
      );
    }
    const ref: CellRef | null = hasId ? { index, id: cell.id! } : null;

    if (solutions.length > 0) {
      if (checks.length > 0) {
        errors.push(
          `${where} holds both a solution region and a check; put the check in its own cell after the exercise cell (the grader puts check cells back from the reference, so a student's edits to them do not count)`,
        );
      }
      const inScope = solutions.map((r) => exercisesImported || importsExercises(source, r.begin));
      pending.push({ ref, index, regions: solutions, inScope });
    }
    if (hidden.length > 0 && visible.length === 0) {
      errors.push(
        `${where} has hidden tests but no visible check outside them; hidden tests belong inside a check cell, after or around its \`exercises.check…\` call`,
      );
    }
    for (const call of checks) {
      if (call.id === null)
        errors.push(
          `${where}, line ${call.line + 1}: the exercise id of \`exercises.${call.method}\` must be a string literal such as "2.1"`,
        );
      else if (call.id.trim() === "")
        errors.push(
          `${where}, line ${call.line + 1}: the exercise id of \`exercises.${call.method}\` is empty`,
        );
    }
    for (const call of visible) {
      if (call.points === null || !(call.points > 0)) {
        errors.push(
          `${where}, line ${call.line + 1}: \`exercises.${call.method}\` needs a number of points in its options, written in the call, e.g. \`{ points: 2 }\``,
        );
      }
    }
    if (visible.length > 0) {
      const ids = [...new Set(checks.map((c) => c.id).filter((id): id is string => !!id))];
      if (ids.length > 1) {
        errors.push(
          `${where} checks several exercises (${ids.join(", ")}); give each exercise its own check cell`,
        );
      } else if (ids.length === 1 && ref) {
        const id = ids[0];
        const twice = byId.get(id);
        if (twice) {
          errors.push(
            `exercise id "${id}" is used twice: by the checks in ${cellName(twice.checkCell.index, twice.checkCell.id)} and in ${where}; give each exercise its own id`,
          );
        } else {
          const exercise: Exercise = {
            id,
            points: visible.reduce((sum, c) => sum + (c.points ?? 0), 0),
            checkCell: ref,
            solutionCells: pending.filter((p) => p.ref).map((p) => p.ref!),
            hiddenTests: hidden.length > 0,
          };
          exercises.push(exercise);
          byId.set(id, exercise);
          for (const p of pending)
            replacements.set(
              p.index,
              p.regions.map((r, k) => notImplementedLine(id, r.indent, p.inScope[k])),
            );
        }
      }
      pending = [];
    }
    if (importsExercises(source)) exercisesImported = true;
  });
  for (const p of pending) {
    errors.push(
      `${cellName(p.index, p.ref?.id)} has a solution region but no check cell after it; add a cell that calls \`exercises.checkFunction\`, \`checkValue\` or \`checkThat\` with the exercise id`,
    );
  }
  return { exercises, errors, cells, replacements };
}

/** A cell's source written back in the form it came in (one string, or a list of lines). */
function withSource(cell: NotebookCell, text: string): NotebookCell["source"] {
  return Array.isArray(cell.source) ? text.split(/(?<=\n)/) : text;
}

/** The cell's source with every region of `kind` removed (marker lines included). */
export function removeRegions(source: string, regions: Region[], kind: Region["kind"]): string {
  const lines = source.split("\n");
  const drop = new Set<number>();
  for (const r of regions) if (r.kind === kind) for (let l = r.begin; l <= r.end; l++) drop.add(l);
  return lines.filter((_, l) => !drop.has(l)).join("\n");
}

/**
 * The student version of a valid reference notebook: each solution region becomes
 * `throw exercises.notImplemented("<id>");` at the marker's indentation, hidden-tests regions are
 * removed, outputs and execution counts are cleared; ids, metadata and everything else stay as they were.
 */
export function studentNotebook(nb: Notebook, format: NotebookFormat): Notebook {
  if (format.errors.length > 0)
    throw new Error(`The notebook breaks the exercise format:\n${format.errors.join("\n")}`);
  const cells = nb.cells.map((cell, index): NotebookCell => {
    const copy: NotebookCell = { ...cell };
    if (cell.cell_type !== "code") return copy;
    copy.outputs = [];
    copy.execution_count = null;
    const info = format.cells.get(index);
    if (!info || info.regions.length === 0) return copy;
    const lines = cellSource(cell).split("\n");
    const replacement = format.replacements.get(index) ?? [];
    const out: string[] = [];
    let solution = 0;
    for (let l = 0; l < lines.length; l++) {
      const region = info.regions.find((r) => r.begin === l);
      if (!region) {
        out.push(lines[l]);
        continue;
      }
      if (region.kind === "solution") out.push(replacement[solution++]);
      l = region.end;
    }
    copy.source = withSource(cell, out.join("\n"));
    return copy;
  });
  return { ...nb, cells };
}

/** A check cell's source as the grader runs it: hidden tests kept, the checks called through `checksName`. */
export function gradedCheckSource(source: string, checksName: string): string {
  let out = "";
  let at = 0;
  for (const call of findChecks(source).sort((a, b) => a.nameStart - b.nameStart)) {
    out += source.slice(at, call.nameStart) + checksName;
    at = call.nameEnd;
  }
  return out + source.slice(at);
}
