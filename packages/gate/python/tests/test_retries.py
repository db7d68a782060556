"""Retries against a scripted fault proxy in front of the real API: attempts, backoff, the unchanged
Idempotency-Key, and exactly one session created."""

from __future__ import annotations

import time
import unittest

from zerobit.gate import USER_AGENT, APIConnectionError, APITimeoutError, GateClient, RateLimitError

from .support import SPEC_CREATE_BODY, FaultProxy, free_port, new_partner, require_server, session_count


class RetriesTest(unittest.TestCase):
    def setUp(self) -> None:
        require_server(self)
        self.secret_key = new_partner()["keys"]["test"]["secret_key"]

    def test_a_500_after_the_server_committed_is_retried_with_the_same_key_and_creates_one_session(self) -> None:
        with FaultProxy(["forward-then-500", "forward"]) as proxy:
            session = GateClient(self.secret_key, base_url=proxy.url).sessions.create(SPEC_CREATE_BODY)
        self.assertEqual(len(proxy.seen), 2)
        self.assertTrue(proxy.seen[0]["key"])
        self.assertEqual(proxy.seen[1]["key"], proxy.seen[0]["key"])
        self.assertEqual(proxy.seen[0]["agent"], USER_AGENT)
        self.assertGreaterEqual(proxy.seen[1]["at"] - proxy.seen[0]["at"], 0.24)  # first backoff: 0.25–0.5 s
        self.assertEqual(session_count(self.secret_key), 1)
        self.assertTrue(session["client_secret"].startswith("gsec_"))

    def test_retry_after_on_a_429_is_honoured(self) -> None:
        with FaultProxy(["429", "forward"]) as proxy:
            GateClient(self.secret_key, base_url=proxy.url).sessions.list()
        self.assertEqual(len(proxy.seen), 2)
        self.assertGreaterEqual(proxy.seen[1]["at"] - proxy.seen[0]["at"], 0.95)

    def test_gives_up_after_max_retries_with_the_last_error_typed(self) -> None:
        with FaultProxy(["429", "429"]) as proxy:
            with self.assertRaises(RateLimitError):
                GateClient(self.secret_key, base_url=proxy.url, max_retries=1).sessions.list()
        self.assertEqual(len(proxy.seen), 2)

    def test_a_hang_past_the_timeout_is_retried_with_one_key_then_raises_a_timeout(self) -> None:
        with FaultProxy(["hang", "hang", "hang"]) as proxy:
            started = time.monotonic()
            with self.assertRaises(APITimeoutError):
                GateClient(self.secret_key, base_url=proxy.url, timeout_seconds=0.3).sessions.create(SPEC_CREATE_BODY)
            elapsed = time.monotonic() - started
        self.assertEqual(len(proxy.seen), 3)
        self.assertEqual(len({seen["key"] for seen in proxy.seen}), 1)
        self.assertGreaterEqual(elapsed, 0.9 + 0.25 + 0.5)  # three timeouts plus two minimal backoffs
        self.assertEqual(session_count(self.secret_key), 0)

    def test_a_refused_connection_raises_a_connection_error_and_zero_retries_tries_once(self) -> None:
        port = free_port()
        started = time.monotonic()
        with self.assertRaises(APIConnectionError) as caught:
            GateClient(self.secret_key, base_url=f"http://127.0.0.1:{port}", max_retries=1).sessions.list()
        self.assertNotIsInstance(caught.exception, APITimeoutError)
        self.assertIn(f"127.0.0.1:{port}", caught.exception.message)
        self.assertGreaterEqual(time.monotonic() - started, 0.24)  # it waited once before the retry
        with FaultProxy(["500", "forward"]) as proxy:
            with self.assertRaises(Exception):
                GateClient(self.secret_key, base_url=proxy.url, max_retries=0).sessions.list()
        self.assertEqual(len(proxy.seen), 1)
