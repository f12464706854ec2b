/**
 * The page side of the TypeScript kernel: a JupyterLite kernel that hands every request to its
 * Web Worker and relays the worker's outputs as Jupyter messages. Restart disposes this kernel,
 * which terminates the worker, so even an endless loop ends at once. Interrupt stops the running
 * cell and keeps the worker: a cell that waits on a promise on any page, a computing cell where the
 * page is cross-origin isolated (then page and worker share an interrupt flag; see runner.ts).
 */
import { BaseKernel, type IKernel } from "@jupyterlite/services";
import type { KernelMessage } from "@jupyterlab/services";

type Pending = { resolve: (content: any) => void };

/** The kernel; `workerUrl` is the worker script served next to the extension. */
export class TypeScriptKernel extends BaseKernel {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private readonly started: Promise<void>;
  /**
   * Raised by {@link interrupt}; shared with the worker where the page is cross-origin isolated, else null.
   */
  private readonly interruptFlag: Int32Array | null =
    typeof SharedArrayBuffer !== "undefined" &&
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true
      ? new Int32Array(new SharedArrayBuffer(4))
      : null;

  /**
   * Whether the cell running now was sent with `stop_on_error: false` (JupyterLab does so for cells tagged
   * `raises-exception`).
   */
  private readonly queue: { keepGoing: boolean };

  constructor(options: IKernel.IOptions, workerUrl: string) {
    // JupyterLite 0.8 drops the cells queued behind any cell that replies with an error, unless the
    // reply says an interrupt caused it; it ignores `stop_on_error`. A cell run with
    // `stop_on_error: false` must not stop the cells after it, so its error reply carries that mark.
    const queue = { keepGoing: false };
    const send = options.sendMessage;
    super({
      ...options,
      sendMessage: (msg) => {
        if (
          queue.keepGoing &&
          msg.header.msg_type === "execute_reply" &&
          (msg.content as { status?: string }).status === "error"
        ) {
          msg.metadata = { ...msg.metadata, cause: "interrupt" };
        }
        send(msg);
      },
    });
    this.queue = queue;
    this.worker = new Worker(workerUrl);
    if (this.interruptFlag !== null)
      this.worker.postMessage({ type: "interrupt-flag", buffer: this.interruptFlag.buffer });
    this.started = new Promise((resolve) => {
      this.worker.addEventListener("message", (e) => {
        if (e.data?.type === "ready") resolve();
      });
    });
    this.worker.addEventListener("message", (e) => this.onWorkerMessage(e.data));
  }

  /** Resolves once the worker has loaded. */
  get ready(): Promise<void> {
    return this.started;
  }

  /** Whether Interrupt can stop a cell that computes without pausing (the page is cross-origin isolated). */
  get interruptsComputation(): boolean {
    return this.interruptFlag !== null;
  }

  /** Stops the running cell (Kernel → Interrupt); what earlier cells defined is kept. */
  interrupt(): void {
    if (this.interruptFlag !== null) Atomics.store(this.interruptFlag, 0, 1);
    this.worker.postMessage({ type: "interrupt" });
  }

  /** Terminates the worker; requests still waiting are answered as aborted. */
  dispose(): void {
    if (this.isDisposed) return;
    this.worker.terminate();
    for (const p of this.pending.values()) p.resolve(null);
    this.pending.clear();
    super.dispose();
  }

  private onWorkerMessage(data: any): void {
    if (data?.type === "reply") {
      this.pending.get(data.id)?.resolve(data.content);
      this.pending.delete(data.id);
    } else if (data?.type === "stream") {
      this.stream({ name: data.name, text: data.text });
    } else if (data?.type === "display") {
      if (data.update) this.updateDisplayData(data.message);
      else this.displayData(data.message);
    }
  }

  private request(type: string, code: string, cursor = 0): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve });
      this.worker.postMessage({ id, type, code, cursor, count: this.executionCount });
    });
  }

  async kernelInfoRequest(): Promise<KernelMessage.IInfoReplyMsg["content"]> {
    return {
      implementation: "gradient-lab-lite",
      implementation_version: "0.1.0",
      language_info: {
        name: "typescript",
        version: "5.9",
        mimetype: "text/typescript",
        file_extension: ".ts",
        codemirror_mode: { name: "typescript" },
      },
      protocol_version: "5.3",
      status: "ok",
      banner: "TypeScript in your browser (Gradient Lab)",
      help_links: [],
    };
  }

  async executeRequest(
    content: KernelMessage.IExecuteRequestMsg["content"],
  ): Promise<KernelMessage.IExecuteReplyMsg["content"]> {
    this.queue.keepGoing = content.stop_on_error === false;
    const reply = await this.request("execute", content.code);
    const execution_count = this.executionCount;
    if (reply === null) {
      const error = { ename: "Restart", evalue: "The kernel restarted while this cell ran.", traceback: [] };
      return { status: "error", execution_count, ...error } as any;
    }
    if (reply.status === "error") {
      const error = { ename: reply.ename, evalue: reply.evalue, traceback: reply.traceback };
      this.publishExecuteError(error);
      return { status: "error", execution_count, ...error } as any;
    }
    if (reply.result) this.publishExecuteResult({ execution_count, data: reply.result, metadata: {} });
    return { status: "ok", execution_count, user_expressions: {} } as any;
  }

  async completeRequest(
    content: KernelMessage.ICompleteRequestMsg["content"],
  ): Promise<KernelMessage.ICompleteReplyMsg["content"]> {
    const r = await this.request("complete", content.code, content.cursor_pos);
    return {
      status: "ok",
      matches: r?.matches ?? [],
      cursor_start: r?.start ?? content.cursor_pos,
      cursor_end: r?.end ?? content.cursor_pos,
      metadata: {},
    };
  }

  async inspectRequest(
    content: KernelMessage.IInspectRequestMsg["content"],
  ): Promise<KernelMessage.IInspectReplyMsg["content"]> {
    const text = await this.request("inspect", content.code, content.cursor_pos);
    return typeof text === "string"
      ? { status: "ok", found: true, data: { "text/plain": text }, metadata: {} }
      : { status: "ok", found: false, data: {}, metadata: {} };
  }

  async isCompleteRequest(): Promise<KernelMessage.IIsCompleteReplyMsg["content"]> {
    return { status: "complete" };
  }

  async commInfoRequest(): Promise<KernelMessage.ICommInfoReplyMsg["content"]> {
    return { status: "ok", comms: {} };
  }

  inputReply(): void {}
  async commOpen(): Promise<void> {}
  async commMsg(): Promise<void> {}
  async commClose(): Promise<void> {}
}
