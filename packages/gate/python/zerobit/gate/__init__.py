"""0Gate server SDK: hosted sessions, embed bootstrap and webhook verification. Standard library only."""

from ._version import __version__
from .client import USER_AGENT, GateClient
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    GateError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SignatureVerificationError,
)
from .resources import SessionPage
from .webhooks import construct_event, verify_redirect

__all__ = [
    "__version__",
    "USER_AGENT",
    "GateClient",
    "GateError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "InvalidRequestError",
    "RateLimitError",
    "APIError",
    "APIConnectionError",
    "APITimeoutError",
    "SignatureVerificationError",
    "SessionPage",
    "construct_event",
    "verify_redirect",
]
