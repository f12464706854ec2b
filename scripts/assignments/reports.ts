/** What `npm run grade` writes: one Markdown report per submission and the CSV gradebook. */
import type { ExerciseGrade } from "./grading";
import type { SubmissionGrade } from "./grader";

function escapeCell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

const STATUS_LABEL: Record<ExerciseGrade["status"], string> = {
  passed: "✓ passed",
  failed: "✗ failed",
  error: "✗ error",
  missing: "✗ missing",
  timeout: "✗ timeout",
};

/** The Markdown report of one submission. */
export function markdownReport(
  grade: SubmissionGrade,
  context: { timeoutSeconds: number; date: Date },
): string {
  const lines = [
    `# Grade report: ${grade.file}`,
    "",
    `- **Score: ${grade.score} / ${grade.maxScore}**${grade.graded ? "" : " (not fully graded)"}`,
    `- Reference notebook: ${grade.reference ?? "none matched"}`,
    `- Graded ${context.date.toISOString().replace("T", " ").slice(0, 16)} UTC in a fresh TypeScript kernel; a cell may run ${context.timeoutSeconds} s.`,
    "",
  ];
  if (grade.error) lines.push("## Problems with the file", "", grade.error, "");
  if (grade.exercises.length > 0) {
    lines.push("## Exercises", "", "| Exercise | Result | Points | Feedback |", "|---|---|---|---|");
    for (const e of grade.exercises)
      lines.push(
        `| ${escapeCell(e.id)} | ${STATUS_LABEL[e.status]} | ${e.points} / ${e.maxPoints} | ${escapeCell(e.message)} |`,
      );
    lines.push("");
  }
  if (grade.notes.length > 0) lines.push("## Notes", "", ...grade.notes.map((n) => `- ${n}`), "");
  return lines.join("\n");
}

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The gradebook: one row per submission, one column per exercise (points earned), total, max, error. */
export function gradebookCsv(grades: SubmissionGrade[]): string {
  const ids: string[] = [];
  for (const g of grades) for (const e of g.exercises) if (!ids.includes(e.id)) ids.push(e.id);
  const rows = [["file", "reference", ...ids, "total", "max", "error"]];
  for (const g of grades) {
    const points = new Map(g.exercises.map((e) => [e.id, e.points]));
    rows.push([
      g.file,
      g.reference ?? "",
      ...ids.map((id) => (points.has(id) ? String(points.get(id)) : "")),
      String(g.score),
      String(g.maxScore),
      g.error ?? "",
    ]);
  }
  return rows.map((row) => row.map(csvField).join(",")).join("\n") + "\n";
}

/** The report file name for a submission: its shown path with folders joined by "__". */
export function reportName(shown: string, taken: Set<string>): string {
  const stem =
    shown
      .replace(/\.ipynb$/, "")
      .replace(/^(\.\.[\\/])+/, "")
      .replace(/[\\/]/g, "__")
      .replace(/[^\w.\-]/g, "_") || "submission";
  let name = `${stem}.md`;
  for (let k = 2; taken.has(name); k++) name = `${stem}-${k}.md`;
  taken.add(name);
  return name;
}
