"""Shapes of the 0Gate API as TypedDicts. tests/test_types.py checks every key against the server's
``GET /v1/openapi.json``, so these and the API cannot drift apart silently."""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, TypedDict

Mode = Literal["test", "live"]
Flow = Literal["on_ramp", "off_ramp", "swap"]
SessionStatus = Literal["open", "completed", "expired", "cancelled"]


class TransactionFee(TypedDict):
    type: Literal["processing", "network"]
    amount: str
    currency: str


class TransactionDetails(TypedDict):
    """What the session's payment is or was in fact (the widget intent that paid it, else the open one,
    else the last attempt): amounts, currencies, networks, fees, where it went, and why it failed."""

    intent_id: str
    status: Literal["requires_payment", "requires_action", "processing", "succeeded", "failed"]
    flow: Flow
    source_currency: str
    source_network: Optional[str]
    source_amount: Optional[str]
    destination_currency: str
    destination_network: Optional[str]
    destination_amount: str
    exchange_rate: Optional[str]
    fees: List[TransactionFee]
    wallet_address: Optional[str]
    iban: Optional[str]
    payment_method: Literal["card", "crypto_deposit"]
    deposit_address: Optional[str]
    deposit_transaction_id: Optional[str]
    transaction_id: Optional[str]
    explorer_url: Optional[str]
    last_error: Optional[str]


class GateSession(TypedDict):
    id: str
    object: Literal["gate_session"]
    partner_id: str
    mode: Mode
    flow: Optional[Flow]
    amount: str
    currency: str
    target_token: Optional[str]
    target_network: Optional[str]
    return_url: str
    cancel_url: Optional[str]
    status: SessionStatus
    expires_at: str
    created_at: Optional[str]
    wallet_address: Optional[str]
    user_reference: Optional[str]
    kyc_pre_verified: bool
    metadata: Dict[str, str]
    lock_wallet_address: bool
    destination_tokens: Optional[List[str]]
    destination_networks: Optional[List[str]]
    transaction_details: Optional[TransactionDetails]
    """Null until the widget has created a payment intent for the session."""


class CreatedGateSession(GateSession):
    client_secret: str
    """Send this to the browser; it is returned only once."""


class _RequiredSessionParams(TypedDict):
    amount: str
    currency: str
    return_url: str


class CreateSessionParams(_RequiredSessionParams, total=False):
    cancel_url: Optional[str]
    target_token: Optional[str]
    target_network: Optional[str]
    flow: Optional[Flow]
    wallet_address: Optional[str]
    user_reference: Optional[str]
    lock_wallet_address: bool
    destination_tokens: Optional[List[str]]
    destination_networks: Optional[List[str]]
    metadata: Dict[str, str]
    expires_at: str
    kyc_package: Dict[str, Any]


class Branding(TypedDict):
    logo_url: Optional[str]
    primary_color: Optional[str]
    secondary_color: Optional[str]
    accent_color: Optional[str]
    brand_name: Optional[str]


class EmbedBootstrap(TypedDict):
    token: str
    expires_at: str
    partner_id: str
    mode: Mode
    session_id: Optional[str]
    amount: Optional[str]
    currency: Optional[str]
    target_token: Optional[str]
    target_network: Optional[str]
    return_url: Optional[str]
    cancel_url: Optional[str]
    flow: Optional[Flow]
    wallet_address: Optional[str]
    lock_wallet_address: bool
    kyc_pre_verified: bool
    branding: Branding
    available: bool
    unavailable_reason: Optional[str]


class GateIntent(TypedDict):
    """Sandbox test helpers only (outside the OpenAPI document)."""

    id: str
    object: Literal["gate_intent"]
    session_id: str
    status: Literal["failed"]
    failure_reason: str
    created_at: str


class GateEvent(TypedDict):
    """A webhook payload. ``type`` says what ``data`` holds (docs/webhooks.md); an event type newer than this
    SDK is still returned, never raised, so your endpoint keeps answering 2xx."""

    id: str
    type: str
    created_at: int
    data: Dict[str, Any]


class SessionList(TypedDict):
    object: Literal["list"]
    data: List[GateSession]
    has_more: bool
