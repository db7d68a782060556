"""GateClient: one object per secret key, holding the resources and the retrying HTTP transport."""

from __future__ import annotations

import email.utils
import http.client
import json
import random
import socket
import time
import urllib.error
import urllib.request
import uuid
from typing import Any, Dict, Optional

from ._version import __version__
from .errors import APIConnectionError, APITimeoutError, GateError, error_for_status
from .resources import Embed, Sessions, TestHelpers
from .webhooks import Webhooks

_DEFAULT_BASE_URL = "https://gate-api.0bit.app"
"""The production API origin; pass ``base_url="https://gate-api-sandbox.0bit.app"`` with sk_test_ keys."""

USER_AGENT = f"gate-python/{__version__}"

_RETRYABLE = frozenset({408, 425, 429, 500, 502, 503, 504})
_MAX_RETRY_AFTER_SECONDS = 30.0
_WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


class GateClient:
    """The 0Gate API with a secret key.

    ``base_url`` is the API origin (the SDK appends ``/v1/…``; trailing slashes are stripped).
    ``timeout_seconds`` applies per attempt; ``max_retries`` counts retries after the first attempt (0
    disables them). The SDK never reads environment variables: pass everything in.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = _DEFAULT_BASE_URL,
        timeout_seconds: float = 30.0,
        max_retries: int = 2,
    ) -> None:
        if not api_key or not isinstance(api_key, str):
            raise TypeError("GateClient needs api_key: your sk_test_… or sk_live_… key")
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self._api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.timeout_seconds = timeout_seconds
        self.max_retries = max_retries
        self.sessions = Sessions(self)
        self.embed = Embed(self)
        self.test_helpers = TestHelpers(self)
        self.webhooks = Webhooks()

    def __repr__(self) -> str:
        # Never the key itself: reprs end up in logs.
        return f"GateClient(base_url={self.base_url!r}, api_key={self._api_key[:8]}…)"

    def request(
        self,
        method: str,
        path: str,
        body: Optional[Dict[str, Any]] = None,
        *,
        idempotency_key: Optional[str] = None,
        headers: Optional[Dict[str, str]] = None,
    ) -> Any:
        """One API call, retried on 408/425/429/5xx and connection errors with exponential backoff and jitter,
        honouring Retry-After (bounded), with the same Idempotency-Key on every attempt."""
        all_headers = {
            "Authorization": f"Bearer {self._api_key}",
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
        }
        payload = None
        if body is not None:
            payload = json.dumps(body, separators=(",", ":")).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        if method in _WRITE_METHODS:
            all_headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        all_headers.update(headers or {})

        attempt = 0
        while True:
            retry_after: Optional[float] = None
            try:
                return self._send(method, path, payload, all_headers)
            except _Retryable as retryable:
                failure, retry_after = retryable.error, retryable.retry_after
            if attempt >= self.max_retries:
                raise failure
            time.sleep(retry_after if retry_after is not None else backoff_seconds(attempt))
            attempt += 1

    def _send(self, method: str, path: str, payload: Optional[bytes], headers: Dict[str, str]) -> Any:
        request = urllib.request.Request(self.base_url + path, data=payload, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:
                return _parse(response.read())
        except urllib.error.HTTPError as response:
            with response:
                parsed = _parse(response.read())
            envelope = parsed if isinstance(parsed, dict) else {}
            error = error_for_status(
                response.code,
                message=envelope.get("message") or response.reason,
                error=envelope.get("error") or response.reason,
                request_id=response.headers.get("Request-Id"),
                raw=parsed,
            )
            if response.code not in _RETRYABLE:
                raise error from None
            raise _Retryable(error, _parse_retry_after(response.headers.get("Retry-After"))) from None
        except (socket.timeout, TimeoutError) as exc:
            raise _Retryable(self._timeout()) from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (socket.timeout, TimeoutError)):
                raise _Retryable(self._timeout()) from exc
            raise _Retryable(self._unreachable(exc.reason)) from exc
        except (ConnectionError, http.client.HTTPException) as exc:
            raise _Retryable(self._unreachable(exc)) from exc

    def _timeout(self) -> GateError:
        return APITimeoutError(f"No answer within {self.timeout_seconds} s", error="Timeout")

    def _unreachable(self, reason: object) -> GateError:
        return APIConnectionError(f"Could not reach {self.base_url}: {reason}", error="Connection")


class _Retryable(Exception):
    """Internal: an attempt failed in a way worth retrying."""

    def __init__(self, error: GateError, retry_after: Optional[float] = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.retry_after = retry_after


def backoff_seconds(attempt: int) -> float:
    """0.5 s, 1 s, 2 s … (capped at 8 s), each scaled by a random 50–100 % so clients do not retry in step."""
    return min(8.0, 0.5 * 2**attempt) * (0.5 + random.random() / 2)


def _parse_retry_after(value: Optional[str]) -> Optional[float]:
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), _MAX_RETRY_AFTER_SECONDS)


def _parse(raw: bytes) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text
