/**
 * An nbgrader course folder made from reference notebooks, for instructors who grade with nbgrader
 * (`npm run assign -- <notebooks…> --out <dir> --nbgrader`):
 *
 * - `nbgrader_config.py`: the TypeScript kernel, our solution and hidden-test markers, and the
 *   line that replaces a solution for notebooks whose language is "typescript";
 * - `source/<lesson>/<lesson>.ipynb`: each reference notebook (solutions and hidden tests kept,
 *   outputs cleared) with nbgrader's cell metadata derived from the exercise format: exercise
 *   cells are solution cells, check cells are locked autograded test cells worth the exercise's
 *   points, Markdown cells are read-only; other code cells stay free, as in `npm run grade`, which
 *   runs them as the student left them;
 * - `node_modules`: a link to the project's packages, so the kernel finds `kernel-lib` wherever
 *   nbgrader runs a notebook below the course folder.
 *
 * nbgrader then scores a check cell in full when it runs without an error output or stderr text:
 * the same verdict as `npm run grade`, since a failing kernel-lib check throws and a passing one
 * only displays its line.
 */
import path from "node:path";
import { Exercise, NotebookFormat } from "./format";
import { Notebook, NotebookCell } from "../jupyter/runner";

/** nbgrader's cell metadata (schema version 3). */
export interface NbgraderCellMetadata {
  schema_version: 3;
  grade: boolean;
  solution: boolean;
  locked: boolean;
  task: boolean;
  grade_id: string;
  points?: number;
}

/** What replaces a solution region in the student version nbgrader makes (indented like the marker). */
export const TYPESCRIPT_CODE_STUB =
  '// YOUR CODE HERE\nthrow new Error("Not implemented yet: replace this line with your code, then run the cell again.");';

/** The assignment name of a notebook: its path below the input folder, without `.ipynb`, with `/` as `-`. */
export function lessonName(relative: string): string {
  return relative
    .replace(/\.ipynb$/, "")
    .split(/[\\/]/)
    .join("-");
}

/** Where a lesson's source notebook goes in the course folder. */
export function sourcePath(relative: string): string {
  const lesson = lessonName(relative);
  return path.join("source", lesson, `${lesson}.ipynb`);
}

/** An exercise id as a `grade_id`, which allows only letters, digits, `_` and `-` ("2.1" → "2_1"). */
function gradeIdPart(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, "_");
}

/**
 * The nbgrader source version of a valid reference notebook: outputs cleared, solutions and hidden
 * tests kept (nbgrader removes them when it generates the assignment), and `metadata.nbgrader` on
 * the cells it grades or protects.
 *
 * @throws Error when two exercise ids map to one grade id (e.g. "2.1" and "2_1"); rename one.
 */
export function nbgraderSourceNotebook(nb: Notebook, format: NotebookFormat): Notebook {
  if (format.errors.length > 0)
    throw new Error(`The notebook breaks the exercise format:\n${format.errors.join("\n")}`);
  const roles = new Map<number, NbgraderCellMetadata>();
  const used = new Map<string, string>();
  const claim = (gradeId: string, exercise: Exercise): string => {
    const other = used.get(gradeId);
    if (other !== undefined && other !== exercise.id) {
      throw new Error(
        `Exercises "${other}" and "${exercise.id}" both become nbgrader grade id "${gradeId}" (it allows only letters, digits, _ and -); rename one of them.`,
      );
    }
    used.set(gradeId, exercise.id);
    return gradeId;
  };
  for (const exercise of format.exercises) {
    const base = `exercise-${gradeIdPart(exercise.id)}`;
    roles.set(exercise.checkCell.index, {
      schema_version: 3,
      grade: true,
      solution: false,
      locked: true,
      task: false,
      grade_id: claim(base, exercise),
      points: exercise.points,
    });
    exercise.solutionCells.forEach((cell, k) => {
      const suffix = exercise.solutionCells.length === 1 ? "" : `-${k + 1}`;
      roles.set(cell.index, {
        schema_version: 3,
        grade: false,
        solution: true,
        locked: false,
        task: false,
        grade_id: claim(`${base}-solution${suffix}`, exercise),
      });
    });
  }
  const cells = nb.cells.map((cell, index): NotebookCell => {
    const copy: NotebookCell = { ...cell, metadata: { ...(cell.metadata ?? {}) } };
    if (cell.cell_type === "code") {
      copy.outputs = [];
      copy.execution_count = null;
    }
    const role = roles.get(index) ?? (cell.cell_type === "markdown" ? readOnly(index, cell) : undefined);
    if (role) copy.metadata!.nbgrader = role;
    return copy;
  });
  return { ...nb, cells };
}

/** A read-only (locked, ungraded) cell; its grade id comes from the cell id, which every lesson cell has. */
function readOnly(index: number, cell: NotebookCell): NbgraderCellMetadata {
  const id = typeof cell.id === "string" && cell.id !== "" ? cell.id : `cell-${index + 1}`;
  return {
    schema_version: 3,
    grade: false,
    solution: false,
    locked: true,
    task: false,
    grade_id: `text-${gradeIdPart(id)}`,
  };
}

/** `nbgrader_config.py` for a course of Gradient Lab notebooks. */
export function nbgraderConfig(): string {
  return `# nbgrader configuration for a Gradient Lab course, written by \`npm run assign -- --nbgrader\`.
# Run nbgrader in this folder with the project's Python environment, where the TypeScript kernel
# ("tslab") is registered, e.g. /path/to/gradient-lab/.venv/bin/nbgrader generate_assignment <lesson>.
c = get_config()  # noqa: F821 (defined by nbgrader when it reads this file)

# The lessons run in Gradient Lab's TypeScript kernel.
c.Execute.kernel_name = "tslab"
# Seconds one cell may run when autograding, as \`npm run grade\`'s default --timeout.
c.Execute.timeout = 60

# The exercise format's markers (nbgrader matches them as substrings, so "// BEGIN SOLUTION" works).
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

# What replaces a solution in the students' version, by the notebook's kernelspec language.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\\nraise NotImplementedError()",
    "typescript": ${JSON.stringify(TYPESCRIPT_CODE_STUB)},
}
`;
}
