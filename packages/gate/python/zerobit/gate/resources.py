"""The API's resources, each a thin typed layer over ``GateClient.request``."""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, cast

from .types import CreatedGateSession, CreateSessionParams, EmbedBootstrap, GateIntent, GateSession, SessionList

if TYPE_CHECKING:
    from .client import GateClient


def _id(value: str) -> str:
    return urllib.parse.quote(value, safe="")


class SessionPage:
    """One page of sessions. Iterating it yields this page; ``auto_paging_iter()`` walks every page."""

    def __init__(self, client: "GateClient", page: SessionList, params: Dict[str, Any]) -> None:
        self._client = client
        self._params = params
        self.object = page["object"]
        self.data: List[GateSession] = page["data"]
        self.has_more: bool = page["has_more"]

    def __iter__(self) -> Iterator[GateSession]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def auto_paging_iter(self) -> Iterator[GateSession]:
        page: SessionPage = self
        while True:
            yield from page.data
            if not page.has_more or not page.data:
                return
            page = self._client.sessions.list(**{**self._params, "starting_after": page.data[-1]["id"]})


class Sessions:
    def __init__(self, client: "GateClient") -> None:
        self._client = client

    def create(self, params: CreateSessionParams, *, idempotency_key: Optional[str] = None) -> CreatedGateSession:
        """Creates a hosted session. Store ``idempotency_key`` with your order to make retries safe across
        process restarts; by default one is generated per call and reused on the SDK's own retries."""
        return cast(
            CreatedGateSession,
            self._client.request("POST", "/v1/gate_sessions", dict(params), idempotency_key=idempotency_key),
        )

    def retrieve(self, session_id: str) -> GateSession:
        return cast(GateSession, self._client.request("GET", f"/v1/gate_sessions/{_id(session_id)}"))

    def cancel(self, session_id: str, *, idempotency_key: Optional[str] = None) -> GateSession:
        return cast(
            GateSession,
            self._client.request(
                "POST", f"/v1/gate_sessions/{_id(session_id)}/cancel", {}, idempotency_key=idempotency_key
            ),
        )

    def list(self, *, limit: Optional[int] = None, starting_after: Optional[str] = None) -> SessionPage:
        """Newest first. ``for s in gate.sessions.list().auto_paging_iter()`` walks every page."""
        params = {k: v for k, v in (("limit", limit), ("starting_after", starting_after)) if v is not None}
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        page = cast(SessionList, self._client.request("GET", f"/v1/gate_sessions{query}"))
        return SessionPage(self._client, page, params)


class Embed:
    def __init__(self, client: "GateClient") -> None:
        self._client = client

    def bootstrap(
        self, *, publishable_key: str, origin: str, client_secret: Optional[str] = None
    ) -> EmbedBootstrap:
        """The browser's exchange, from a server or a test: publishable key + optional client secret → embed
        token. ``origin`` must be one of your allowed domains (a browser sends it by itself)."""
        body = {"clientSecret": client_secret} if client_secret else {}
        return cast(
            EmbedBootstrap,
            self._client.request(
                "POST",
                "/v1/embed/bootstrap",
                body,
                headers={"Authorization": f"Bearer {publishable_key}", "Origin": origin},
            ),
        )


class _TestSessionHelpers:
    def __init__(self, client: "GateClient") -> None:
        self._client = client

    def complete(self, session_id: str, *, idempotency_key: Optional[str] = None) -> GateSession:
        """Sandbox: completes an open session; fires gate_session.completed."""
        return cast(
            GateSession,
            self._client.request(
                "POST",
                f"/v1/test_helpers/sessions/{_id(session_id)}/complete",
                {},
                idempotency_key=idempotency_key,
            ),
        )

    def fail(self, session_id: str, *, idempotency_key: Optional[str] = None) -> GateIntent:
        """Sandbox: records a failed intent; the session stays open; no webhook."""
        return cast(
            GateIntent,
            self._client.request(
                "POST",
                f"/v1/test_helpers/sessions/{_id(session_id)}/fail",
                {},
                idempotency_key=idempotency_key,
            ),
        )


class TestHelpers:
    """Sandbox only (sk_test_ keys)."""

    __test__ = False  # not a test case, whatever a test runner's name heuristics think

    def __init__(self, client: "GateClient") -> None:
        self.sessions = _TestSessionHelpers(client)
