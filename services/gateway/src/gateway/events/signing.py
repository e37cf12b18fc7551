"""Standard Webhooks signing with the maintained ``standardwebhooks`` library; secrets are generated here."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format prefix of the specification, not a secret
SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh secret in the specification's format (``whsec_`` + base64 of 32 random bytes)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def headers(msg_id: str, at: datetime, payload: bytes, signing_secrets: list[str]) -> dict[str, str]:
    """The three Standard Webhooks headers; during a rotation both secrets sign (space-separated signatures)."""
    signature = " ".join(Webhook(s).sign(msg_id, at, payload) for s in signing_secrets)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }
