/**
 * A real JupyterHub (pinned in jupyter/requirements.txt) with configurable-http-proxy from npm, on
 * 127.0.0.1 free ports, loading jupyter/hub/jupyterhub_config.py with a dummy authenticator and a
 * local-process spawner whose homes are in a temporary folder. Two students get tokens through the
 * REST API, start their servers through the hub, and through the hub's proxy (kernels over its
 * websocket) run the welcome notebook and an exercise of lesson 3 from their own copy; each sees
 * only their own files, and a restart keeps their work.
 */
import { ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import WebSocket from "ws";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ensureJupyterEnv, JupyterEnv } from "../../scripts/jupyter/env";
import { ROOT } from "../../scripts/lib/paths";
import type { Notebook } from "../../scripts/jupyter/runner";
import { sourceOf } from "../assignments/helpers";

const HUB_TIMEOUT_MS = 8 * 60_000;
const ADMIN_TOKEN = randomBytes(16).toString("hex");
const STUDENTS = ["alice", "bob"];

let scratch: string;
let jupyter: JupyterEnv;
let hub: ChildProcess | null = null;
let hubLog = "";
let base = "";
/** Kernels started and not yet shut down, shut down at the end even when the test fails. */
const openKernels: { url: string; token: string }[] = [];

/** A port nothing listens on now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function api(method: string, url: string, token: string, body?: unknown): Promise<Response> {
  return fetch(base + url, {
    method,
    headers: {
      Authorization: `token ${token}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: "manual",
  });
}

async function json<T = any>(method: string, url: string, token: string, body?: unknown): Promise<T> {
  const response = await api(method, url, token, body);
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}\n${hubLog.slice(-4000)}`);
  return text ? JSON.parse(text) : (undefined as T);
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`${what} did not happen in ${timeoutMs / 1000} s\n${hubLog.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Starts a student's server through the hub and waits until it is ready. */
async function startServer(user: string, token: string): Promise<void> {
  const response = await api("POST", `/hub/api/users/${user}/server`, token);
  expect([201, 202], await response.text()).toContain(response.status);
  await waitFor(
    `${user}'s server start`,
    async () => (await json("GET", `/hub/api/users/${user}`, token)).servers?.[""]?.ready === true,
  );
}

async function stopServer(user: string, token: string): Promise<void> {
  const response = await api("DELETE", `/hub/api/users/${user}/server`, token);
  expect([202, 204], await response.text()).toContain(response.status);
  await waitFor(
    `${user}'s server stop`,
    async () => !(await json("GET", `/hub/api/users/${user}`, token)).servers?.[""],
  );
}

/** What one cell produced: its output messages' types with their text, and the reply status. */
interface CellRun {
  status: string;
  outputs: { type: string; text: string }[];
}

/** A kernel of a student's server, reached over the hub proxy's websocket. */
class RemoteKernel {
  private constructor(
    private ws: WebSocket,
    private session: string,
    private url: string,
    private token: string,
  ) {}

  static async start(user: string, token: string): Promise<RemoteKernel> {
    const kernel = await json("POST", `/user/${user}/api/kernels`, token, { name: "tslab" });
    const url = `/user/${user}/api/kernels/${kernel.id}`;
    openKernels.push({ url, token });
    const ws = new WebSocket(
      `${base.replace(/^http/, "ws")}/user/${user}/api/kernels/${kernel.id}/channels`,
      { headers: { Authorization: `token ${token}` } },
    );
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    return new RemoteKernel(ws, randomUUID(), url, token);
  }

  run(code: string, timeoutMs = 120_000): Promise<CellRun> {
    const msgId = randomUUID();
    const result: CellRun = { status: "", outputs: [] };
    let idle = false;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no reply in ${timeoutMs / 1000} s to: ${code.slice(0, 200)}`)),
        timeoutMs,
      );
      const onMessage = (raw: WebSocket.RawData) => {
        const msg = JSON.parse(raw.toString());
        if (msg.parent_header?.msg_id !== msgId) return;
        const type: string = msg.header.msg_type;
        if (type === "execute_reply") result.status = msg.content.status;
        else if (type === "status") idle = msg.content.execution_state === "idle";
        else if (type === "stream")
          result.outputs.push({ type: `stream:${msg.content.name}`, text: msg.content.text });
        else if (type === "error")
          result.outputs.push({ type: "error", text: `${msg.content.ename}: ${msg.content.evalue}` });
        else if (type === "display_data" || type === "execute_result")
          result.outputs.push({ type, text: String(msg.content.data["text/plain"] ?? "") });
        if (result.status && idle) {
          clearTimeout(timer);
          this.ws.off("message", onMessage);
          resolve(result);
        }
      };
      this.ws.on("message", onMessage);
      this.ws.send(
        JSON.stringify({
          header: {
            msg_id: msgId,
            msg_type: "execute_request",
            username: "test",
            session: this.session,
            date: new Date().toISOString(),
            version: "5.3",
          },
          parent_header: {},
          metadata: {},
          channel: "shell",
          buffers: [],
          content: {
            code,
            silent: false,
            store_history: true,
            user_expressions: {},
            allow_stdin: false,
            stop_on_error: true,
          },
        }),
      );
    });
  }

  /** Closes the websocket and shuts the kernel down (a stopped server would leave its kernels running). */
  async close(): Promise<void> {
    this.ws.close();
    expect((await api("DELETE", this.url, this.token)).status).toBe(204);
    openKernels.splice(
      openKernels.findIndex((k) => k.url === this.url),
      1,
    );
  }
}

beforeAll(async () => {
  jupyter = await ensureJupyterEnv();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-lab-hub-"));
  const [publicPort, hubPort, proxyApiPort] = [await freePort(), await freePort(), await freePort()];
  base = `http://127.0.0.1:${publicPort}`;
  const config = path.join(scratch, "jupyterhub_config.py");
  const at = (name: string) => JSON.stringify(path.join(scratch, name));
  fs.writeFileSync(
    config,
    `
import os
c = get_config()
load_subconfig(${JSON.stringify(path.join(ROOT, "jupyter", "hub", "jupyterhub_config.py"))})
c.JupyterHub.bind_url = "${base}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:${hubPort}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:${proxyApiPort}"
c.ConfigurableHTTPProxy.command = [${JSON.stringify(path.join(ROOT, "node_modules", ".bin", "configurable-http-proxy"))}]
c.ConfigurableHTTPProxy.pid_file = ${at("proxy.pid")}
c.JupyterHub.pid_file = ${at("hub.pid")}
c.JupyterHub.db_url = "sqlite:///" + ${at("jupyterhub.sqlite")}
c.JupyterHub.cookie_secret_file = ${at("cookie_secret")}
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = {${STUDENTS.map((s) => `"${s}"`).join(", ")}}
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = ${at("home")} + "/{username}"
c.JupyterHub.services = [{"name": "class-admin", "api_token": "${ADMIN_TOKEN}"}]
c.JupyterHub.load_roles = [{"name": "class-admin", "scopes": ["admin:users", "admin:servers", "tokens"], "services": ["class-admin"]}]
if os.getuid() == 0:  # CI containers run as root, which Jupyter refuses without this
    c.Spawner.args = c.Spawner.args + ["--allow-root"]
`,
  );
  hub = spawn(path.join(jupyter.binDir, "jupyterhub"), ["-f", config], {
    cwd: scratch,
    env: jupyter.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  hub.stdout!.on("data", (chunk) => (hubLog += chunk));
  hub.stderr!.on("data", (chunk) => (hubLog += chunk));
  await waitFor("the hub's start", async () => (await fetch(`${base}/hub/api/`)).ok);
}, 10 * 60_000);

afterAll(async () => {
  if (hub && hub.exitCode === null) {
    for (const kernel of openKernels) await api("DELETE", kernel.url, kernel.token).catch(() => undefined);
    for (const user of STUDENTS)
      await api("DELETE", `/hub/api/users/${user}/server`, ADMIN_TOKEN).catch(() => undefined);
    const exited = new Promise((resolve) => hub!.once("exit", resolve));
    hub.kill("SIGTERM"); // the hub stops the proxy and any server still running (cleanup_servers)
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (hub.exitCode === null) hub.kill("SIGKILL");
  }
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
}, 60_000);

test(
  "two students run the welcome notebook and an exercise through the hub, each in their own files",
  async () => {
    const tokens: Record<string, string> = {};
    for (const user of STUDENTS) {
      // The students exist from the config's allowed users; each gets a token as a login would give.
      tokens[user] = (
        await json("POST", `/hub/api/users/${user}/tokens`, ADMIN_TOKEN, {
          note: "test login",
          expires_in: 3600,
        })
      ).token;
    }
    // Each student starts their own server with their own token.
    await Promise.all(STUDENTS.map((user) => startServer(user, tokens[user])));

    // The lessons and the folders of other editions (ko/), as in notebooks/.
    const lessons = fs
      .readdirSync(path.join(ROOT, "notebooks"), { withFileTypes: true })
      .filter(
        (e) => (e.isFile() && e.name.endsWith(".ipynb")) || (e.isDirectory() && !e.name.startsWith(".")),
      )
      .map((e) => e.name)
      .sort();
    for (const user of STUDENTS) {
      const token = tokens[user];
      const listing = await json("GET", `/user/${user}/api/contents/gradient-lab`, token);
      expect(listing.content.map((f: { name: string }) => f.name).sort()).toEqual(lessons);

      // The welcome notebook, from the student's copy, cell by cell in a TypeScript kernel.
      const welcome: Notebook = (
        await json("GET", `/user/${user}/api/contents/gradient-lab/00-welcome.ipynb`, token)
      ).content;
      const kernel = await RemoteKernel.start(user, token);
      for (const cell of welcome.cells.filter((c) => c.cell_type === "code")) {
        const run = await kernel.run(sourceOf(cell));
        expect({
          cell: cell.id,
          status: run.status,
          errors: run.outputs.filter((o) => o.type === "error" || o.type === "stream:stderr"),
        }).toEqual({ cell: cell.id, status: "ok", errors: [] });
      }
      // The limits the hub set are visible to the student.
      const limits = await kernel.run("`${process.env.MEM_LIMIT} ${process.env.CPU_LIMIT}`");
      expect(limits.outputs.map((o) => o.text).join("")).toContain(`${2 * 1024 ** 3} 1.0`);
      await kernel.close();
    }

    // Exercise 3.1 from each student's own lesson 3: alice solves it, bob runs it as handed out.
    for (const user of STUDENTS) {
      const token = tokens[user];
      const lesson: Notebook = (
        await json("GET", `/user/${user}/api/contents/gradient-lab/03-relu.ipynb`, token)
      ).content;
      const setup = lesson.cells.find((c) => c.cell_type === "code")!;
      const exercise = lesson.cells.find((c) => c.id === "ex-3-1-solution")!;
      const check = lesson.cells.find((c) => c.id === "ex-3-1-check")!;
      expect(sourceOf(exercise)).toContain('exercises.notImplemented("3.1")');
      const answer =
        user === "alice"
          ? sourceOf(exercise).replace(/throw .*notImplemented\("3\.1"\);/, "return z > 0 ? 1 : 0;")
          : sourceOf(exercise);
      const kernel = await RemoteKernel.start(user, token);
      expect((await kernel.run(sourceOf(setup))).status).toBe("ok");
      expect((await kernel.run(answer)).status).toBe("ok");
      const checked = await kernel.run(sourceOf(check));
      await kernel.close();
      if (user === "alice") {
        expect(checked.status).toBe("ok");
        expect(checked.outputs.map((o) => o.text).join("\n")).toContain("✓ Exercise 3.1");
      } else {
        expect(checked.status).toBe("error");
        expect(checked.outputs.map((o) => o.text).join("\n")).toContain(
          "Exercise 3.1 is not implemented yet",
        );
      }
    }

    // Own files only: alice's new file is not in bob's home, and bob's token cannot reach alice's server.
    await json("PUT", `/user/alice/api/contents/notes.txt`, tokens.alice, {
      type: "file",
      format: "text",
      content: "alice's notes",
    });
    expect(
      (await json("GET", `/user/alice/api/contents/`, tokens.alice)).content.map(
        (f: { name: string }) => f.name,
      ),
    ).toContain("notes.txt");
    expect(
      (await json("GET", `/user/bob/api/contents/`, tokens.bob)).content.map((f: { name: string }) => f.name),
    ).not.toContain("notes.txt");
    const intrusion = await api("GET", `/user/alice/api/contents/notes.txt`, tokens.bob);
    expect(intrusion.status).toBe(403);
    expect(fs.existsSync(path.join(scratch, "home", "alice", "notes.txt"))).toBe(true);
    expect(fs.existsSync(path.join(scratch, "home", "bob", "notes.txt"))).toBe(false);

    // A restart copies no lesson over the student's work.
    const mine = (await json("GET", `/user/alice/api/contents/gradient-lab/03-relu.ipynb`, tokens.alice))
      .content as Notebook;
    mine.cells.find((c) => c.id === "ex-3-1-solution")!.source =
      "function reluDerivative(z: number): number {\n  return z > 0 ? 1 : 0;\n}";
    await json("PUT", `/user/alice/api/contents/gradient-lab/03-relu.ipynb`, tokens.alice, {
      type: "notebook",
      format: "json",
      content: mine,
    });
    fs.rmSync(path.join(scratch, "home", "alice", "gradient-lab", "00-welcome.ipynb"));
    await stopServer("alice", tokens.alice);
    await startServer("alice", tokens.alice);
    const after = (await json("GET", `/user/alice/api/contents/gradient-lab/03-relu.ipynb`, tokens.alice))
      .content as Notebook;
    expect(sourceOf(after.cells.find((c) => c.id === "ex-3-1-solution")!)).toContain("return z > 0 ? 1 : 0;");
    // …while a lesson the student deleted comes back fresh.
    expect(fs.existsSync(path.join(scratch, "home", "alice", "gradient-lab", "00-welcome.ipynb"))).toBe(true);
  },
  HUB_TIMEOUT_MS,
);
