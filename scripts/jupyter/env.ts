/**
 * The project-local Jupyter environment: a Python venv in `.venv/` with the pinned packages from
 * `jupyter/requirements.txt`, and the project's own tslab registered there as the "TypeScript"
 * kernel. `npm start`, `npm test` and `npm run notebooks` all go through {@link ensureJupyterEnv},
 * so the venv is built once and shared. Nothing is written outside the project folder.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { readText, writeFileAtomic } from "../lib/files";
import { withLock } from "../lib/lock";
import { ROOT } from "../lib/paths";

/** Oldest Python the pinned packages install on (ipython 9 needs 3.11). */
const MIN_PYTHON: [number, number] = [3, 11];

/**
 * JupyterLab defaults for the lessons (`lab/settings/overrides.json` in the venv): no prompt about
 * Jupyter news and no update checks, which would call out to the internet.
 */
const LAB_SETTINGS = {
  "@jupyterlab/apputils-extension:notification": { fetchNews: "false", checkForUpdates: false },
};

/**
 * nbgrader (pinned for instructors' command line, see docs/classroom.md) comes with JupyterLab and
 * server extensions for a course's instructors and students: assignment lists, a formgrader, a
 * Validate button. Learners working through the lessons have no nbgrader course, so they stay off
 * in this Jupyter (`etc/jupyter/` of the venv); the `nbgrader` commands do not need them.
 */
const NBGRADER_LAB_OFF = { disabledExtensions: { "@jupyter/nbgrader": true } };
const NBGRADER_SERVER_OFF = {
  ServerApp: {
    jpserver_extensions: Object.fromEntries(
      ["formgrader", "validate_assignment", "assignment_list", "course_list"].map((name) => [
        `nbgrader.server_extensions.${name}`,
        false,
      ]),
    ),
  },
};

/** A setup problem the user can fix; `message` is one sentence naming the problem and the fix. */
export class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SetupError";
  }
}

/** Where everything of the project's Jupyter lives, and the environment to run it with. */
export interface JupyterEnv {
  /** Repository root. */
  root: string;
  /** The venv folder, `<root>/.venv`. */
  venvDir: string;
  /** The venv's Python interpreter. */
  python: string;
  /** The venv's executables folder (`jupyter`, `pip`, ...). */
  binDir: string;
  /** The tslab kernelspec file written by {@link ensureJupyterEnv}. */
  kernelSpecFile: string;
  /** Environment for child processes: the venv first on PATH, Jupyter's folders inside the venv. */
  env: NodeJS.ProcessEnv;
}

/** Options for {@link ensureJupyterEnv}. */
export interface EnsureOptions {
  /** Repository root; defaults to {@link ROOT}. */
  root?: string;
  /** Where progress lines go; defaults to stderr. */
  log?: (line: string) => void;
}

/** The folders of the Jupyter environment under `root`, whether or not they exist yet. */
export function jupyterPaths(root: string = ROOT): JupyterEnv {
  const venvDir = path.join(root, ".venv");
  const binDir = process.platform === "win32" ? path.join(venvDir, "Scripts") : path.join(venvDir, "bin");
  const python = path.join(binDir, process.platform === "win32" ? "python.exe" : "python");
  const dataDir = path.join(venvDir, "share", "jupyter");
  const configDir = path.join(venvDir, "etc", "jupyter");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    VIRTUAL_ENV: venvDir,
    PATH: binDir + path.delimiter + (process.env.PATH ?? ""),
    // Only the venv's folders: kernels, settings and runtime files never land in ~/.local or ~/.jupyter.
    JUPYTER_PATH: dataDir,
    JUPYTER_DATA_DIR: dataDir,
    JUPYTER_CONFIG_DIR: configDir,
    JUPYTER_CONFIG_PATH: configDir,
    JUPYTER_RUNTIME_DIR: path.join(dataDir, "runtime"),
    JUPYTER_PREFER_ENV_PATH: "1",
    PYTHONNOUSERSITE: "1",
  };
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  return {
    root,
    venvDir,
    python,
    binDir,
    kernelSpecFile: path.join(dataDir, "kernels", "tslab", "kernel.json"),
    env,
  };
}

/**
 * The TypeScript kernelspec (named "tslab", as the lessons' metadata says): Gradient Lab's kernel
 * (kernel/, tslab's pinned engine with rich results and clean errors) run by the node that runs this
 * script, so the kernel always matches the project's own build.
 */
export function tslabKernelSpec(root: string = ROOT): {
  argv: string[];
  display_name: string;
  language: string;
} {
  const kernelMain = path.join(root, "kernel", "dist", "main.js");
  return {
    argv: [process.execPath, kernelMain, "--config-path", "{connection_file}"],
    display_name: "TypeScript",
    language: "typescript",
  };
}

/**
 * Makes sure `.venv/` exists with exactly the pins of `jupyter/requirements.txt` and the tslab
 * kernel registered in it. Fast when nothing changed: pip runs only when requirements.txt's hash
 * differs from the one recorded in `.venv/.requirements-sha256`. Safe to call from several
 * processes at once (they take turns).
 *
 * @throws {SetupError} when Python, venv or pip is missing or pip fails, with the fix in the message.
 */
export async function ensureJupyterEnv(options: EnsureOptions = {}): Promise<JupyterEnv> {
  const paths = jupyterPaths(options.root ?? ROOT);
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const kernelMain = tslabKernelSpec(paths.root).argv[1];
  if (!fs.existsSync(kernelMain)) {
    throw new SetupError(
      `The TypeScript kernel is not built (${path.relative(paths.root, kernelMain)} is missing): run \`npm install\` (or \`npm run build\`) in ${paths.root}.`,
    );
  }
  await withLock(`the setup of ${paths.venvDir}`, log, async () => {
    await ensureVenv(paths, log);
    writeIfChanged(paths.kernelSpecFile, JSON.stringify(tslabKernelSpec(paths.root), null, 1) + "\n");
    writeIfChanged(
      path.join(paths.venvDir, "share", "jupyter", "lab", "settings", "overrides.json"),
      JSON.stringify(LAB_SETTINGS, null, 1) + "\n",
    );
    writeIfChanged(
      path.join(paths.venvDir, "etc", "jupyter", "labconfig", "page_config.json"),
      JSON.stringify(NBGRADER_LAB_OFF, null, 1) + "\n",
    );
    writeIfChanged(
      path.join(paths.venvDir, "etc", "jupyter", "jupyter_server_config.json"),
      JSON.stringify(NBGRADER_SERVER_OFF, null, 1) + "\n",
    );
  });
  return paths;
}

async function ensureVenv(paths: JupyterEnv, log: (line: string) => void): Promise<void> {
  const requirements = path.join(paths.root, "jupyter", "requirements.txt");
  const wanted = createHash("sha256").update(fs.readFileSync(requirements)).digest("hex");
  const stampFile = path.join(paths.venvDir, ".requirements-sha256");
  const venvWorks = spawnSync(paths.python, ["-c", "import sys"], { stdio: "ignore" }).status === 0;
  if (venvWorks && readText(stampFile)?.trim() === wanted) return;

  const started = Date.now();
  if (!venvWorks) {
    const python = findSystemPython();
    log(`Creating the Python environment .venv/ with ${python.command} ${python.version} ...`);
    const made = await run(python.command, ["-m", "venv", "--clear", paths.venvDir]);
    if (made !== 0) {
      throw new SetupError(
        `\`${python.command} -m venv\` could not create .venv/ (see the message above): install Python's venv module with \`apt-get install python3-venv\`, then run the command again.`,
      );
    }
  }
  if (spawnSync(paths.python, ["-m", "pip", "--version"], { stdio: "ignore" }).status !== 0) {
    throw new SetupError(
      "pip is missing in .venv/: install it with `apt-get install python3-pip python3-venv`, delete .venv/ and run the command again.",
    );
  }
  log(
    "Installing JupyterLab and the pinned Python packages into .venv/ (only when jupyter/requirements.txt changes; about a minute) ...",
  );
  const installed = await run(
    paths.python,
    ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--quiet", "-r", requirements],
    paths.env,
  );
  if (installed !== 0) {
    throw new SetupError(
      "pip could not install the packages pinned in jupyter/requirements.txt (see pip's message above): check that PyPI is reachable and run the command again.",
    );
  }
  writeFileAtomic(stampFile, wanted + "\n");
  log(`The Python environment .venv/ is ready (took ${Math.round((Date.now() - started) / 1000)} s).`);
}

/** Writes only when the content differs, e.g. after node moved or the project folder was renamed. */
function writeIfChanged(file: string, text: string): void {
  if (readText(file) === text) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, text);
}

/** The system Python that creates the venv: `$PYTHON`, else `python3`. */
function findSystemPython(): { command: string; version: string } {
  const command = process.env.PYTHON || "python3";
  const probe = spawnSync(command, ["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"], {
    encoding: "utf8",
  });
  if (probe.error || probe.status !== 0) {
    throw new SetupError(
      `Python 3 was not found (tried \`${command}\`): install it with \`apt-get install python3 python3-venv\` (macOS: \`brew install python\`), or set PYTHON=/path/to/python3.`,
    );
  }
  const version = probe.stdout.trim();
  const [major, minor] = version.split(".").map(Number);
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    throw new SetupError(
      `Python ${MIN_PYTHON.join(".")} or newer is needed but \`${command}\` is ${version}: install a newer one (\`apt-get install python3\`) and point to it with PYTHON=/path/to/python3.`,
    );
  }
  if (spawnSync(command, ["-c", "import venv, ensurepip"], { stdio: "ignore" }).status !== 0) {
    throw new SetupError(
      `Python's venv module is missing from \`${command}\`: install it with \`apt-get install python3-venv\`.`,
    );
  }
  return { command, version };
}

/** Runs a command with the terminal as its output; resolves to its exit code (127 if it could not start). */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"], env });
    child.on("error", () => resolve(127));
    child.on("close", (code) => resolve(code ?? 1));
  });
}
