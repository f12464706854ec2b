/**
 * A bubblewrap sandbox for running code the grader does not trust: the notebook runner (nbclient)
 * and its TypeScript kernel run in their own user, PID, network, IPC and UTS namespaces, as a user
 * id of their own, with a read-only view of the system and of the parts of the project a kernel
 * needs, a private writable folder of bounded size (home, work, temp, Jupyter runtime), a clean
 * environment and limits on memory, processes and file size. The notebook goes in on stdin and the
 * results come out on a pipe, so nothing of the grader's files is visible inside. When the runner
 * exits, the namespace's first process exits and the kernel tears down every process left in it.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { JupyterEnv } from "../jupyter/env";
import { readText } from "../lib/files";
import { ROOT } from "../lib/paths";

/** Limits of one sandbox. */
export interface SandboxLimits {
  /**
   * Writable memory of each process (RLIMIT_DATA), which covers Buffers and native allocations, not just the
   * JS heap.
   */
  memoryMb: number;
  /** Processes and threads of the sandbox's user (RLIMIT_NPROC). */
  processes: number;
  /** Largest file a process may write (RLIMIT_FSIZE). */
  fileSizeMb: number;
  /** Size of the private writable folder (a tmpfs, in memory). */
  folderMb: number;
}

/** Defaults: 2 GiB per process, 256 processes, 64 MB per file, a 256 MB folder. */
export const DEFAULT_LIMITS: SandboxLimits = {
  memoryMb: 2048,
  processes: 256,
  fileSizeMb: 64,
  folderMb: 256,
};

/** Where the private folder is inside the sandbox. */
export const SANDBOX_DIR = "/sandbox";

/** Largest result (executed notebook and report) read back from a sandbox. */
const MAX_RESULT_BYTES = 64 * 1024 * 1024;
/** How much of the sandbox's stderr is kept (its end). */
const STDERR_TAIL_BYTES = 64 * 1024;

/** What a sandboxed command gave back. */
export interface SandboxRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The bytes written to file descriptor 3, or null when they passed {@link MAX_RESULT_BYTES}. */
  result: Buffer | null;
  /** The last {@link STDERR_TAIL_BYTES} of stderr. */
  stderrTail: string;
  /** Whether the command ran past its deadline and was killed. */
  timedOut: boolean;
}

/**
 * First user id of the sandboxes when the grader runs as root; each sandbox gets its own, so process limits
 * are per sandbox.
 */
const UID_BASE = 1_500_000;

/** A user id no one else uses for the sandbox in `slot` of this grader. */
export function sandboxUid(slot: number): number {
  return UID_BASE + (process.pid % 4096) * 64 + (slot % 64);
}

/** Why bubblewrap cannot run here, or null when it can. */
export function sandboxProblem(): string | null {
  if (process.platform !== "linux")
    return `the sandbox needs Linux (bubblewrap); this is ${process.platform}.`;
  if (BWRAP === null) return "bubblewrap is not installed (no `bwrap` on PATH).";
  const probe = spawnSync(
    ...wrap(["/bin/true"], { slot: 63, limits: DEFAULT_LIMITS, env: {}, binds: SYSTEM_DIRS }),
    { stdio: ["ignore", "ignore", "pipe"], timeout: 20_000 },
  );
  if (probe.error) return `bubblewrap could not be started (${probe.error.message}).`;
  if (probe.status !== 0)
    return `bubblewrap failed to start a sandbox: ${String(probe.stderr).trim().split("\n")[0] || `exit code ${probe.status}`} (user namespaces may be disabled).`;
  return null;
}

/**
 * The read-only folders a grading kernel needs: the system, Node, and the project's runtime parts (not its
 * notebooks or tests).
 */
export function kernelBinds(jupyter: JupyterEnv): string[] {
  const node = fs.realpathSync(process.execPath);
  const nodePrefix = path.dirname(path.dirname(node));
  const system = SYSTEM_DIRS;
  // The venv's Python links to an interpreter that may live elsewhere (pyenv, a custom prefix).
  const home = /^home\s*=\s*(.+)$/m
    .exec(readText(path.join(jupyter.venvDir, "pyvenv.cfg")) ?? "")?.[1]
    .trim();
  const pythonPrefix = home ? path.dirname(home) : null;
  const project = [
    path.join(ROOT, "node_modules"),
    path.join(ROOT, "kernel", "dist"),
    path.join(ROOT, "kernel-lib"),
    path.join(ROOT, "jupyter"),
    path.join(ROOT, "package.json"),
    jupyter.venvDir,
  ];
  const outside = (dir: string | null): dir is string =>
    dir !== null && !system.some((s) => dir === s || dir.startsWith(s + "/"));
  return [...system, ...[nodePrefix, pythonPrefix].filter(outside), ...project];
}

/** prlimit (util-linux) by its full path: the sandbox's PATH is the kernel's, not the grader's. */
const PRLIMIT = ["/usr/bin/prlimit", "/bin/prlimit"].find((p) => fs.existsSync(p)) ?? "prlimit";
/** bwrap, found on the grader's PATH (it is then run with a minimal environment), or null. */
function findBwrap(): string | null {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir || ".", "bwrap");
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}
const BWRAP = findBwrap();

/** setpriv (util-linux), likewise. */
const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => fs.existsSync(p)) ?? "setpriv";

/** The system folders every sandbox sees, read-only. */
const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc"];

interface WrapOptions {
  slot: number;
  limits: SandboxLimits;
  env: Record<string, string>;
  binds: string[];
}

/** The command line that runs `command` in a sandbox. */
function wrap(command: string[], options: WrapOptions): [string, string[]] {
  const { limits } = options;
  const asRoot = process.getuid?.() === 0;
  // As root, bwrap needs no user namespace; the command then drops to a user id of its own, which
  // keeps the grader's processes and root-only files out of reach and makes RLIMIT_NPROC apply.
  const args = asRoot
    ? ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    : ["--unshare-all"];
  args.push("--die-with-parent", "--new-session", "--hostname", "sandbox", "--clearenv");
  for (const [key, value] of Object.entries(options.env)) args.push("--setenv", key, value);
  // Folders above the binds are made readable: bwrap would copy the mode of e.g. a private /root.
  const ancestors = new Set<string>();
  for (const dir of options.binds)
    for (let a = path.dirname(dir); a !== "/"; a = path.dirname(a)) ancestors.add(a);
  for (const dir of [...ancestors].sort())
    if (!options.binds.includes(dir)) args.push("--perms", "0755", "--dir", dir);
  for (const dir of options.binds) args.push("--ro-bind-try", dir, dir);
  args.push(
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--perms",
    "0777",
    "--size",
    String(limits.folderMb * 1024 * 1024),
    "--tmpfs",
    SANDBOX_DIR,
  );
  for (const dir of ["home", "work", "tmp", "runtime"])
    args.push("--perms", "0777", "--dir", `${SANDBOX_DIR}/${dir}`);
  args.push(
    "--symlink",
    path.join(ROOT, "node_modules"),
    `${SANDBOX_DIR}/work/node_modules`,
    "--chdir",
    `${SANDBOX_DIR}/work`,
  );
  if (asRoot) {
    const uid = String(sandboxUid(options.slot));
    args.push(
      SETPRIV,
      "--reuid",
      uid,
      "--regid",
      uid,
      "--clear-groups",
      "--inh-caps=-all",
      "--bounding-set=-all",
      "--no-new-privs",
    );
  }
  args.push(
    PRLIMIT,
    `--data=${limits.memoryMb * 1024 * 1024}`,
    `--fsize=${limits.fileSizeMb * 1024 * 1024}`,
    // Without a user id of its own, RLIMIT_NPROC would count all of the grader's user's processes.
    ...(asRoot ? [`--nproc=${limits.processes}`] : []),
    "--core=0",
    "--",
    ...command,
  );
  return [BWRAP ?? "bwrap", args];
}

/** The environment inside a grading sandbox: the venv's PATH and Jupyter folders, nothing of the grader's. */
export function kernelEnv(
  jupyter: JupyterEnv,
  heapMb: number,
  base: string = SANDBOX_DIR,
): Record<string, string> {
  const env: Record<string, string | undefined> = {
    PATH: jupyter.env.PATH?.split(path.delimiter)
      .filter(
        (dir) =>
          dir.startsWith("/usr") ||
          dir.startsWith("/bin") ||
          dir.startsWith(jupyter.venvDir) ||
          dir === path.dirname(process.execPath),
      )
      .join(path.delimiter),
    HOME: `${base}/home`,
    TMPDIR: `${base}/tmp`,
    LANG: "C.UTF-8",
    VIRTUAL_ENV: jupyter.env.VIRTUAL_ENV,
    JUPYTER_PATH: jupyter.env.JUPYTER_PATH,
    JUPYTER_DATA_DIR: jupyter.env.JUPYTER_DATA_DIR,
    JUPYTER_CONFIG_DIR: jupyter.env.JUPYTER_CONFIG_DIR,
    JUPYTER_CONFIG_PATH: jupyter.env.JUPYTER_CONFIG_PATH,
    JUPYTER_PREFER_ENV_PATH: jupyter.env.JUPYTER_PREFER_ENV_PATH,
    JUPYTER_RUNTIME_DIR: `${base}/runtime`,
    PYTHONNOUSERSITE: "1",
    PYTHONDONTWRITEBYTECODE: "1",
    NODE_OPTIONS: `--max-old-space-size=${heapMb}`,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The running sandboxes, so a grader that is stopped can stop them first. */
const running = new Set<import("node:child_process").ChildProcess>();

/** Kills every sandbox this process started (their namespaces go with them). */
export function killSandboxes(): void {
  for (const child of running) {
    try {
      // Unsandboxed runs lead a process group of their own.
      if (child.spawnfile !== BWRAP && child.pid) process.kill(-child.pid, "SIGKILL");
      else child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

/**
 * Runs `command` in a sandbox with `input` on its stdin; its file descriptor 3 is the result pipe.
 * Kills it (and with it everything in its namespace) after `deadlineMs`. With `sandbox: false` the
 * command runs directly, with the same environment, pipes and caps but none of the isolation.
 */
export function runInSandbox(
  command: string[],
  options: {
    input: string;
    slot: number;
    limits: SandboxLimits;
    env: Record<string, string>;
    binds: string[];
    deadlineMs: number;
    sandbox?: boolean;
  },
): Promise<SandboxRun> {
  const sandboxed = options.sandbox !== false;
  const [file, args] = sandboxed ? wrap(command, options) : [command[0], command.slice(1)];
  return new Promise((resolve) => {
    // bwrap itself gets no more of the grader's environment than the sandbox does.
    const env = sandboxed ? { PATH: "/usr/bin:/bin" } : options.env;
    const child = spawn(file, args, { stdio: ["pipe", "ignore", "pipe", "pipe"], env, detached: !sandboxed });
    running.add(child);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    let tail = Buffer.alloc(0);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.deadlineMs);
    const resultPipe = child.stdio[3] as NodeJS.ReadableStream;
    resultPipe.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RESULT_BYTES) tooBig = true;
      else chunks.push(chunk);
    });
    resultPipe.on("error", () => {});
    child.stderr!.on("data", (chunk: Buffer) => {
      tail = Buffer.concat([tail, chunk]);
      if (tail.length > STDERR_TAIL_BYTES) tail = tail.subarray(tail.length - STDERR_TAIL_BYTES);
    });
    child.stdin!.on("error", () => {});
    child.stdin!.end(options.input);
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({
        code,
        signal,
        result: tooBig ? null : Buffer.concat(chunks),
        stderrTail: tail.toString("utf8"),
        timedOut,
      });
    };
    child.on("error", (err) => {
      tail = Buffer.from(String(err));
      finish(127, null);
    });
    child.on("close", finish);
  });
}

/** The processes still running as the sandbox user of `slot` (none should survive a run). */
export function survivors(slot: number): number[] {
  if (process.getuid?.() !== 0) return [];
  const uid = String(sandboxUid(slot));
  const found: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = fs.readFileSync(`/proc/${entry}/status`, "utf8");
      if (new RegExp(`^Uid:\\s+${uid}\\b`, "m").test(status)) found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}
