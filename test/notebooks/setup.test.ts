/**
 * The setup's failure messages (no Python, old Python, no venv module, no npm install, port taken)
 * and the lock that lets several processes share one .venv/. Fast: no venv is built here.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ensureJupyterEnv, SetupError } from "../../scripts/jupyter/env";
import { lockPath, withLock } from "../../scripts/lib/lock";
import { ROOT } from "../../scripts/lib/paths";

let root: string;
const savedPython = process.env.PYTHON;

/** A project folder with requirements and tslab but no .venv/, so ensureJupyterEnv must find a Python. */
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-setup-"));
  fs.mkdirSync(path.join(root, "jupyter"));
  fs.copyFileSync(
    path.join(ROOT, "jupyter", "requirements.txt"),
    path.join(root, "jupyter", "requirements.txt"),
  );
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"));
  fs.symlinkSync(path.join(ROOT, "kernel"), path.join(root, "kernel"));
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
  if (savedPython === undefined) delete process.env.PYTHON;
  else process.env.PYTHON = savedPython;
});

/**
 * A stand-in `python3`: prints `version` for the version probe, and fails `import ensurepip` unless
 * `hasVenv`.
 */
function fakePython(version: string, hasVenv: boolean): string {
  const file = path.join(root, "fake-python");
  fs.writeFileSync(
    file,
    `#!/bin/sh\ncase "$2" in\n  *ensurepip*) exit ${hasVenv ? 0 : 1} ;;\n  *) echo ${version} ;;\nesac\n`,
    { mode: 0o755 },
  );
  return file;
}

async function setupError(): Promise<string> {
  const error = await ensureJupyterEnv({ root, log: () => {} }).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(SetupError);
  return (error as SetupError).message;
}

describe("ensureJupyterEnv says what is missing and how to fix it", () => {
  test("no Python", async () => {
    process.env.PYTHON = path.join(root, "no-such-python");
    expect(await setupError()).toMatch(/^Python 3 was not found .*apt-get install python3 python3-venv/);
  });

  test("a Python older than 3.11", async () => {
    process.env.PYTHON = fakePython("3.9.2", true);
    expect(await setupError()).toMatch(/^Python 3\.11 or newer is needed but .* is 3\.9\.2/);
  });

  test("no venv module", async () => {
    process.env.PYTHON = fakePython("3.11.2", false);
    expect(await setupError()).toMatch(/^Python's venv module is missing .*apt-get install python3-venv/);
  });

  test("no npm install", async () => {
    fs.rmSync(path.join(root, "kernel"));
    expect(await setupError()).toMatch(
      /^The TypeScript kernel is not built \(kernel\/dist\/main\.js is missing\): run `npm install`/,
    );
  });
});

test("npm start stops with one sentence when the port is taken", async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
    // The learner's copy goes to the test's folder, so that the test leaves no my-lessons/ behind.
    const mine = path.join(root, "my-lessons");
    const result = spawnSync(
      tsx,
      [path.join(ROOT, "scripts", "start.ts"), "--no-browser", "--port", String(port), "--my-lessons", mine],
      { encoding: "utf8" },
    );
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      `Port ${port} on 127.0.0.1 is already in use (perhaps by an earlier \`npm start\`): stop that program, or pick another port with \`npm start -- --port ${port + 1}\`.`,
    );
  } finally {
    server.close();
  }
}, 60_000);

describe("withLock", () => {
  test("runs holders one after another", async () => {
    const events: string[] = [];
    const hold = (id: string) =>
      withLock(
        "a test lock",
        () => {},
        async () => {
          events.push(`${id} in`);
          await new Promise((resolve) => setTimeout(resolve, 300));
          events.push(`${id} out`);
        },
      );
    await Promise.all([hold("a"), hold("b")]);
    expect(events).toEqual(["a in", "a out", "b in", "b out"]);
  });

  test("takes over a lock whose owner process is gone", async () => {
    // A lock left behind by a process that no longer runs: pid of a finished child.
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    const lockDir = lockPath("a stale test lock");
    fs.mkdirSync(lockDir);
    fs.writeFileSync(path.join(lockDir, "pid"), String(gone));
    const ran = await Promise.race([
      withLock(
        "a stale test lock",
        () => {},
        async () => true,
      ),
      new Promise((resolve) => setTimeout(() => resolve(false), 5000)),
    ]);
    expect(ran).toBe(true);
    expect(fs.existsSync(lockDir)).toBe(false);
  });
});
