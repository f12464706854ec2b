/**
 * `npm start [-- --ko] [--no-browser] [--port N] [--copy-only] [--my-lessons FOLDER]`: opens the learner's
 * copy of the lessons in JupyterLab; with `--ko`, at the Korean edition's first lesson (ko/00-welcome.ipynb).
 *
 * First brings the learner's copy (my-lessons/, see scripts/assignments/learner-copy.ts) up to date: lessons
 * missing from it are written without their solutions; nothing already there is touched. Then makes
 * sure the project's Python environment (.venv/) and TypeScript kernel exist, starts JupyterLab on
 * the learner's copy, reachable only from this computer (127.0.0.1) and protected by a token, and
 * prints the address to open. Ctrl+C twice (or Ctrl+C, then y) stops it. `--copy-only` updates the
 * copy and stops; `--my-lessons FOLDER` keeps the copy in another folder. Options other than these go to
 * `jupyter lab` as they are.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { ensureJupyterEnv, SetupError } from "./jupyter/env";
import { ROOT } from "./lib/paths";
import type { Language } from "../kernel-lib/src/messages";
import { edition } from "./jupyter/editions";
import { DEFAULT_LEARNER_DIR, LearnerCopyError, syncLearnerCopy } from "./assignments/learner-copy";
import { readCommandLine, runMain, UsageError } from "./lib/cli";

const DEFAULT_PORT = 8888;
const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 120_000;

interface StartArgs {
  port: number;
  openBrowser: boolean;
  /** Only bring the learner's copy up to date; do not start JupyterLab. */
  copyOnly: boolean;
  /** The learner's copy of the lessons. */
  learnerDir: string;
  /** The edition to open at: English, or Korean with `--ko`. */
  language: Language;
  /** Options passed to `jupyter lab` unchanged. */
  passThrough: string[];
}

const USAGE =
  "usage: npm start [-- --ko] [--no-browser] [--port N] [--copy-only] [--my-lessons FOLDER] [other jupyter lab options]";

const OPTIONS = {
  "no-browser": { type: "boolean" },
  ko: { type: "boolean" },
  "copy-only": { type: "boolean" },
  "my-lessons": {
    type: "string",
    needs:
      "a folder for your copy of the lessons: for example `npm start -- --my-lessons ~/gradient-lab-work`",
  },
  port: { type: "string", needs: "a port number from 1 to 65535: for example `npm start -- --port 8899`" },
  help: { type: "boolean", short: "h" },
} as const;

/** The command line; null when it asked for help. Options not listed here are for `jupyter lab`. */
function parseArgs(argv: string[]): StartArgs | null {
  const { values, unknown } = readCommandLine(argv, OPTIONS, USAGE, { passUnknown: true });
  if (values.help) return null;
  let port = DEFAULT_PORT;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new UsageError(
        `--port needs a port number from 1 to 65535, got ${JSON.stringify(values.port)}: for example \`npm start -- --port 8899\`.`,
      );
    }
  }
  return {
    port,
    openBrowser: !values["no-browser"],
    copyOnly: values["copy-only"] ?? false,
    // npm runs scripts from the project root; a relative folder means one relative to where the command was
    // typed.
    learnerDir:
      values["my-lessons"] === undefined
        ? DEFAULT_LEARNER_DIR
        : path.resolve(process.env.INIT_CWD ?? process.cwd(), values["my-lessons"]),
    language: values.ko ? "ko" : "en",
    passThrough: unknown,
  };
}

/** Rejects with a SetupError when something already listens on HOST:port. */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") {
        reject(
          new SetupError(
            `Port ${port} on ${HOST} is already in use (perhaps by an earlier \`npm start\`): stop that program, or pick another port with \`npm start -- --port ${port + 1}\`.`,
          ),
        );
      } else if (err.code === "EACCES") {
        reject(
          new SetupError(
            `Port ${port} needs administrator rights: pick one above 1023 with \`npm start -- --port 8888\`.`,
          ),
        );
      } else {
        reject(err);
      }
    });
    probe.listen(port, HOST, () => probe.close(() => resolve()));
  });
}

/** Brings the learner's copy in `learnerDir` up to date and says what changed; returns the folder. */
function prepareLearnerCopy(learnerDir: string): string {
  const { created, kept } = syncLearnerCopy(path.join(ROOT, "notebooks"), learnerDir);
  const shown = (path.relative(process.env.INIT_CWD ?? process.cwd(), learnerDir) || ".") + path.sep;
  if (kept.length === 0) {
    console.log(
      `Your own copy of the lessons is in ${shown} (${created.length} notebooks, without the solutions). Your work stays there${learnerDir === DEFAULT_LEARNER_DIR ? "; git ignores it" : ""}. To start a lesson afresh, delete its notebook there and run \`npm start\` again.`,
    );
  } else if (created.length > 0) {
    console.log(
      `New lessons copied into ${shown}: ${created.join(", ")}. Your other notebooks there are unchanged.`,
    );
  }
  return learnerDir;
}

/** Polls Jupyter's status API until it answers; false if `child` exits first or time runs out. */
async function waitUntilReady(url: string, child: ReturnType<typeof spawn>): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const res = await fetch(url);
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return false;
}

async function main(): Promise<void> {
  const started = Date.now();
  const args = parseArgs(process.argv.slice(2));
  if (!args) {
    console.log(USAGE);
    return;
  }
  const learnerDir = prepareLearnerCopy(args.learnerDir);
  if (args.copyOnly) return;
  await assertPortFree(args.port); // before the setup, which can take a minute the first time
  const jupyter = await ensureJupyterEnv();
  if (!fs.existsSync(path.join(ROOT, "kernel-lib", "dist", "index.js"))) {
    console.warn(
      "Note: kernel-lib is not built, so the lessons cannot import it yet: run `npm run build` in another terminal.",
    );
  }

  const token = randomBytes(24).toString("hex");
  const jupyterArgs = [
    "lab",
    `--ServerApp.root_dir=${learnerDir}`,
    `--ServerApp.ip=${HOST}`,
    `--ServerApp.port=${args.port}`,
    "--ServerApp.port_retries=0", // a taken port is an error, not a silent move to another one
    "--ServerApp.log_level=WARN", // keep the terminal to warnings and the address printed below
    // Offer only the TypeScript kernel, and make it the default for new notebooks.
    "--KernelSpecManager.ensure_native_kernel=False",
    "--KernelSpecManager.allowed_kernelspecs=tslab",
    "--MappingKernelManager.default_kernel_name=tslab",
    ...(args.openBrowser ? [] : ["--no-browser"]),
    // A file named on the command line is what the browser opens first: the Korean edition's welcome lesson.
    ...(args.language === "ko" ? [path.join(learnerDir, "ko", "00-welcome.ipynb")] : []),
    // Jupyter refuses root unless told; containers often run as root, and the server is local and
    // token-protected.
    ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
    ...args.passThrough,
  ];
  // The token goes through the environment so it does not show in `ps` listings.
  const child = spawn(path.join(jupyter.binDir, "jupyter"), jupyterArgs, {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...jupyter.env, JUPYTER_TOKEN: token },
  });
  child.on("error", (err) => {
    console.error(
      `Could not start JupyterLab from .venv/ (${err.message}): delete .venv/ and run \`npm start\` again.`,
    );
    process.exit(1);
  });
  // Ctrl+C reaches Jupyter directly (same terminal); it asks to confirm, so this process waits for it.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => child.kill("SIGTERM"));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

  const base = `http://${HOST}:${args.port}`;
  if (await waitUntilReady(`${base}/api/status?token=${token}`, child)) {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const welcome = [edition(args.language).dir, "00-welcome.ipynb"].filter(Boolean).join("/");
    const address = `    ${base}/lab/tree/${welcome}?token=${token}`;
    console.log(
      (args.language === "ko"
        ? [
            "",
            `Gradient Lab이 실행 중입니다 (${seconds}초 만에 준비됨). 브라우저에서 이 주소를 여세요:`,
            "",
            address,
            "",
            "끝내려면 Ctrl+C를 두 번 누르세요 (또는 Ctrl+C, 그다음 y).",
            "",
          ]
        : [
            "",
            `Gradient Lab is running (ready in ${seconds} s). Open this address in your browser:`,
            "",
            address,
            "",
            "Stop it with Ctrl+C twice (or Ctrl+C, then y).",
            "",
          ]
      ).join("\n"),
    );
  } else if (child.exitCode === null) {
    console.error(
      `JupyterLab did not answer on ${base} within ${READY_TIMEOUT_MS / 1000} s; see its messages above.`,
    );
  }
}

runMain(main, [SetupError, LearnerCopyError]);
