"""What the Python SDK's tests share: the real API the test run started, fresh partners from its admin API,
a scripted fault proxy in front of it, and a webhook receiver. Standard library only."""

from __future__ import annotations

import json
import os
import queue
import socket
import threading
import time
import unittest
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple

BASE_URL = os.environ.get("GATE_TEST_BASE_URL", "")
ADMIN_TOKEN = os.environ.get("GATE_TEST_ADMIN_TOKEN", "")
SPEC_CREATE_BODY = {
    "amount": "100.00",
    "currency": "EUR",
    "target_token": "USDT",
    "target_network": "ethereum",
    "return_url": "https://partner.example/checkout/return",
    "cancel_url": "https://partner.example/checkout/cancel",
    "wallet_address": "0x1111111111111111111111111111111111111111",
    "user_reference": "user_123",
    "metadata": {"order_id": "ord_9f3c"},
}


def require_server(case: unittest.TestCase) -> None:
    if not BASE_URL or not ADMIN_TOKEN:
        case.skipTest("run through `npm test` (packages/gate/test/python-sdk.test.ts starts the API)")


def call(method: str, path: str, *, token: str, body: Optional[dict] = None) -> Tuple[int, Any]:
    """A raw call, independent of the SDK under test."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE_URL + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if method != "GET":  # every 0Gate write takes an Idempotency-Key, as the SDK sends one
        request.add_header("Idempotency-Key", str(uuid.uuid4()))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def new_partner(**fields: Any) -> Dict[str, Any]:
    """A partner of its own per test (allowed domain https://partner.example), with its four raw keys."""
    body = {"name": "python-sdk-test", "allowed_domains": ["https://partner.example"], **fields}
    status, created = call("POST", "/admin/partners", token=ADMIN_TOKEN, body=body)
    assert status == 201, created
    return created


def session_count(secret_key: str) -> int:
    """How many sessions the key's partner has, counted over every page without the SDK."""
    count, cursor = 0, ""
    while True:
        status, page = call("GET", f"/v1/gate_sessions?limit=100{cursor}", token=secret_key)
        assert status == 200, page
        count += len(page["data"])
        if not page["has_more"]:
            return count
        cursor = f"&starting_after={page['data'][-1]['id']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class FaultProxy:
    """A proxy in front of the real API whose n-th attempt does what the script says:
    forward | forward-then-500 | 500 | 429 | hang."""

    def __init__(self, script: List[str]) -> None:
        self.script = script
        self.seen: List[Dict[str, Any]] = []
        self._release = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                proxy.seen.append(
                    {
                        "key": self.headers.get("Idempotency-Key"),
                        "agent": self.headers.get("User-Agent"),
                        "at": time.monotonic(),
                    }
                )
                step = proxy.script[len(proxy.seen) - 1] if len(proxy.seen) <= len(proxy.script) else "forward"
                if step == "hang":
                    proxy._release.wait(30)
                    return
                if step == "500":
                    return self._reply(500, {"statusCode": 500, "message": "boom", "error": "Internal Server Error"})
                if step == "429":
                    return self._reply(
                        429,
                        {"statusCode": 429, "message": "slow down", "error": "Too Many Requests"},
                        {"Retry-After": "1"},
                    )
                request = urllib.request.Request(BASE_URL + self.path, data=body, method=self.command)
                for name in ("Authorization", "Content-Type", "Idempotency-Key", "User-Agent", "Origin", "Accept"):
                    if self.headers.get(name):
                        request.add_header(name, self.headers[name])
                try:
                    with urllib.request.urlopen(request, timeout=10) as upstream:
                        status, payload = upstream.status, upstream.read()
                except urllib.error.HTTPError as error:
                    status, payload = error.code, error.read()
                if step == "forward-then-500":
                    return self._reply(500, {"statusCode": 500, "message": "lost", "error": "Internal Server Error"})
                self._reply(status, payload)

            def _reply(self, status: int, payload: Any, headers: Optional[Dict[str, str]] = None) -> None:
                raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = _handle

        self._server = _Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "FaultProxy":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Receiver:
    """A webhook endpoint that records each delivery's raw body and headers and answers 200."""

    def __init__(self) -> None:
        self.deliveries: "queue.Queue[Tuple[bytes, Dict[str, str]]]" = queue.Queue()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.deliveries.put((body, {k.lower(): v for k, v in self.headers.items()}))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = _Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def wait_for(self, event_type: str, timeout: float = 15.0) -> Tuple[bytes, Dict[str, str]]:
        deadline = time.monotonic() + timeout
        while True:
            body, headers = self.deliveries.get(timeout=max(0.01, deadline - time.monotonic()))
            if json.loads(body)["type"] == event_type:
                return body, headers

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
