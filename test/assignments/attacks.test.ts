/**
 * `npm run grade` against hostile submissions: each attack is a small practice submission graded in
 * one batch (`--jobs 2`) beside honest peers. For every attack: the honest files stay byte for byte
 * and score right, the attacker earns nothing it did not answer, nothing outside the grader's
 * folders changes, no process survives, and every report is written. A smaller batch with
 * `--jobs 1` gives the same grades.
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { analyzeNotebook, studentNotebook } from "../../scripts/assignments/format";
import type { SubmissionGrade } from "../../scripts/assignments/grader";
import { ROOT } from "../../scripts/lib/paths";
import { serializeNotebook } from "../../scripts/jupyter/hygiene";
import { Notebook } from "../../scripts/jupyter/runner";
import {
  CliResult,
  PRACTICE,
  PRACTICE_ANSWERS,
  readNb,
  REFERENCE_DIR,
  runCli,
  snapshot,
  solve,
  writeNb,
} from "./helpers";

const BATCH_TIMEOUT_MS = 20 * 60_000;
const CELL_TIMEOUT_S = 20;
const SECRET = "only-the-instructor-knows-5e1a";
/** A word in the command line of every process an attacker leaves behind. */
const MARKER = "9183746";

let scratch: string;
let subs: string;
let reports: string;
let server: http.Server;
let port: number;
let serverHits = 0;
let before: {
  subs: Record<string, string>;
  dist: Record<string, string>;
  reference: Record<string, string>;
  oldReport: string;
};
let batch: CliResult;
let grades: Map<string, SubmissionGrade>;

/**
 * P.1 answered correctly only when `leakedExpr` (TypeScript, evaluated in the kernel) is true: a leak would
 * earn its points.
 */
const correctIf = (leakedExpr: string) =>
  `if (${leakedExpr}) { const s = 1 / (1 + Math.exp(-z)); return s * (1 - s); }\nreturn 0;`;

function buildSubmissions(): void {
  const reference = readNb(PRACTICE);
  const student = studentNotebook(reference, analyzeNotebook(reference));
  const solved = solve(student, PRACTICE_ANSWERS);
  const put = (name: string, nb: Notebook) => writeNb(path.join(subs, name), nb);
  /** The solved notebook with P.1 answered by `p1` and an extra cell `extra` before the exercises. */
  const attack = (name: string, p1: string, extra = "") => {
    const nb = solve(student, { ...PRACTICE_ANSWERS, "P.1": p1 });
    if (extra)
      nb.cells.splice(2, 0, {
        cell_type: "code",
        id: "attack",
        metadata: {},
        source: extra,
        outputs: [],
        execution_count: null,
      });
    put(name, nb);
  };
  const blank = serializeNotebook(student);

  // Honest peers; "zz-" sorts after the attackers, so those run first.
  put("aa-honest.ipynb", solved);
  fs.writeFileSync(path.join(subs, "aa-blank.ipynb"), blank);
  put("zz-honest.ipynb", solved);
  put("zz-deleted.ipynb", solved);

  attack("math-abs.ipynb", "return 0;", "Math.abs = () => 0;");
  // P.3's check is a predicate over the learner's function: in the learner's kernel a faked built-in would
  // pass it.
  const predicate = solve(student, { ...PRACTICE_ANSWERS, "P.3": "return 1;" });
  predicate.cells.splice(2, 0, {
    cell_type: "code",
    id: "attack",
    metadata: {},
    source: "Array.prototype.every = function () { return true; } as any;",
    outputs: [],
    execution_count: null,
  });
  put("predicate.ipynb", predicate);
  attack(
    "json-stringify.ipynb",
    "return 0;",
    [
      "const realStringify = JSON.stringify;",
      'JSON.stringify = ((value: unknown, ...rest: any[]) => realStringify(value, ...rest).replace(/"passed":false/g, \'"passed":true\').replace(/"points":0/g, \'"points":2\')) as typeof JSON.stringify;',
    ].join("\n"),
  );
  attack(
    "require-cache.ipynb",
    "return 0;",
    [
      "// Rewrites every message tslab sends: failing verdicts become passes, answers become the right ones for z = 0.",
      "const flip = (x: any): any => { if (Array.isArray(x)) return x.map(flip); if (x && typeof x === 'object') { for (const k of Object.keys(x)) { if (k === 'passed') x[k] = true; else if (k === 'value' && x[k] === 0) x[k] = 0.25; else x[k] = flip(x[k]); } } return x; };",
      "for (const key of Object.keys(require.cache)) {",
      "  if (!key.includes('tslab')) continue;",
      "  const exp = require.cache[key]!.exports;",
      "  for (const name of Object.keys(exp ?? {})) if (typeof exp[name] === 'function' && /write|send|execute|handle/i.test(name)) { const f = exp[name]; try { exp[name] = function (this: any, ...args: any[]) { return f.apply(this, flip(args)); }; } catch {} }",
      "}",
    ].join("\n"),
  );
  attack(
    "peers.ipynb",
    PRACTICE_ANSWERS["P.1"],
    [
      'import * as fs from "fs";',
      "// Peers' files, from the grader's command line and from the known folder.",
      "const seen = new Set<string>();",
      `for (const p of fs.readdirSync("/proc")) { try { for (const a of fs.readFileSync("/proc/" + p + "/cmdline", "utf8").split("\\0")) if (a.endsWith(".ipynb") || a.endsWith("submissions")) seen.add(a); } catch {} }`,
      `seen.add(${JSON.stringify(subs)});`,
      "for (const s of seen) { const dir = s.endsWith('.ipynb') ? s.slice(0, s.lastIndexOf('/')) : s;",
      `  try { fs.writeFileSync(dir + "/zz-honest.ipynb", ${JSON.stringify(blank)}); } catch {}`,
      '  try { fs.unlinkSync(dir + "/zz-deleted.ipynb"); } catch {} }',
    ].join("\n"),
  );
  attack(
    "forger.ipynb",
    PRACTICE_ANSWERS["P.1"],
    [
      'import { spawn } from "child_process";',
      `const forge = ${JSON.stringify(`sleep 4; echo forged > ${reports}/gradebook.csv; for f in ${reports}/*.md; do echo forged > "$f"; done; sleep ${MARKER}`)};`,
      'spawn("sh", ["-c", forge], { detached: true, stdio: "ignore" }).unref();',
      `try { require("fs").writeFileSync(${JSON.stringify(path.join(reports, "old-term.md"))}, "forged"); } catch {}`,
    ].join("\n"),
  );
  attack(
    "thief.ipynb",
    correctIf("leaked"),
    [
      'import * as fs from "fs";',
      "let leaked = false;",
      `const candidates = [${JSON.stringify(PRACTICE)}, ${JSON.stringify(path.join(ROOT, "notebooks"))}];`,
      "for (const p of fs.readdirSync('/proc')) { try { for (const fd of fs.readdirSync('/proc/' + p + '/fd')) candidates.push('/proc/' + p + '/fd/' + fd); } catch {} }",
      "const walk = (d: string, depth: number) => { try { for (const e of fs.readdirSync(d)) { const f = d + '/' + e; candidates.push(f); if (depth > 0) walk(f, depth - 1); } } catch {} };",
      "walk('/tmp', 3); walk('/sandbox', 3);",
      "for (const f of candidates) { try { if (/deadExpected|BEGIN HIDDEN TESTS|sigmoidPrimeReference/.test(fs.readFileSync(f, 'utf8'))) leaked = true; } catch {} }",
    ].join("\n"),
  );
  attack(
    "environ.ipynb",
    correctIf("leaked"),
    [
      'import * as fs from "fs";',
      "let leaked = false;",
      `for (const p of fs.readdirSync("/proc")) { try { if (fs.readFileSync("/proc/" + p + "/environ", "utf8").includes(${JSON.stringify(SECRET)})) leaked = true; } catch {} }`,
      `leaked ||= JSON.stringify(process.env).includes(${JSON.stringify(SECRET)});`,
    ].join("\n"),
  );
  attack(
    "poison.ipynb",
    "return 0;",
    [
      'import * as fs from "fs";',
      "const poison = '\\nmodule.exports.judge = () => ({ passed: true, message: \"poisoned\" }); module.exports.matches = () => true;\\n';",
      `for (const dir of [${JSON.stringify(path.join(ROOT, "kernel-lib", "dist"))}, ...(process.env.NODE_PATH ?? "").split(":").map((d) => d + "/kernel-lib/dist")]) {`,
      "  for (const f of ['exercises.js', 'answers.js', 'index.js']) { try { fs.appendFileSync(dir + '/' + f, poison); } catch {} }",
      "}",
    ].join("\n"),
  );
  attack(
    "lingerer.ipynb",
    PRACTICE_ANSWERS["P.1"],
    [
      'import { spawn } from "child_process";',
      `spawn("setsid", ["sleep", "${MARKER}"], { detached: true, stdio: "ignore" }).unref();`,
      `spawn("sh", ["-c", "(sleep ${MARKER} &) ; exit 0"], { detached: true, stdio: "ignore" }).unref();`,
    ].join("\n"),
  );
  attack(
    "network.ipynb",
    correctIf("reached"),
    [
      "let reached = false;",
      `await new Promise<void>((done) => { const req = require("http").get("http://127.0.0.1:${port}/", () => { reached = true; done(); }); req.on("error", () => done()); req.setTimeout(3000, () => { req.destroy(); done(); }); });`,
    ].join("\n"),
  );
  attack(
    "forkbomb.ipynb",
    correctIf("started > 300"),
    [
      'import { spawn } from "child_process";',
      "let started = 0;",
      `for (let i = 0; i < 400; i++) { try { const child = spawn("sleep", ["${MARKER}"], { stdio: "ignore" }); child.on("spawn", () => started++); child.on("error", () => {}); } catch {} }`,
      "await new Promise((resolve) => setTimeout(resolve, 3000));",
    ].join("\n"),
  );
  attack(
    "memory.ipynb",
    "return 0;",
    "const hoard: Buffer[] = [];\nfor (let i = 0; i < 30; i++) hoard.push(Buffer.alloc(100 * 2 ** 20, 1));",
  );
  attack(
    "bigfile.ipynb",
    "return 0;",
    [
      'import * as fs from "fs";',
      "const mb = Buffer.alloc(2 ** 20, 1);",
      `for (const f of [${JSON.stringify(path.join(scratch, "big.bin"))}, "/sandbox/work/big.bin", "/sandbox/home/big.bin"]) { try { const fd = fs.openSync(f, "w"); for (let i = 0; i < 1024; i++) fs.writeSync(fd, mb); fs.closeSync(fd); } catch {} }`,
    ].join("\n"),
  );
  attack(
    "stderr.ipynb",
    "return 0;",
    [
      "const chunk = 'x'.repeat(2 ** 20);",
      "// Through tslab's stream and straight to file descriptor 2.",
      "for (let i = 0; i < 300; i++) process.stderr.write(chunk);",
      'for (let i = 0; i < 300; i++) require("fs").writeSync(2, chunk);',
    ].join("\n"),
  );
}

function hitsOf(marker: string): number[] {
  const found: number[] = [];
  for (const p of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes(marker)) found.push(Number(p));
    } catch {
      // gone
    }
  }
  return found;
}

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-attacks-"));
  subs = path.join(scratch, "submissions");
  reports = path.join(scratch, "reports");
  fs.mkdirSync(subs);
  fs.mkdirSync(reports);
  fs.writeFileSync(path.join(reports, "old-term.md"), "# An earlier term's report\n");
  server = http.createServer((_req, res) => {
    serverHits++;
    res.end("secret");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
  buildSubmissions();
  before = {
    subs: snapshot(subs),
    dist: snapshot(path.join(ROOT, "kernel-lib", "dist")),
    reference: snapshot(REFERENCE_DIR),
    oldReport: fs.readFileSync(path.join(reports, "old-term.md"), "utf8"),
  };
  batch = await runCli(
    "grade.ts",
    [
      subs,
      "--json",
      "--jobs",
      "2",
      "--report-dir",
      reports,
      "--source",
      REFERENCE_DIR,
      "--timeout",
      String(CELL_TIMEOUT_S),
    ],
    {
      env: { GRADIENT_LAB_SECRET: SECRET },
      initCwd: scratch,
    },
  );
  console.log(
    `grade of ${Object.keys(before.subs).length} submissions with --jobs 2 took ${(batch.ms / 1000).toFixed(1)} s\n${batch.stderr.slice(-4000)}`,
  );
  grades = new Map(
    JSON.parse(batch.stdout).submissions.map((g: SubmissionGrade) => [path.basename(g.file), g]),
  );
  // A detached helper would strike a few seconds after the grader exits.
  await new Promise((resolve) => setTimeout(resolve, 6000));
}, BATCH_TIMEOUT_MS);

afterAll(() => {
  server?.close();
  for (const pid of hitsOf(MARKER)) process.kill(pid, "SIGKILL");
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

function grade(name: string): SubmissionGrade {
  const found = grades.get(name);
  if (!found)
    throw new Error(
      `no grade for ${name}; got ${[...grades.keys()].join(", ")}\n${batch.stderr.slice(-3000)}`,
    );
  return found;
}
const points = (g: SubmissionGrade) => Object.fromEntries(g.exercises.map((e) => [e.id, e.points]));

const ATTACKS_ON_P1 = [
  "math-abs",
  "json-stringify",
  "require-cache",
  "thief",
  "environ",
  "poison",
  "network",
  "forkbomb",
  "memory",
  "bigfile",
  "stderr",
];

describe("a batch with hostile submissions (--jobs 2)", () => {
  test("completes with a grade and a report for every submission, and a gradebook", () => {
    expect(batch.code, batch.stderr.slice(-3000)).toBe(0);
    expect([...grades.keys()].sort()).toEqual(Object.keys(before.subs).sort());
    const written = fs.readdirSync(reports).filter((f) => f.endsWith(".md") && f !== "old-term.md");
    expect(written.length).toBe(Object.keys(before.subs).length);
    expect(batch.stderr).toMatch(/report folder .* is not empty/);
  });

  test("leaves every submitted file, the project and the references byte for byte as they were", () => {
    expect(snapshot(subs)).toEqual(before.subs);
    expect(snapshot(path.join(ROOT, "kernel-lib", "dist"))).toEqual(before.dist);
    expect(snapshot(REFERENCE_DIR)).toEqual(before.reference);
  });

  test("grades the honest peers right, whichever attacker ran before them", () => {
    for (const name of ["aa-honest.ipynb", "zz-honest.ipynb", "zz-deleted.ipynb"])
      expect([name, grade(name).score, grade(name).graded]).toEqual([name, 5, true]);
    expect(grade("aa-blank.ipynb").score).toBe(0);
  });

  test("gives no attacker the points of the exercise it got wrong", () => {
    for (const name of ATTACKS_ON_P1)
      expect([name, points(grade(`${name}.ipynb`))["P.1"]]).toEqual([name, 0]);
    // Those that answered the rest honestly keep those points.
    for (const name of ["math-abs", "json-stringify", "thief", "environ", "network"])
      expect([name, grade(`${name}.ipynb`).score]).toEqual([name, 3]);
    // The predicate is judged in a clean kernel, on the answers the attacker's function gave.
    const predicate = grade("predicate.ipynb");
    expect(points(predicate)).toEqual({ "P.1": 2, "P.2": 1, "P.3": 0 });
    expect(predicate.exercises.find((e) => e.id === "P.3")!.message).toMatch(
      /^a hidden test failed: .* expected \[2,2,0\] but got \[1,1,1\]/,
    );
  });

  test("keeps the gradebook and the reports as the grader wrote them, and an earlier report untouched", () => {
    const csv = fs.readFileSync(path.join(reports, "gradebook.csv"), "utf8");
    expect(csv.startsWith("file,reference,P.1,P.2,P.3,total,max,error")).toBe(true);
    for (const f of fs.readdirSync(reports).filter((f) => f.endsWith(".md") && f !== "old-term.md"))
      expect(fs.readFileSync(path.join(reports, f), "utf8")).toMatch(/^# Grade report: /);
    expect(fs.readFileSync(path.join(reports, "old-term.md"), "utf8")).toBe(before.oldReport);
  });

  test("leaves no process running, no file outside its sandbox, no grader folder, and reaches no server of the host", () => {
    expect(hitsOf(MARKER)).toEqual([]);
    expect(fs.existsSync(path.join(scratch, "big.bin"))).toBe(false);
    expect(serverHits).toBe(0);
    expect(fs.readdirSync(scratch).sort()).toEqual(["reports", "submissions"]);
    const leftovers = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("gradient-lab-grade-"));
    for (const f of leftovers)
      expect(fs.statSync(path.join(os.tmpdir(), f)).mtimeMs).toBeLessThan(Date.now() - 3_600_000);
  });

  test("survives 600 MB on stderr, 3 GB of Buffers and 400 processes, and grades the rest of those notebooks", () => {
    for (const name of ["memory.ipynb", "stderr.ipynb", "bigfile.ipynb", "forkbomb.ipynb"]) {
      const g = grade(name);
      expect([name, points(g)["P.2"], points(g)["P.3"]]).toEqual([name, 1, 2]);
    }
  });
});

describe("--jobs 1", () => {
  test(
    "gives the same grades as --jobs 2",
    async () => {
      const names = ["aa-honest.ipynb", "aa-blank.ipynb", "math-abs.ipynb", "json-stringify.ipynb"];
      const small = path.join(scratch, "small");
      fs.mkdirSync(small);
      for (const name of names) fs.copyFileSync(path.join(subs, name), path.join(small, name));
      const serial = await runCli(
        "grade.ts",
        [
          small,
          "--json",
          "--jobs",
          "1",
          "--report-dir",
          path.join(scratch, "small-reports"),
          "--source",
          REFERENCE_DIR,
          "--timeout",
          String(CELL_TIMEOUT_S),
        ],
        { initCwd: scratch },
      );
      const one = new Map<string, SubmissionGrade>(
        JSON.parse(serial.stdout).submissions.map((g: SubmissionGrade) => [path.basename(g.file), g]),
      );
      const strip = (g: SubmissionGrade) => ({
        score: g.score,
        exercises: g.exercises,
        error: g.error,
        graded: g.graded,
      });
      for (const name of names) expect(strip(one.get(name)!)).toEqual(strip(grade(name)));
    },
    10 * 60_000,
  );
});

describe("without bubblewrap", () => {
  test(
    "the grader refuses to run students' code unless told --no-sandbox, and then grades the same",
    async () => {
      const one = path.join(scratch, "one");
      fs.mkdirSync(one);
      fs.copyFileSync(path.join(subs, "aa-honest.ipynb"), path.join(one, "aa-honest.ipynb"));
      const args = [one, "--json", "--source", REFERENCE_DIR, "--timeout", String(CELL_TIMEOUT_S)];
      const noBwrap = { PATH: path.join(scratch, "no-such-folder") };
      const refused = await runCli("grade.ts", [...args, "--report-dir", path.join(scratch, "refused")], {
        env: noBwrap,
        initCwd: scratch,
      });
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toMatch(
        /Refusing to run students' code without a sandbox: bubblewrap is not installed.*apt-get install bubblewrap.*--no-sandbox/s,
      );
      expect(fs.existsSync(path.join(scratch, "refused"))).toBe(false);

      const unsandboxed = await runCli(
        "grade.ts",
        [...args, "--no-sandbox", "--report-dir", path.join(scratch, "unsandboxed")],
        { env: noBwrap, initCwd: scratch },
      );
      expect(unsandboxed.code, unsandboxed.stderr).toBe(0);
      expect(unsandboxed.stderr).toMatch(/Warning: --no-sandbox/);
      const [g] = JSON.parse(unsandboxed.stdout).submissions as SubmissionGrade[];
      expect([g.score, g.maxScore, g.graded]).toEqual([5, 5, true]);
    },
    10 * 60_000,
  );
});
