/** Submissions graded per minute by `npm run grade`, with --jobs 1 and with one job per core. */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "../lib/paths";
import { log } from "./timing";

export interface GradingFigure {
  submissions: number;
  /** Submissions per minute, per --jobs value. */
  perMinute: { jobs: number; perMinute: number; seconds: number; allFullMarks: boolean }[];
  /** Speed-up of the most jobs over --jobs 1. */
  speedup: number | null;
  missing?: string;
}

const GRADING_BATCH = 30;

/**
 * Grades 30 solved copies of the fixture practice notebook with `npm run grade`, with 1 job and with one per
 * core.
 */
export async function measureGrading(enabled: boolean): Promise<GradingFigure> {
  if (!enabled) return { submissions: 0, perMinute: [], speedup: null, missing: "skipped (add --grading)" };
  const practice = path.join(ROOT, "test", "assignments", "fixtures", "reference");
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-bench-grade-"));
  try {
    const subs = path.join(scratch, "submissions");
    fs.mkdirSync(subs);
    for (let i = 1; i <= GRADING_BATCH; i++)
      fs.copyFileSync(
        path.join(practice, "practice.ipynb"),
        path.join(subs, `student-${String(i).padStart(2, "0")}.ipynb`),
      );
    const perMinute: GradingFigure["perMinute"] = [];
    for (const jobs of [...new Set([1, os.cpus().length])]) {
      log(`  grading ${GRADING_BATCH} submissions with --jobs ${jobs} …`);
      const t0 = performance.now();
      const stdout = await new Promise<string>((resolve, reject) => {
        const tsx = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
        const child = spawn(
          process.execPath,
          [
            tsx,
            path.join(ROOT, "scripts", "grade.ts"),
            subs,
            "--json",
            "--jobs",
            String(jobs),
            "--source",
            practice,
            "--report-dir",
            path.join(scratch, `reports-${jobs}`),
          ],
          { stdio: ["ignore", "pipe", "inherit"] },
        );
        let out = "";
        child.stdout.on("data", (chunk) => (out += chunk));
        child.on("error", reject);
        child.on("close", (code) =>
          code === 0 ? resolve(out) : reject(new Error(`npm run grade exited with ${code}`)),
        );
      });
      const seconds = (performance.now() - t0) / 1000;
      const grades: { score: number; maxScore: number }[] = JSON.parse(stdout).submissions;
      perMinute.push({
        jobs,
        perMinute: (GRADING_BATCH / seconds) * 60,
        seconds,
        allFullMarks: grades.every((g) => g.maxScore > 0 && g.score === g.maxScore),
      });
    }
    const speedup =
      perMinute.length > 1 ? perMinute[perMinute.length - 1].perMinute / perMinute[0].perMinute : null;
    return { submissions: GRADING_BATCH, perMinute, speedup };
  } catch (e) {
    return {
      submissions: GRADING_BATCH,
      perMinute: [],
      speedup: null,
      missing: `grading failed: ${(e as Error).message.split("\n")[0]}`,
    };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
