/**
 * Gradient Lab's desktop TypeScript kernel: tslab 1.0.22's engine (its compiler, executor and
 * ZeroMQ server, pinned) with what a learner needs on top, in the Jupyter protocol's own terms:
 * - a cell's last value is an `execute_result`, shown richly when it implements the display protocol
 *   (`Symbol.for("Jupyter.display")`, as kernel-lib's matrices, networks, figures, values, histories
 *   and data sets do), else as text;
 * - a failing cell sends an `error` (name, message, a traceback of the learner's own lines) and the
 *   reply carries the same fields;
 * - kernel_info says "ok", `history_request` is answered, `is_complete` says "invalid" for code that
 *   cannot parse.
 *
 * Started by the kernelspec as `node kernel/dist/main.js --config-path {connection_file}`.
 */

import * as ts from "@tslab/typescript-for-tslab";
import { inspect, format } from "node:util";
import vm from "node:vm";
import { cellFileName, CellRecord, compileError, Diagnostic, JupyterError, runtimeError } from "./traceback";

/* tslab's modules, loaded from the pinned package (they have no type declarations for these internals). */
/* eslint-disable @typescript-eslint/no-var-requires */
const { createConverter } = require("tslab/dist/converter");
const { createExecutor } = require("tslab/dist/executor");
const jupyter = require("tslab/dist/jupyter");
const { TaskQueue, TaskCanceledError } = require("tslab/dist/util");

type Publish = (msgType: string, content: object) => void;
type WriteStream = (name: string, text: string) => void;
type WriteDisplayData = (data: object, update: boolean) => void;

/** The symbol of the rich-display protocol (kernel-lib's `DISPLAY`). */
const DISPLAY = Symbol.for("Jupyter.display");

/** What tslab's executor reports through the console it is given: the last value, errors, diagnostics. */
class Capture {
  result: { value: unknown } | null = null;
  thrown: { value: unknown } | null = null;
  diagnostics: Diagnostic[] = [];
  other: string[] = [];

  reset(): void {
    this.result = null;
    this.thrown = null;
    this.diagnostics = [];
    this.other = [];
  }

  /** The console passed to tslab's executor: `log` gets the last value, `error` everything that failed. */
  readonly console = {
    log: (value: unknown) => {
      this.result = { value };
    },
    error: (...args: unknown[]) => {
      // tslab prints a diagnostic as ("%s%d:%d - %s", file, line, column, message).
      if (args[0] === "%s%d:%d - %s" && args.length === 5) {
        if (args[1]) this.other.push(format(...args));
        else
          this.diagnostics.push({
            line: Number(args[2]) - 1,
            character: Number(args[3]) - 1,
            message: String(args[4]),
          });
      } else if (args.length === 1 && this.thrown === null) {
        this.thrown = { value: args[0] };
      } else {
        this.other.push(format(...args));
      }
    },
  };
}

/** The MIME bundle of a cell's last value: its display-protocol bundle, or text as Node prints it. */
async function resultBundle(value: unknown): Promise<{ [mime: string]: unknown }> {
  const method =
    value !== null && (typeof value === "object" || typeof value === "function")
      ? (value as { [DISPLAY]?: unknown })[DISPLAY]
      : undefined;
  if (typeof method === "function") {
    const bundle = await method.call(value);
    if (bundle && typeof bundle === "object") return bundle as { [mime: string]: unknown };
  }
  return { "text/plain": typeof value === "string" ? value : inspect(value) };
}

/** The number of this kernel's session in history replies (one session per kernel process). */
const SESSION = 1;

/** The fields of a `history_request` this kernel reads. */
interface HistoryRequest {
  hist_access_type?: "tail" | "range" | "search";
  output?: boolean;
  n?: number;
  session?: number;
  start?: number;
  stop?: number | null;
  pattern?: string;
  unique?: boolean;
}

/** Thrown inside the execution queue when a cell fails, to cancel the cells queued behind it. */
class CellFailed {
  constructor(
    readonly count: number,
    readonly error: JupyterError,
  ) {}
}

/** tslab's Jupyter handler with the protocol completed (see the file comment). */
class Handler extends jupyter.JupyterHandlerImpl {
  private readonly capture: Capture;
  private readonly cells = new Map<number, CellRecord>();
  private readonly history: { line: number; input: string; output: string }[] = [];
  private running: CellRecord | null = null;

  constructor(executor: unknown, capture: Capture) {
    super(executor, false);
    this.capture = capture;
    this.execQueue = new TaskQueue();
    // Name each cell's compiled code after the cell, so stack frames say which cell they are in.
    const run = vm.runInThisContext;
    vm.runInThisContext = (code: string, options?: vm.RunningScriptOptions | string) => {
      if (this.running === null || typeof options === "string") return run(code, options);
      this.running.compiled = code;
      return run(code, { ...options, filename: cellFileName(this.running.count) });
    };
  }

  handleKernel(): object {
    const reply = super.handleKernel();
    return {
      ...reply,
      status: "ok",
      implementation: "gradient-lab-tslab",
      language_info: { ...reply.language_info, version: ts.version },
    };
  }

  handleIsComplete(req: { code: string }): object {
    const reply = super.handleIsComplete(req);
    if (reply.status !== "complete") return reply;
    const file = ts.createSourceFile("cell.ts", req.code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const syntax = (file as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics ?? [];
    return syntax.length > 0 ? { status: "invalid" } : reply;
  }

  /**
   * This session's inputs (and, with `output`, their results as text) as a `history_reply`: the last
   * n ("tail"), lines start…stop−1 ("range") or those matching a glob pattern ("search", optionally
   * `unique`).
   */
  handleHistory(req: HistoryRequest): object {
    let chosen = this.history;
    if (req.hist_access_type === "range") {
      const current = req.session === undefined || req.session === 0 || req.session === SESSION;
      chosen = current
        ? chosen.filter(
            (h) =>
              h.line >= (req.start ?? 1) &&
              (req.stop === undefined || req.stop === null || h.line < req.stop),
          )
        : [];
    } else if (req.hist_access_type === "search") {
      const glob = new RegExp(
        "^" +
          (req.pattern ?? "*")
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, "[\\s\\S]*")
            .replace(/\?/g, "[\\s\\S]") +
          "$",
      );
      chosen = chosen.filter((h) => glob.test(h.input));
      if (req.unique)
        chosen = chosen.filter((h, i) => !chosen.slice(i + 1).some((later) => later.input === h.input));
    }
    if (req.hist_access_type !== "range" && typeof req.n === "number" && req.n > 0)
      chosen = chosen.slice(-req.n);
    return {
      status: "ok",
      history: chosen.map((h) => [SESSION, h.line, req.output ? [h.input, h.output] : h.input]),
    };
  }

  async handleExecute(
    req: { code: string; stop_on_error?: boolean },
    writeStream: WriteStream,
    writeDisplayData: WriteDisplayData,
    publish: Publish,
  ): Promise<object> {
    try {
      const count: number = await this.execQueue.add(() =>
        this.executeCell(req, writeStream, writeDisplayData, publish),
      );
      return { status: "ok", execution_count: count, user_expressions: {} };
    } catch (e) {
      if (e instanceof TaskCanceledError) return { status: "abort" };
      // A failed task cancels every later one until the queue is reset. After an error tslab drops the
      // requests of the next 200 ms (cells queued by Run All); a request that asks to go on
      // (`stop_on_error: false`, as nbgrader's autograder sends) lets the next cell run at once.
      this.execQueue.reset(req.stop_on_error === false ? undefined : 200);
      const failure =
        e instanceof CellFailed
          ? e
          : new CellFailed(this.execCount, {
              ename: "InternalError",
              evalue: String(e),
              traceback: [String(e)],
            });
      return { status: "error", execution_count: failure.count, ...failure.error };
    }
  }

  private async executeCell(
    req: { code: string },
    writeStream: WriteStream,
    writeDisplayData: WriteDisplayData,
    publish: Publish,
  ): Promise<number> {
    process.stdout.write = this.createWriteToIopub("stdout", writeStream);
    process.stderr.write = this.createWriteToIopub("stderr", writeStream);
    jupyter.lastWriteDisplayData = writeDisplayData;
    const count = ++this.execCount;
    const entry = { line: count, input: req.code, output: "" };
    this.history.push(entry);
    const record: CellRecord = { count, source: req.code, compiled: "" };
    this.cells.set(count, record);
    this.capture.reset();
    this.running = record;
    let ok: boolean;
    try {
      ok = await this.executor.execute(req.code);
    } finally {
      this.running = null;
    }
    const { result, thrown, diagnostics, other } = this.capture;
    if (other.length > 0) writeStream("stderr", other.join("\n") + "\n");
    if (ok && result !== null) {
      let data;
      try {
        data = await resultBundle(result.value);
      } catch (e) {
        return this.fail(count, runtimeError(e, this.cells, count), publish);
      }
      publish("execute_result", { execution_count: count, data, metadata: {} });
      entry.output = typeof data["text/plain"] === "string" ? data["text/plain"] : "";
    }
    if (ok) return count;
    const error =
      diagnostics.length > 0
        ? compileError(diagnostics, req.code)
        : thrown !== null
          ? runtimeError(thrown.value, this.cells, count)
          : {
              ename: "Error",
              evalue: "the cell failed",
              traceback: other.length > 0 ? other : ["the cell failed"],
            };
    return this.fail(count, error, publish);
  }

  private fail(count: number, error: JupyterError, publish: Publish): never {
    publish("error", error);
    throw new CellFailed(count, error);
  }
}

/** Where a raw message's header is: the frame after the delimiter and the signature. */
const DELIM = "<IDS|MSG>";

/**
 * tslab's ZeroMQ server, giving the handler a way to publish `execute_result` and `error`, and answering
 * history.
 */
class Server extends jupyter.ZmqServer {
  /** tslab's message class, taken from the first message (it is not exported). */
  private messageClass: { fromRaw(key: string, raw: unknown[]): any } | null = null;

  constructor(handler: Handler, configPath: string) {
    super(handler, configPath);
  }

  publishStatus(status: string, parent: { constructor: any }): void {
    this.messageClass ??= parent.constructor;
    super.publishStatus(status, parent);
  }

  async handleShellMessage(sock: unknown, ...args: Buffer[]): Promise<void> {
    const delim = args.findIndex((b) => b.toString() === DELIM);
    const header = delim >= 0 && args[delim + 2] ? JSON.parse(args[delim + 2].toString()) : null;
    if (header?.msg_type !== "history_request" || this.messageClass === null)
      return super.handleShellMessage(sock, ...args);
    const msg = this.messageClass.fromRaw(this.connInfo.key, args);
    this.publishStatus("busy", msg);
    const reply = msg.createReply();
    reply.header.msg_type = "history_reply";
    reply.content = this.handler.handleHistory(msg.content);
    reply.signAndSend(this.connInfo.key, sock);
    this.publishStatus("idle", msg);
  }

  async handleExecute(sock: unknown, msg: any): Promise<void> {
    const send = (msgType: string, content: object) => {
      const out = msg.createReply();
      out.header.msg_type = msgType;
      out.content = content;
      out.signAndSend(this.connInfo.key, this.iopub);
    };
    const writeStream: WriteStream = (name, text) => send("stream", { name, text });
    const writeDisplayData: WriteDisplayData = (data, update) =>
      send(update ? "update_display_data" : "display_data", data);
    const reply = msg.createReply();
    reply.header.msg_type = "execute_reply";
    reply.content = await this.handler.handleExecute(msg.content, writeStream, writeDisplayData, send);
    reply.signAndSend(this.connInfo.key, sock);
  }
}

/** Starts the kernel for the connection file Jupyter passes (`--config-path FILE`). */
function main(argv: string[]): void {
  const at = argv.indexOf("--config-path");
  const configPath = at >= 0 ? argv[at + 1] : undefined;
  if (!configPath) {
    console.error(
      "usage: node kernel/dist/main.js --config-path <connection file> (Jupyter starts the kernel this way from its kernelspec)",
    );
    process.exit(2);
  }
  // tslab's two compilers: for Node (every cell) and for cells marked `//%browser`, made on first use.
  const made: { node?: { close(): void }; browser?: { close(): void } } = {};
  const convs = {
    get node() {
      return (made.node ??= createConverter({ isJS: false, isBrowser: false }));
    },
    get browser() {
      return (made.browser ??= createConverter({ isJS: false, isBrowser: true }));
    },
    close() {
      made.node?.close();
      made.browser?.close();
    },
  };
  void convs.node; // compile the first cell faster: the converter takes a few hundred ms to start
  const capture = new Capture();
  const executor = createExecutor(process.cwd(), convs, capture.console);
  const server = new Server(new Handler(executor, capture), configPath);
  process.on("SIGINT", () => executor.interrupt());
  process.on("uncaughtException", (err) => console.error("UncaughtException:", err));
  process.on("unhandledRejection", (reason) => console.error("UnhandledPromiseRejection:", reason));
  server.init();
}

main(process.argv.slice(2));
