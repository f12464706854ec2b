/**
 * `npm start [-- --no-browser] [-- --port N]`: opens the lessons in JupyterLab.
 *
 * Makes sure the project's Python environment (.venv/) and TypeScript kernel exist, then starts
 * JupyterLab on notebooks/, reachable only from this computer (127.0.0.1) and protected by a token,
 * and prints the address to open. Ctrl+C twice (or Ctrl+C, then y) stops it. Options other than
 * --port and --no-browser go to `jupyter lab` as they are.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { ensureJupyterEnv, ROOT, SetupError } from "./jupyter-env";

const DEFAULT_PORT = 8888;
const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 120_000;

interface StartArgs {
  port: number;
  openBrowser: boolean;
  /** Options passed to `jupyter lab` unchanged. */
  passThrough: string[];
}

function parseArgs(argv: string[]): StartArgs {
  const args: StartArgs = { port: DEFAULT_PORT, openBrowser: true, passThrough: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--no-browser") {
      args.openBrowser = false;
    } else if (arg === "--port" || arg.startsWith("--port=")) {
      const value = arg === "--port" ? argv[++i] : arg.slice("--port=".length);
      const port = Number(value);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new SetupError(`--port needs a port number from 1 to 65535, got ${JSON.stringify(value ?? "")}: for example \`npm start -- --port 8899\`.`);
      }
      args.port = port;
    } else if (arg === "--help" || arg === "-h") {
      console.log("usage: npm start [-- --no-browser] [--port N] [other jupyter lab options]");
      process.exit(0);
    } else {
      args.passThrough.push(arg);
    }
  }
  return args;
}

/** Rejects with a SetupError when something already listens on HOST:port. */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") {
        reject(new SetupError(
          `Port ${port} on ${HOST} is already in use (perhaps by an earlier \`npm start\`): stop that program, or pick another port with \`npm start -- --port ${port + 1}\`.`,
        ));
      } else if (err.code === "EACCES") {
        reject(new SetupError(`Port ${port} needs administrator rights: pick one above 1023 with \`npm start -- --port 8888\`.`));
      } else {
        reject(err);
      }
    });
    probe.listen(port, HOST, () => probe.close(() => resolve()));
  });
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
  await assertPortFree(args.port); // before the setup, which can take a minute the first time
  const jupyter = await ensureJupyterEnv();
  if (!fs.existsSync(path.join(ROOT, "kernel-lib", "dist", "index.js"))) {
    console.warn("Note: kernel-lib is not built, so the lessons cannot import it yet: run `npm run build` in another terminal.");
  }

  const token = randomBytes(24).toString("hex");
  const jupyterArgs = [
    "lab",
    `--ServerApp.root_dir=${path.join(ROOT, "notebooks")}`,
    `--ServerApp.ip=${HOST}`,
    `--ServerApp.port=${args.port}`,
    "--ServerApp.port_retries=0", // a taken port is an error, not a silent move to another one
    "--ServerApp.log_level=WARN", // keep the terminal to warnings and the address printed below
    // Offer only the TypeScript kernel, and make it the default for new notebooks.
    "--KernelSpecManager.ensure_native_kernel=False",
    "--KernelSpecManager.allowed_kernelspecs=tslab",
    "--MappingKernelManager.default_kernel_name=tslab",
    ...(args.openBrowser ? [] : ["--no-browser"]),
    // Jupyter refuses root unless told; containers often run as root, and the server is local and token-protected.
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
    console.error(`Could not start JupyterLab from .venv/ (${err.message}): delete .venv/ and run \`npm start\` again.`);
    process.exit(1);
  });
  // Ctrl+C reaches Jupyter directly (same terminal); it asks to confirm, so this process waits for it.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => child.kill("SIGTERM"));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

  const base = `http://${HOST}:${args.port}`;
  if (await waitUntilReady(`${base}/api/status?token=${token}`, child)) {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      [
        "",
        `Gradient Lab is running (ready in ${seconds} s). Open this address in your browser:`,
        "",
        `    ${base}/lab/tree/00-welcome.ipynb?token=${token}`,
        "",
        "Stop it with Ctrl+C twice (or Ctrl+C, then y).",
        "",
      ].join("\n"),
    );
  } else if (child.exitCode === null) {
    console.error(`JupyterLab did not answer on ${base} within ${READY_TIMEOUT_MS / 1000} s; see its messages above.`);
  }
}

main().catch((err) => {
  console.error(err instanceof SetupError ? err.message : err);
  process.exit(1);
});
