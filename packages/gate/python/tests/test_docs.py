"""Every code block in docs/sdk-python.md runs as written against the real API."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from zerobit.gate import GateClient

from .support import BASE_URL, call, free_port, new_partner, require_server

PYTHON_ROOT = Path(__file__).resolve().parent.parent
DOC = PYTHON_ROOT.parent.parent.parent / "docs" / "sdk-python.md"


def example(name: str) -> str:
    match = re.search(rf"<!-- sdk-example:{name} -->\s*```python\n(.*?)```", DOC.read_text(), re.S)
    assert match, f"no sdk-example:{name} block in {DOC}"
    return match.group(1)


class DocsTest(unittest.TestCase):
    def setUp(self) -> None:
        require_server(self)
        self.secret_key = new_partner()["keys"]["test"]["secret_key"]
        self.env = {**os.environ, "GATE_KEY": self.secret_key, "GATE_BASE_URL": BASE_URL, "PYTHONPATH": str(PYTHON_ROOT)}

    def script(self, name: str) -> str:
        handle = tempfile.NamedTemporaryFile("w", suffix=f"-{name}.py", delete=False)
        handle.write(example(name))
        handle.close()
        self.addCleanup(os.unlink, handle.name)
        return handle.name

    def run_example(self, name: str) -> str:
        done = subprocess.run(
            [sys.executable, self.script(name)], env=self.env, capture_output=True, text=True, timeout=60
        )
        self.assertEqual(done.stderr, "")
        self.assertEqual(done.returncode, 0)
        return done.stdout

    def test_quickstart(self) -> None:
        output = self.run_example("quickstart")
        self.assertRegex(output, r"^[0-9a-f]{24} open\n")
        self.assertRegex(output, r"already terminal: Session [0-9a-f]{24} is already cancelled.* req_[0-9a-f]+\n$")

    def test_errors(self) -> None:
        output = self.run_example("errors")
        self.assertGreaterEqual(output.count("fix: "), 2)  # amount and currency at least
        self.assertRegex(output, r"404 Not Found req_[0-9a-f]+")

    def test_webhook_handler_verifies_a_real_delivery(self) -> None:
        port = free_port()
        status, endpoint = call(
            "PUT", "/portal/webhook-endpoint", token=self.secret_key, body={"url": f"http://127.0.0.1:{port}/"}
        )
        self.assertEqual(status, 200, endpoint)
        handler = subprocess.Popen(
            [sys.executable, self.script("webhook")],
            env={**self.env, "GATE_WEBHOOK_SECRET": endpoint["secret"], "PORT": str(port)},
            stdout=subprocess.PIPE,
            text=True,
        )
        self.addCleanup(handler.wait)
        self.addCleanup(handler.kill)
        self.assertEqual(handler.stdout.readline().strip(), "listening")
        gate = GateClient(self.secret_key, base_url=BASE_URL)
        session = gate.sessions.create({"amount": "5", "currency": "EUR", "return_url": "https://partner.example/x"})
        gate.test_helpers.sessions.complete(session["id"])
        while True:  # gate_session.created arrives first and prints nothing
            line = handler.stdout.readline()
            self.assertTrue(line, "the handler exited before the completed event")
            if line.startswith("paid"):
                break
        self.assertRegex(line.strip(), rf"^paid {session['id']} 0x[0-9a-f]{{64}}$")
