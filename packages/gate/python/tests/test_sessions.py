"""The SDK against the real API started by the test run: no mocked HTTP on the happy paths."""

from __future__ import annotations

import unittest
import uuid

from zerobit.gate import (
    USER_AGENT,
    ConflictError,
    GateClient,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    __version__,
)
from zerobit.gate.client import _DEFAULT_BASE_URL

from .support import BASE_URL, SPEC_CREATE_BODY, new_partner, require_server

SMALL = {"amount": "10", "currency": "EUR", "return_url": "https://partner.example/x"}  # ≥ the EUR minimum


class SessionsTest(unittest.TestCase):
    def setUp(self) -> None:
        require_server(self)
        self.keys = new_partner()["keys"]["test"]
        self.gate = GateClient(self.keys["secret_key"], base_url=BASE_URL + "///")

    def test_create_retrieve_list_cancel_and_a_typed_409(self) -> None:
        created = self.gate.sessions.create(SPEC_CREATE_BODY)
        self.assertTrue(created["client_secret"].startswith("gsec_"))
        self.assertEqual(created["amount"], "100.00")
        self.assertEqual(created["metadata"], {"order_id": "ord_9f3c"})
        self.assertEqual(self.gate.sessions.retrieve(created["id"])["status"], "open")
        for _ in range(4):
            self.gate.sessions.create(SMALL)
        page = self.gate.sessions.list(limit=2)
        self.assertEqual(len(page), 2)
        self.assertTrue(page.has_more)
        every = [s["id"] for s in page.auto_paging_iter()]
        self.assertEqual(len(every), 5)
        self.assertEqual(len(set(every)), 5)
        self.assertIn(created["id"], every)
        self.assertEqual(self.gate.sessions.cancel(created["id"])["status"], "cancelled")
        with self.assertRaises(ConflictError) as caught:
            self.gate.sessions.cancel(created["id"])
        error = caught.exception
        self.assertEqual(error.status_code, 409)
        self.assertEqual(error.error, "Conflict")
        self.assertIn("already cancelled", error.message)
        self.assertTrue(error.request_id.startswith("req_"))
        self.assertEqual(error.raw["statusCode"], 409)

    def test_other_statuses_map_to_their_classes_with_field_messages(self) -> None:
        with self.assertRaises(InvalidRequestError) as caught:
            GateClient(self.keys["secret_key"], base_url=BASE_URL, max_retries=0).sessions.create(
                {"amount": "1.001", "currency": "eur", "return_url": "x"}
            )
        self.assertIsInstance(caught.exception.messages, list)
        self.assertGreater(len(caught.exception.messages), 1)
        with self.assertRaises(NotFoundError):
            self.gate.sessions.retrieve("ffffffffffffffffffffffff")
        with self.assertRaises(PermissionDeniedError):
            GateClient(self.keys["publishable_key"], base_url=BASE_URL).sessions.retrieve("ffffffffffffffffffffffff")

    def test_the_same_idempotency_key_returns_the_same_session(self) -> None:
        key = str(uuid.uuid4())  # the API wants a UUID; store it with your order
        first = self.gate.sessions.create(SMALL, idempotency_key=key)
        again = self.gate.sessions.create(SMALL, idempotency_key=key)
        self.assertEqual(first["id"], again["id"])

    def test_embed_bootstrap_with_an_allowed_origin_and_the_sandbox_helpers(self) -> None:
        session = self.gate.sessions.create(SPEC_CREATE_BODY)
        boot = self.gate.embed.bootstrap(
            publishable_key=self.keys["publishable_key"],
            origin="https://partner.example",
            client_secret=session["client_secret"],
        )
        self.assertEqual(boot["session_id"], session["id"])
        self.assertEqual(boot["mode"], "test")
        self.assertTrue(boot["available"])
        with self.assertRaises(PermissionDeniedError) as refused:
            self.gate.embed.bootstrap(publishable_key=self.keys["publishable_key"], origin="https://evil.example")
        self.assertIn("https://evil.example", refused.exception.message)
        self.assertEqual(self.gate.test_helpers.sessions.fail(session["id"])["status"], "failed")
        self.assertEqual(self.gate.test_helpers.sessions.complete(session["id"])["status"], "completed")

    def test_a_sandbox_helper_retried_with_its_idempotency_key_answers_the_first_result(self) -> None:
        session = self.gate.sessions.create(SMALL)
        key = str(uuid.uuid4())
        first = self.gate.test_helpers.sessions.complete(session["id"], idempotency_key=key)
        self.assertEqual(first["status"], "completed")
        # Without the stored answer this would be a 409 "already completed".
        self.assertEqual(self.gate.test_helpers.sessions.complete(session["id"], idempotency_key=key), first)
        with self.assertRaises(ConflictError):
            self.gate.test_helpers.sessions.complete(session["id"])


class BasicsTest(unittest.TestCase):
    def test_defaults_and_version(self) -> None:
        self.assertEqual(_DEFAULT_BASE_URL, "https://gate-api.0bit.app")
        gate = GateClient("sk_test_abcdefghijkl")
        self.assertEqual(gate.base_url, _DEFAULT_BASE_URL)
        self.assertEqual(gate.timeout_seconds, 30.0)
        self.assertEqual(gate.max_retries, 2)
        self.assertEqual(USER_AGENT, f"gate-python/{__version__}")
        self.assertNotIn("abcdefghijkl", repr(gate))
        with self.assertRaises(TypeError):
            GateClient("")
