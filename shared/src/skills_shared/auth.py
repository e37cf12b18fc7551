"""JWT bearer authentication, the suite's roles and scopes, and object-level checks."""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

import httpx
import jwt
from cachetools import TTLCache
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from skills_shared.problems import Problem, forbidden


class Role(StrEnum):
    """Roles of DESIGN.md; a token carries exactly one."""

    CITIZEN = "citizen"
    ORG_STAFF = "org_staff"
    ORG_ADMIN = "org_admin"
    INSTITUTION_STAFF = "institution_staff"
    INSTITUTION_ADMIN = "institution_admin"
    DISTRICT_OFFICER = "district_officer"
    CITY_OFFICER = "city_officer"
    INSPECTOR = "inspector"
    PARTNER = "partner"
    SERVICE = "service"


SCOPE_CLAIM = {
    Role.ORG_STAFF: "body",
    Role.ORG_ADMIN: "body",
    Role.INSTITUTION_STAFF: "institution",
    Role.INSTITUTION_ADMIN: "institution",
    Role.DISTRICT_OFFICER: "district",
}
"""Which claim a scoped role must carry: a token for one of these roles without its scope is refused."""

OFFICERS = (Role.DISTRICT_OFFICER, Role.CITY_OFFICER)

ASYMMETRIC_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "ES256", "ES384", "PS256"})
"""Accepted from the JWKS in production (user tokens from the identity provider)."""


@dataclass(frozen=True)
class Principal:
    """Who is calling, with the scope their role is bound to, and the raw token to forward downstream."""

    sub: str
    role: Role
    body: str | None = None
    institution: str | None = None
    district: str | None = None
    perms: frozenset[str] = field(default_factory=frozenset)
    token: str = ""

    @property
    def key(self) -> str:
        """Stable identity for audit rows and record owners: role and subject."""
        return f"{self.role.value}:{self.sub}"

    @property
    def scope_key(self) -> str:
        """The whole principal — role, subject, body, institution and district — as one bounded string.

        Idempotency keys are scoped by it: two tokens that share a ``sub`` but speak for different institutions
        (or bodies, districts) must never replay each other's answers. Hashed so that it fits the key column
        whatever the identity provider puts in ``sub``; the role stays readable in front.
        """
        parts = (self.role.value, self.sub, self.body or "", self.institution or "", self.district or "")
        digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
        return f"{self.role.value}:{digest}"

    def require_district(self, district: str | None) -> None:
        """Object-level check: a district officer acts only on their own district; city-level roles on all."""
        if self.role in (Role.CITY_OFFICER, Role.SERVICE, Role.INSPECTOR):
            return
        if self.role == Role.DISTRICT_OFFICER and district is not None and self.district == district:
            return
        raise forbidden("无权处理其他区县的业务", code="forbidden_district")

    def require_body(self, body_code: str) -> None:
        """Object-level check: body staff act only for their own evaluation body."""
        if self.role in (Role.ORG_STAFF, Role.ORG_ADMIN) and self.body == body_code:
            return
        if self.role in (Role.CITY_OFFICER, Role.SERVICE):
            return
        raise forbidden("无权处理其他评价机构的业务", code="forbidden_body")

    def require_institution(self, institution_code: str) -> None:
        """Object-level check: institution staff act only for their own institution."""
        if (
            self.role in (Role.INSTITUTION_STAFF, Role.INSTITUTION_ADMIN)
            and self.institution == institution_code
        ):
            return
        if self.role in (Role.CITY_OFFICER, Role.SERVICE):
            return
        raise forbidden("无权处理其他培训机构的业务", code="forbidden_institution")

    def require_subject(self, id_number: str) -> None:
        """Object-level check: a citizen sees only their own records."""
        if self.role == Role.CITIZEN and self.sub == id_number:
            return
        if self.role == Role.SERVICE:
            return
        raise forbidden("只能查看本人的信息", code="forbidden_subject")


def _unauthorized(detail: str, code: str = "unauthorized") -> Problem:
    return Problem(401, code, detail, headers={"WWW-Authenticate": 'Bearer realm="skills"'})


VERIFIED_CACHE_SIZE = 4096
"""Verified tokens remembered per process: scanners, app back ends and the gateway send the same token again and
again, and verifying one (header, signature, five claims) costs 60–80 µs of CPU — a twentieth of a redeem."""
VERIFIED_CACHE_TTL_S = 60.0
"""How long a verified token is taken on trust before it is verified again, so that a key withdrawn from the JWKS
stops being accepted within a minute. Expiry is checked on every use, cached or not."""
MAX_TOKEN_BYTES = 8192
"""Longest bearer token looked at. Real tokens are well under 2 KB; a multi-megabyte one would cost seconds of
CPU to base64-decode and parse (issue 20, item 6), so it is refused unread with a 401."""
LATEST_EXPIRY_S = 253_402_300_799
"""9999-12-31T23:59:59Z: an ``exp`` past it (or not a finite number) does not fit a timestamp and is a 401."""
JWKS_REFRESH_S = 300.0
"""How long fetched JWKS keys are used before the set is fetched again."""
JWKS_MIN_REFETCH_S = 10.0
"""An unknown ``kid`` triggers at most one fetch per this interval, so forged kids cannot flood the provider."""


def _fits_timestamp(value: object) -> bool:
    """A numeric date claim a float can hold and a calendar can show."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(value, int):
        return 0 <= value <= LATEST_EXPIRY_S  # no float(): 10**400 would overflow it
    return math.isfinite(value) and 0 <= value <= LATEST_EXPIRY_S


def _claim_text(claims: dict[str, Any], name: str) -> str | None:
    """An optional scope claim; anything but a short string is a malformed token (401, never a 500 later)."""
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 200:
        raise _unauthorized(f"令牌的 {name} 声明格式无效", "token_invalid")
    return value


class JwksKeys:
    """The identity provider's signing keys, fetched asynchronously (httpx) and kept for `JWKS_REFRESH_S`.

    The event loop is never blocked on the provider: `ensure` is awaited before a token signed with an unknown
    key is verified; verification itself only reads the keys already fetched.
    """

    def __init__(self, url: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.url = url
        self.clock = clock
        self._keys: dict[str, Any] = {}
        self._fetched_at = -math.inf
        self._lock = asyncio.Lock()

    def key(self, kid: str | None) -> Any | None:
        """The public key of ``kid`` (the only key when the token names none), if it is known and fresh."""
        if self.clock() - self._fetched_at > JWKS_REFRESH_S:
            return None
        if kid is None:
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    async def ensure(self, kid: str | None) -> None:
        """Fetch the key set when ``kid`` is unknown or the set is stale (at most once per `JWKS_MIN_REFETCH_S`)."""
        if self.key(kid) is not None:
            return
        async with self._lock:
            stale = self.clock() - self._fetched_at > JWKS_REFRESH_S
            if self.key(kid) is not None or (
                not stale and self.clock() - self._fetched_at < JWKS_MIN_REFETCH_S
            ):
                return
            try:
                async with httpx.AsyncClient(timeout=5.0) as client:
                    response = await client.get(self.url)
                    response.raise_for_status()
                    keyset = jwt.PyJWKSet.from_dict(response.json())
            except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
                raise Problem(
                    503,
                    "jwks_unavailable",
                    "身份提供方的签名公钥暂时无法获取，请稍后重试",
                    headers={"Retry-After": "5"},
                ) from exc
            self._keys = {str(k.key_id): k.key for k in keyset.keys if k.key_id is not None}
            if not self._keys and len(keyset.keys) == 1:
                self._keys = {"": keyset.keys[0].key}
            self._fetched_at = self.clock()


@dataclass
class TokenVerifier:
    """Verifies bearer tokens: HS256 with a local secret in development, keys from a JWKS URL in production.

    A token that verified is remembered (by its exact text, in a bounded `cachetools.TTLCache`) until its expiry
    or for `VERIFIED_CACHE_TTL_S`, whichever comes first; a token that failed is never remembered, so a forged or
    altered one is checked in full every time and cannot fill the cache. Use `verify` from async code: it
    fetches JWKS keys without blocking the loop; `principal` verifies with the keys already at hand.
    """

    secret: str
    audience: str
    issuer: str
    algorithms: tuple[str, ...] = ("HS256",)
    jwks_url: str | None = None
    clock: Callable[[], float] = time.time
    _jwks: JwksKeys | None = field(default=None, repr=False)
    _verified: TTLCache[str, tuple[Principal, float]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.jwks_url:
            self._jwks = JwksKeys(self.jwks_url)
        self._verified = TTLCache(maxsize=VERIFIED_CACHE_SIZE, ttl=VERIFIED_CACHE_TTL_S, timer=self._now)

    def _now(self) -> float:
        return self.clock()

    @staticmethod
    def _header(token: str) -> dict[str, Any]:
        if len(token) > MAX_TOKEN_BYTES:
            raise _unauthorized(f"令牌超过 {MAX_TOKEN_BYTES} 字节上限", "token_too_large")
        try:
            header: dict[str, Any] = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise _unauthorized("令牌无效", "token_invalid") from exc
        return header

    def _key_for(self, token: str) -> tuple[Any, list[str]]:
        """Pick the key by the token's algorithm: HMAC tokens (service-to-service, development) use the local
        secret, asymmetric ones the JWKS. Each key is tried only with its own family of algorithms, so a public key
        can never be misused as an HMAC secret (algorithm confusion)."""
        header = self._header(token)
        alg = header.get("alg", "")
        hmac = [a for a in self.algorithms if a.startswith("HS")]
        if alg in hmac:
            return self.secret, hmac
        if self._jwks is not None and alg in ASYMMETRIC_ALGORITHMS:
            key = self._jwks.key(header.get("kid"))
            if key is None:
                raise _unauthorized("令牌的签名密钥未知", "token_invalid")
            return key, [alg]
        raise _unauthorized("令牌签名算法不被接受", "token_invalid")

    def decode(self, token: str) -> dict[str, Any]:
        """Decode and check signature, expiry, audience and issuer; raise 401 Problem otherwise."""
        try:
            key, algorithms = self._key_for(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "sub", "role", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise _unauthorized("令牌已过期", "token_expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise _unauthorized("令牌受众不符", "token_audience") from exc
        except (jwt.PyJWTError, OverflowError, ValueError, TypeError) as exc:
            raise _unauthorized("令牌无效", "token_invalid") from exc
        for name in ("exp", "iat", "nbf"):
            if name in claims and not _fits_timestamp(claims[name]):
                raise _unauthorized(f"令牌的 {name} 声明超出时间范围", "token_invalid")
        return claims

    async def verify(self, token: str) -> Principal:
        """`principal`, after fetching (without blocking) a JWKS key the token names and this process lacks."""
        if self._jwks is not None and token not in self._verified:
            header = self._header(token)
            if header.get("alg") in ASYMMETRIC_ALGORITHMS:
                kid = header.get("kid")
                await self._jwks.ensure(kid if isinstance(kid, str) else None)
        return self.principal(token)

    def principal(self, token: str) -> Principal:
        """Turn a verified token into a Principal, refusing unknown roles and scoped roles without scope."""
        now = self.clock()
        remembered = self._verified.get(token)
        if remembered is not None:
            if now < remembered[1]:
                return remembered[0]
            del self._verified[token]  # expired: verify it in full below, which names the reason
        principal, expires_at = self._verify(token)
        self._verified[token] = (principal, expires_at)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        """The full check: signature, expiry, audience, issuer, role and scope; the Principal and its expiry."""
        claims = self.decode(token)
        try:
            role = Role(claims["role"])
        except (ValueError, TypeError) as exc:
            raise _unauthorized("令牌角色无效", "token_role") from exc
        scope_claim = SCOPE_CLAIM.get(role)
        if scope_claim and not claims.get(scope_claim):
            raise _unauthorized(f"角色 {role.value} 的令牌缺少 {scope_claim} 范围", "token_scope")
        perms = claims.get("perms") or ()
        if not isinstance(perms, list | tuple) or not all(isinstance(p, str) for p in perms):
            raise _unauthorized("令牌的 perms 声明格式无效", "token_invalid")
        sub = claims["sub"]
        if not isinstance(sub, str) or not sub or len(sub) > 200:
            raise _unauthorized("令牌的 sub 声明格式无效", "token_invalid")
        return Principal(
            sub=sub,
            role=role,
            body=_claim_text(claims, "body"),
            institution=_claim_text(claims, "institution"),
            district=_claim_text(claims, "district"),
            perms=frozenset(perms),
            token=token,
        ), float(claims["exp"])


def mint_token(
    secret: str,
    *,
    sub: str,
    role: Role | str,
    audience: str = "skills-suite",
    issuer: str = "skills-dev",
    ttl_s: int = 3600,
    body: str | None = None,
    institution: str | None = None,
    district: str | None = None,
    perms: list[str] | None = None,
    algorithm: str = "HS256",
    now: float | None = None,
) -> str:
    """Mint an HS256 token (development, tests and service-to-service calls)."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "sub": sub,
        "role": Role(role).value,
        "aud": audience,
        "iss": issuer,
        "iat": issued,
        "exp": issued + ttl_s,
    }
    for name, value in (("body", body), ("institution", institution), ("district", district)):
        if value:
            claims[name] = value
    if perms:
        claims["perms"] = perms
    return jwt.encode(claims, secret, algorithm=algorithm)


_bearer = HTTPBearer(auto_error=False, description="JWT issued for the suite (see DESIGN.md roles).")


def verifier_of(request: Request) -> TokenVerifier:
    """The app's TokenVerifier, set up by the app factory."""
    v: TokenVerifier = request.app.state.token_verifier
    return v


async def optional_principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal | None:
    """The caller if a bearer token was sent (and is valid), otherwise None."""
    if credentials is None:
        return None
    principal = await verifier_of(request).verify(credentials.credentials)
    request.state.principal = principal
    return principal


async def current_principal(principal: Principal | None = Depends(optional_principal)) -> Principal:
    """The caller; 401 when no token was sent."""
    if principal is None:
        raise _unauthorized("需要登录令牌", "token_missing")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


def require(*roles: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """Dependency factory: the caller must hold one of ``roles`` (403 otherwise).

    Object-level checks (which district, body, institution, person) stay with the use case, which knows the
    object: see ``Principal.require_*``.
    """
    allowed = frozenset(roles)

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            raise forbidden(
                f"角色 {principal.role.value} 无权执行此操作",
                code="forbidden_role",
                extra={"allowed_roles": sorted(r.value for r in allowed)},
            )
        return principal

    return dependency


class ServiceTokens:
    """Short-lived ``service`` tokens for calls between services, re-minted shortly before they expire."""

    def __init__(self, secret: str, *, service: str, audience: str, issuer: str, ttl_s: int = 300) -> None:
        self.secret, self.service, self.audience, self.issuer, self.ttl_s = (
            secret,
            service,
            audience,
            issuer,
            ttl_s,
        )
        self._token = ""
        self._expires = 0.0

    def __call__(self) -> str:
        now = time.time()
        if now > self._expires - 30:
            self._token = mint_token(
                self.secret,
                sub=self.service,
                role=Role.SERVICE,
                audience=self.audience,
                issuer=self.issuer,
                ttl_s=self.ttl_s,
                now=now,
            )
            self._expires = now + self.ttl_s
        return self._token
