"""The demo loader's one way to talk to the suite: the gateway's public API, with a development token per role.

Every write carries an Idempotency-Key derived from the step's name, so a step sent again (a second load, or
a retry after a lost answer) is answered from the service's record instead of being done twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from skills_shared.auth import mint_token
from skills_shared.settings import ServiceSettings


class DemoError(Exception):
    """A step of the demo was refused; the message names the request and the service's answer."""


@dataclass(frozen=True, slots=True)
class Who:
    """A caller: its role and the claims of its development token."""

    role: str
    sub: str
    body: str | None = None
    institution: str | None = None
    district: str | None = None
    perms: tuple[str, ...] = ()

    def token(self, ttl_s: int = 12 * 3600) -> str:
        """A development token the services accept (the same secret, audience and issuer as ``make token``)."""
        settings = ServiceSettings()
        return mint_token(
            settings.jwt_secret,
            sub=self.sub,
            role=self.role,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            ttl_s=ttl_s,
            body=self.body,
            institution=self.institution,
            district=self.district,
            perms=list(self.perms) or None,
        )


class Api:
    """Requests to the gateway as one caller or another; an unexpected status stops the load with its reason."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self._tokens: dict[Who, str] = {}

    def headers(self, who: Who, key: str | None = None) -> dict[str, str]:
        if who not in self._tokens:
            self._tokens[who] = who.token()
        headers = {"Authorization": f"Bearer {self._tokens[who]}"}
        if key is not None:
            headers["Idempotency-Key"] = f"demo-{key}"
        return headers

    async def call(
        self,
        method: str,
        path: str,
        who: Who | None,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        key: str | None = None,
        ok: tuple[int, ...] = (200, 201),
    ) -> Any:
        """Send one request; return its JSON answer (None when empty) or raise DemoError."""
        headers = self.headers(who, key) if who is not None else {}
        response = await self.client.request(method, path, json=json, params=params, headers=headers)
        if response.status_code not in ok:
            raise DemoError(f"{method} {path} → {response.status_code}: {response.text[:600]}")
        if not response.content:
            return None
        return response.json()

    async def get(self, path: str, who: Who | None = None, **params: Any) -> Any:
        return await self.call("GET", path, who, params=params or None)
