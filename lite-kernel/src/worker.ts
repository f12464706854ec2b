/**
 * The kernel's Web Worker: type-checks and runs cells away from the page, so the notebook stays
 * responsive while a network trains, and Restart can end any cell by terminating the worker.
 *
 * Messages in: `{ id, type: "execute" | "complete" | "inspect", code, cursor, count }` (count: the
 * cell's execution count); `{ type: "interrupt" }`; `{ type: "interrupt-flag", buffer }` once, where
 * the page is cross-origin isolated (see runner.ts). Messages out: `{ id, type: "reply", content }` answering
 * a request, and, while cells run, `{ type: "stream", name, text }` and `{ type: "display", message, update
 * }`.
 */
import "./host";
import { DECLARATION_FILES } from "./declarations";
import { formatArgs } from "./inspect";
import { MODULES } from "./modules";
import { CellRunner } from "./runner";

const post = (message: unknown) => (self as unknown as Worker).postMessage(message);

for (const [method, stream] of [
  ["log", "stdout"],
  ["info", "stdout"],
  ["debug", "stdout"],
  ["error", "stderr"],
  ["warn", "stderr"],
] as const) {
  console[method] = (...args: unknown[]) =>
    post({ type: "stream", name: stream, text: formatArgs(args) + "\n" });
}

const runner = new CellRunner(DECLARATION_FILES, MODULES);

self.onmessage = async (event: MessageEvent) => {
  if (event.data?.type === "interrupt") return runner.interrupt();
  if (event.data?.type === "interrupt-flag") return runner.useInterruptFlag(event.data.buffer);
  const { id, type, code, cursor, count } = event.data as {
    id: number;
    type: string;
    code: string;
    cursor: number;
    count: number;
  };
  let content: unknown;
  try {
    if (type === "execute") content = await runner.execute(code, count);
    else if (type === "complete") content = runner.checker.complete(code, cursor);
    else if (type === "inspect") content = runner.checker.inspect(code, cursor);
  } catch (err) {
    content = runner.error(err);
  }
  post({ id, type: "reply", content });
};

post({ type: "ready" });
