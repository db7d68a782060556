"""Every error the SDK raises: branch on the subclass, log ``request_id`` for support."""

from __future__ import annotations

from typing import Any, List, Optional, Union


class GateError(Exception):
    """Base of every SDK error. ``messages`` is the API's message: a string, or one entry per field."""

    def __init__(
        self,
        message: Union[str, List[str]],
        *,
        status_code: Optional[int] = None,
        error: str = "",
        request_id: Optional[str] = None,
        raw: Any = None,
    ) -> None:
        self.messages = message
        self.message = "; ".join(message) if isinstance(message, list) else str(message)
        self.status_code = status_code
        self.error = error
        self.request_id = request_id
        self.raw = raw
        super().__init__(self.message)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code!r}, error={self.error!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class AuthenticationError(GateError):
    """401: missing, malformed or unknown key."""


class PermissionDeniedError(GateError):
    """403: wrong key kind, revoked key, mode not served, origin not allowed, quota exhausted…"""


class NotFoundError(GateError):
    """404: missing, or not visible to this key's partner and mode."""


class ConflictError(GateError):
    """409: e.g. cancelling a session that is already terminal."""


class InvalidRequestError(GateError):
    """400 / 422: the request is malformed or a field is not acceptable."""


class RateLimitError(GateError):
    """429: slow down; retried automatically while retries remain."""


class APIError(GateError):
    """5xx: the API's side; retried automatically while retries remain."""


class APIConnectionError(GateError):
    """The request never got an answer (DNS, refused, reset)."""


class APITimeoutError(APIConnectionError):
    """No answer within ``timeout_seconds``."""


class SignatureVerificationError(GateError):
    """A webhook's Gate-Signature did not verify; the message says why."""


def error_for_status(status_code: int, **details: Any) -> GateError:
    """The error class for an HTTP status, carrying the API's envelope."""
    if status_code == 401:
        kind: type = AuthenticationError
    elif status_code == 403:
        kind = PermissionDeniedError
    elif status_code == 404:
        kind = NotFoundError
    elif status_code == 409:
        kind = ConflictError
    elif status_code in (400, 422):
        kind = InvalidRequestError
    elif status_code == 429:
        kind = RateLimitError
    elif status_code >= 500:
        kind = APIError
    else:
        kind = GateError
    return kind(status_code=status_code, **details)
