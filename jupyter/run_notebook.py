"""Execute one notebook in a fresh kernel with nbclient and report, cell by cell, what went wrong.

Driven by scripts/jupyter/runner.ts; run it with the venv's Python and the environment from
scripts/jupyter/env.ts so the kernel comes from the venv's kernelspec.

    python run_notebook.py NOTEBOOK --out EXECUTED.ipynb --report REPORT.json
        [--cwd DIR] [--timeout SECONDS] [--kernel tslab] [--keep-going] [--recover [--max-restarts N]]

A cell fails when the kernel replies with an error, when it emits an error output, or when its
stderr carries a TypeScript diagnostic (``1:7 - Type 'string' is not ...``), ``UncaughtException``
or ``UnhandledPromiseRejection``. tslab reports the last two asynchronously, after the cell's
reply, so output that arrives just after a cell finished is still collected for that cell. A cell
tagged ``raises-exception`` (nbclient's convention) is meant to fail, e.g. to show an error message,
and fails only if it runs without error.

The report is JSON: {"ok", "cells": [{"index", "id", "cell_type", "status", "execution_count",
"stdout", "stderr", "reason"}], "failure": <the first failed cell or null>, "error": <a problem
that stopped the run, e.g. the kernel not starting, or null>, "restarts": [{"index", "reason"}]}.

With ``--recover`` (for grading), a cell that times out or kills the kernel fails, and the run goes
on from the next cell in a new kernel, after re-running the cells that had succeeded (tslab cannot
interrupt a synchronous endless loop, so the stuck kernel is killed).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import re
import sys
from queue import Empty

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

# "1:7 - Type 'string' is not assignable ..." (optionally after a file name, as tslab prints for modules).
TS_DIAGNOSTIC = re.compile(r"^(?:\S+ )?\d+:\d+ - ", re.MULTILINE)
ASYNC_FAILURES = ("UncaughtException", "UnhandledPromiseRejection")
# How long to keep listening for a cell's late output (unhandled rejections arrive just after the reply).
SETTLE_SECONDS = 0.15
FINAL_SETTLE_SECONDS = 0.5
OUTPUT_TYPES = {"stream", "display_data", "execute_result", "error"}
# Output kept per cell (in characters of JSON): a flood of output must not swamp the runner or its report,
# yet a figure whose HTML carries plotly.js (4.8 MB, the first figure of a session) must fit, with room to spare.
MAX_CELL_OUTPUT_CHARS = 16_000_000


class CappedClient(NotebookClient):
    """A NotebookClient that keeps at most MAX_CELL_OUTPUT_CHARS of each cell's output and says where it cut."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept: dict[int, int] = {}

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {})))
        kept = self.kept.get(cell_index, 0)
        self.kept[cell_index] = kept + size
        if kept + size <= MAX_CELL_OUTPUT_CHARS:
            return super().output(outs, msg, display_id, cell_index)
        if kept <= MAX_CELL_OUTPUT_CHARS:
            outs.append(nbformat.v4.new_output(
                "stream", name="stdout", text=f"\n[output cut: the cell printed more than {MAX_CELL_OUTPUT_CHARS} characters]\n"))
        return None


def stream_text(cell, name: str) -> str:
    return "".join(
        o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream" and o.get("name") == name
    )


def result_text(cell) -> str:
    """The text of the cell's result (its last value, sent as execute_result)."""
    return "".join(o.get("data", {}).get("text/plain", "") for o in cell.get("outputs", []) if o.get("output_type") == "execute_result")


def error_text(cell) -> str:
    """The cell's error output as the learner reads it: the traceback lines (name and message first)."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return "\n".join(output.get("traceback") or [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"])
    return ""


def merge_streams(cell) -> None:
    """Joins consecutive outputs of the same stream (as JupyterLab shows them) into one."""
    merged = []
    for output in cell.get("outputs", []):
        previous = merged[-1] if merged else None
        if (previous is not None and output.get("output_type") == "stream"
                and previous.get("output_type") == "stream" and previous.get("name") == output.get("name")):
            previous["text"] += output["text"]
        else:
            merged.append(output)
    cell["outputs"] = merged


def failure_reason(cell) -> str | None:
    """Why this executed cell counts as failed, or None."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
    stderr = stream_text(cell, "stderr")
    if TS_DIAGNOSTIC.search(stderr):
        return "TypeScript reported an error"
    for marker in ASYNC_FAILURES:
        if marker in stderr:
            return f"{marker} in the kernel"
    return None


async def collect_late_output(client: NotebookClient, msg_id: str | None, cell, index: int, seconds: float) -> None:
    """Adds to `cell` the outputs that reach the kernel's iopub channel for `msg_id` within `seconds`."""
    if msg_id is None or client.kc is None:
        return
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (left := deadline - loop.time()) > 0:
        try:
            msg = await client.kc.get_iopub_msg(timeout=left)
        except Empty:
            return
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] in OUTPUT_TYPES:
            client.process_message(msg, cell, index)


async def replay(client: NotebookClient, nb, indices: list[int]) -> None:
    """Re-runs, in a fresh kernel, the cells that ran without error before, so later cells find their
    definitions. Their outputs are thrown away; the executed notebook keeps those of the first run."""
    for index in indices:
        ghost = copy.deepcopy(nb.cells[index])
        try:
            await client.async_execute_cell(ghost, index, execution_count=client.code_cells_executed + 1)
        except CellExecutionError:
            pass  # it worked the first time; go on with what the kernel has


async def run(args) -> dict:
    nb = nbformat.read(sys.stdin if args.notebook == "-" else args.notebook, as_version=4)
    cells = []
    report = {"ok": False, "cells": cells, "failure": None, "error": None, "restarts": []}
    replies: dict[int, dict] = {}

    def remember_reply(cell, cell_index, execute_reply, **_):
        replies[cell_index] = execute_reply

    client = CappedClient(
        nb,
        timeout=args.timeout,
        startup_timeout=120,
        kernel_name=args.kernel,
        resources={"metadata": {"path": args.cwd}},
        on_cell_executed=remember_reply,
    )
    # With --recover, a cell that times out or kills the kernel ends that kernel; the run goes on
    # in a new one from the next cell, after replaying the cells that had run without error.
    start = 0
    succeeded: list[int] = []
    try:
        while True:
            restart_at = None
            async with client.async_setup_kernel():
                info_id = client.kc.kernel_info()
                info = await client.async_wait_for_reply(info_id)
                if info is not None and "language_info" in info["content"]:
                    nb.metadata["language_info"] = info["content"]["language_info"]
                if start > 0:
                    await replay(client, nb, succeeded)
                for index in range(start, len(nb.cells)):
                    cell = nb.cells[index]
                    entry = {"index": index, "id": cell.get("id"), "cell_type": cell.cell_type, "status": "skipped",
                             "execution_count": None, "stdout": "", "stderr": "", "result": "", "error": "", "reason": None}
                    cells.append(entry)
                    if report["failure"] is not None and not args.keep_going:
                        continue
                    if cell.cell_type != "code" or not cell.source.strip():
                        continue
                    reason = None
                    ended_kernel = False
                    try:
                        await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
                    except CellExecutionError:
                        reason = "the kernel replied with an error"
                    except CellTimeoutError:
                        reason = f"timed out after {args.timeout} s"
                        ended_kernel = True
                    except DeadKernelError:
                        reason = "the kernel died"
                        ended_kernel = True
                    reply = replies.get(index) or {}
                    status = reply.get("content", {}).get("status")
                    if status == "abort":
                        reason = "the kernel did not run it (aborted)"
                    # After an error reply tslab drops requests for 200 ms, so wait that out too.
                    last = index == len(nb.cells) - 1
                    settle = FINAL_SETTLE_SECONDS if last or reason or status == "error" else SETTLE_SECONDS
                    await collect_late_output(client, reply.get("parent_header", {}).get("msg_id"), cell, index, settle)
                    merge_streams(cell)
                    reason = failure_reason(cell) or reason
                    if "raises-exception" in cell.metadata.get("tags", []):
                        errored = reason is not None or status == "error"
                        reason = None if errored else "it is tagged raises-exception but ran without error"
                    elif reason is None and status != "error":
                        succeeded.append(index)
                    entry.update(status="failed" if reason else "ok", reason=reason,
                                 execution_count=cell.get("execution_count"),
                                 stdout=stream_text(cell, "stdout"), stderr=stream_text(cell, "stderr"),
                                 result=result_text(cell), error=error_text(cell))
                    if reason and report["failure"] is None:
                        report["failure"] = entry
                    if ended_kernel and args.recover and not last:
                        if len(report["restarts"]) >= args.max_restarts:
                            report["error"] = (f"gave up after {args.max_restarts} kernel restarts "
                                               f"(cell {index + 1}: {reason})")
                            client.shutdown_kernel = "immediate"
                            break
                        restart_at = index
                        client.shutdown_kernel = "immediate"  # a cell stuck in a loop never answers a shutdown request
                        break
                    if reason == "the kernel died":
                        break
            client.shutdown_kernel = "graceful"
            if restart_at is None or report["error"] is not None:
                break
            report["restarts"].append({"index": restart_at, "reason": cells[-1]["reason"]})
            start = restart_at + 1
    except Exception as err:  # the kernel did not start, or the connection broke
        report["error"] = f"{type(err).__name__}: {err}"
    report["ok"] = report["failure"] is None and report["error"] is None
    if args.result_fd is not None:
        # One JSON document on a pipe: nothing is written where the kernel could see or change it.
        with os.fdopen(args.result_fd, "w", encoding="utf-8") as f:
            json.dump({"report": report, "notebook": nb}, f)
    else:
        nbformat.write(nb, args.out)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebook", help="the notebook, or - to read it from stdin")
    parser.add_argument("--out", help="where to write the executed notebook")
    parser.add_argument("--report", help="where to write the JSON report")
    parser.add_argument("--result-fd", type=int,
                        help="instead of --out and --report, write {report, notebook} as JSON to this open file descriptor")
    parser.add_argument("--cwd", help="the kernel's working folder (default: the notebook's folder)")
    parser.add_argument("--timeout", type=int, default=120, help="seconds each cell may take")
    parser.add_argument("--kernel", default="tslab", help="kernelspec name")
    parser.add_argument("--keep-going", action="store_true", help="run the cells after a failed one too")
    parser.add_argument("--recover", action="store_true",
                        help="after a cell times out or kills the kernel, go on in a new kernel (implies --keep-going)")
    parser.add_argument("--max-restarts", type=int, default=5, help="with --recover, kernel restarts allowed per run")
    args = parser.parse_args()
    if args.result_fd is None and (args.out is None or args.report is None):
        parser.error("give --out and --report, or --result-fd")
    if args.notebook == "-" and args.cwd is None:
        parser.error("a notebook read from stdin needs --cwd")
    args.cwd = args.cwd or os.path.dirname(os.path.abspath(args.notebook))
    args.keep_going = args.keep_going or args.recover
    report = asyncio.run(run(args))
    if args.result_fd is None:
        with open(args.report, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
