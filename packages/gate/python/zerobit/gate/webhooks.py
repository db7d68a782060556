"""Webhook verification: the Gate-Signature header is ``t=<unix>,v1=<hex>[,v1=<hex>…]`` where each v1 is
HMAC-SHA256(secret, f"{t}.{raw body}"). Several v1 entries appear while a secret rotates."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Dict, Optional, Union, cast
from urllib.parse import parse_qs, urlsplit

from .errors import SignatureVerificationError
from .types import GateEvent


def _fail(message: str) -> SignatureVerificationError:
    return SignatureVerificationError(message, error="SignatureVerification")


def construct_event(
    raw_body: Union[bytes, bytearray, str],
    signature_header: Optional[str],
    secret: str,
    tolerance_seconds: int = 300,
) -> GateEvent:
    """Verifies a delivery and returns its event.

    Pass the raw request body exactly as received (bytes, or str), the Gate-Signature header and your whsec_
    secret. Any one of several v1= signatures may match; the timestamp must be within ``tolerance_seconds``.
    Raises SignatureVerificationError saying why it did not verify.
    """
    if isinstance(raw_body, str):
        body = raw_body.encode("utf-8")
    elif isinstance(raw_body, (bytes, bytearray)):
        body = bytes(raw_body)
    else:
        raise _fail(
            "Pass the raw request body (bytes or str), not parsed JSON: re-serialised JSON never matches the signature"
        )
    if not signature_header:
        raise _fail("Missing Gate-Signature header")
    if not isinstance(secret, str) or not secret.startswith("whsec_"):
        raise _fail("The secret must be your whsec_… webhook signing secret")
    timestamp: Optional[int] = None
    signatures = []
    for part in signature_header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        raise _fail("Gate-Signature must look like t=<unix>,v1=<hex>")
    age = int(time.time()) - timestamp
    if abs(age) > tolerance_seconds:
        raise _fail(
            f"Timestamp is {age} s from now, outside the {tolerance_seconds} s tolerance (replayed, or a clock is off)"
        )
    expected = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, candidate.lower()) for candidate in signatures):
        raise _fail("No signature matches this secret and body (wrong secret, wrong mode, or the body was changed)")
    return cast(GateEvent, json.loads(body.decode("utf-8")))


def verify_redirect(url: str, secret: str, tolerance_seconds: int = 600) -> Dict[str, object]:
    """Verifies the session id and status 0Gate appended to your return_url or cancel_url.

    Pass the full URL the customer arrived at (or its query string) and your whsec_ secret of the session's
    mode. ``gate_signature`` must be hex HMAC-SHA256(secret, "<gate_timestamp>.<gate_session_id>.<gate_status>")
    and the timestamp within ``tolerance_seconds``. Returns ``{"session_id", "status", "timestamp"}``; raises
    SignatureVerificationError otherwise. Fulfil orders on the webhook, not on this.
    """
    if not isinstance(secret, str) or not secret.startswith("whsec_"):
        raise _fail("The secret must be your whsec_… webhook signing secret")
    query = urlsplit(url).query if "?" in url or "://" in url else url
    params = {key: values[0] for key, values in parse_qs(query, keep_blank_values=True).items()}
    session_id = params.get("gate_session_id")
    status = params.get("gate_status")
    stamp = params.get("gate_timestamp", "")
    signature = params.get("gate_signature", "")
    if not session_id or not status or not stamp.isdigit() or not signature:
        raise _fail("The URL carries no signed gate_session_id, gate_status, gate_timestamp and gate_signature")
    timestamp = int(stamp)
    age = int(time.time()) - timestamp
    if abs(age) > tolerance_seconds:
        raise _fail(f"Timestamp is {age} s from now, outside the {tolerance_seconds} s tolerance")
    expected = hmac.new(
        secret.encode("utf-8"), f"{timestamp}.{session_id}.{status}".encode("utf-8"), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, signature.lower()):
        raise _fail("The signature does not match (wrong secret, wrong mode, or the URL was changed)")
    return {"session_id": session_id, "status": status, "timestamp": timestamp}


class Webhooks:
    """``gate.webhooks.construct_event(...)``; the same as the module-level function."""

    @staticmethod
    def construct_event(
        raw_body: Union[bytes, bytearray, str],
        signature_header: Optional[str],
        secret: str,
        tolerance_seconds: int = 300,
    ) -> GateEvent:
        return construct_event(raw_body, signature_header, secret, tolerance_seconds)

    @staticmethod
    def verify_redirect(url: str, secret: str, tolerance_seconds: int = 600) -> Dict[str, object]:
        return verify_redirect(url, secret, tolerance_seconds)
