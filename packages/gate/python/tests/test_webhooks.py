"""construct_event: a delivery from the real worker verifies; every way a signature can be wrong is refused
with a reason. Signatures for the unit cases are made here with hmac directly (the worker makes the real one)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import unittest

from zerobit.gate import GateClient, SignatureVerificationError, construct_event

from .support import BASE_URL, SPEC_CREATE_BODY, Receiver, call, new_partner, require_server

SECRET = "whsec_" + "a" * 32
BODY = b'{"id":"6b1c2c7e-0000-4000-8000-000000000000","type":"gate_session.created","created_at":1,"data":{"x":1}}'


def sign(body: bytes, secret: str = SECRET, timestamp: int = 0) -> str:
    timestamp = timestamp or int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class ConstructEventTest(unittest.TestCase):
    def test_accepts_a_good_signature_as_bytes_or_str(self) -> None:
        self.assertEqual(construct_event(BODY, sign(BODY), SECRET)["type"], "gate_session.created")
        self.assertEqual(construct_event(BODY.decode(), sign(BODY), SECRET)["data"], {"x": 1})

    def test_accepts_any_of_several_v1_entries_during_rotation(self) -> None:
        old = sign(BODY, "whsec_" + "o" * 32)
        new = sign(BODY)
        header = f"{new},v1={old.split('v1=')[1]}"
        self.assertEqual(construct_event(BODY, header, "whsec_" + "o" * 32)["id"], json.loads(BODY)["id"])
        self.assertEqual(construct_event(BODY, header, SECRET)["id"], json.loads(BODY)["id"])

    def test_refuses_each_bad_input_with_its_reason(self) -> None:
        cases = [
            (json.loads(BODY), sign(BODY), SECRET, "raw request body"),
            (BODY, None, SECRET, "Missing Gate-Signature"),
            (BODY, sign(BODY), "not-a-secret", "whsec_"),
            (BODY, "garbage", SECRET, "t=<unix>,v1=<hex>"),
            (BODY, sign(BODY, timestamp=int(time.time()) - 301), SECRET, "tolerance"),
            (BODY, sign(BODY, timestamp=int(time.time()) + 301), SECRET, "tolerance"),
            (BODY, sign(BODY, "whsec_" + "b" * 32), SECRET, "No signature matches"),
            (BODY.replace(b'"x":1', b'"x": 1'), sign(BODY), SECRET, "No signature matches"),
        ]
        for body, header, secret, reason in cases:
            with self.subTest(reason=reason):
                with self.assertRaises(SignatureVerificationError) as caught:
                    construct_event(body, header, secret)  # type: ignore[arg-type]
                self.assertIn(reason, caught.exception.message)

    def test_the_tolerance_is_configurable(self) -> None:
        stale = sign(BODY, timestamp=int(time.time()) - 400)
        self.assertEqual(construct_event(BODY, stale, SECRET, tolerance_seconds=600)["type"], "gate_session.created")

    def test_an_unknown_event_type_is_returned_not_raised(self) -> None:
        body = b'{"id":"e","type":"gate_session.refunded_in_2030","created_at":1,"data":{}}'
        self.assertEqual(construct_event(body, sign(body), SECRET)["type"], "gate_session.refunded_in_2030")


class RealDeliveryTest(unittest.TestCase):
    def setUp(self) -> None:
        require_server(self)
        self.receiver = Receiver()
        self.addCleanup(self.receiver.close)

    def test_a_webhook_from_the_real_worker_verifies(self) -> None:
        secret_key = new_partner()["keys"]["test"]["secret_key"]
        status, endpoint = call("PUT", "/portal/webhook-endpoint", token=secret_key, body={"url": self.receiver.url})
        self.assertEqual(status, 200, endpoint)
        gate = GateClient(secret_key, base_url=BASE_URL)
        session = gate.sessions.create(SPEC_CREATE_BODY)
        gate.test_helpers.sessions.complete(session["id"])
        body, headers = self.receiver.wait_for("gate_session.completed")
        event = gate.webhooks.construct_event(body, headers["gate-signature"], endpoint["secret"])
        self.assertEqual(event["type"], "gate_session.completed")
        self.assertEqual(event["data"]["id"], session["id"])
        self.assertTrue(event["data"]["tx_refid"].startswith("0x"))
        with self.assertRaises(SignatureVerificationError):
            construct_event(body, headers["gate-signature"], "whsec_" + "x" * 32)


class VerifyRedirectTest(unittest.TestCase):
    """verify_redirect: the signed gate_* parameters 0Gate appends to return_url / cancel_url."""

    def url(self, status: str = "completed", timestamp: int = 0, secret: str = SECRET) -> str:
        stamp = timestamp or int(time.time())
        message = f"{stamp}.67a1f3b9e4b0c10001234567.{status}".encode()
        signature = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
        return (
            "https://partner.example/done?order=7&gate_session_id=67a1f3b9e4b0c10001234567"
            f"&gate_status={status}&gate_timestamp={stamp}&gate_signature={signature}"
        )

    def test_a_signed_url_verifies(self) -> None:
        from zerobit.gate import verify_redirect

        result = verify_redirect(self.url(), SECRET)
        self.assertEqual(result["session_id"], "67a1f3b9e4b0c10001234567")
        self.assertEqual(result["status"], "completed")

    def test_changed_old_or_unsigned_urls_are_refused(self) -> None:
        from zerobit.gate import verify_redirect

        for url, secret in [
            (self.url().replace("gate_status=completed", "gate_status=cancelled"), SECRET),
            (self.url(timestamp=int(time.time()) - 3600), SECRET),
            (self.url(), "whsec_" + "b" * 32),
            ("https://partner.example/done?gate_session_id=x&gate_status=completed", SECRET),
        ]:
            with self.subTest(url=url), self.assertRaises(SignatureVerificationError):
                verify_redirect(url, secret)
