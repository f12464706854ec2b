"""Jupyter messaging-protocol conformance of the tslab kernel, with jupyter_kernel_test.

Run with the venv's Python and the environment from scripts/jupyter/env.ts (so "tslab" is the
project's kernelspec); test/notebooks/kernel.test.ts does that:

    python jupyter/test_tslab_kernel.py [--report outcomes.json]

The kernel is Gradient Lab's (kernel/: tslab 1.0.22's engine with the protocol completed), so every
test of the suite is expected to pass; the two that do not apply to TypeScript are skipped.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import unittest
from queue import Empty

import jupyter_kernel_test as jkt

# jupyter_kernel_test waits 15 s for a reply; on a busy 2-core machine tslab's first compile can
# take longer, so give replies a minute (the history test keeps its own 15 s: tslab never answers).
REPLY_TIMEOUT = 60
jkt.TIMEOUT = REPLY_TIMEOUT


class TslabKernelTests(jkt.KernelTests):
    kernel_name = "tslab"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("something on stderr")'
    completion_samples = [{"text": "Math.ab", "matches": {"abs"}}]
    complete_code_samples = ["1 + 1", "const x = 1;", "function f() { return 1; }"]
    incomplete_code_samples = ["function f() {", "const a = [1,"]
    code_generate_error = 'throw new Error("boom")'
    code_execute_result = [{"code": "6 * 7", "result": "42"}]
    code_display_data = [
        {"code": 'import * as tslab from "tslab"; tslab.display.html("<b>hi</b>")', "mime": "text/html"},
        {"code": 'import * as tslab from "tslab"; tslab.display.svg("<svg></svg>")', "mime": "image/svg+xml"},
    ]
    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "6 *"
    code_inspect_sample = "Math.abs"
    # Not tested: the pager (an IPython feature with no TypeScript equivalent), and clear_output
    # (tslab has no API that sends it; newDisplay() overwrites with update_display_data instead,
    # covered by test_update_display_data below).

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        # Startup leaves kernel_info replies in the queue; they fail validation for the reason in
        # test_kernel_info, which would otherwise surface in whichever test happens to run first.
        for channel in (cls.kc.shell_channel, cls.kc.iopub_channel):
            try:
                while True:
                    jkt.ensure_sync(channel.get_msg)(timeout=0.5)
            except Empty:
                pass

    def execute_helper(self, code: str, timeout: int = REPLY_TIMEOUT, **kwargs):
        return super().execute_helper(code, timeout=timeout, **kwargs)

    def setUp(self) -> None:
        # After an error reply tslab drops the requests of the next 200 ms (yunabe/tslab#19);
        # waiting that out keeps each test independent of the one before.
        time.sleep(0.3)

    def test_is_complete_invalid(self) -> None:
        self.flush_channels()
        self.check_is_complete("1 + )", "invalid")

    # newDisplay() sends display_data, then update_display_data with the same display_id: the
    # live training progress in the notebooks redraws in place this way.
    def test_update_display_data(self) -> None:
        self.flush_channels()
        code = 'import * as tslab from "tslab"; const d = tslab.newDisplay(); d.text("first"); d.text("second");'
        reply, outputs = self.execute_helper(code)
        self.assertEqual(reply["content"]["status"], "ok")
        types = [m["msg_type"] for m in outputs]
        self.assertEqual(types, ["display_data", "update_display_data"])
        ids = [m["content"]["transient"]["display_id"] for m in outputs]
        self.assertEqual(ids[0], ids[1])
        self.assertEqual(outputs[1]["content"]["data"]["text/plain"], "second")

    # The kernel keeps working after a cell throws.
    def test_stdout_after_error(self) -> None:
        self.flush_channels()
        self.kc.execute('throw new Error("boom")')
        reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)
        self.assertEqual(reply["content"]["status"], "error")
        time.sleep(0.3)
        self.flush_channels()
        reply, outputs = self.execute_helper('console.log("still alive")')
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertIn("still alive", "".join(m["content"].get("text", "") for m in outputs))


class Outcomes(unittest.TextTestResult):
    """Remembers one outcome per test method: ok, fail, error, skip, expected failure, unexpected success."""

    outcomes: dict[str, str]

    def startTestRun(self) -> None:
        super().startTestRun()
        self.outcomes = {}

    def _set(self, test, outcome: str) -> None:
        name = test.id().split(".")[-1].split(" ")[0]
        # A failing subtest marks its whole test method; an ok never overwrites a failure.
        if outcome == "ok" and name in self.outcomes:
            return
        self.outcomes[name] = outcome

    def addSuccess(self, test):
        super().addSuccess(test)
        self._set(test, "ok")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._set(test, "fail")

    def addError(self, test, err):
        super().addError(test, err)
        self._set(test, "error")

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._set(test, "skip")

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._set(test, "expected failure")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._set(test, "unexpected success")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._set(test, "fail" if issubclass(err[0], test.failureException) else "error")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--report", help="write {test name: outcome} as JSON here")
    args = parser.parse_args()
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(TslabKernelTests)
    result = unittest.TextTestRunner(verbosity=2, resultclass=Outcomes).run(suite)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            json.dump(result.outcomes, f, indent=1, sort_keys=True)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
