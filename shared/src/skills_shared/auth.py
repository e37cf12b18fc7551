"""JWT bearer authentication, the suite's roles and scopes, and object-level checks."""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

import jwt
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
        """Stable identity for idempotency keys and audit rows: role and subject."""
        return f"{self.role.value}:{self.sub}"

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


@dataclass
class TokenVerifier:
    """Verifies bearer tokens: HS256 with a local secret in development, keys from a JWKS URL in production.

    A token that verified is remembered (by its exact text) until its expiry or for `VERIFIED_CACHE_TTL_S`,
    whichever comes first; a token that failed is never remembered, so a forged or altered one is checked in full
    every time and cannot fill the cache.
    """

    secret: str
    audience: str
    issuer: str
    algorithms: tuple[str, ...] = ("HS256",)
    jwks_url: str | None = None
    _jwks: jwt.PyJWKClient | None = None
    clock: Callable[[], float] = time.time
    _verified: dict[str, tuple[Principal, float]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.jwks_url:
            self._jwks = jwt.PyJWKClient(self.jwks_url, cache_keys=True)

    def _key_for(self, token: str) -> tuple[Any, list[str]]:
        """Pick the key by the token's algorithm: HMAC tokens (service-to-service, development) use the local
        secret, asymmetric ones the JWKS. Each key is tried only with its own family of algorithms, so a public key
        can never be misused as an HMAC secret (algorithm confusion)."""
        try:
            alg = jwt.get_unverified_header(token).get("alg", "")
        except jwt.PyJWTError as exc:
            raise _unauthorized("令牌无效", "token_invalid") from exc
        hmac = [a for a in self.algorithms if a.startswith("HS")]
        if alg in hmac:
            return self.secret, hmac
        if self._jwks is not None and alg in ASYMMETRIC_ALGORITHMS:
            return self._jwks.get_signing_key_from_jwt(token).key, [alg]
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
        except jwt.PyJWTError as exc:
            raise _unauthorized("令牌无效", "token_invalid") from exc
        return claims

    def principal(self, token: str) -> Principal:
        """Turn a verified token into a Principal, refusing unknown roles and scoped roles without scope."""
        now = self.clock()
        remembered = self._verified.get(token)
        if remembered is not None:
            if now < remembered[1]:
                return remembered[0]
            del self._verified[token]  # expired or due for a fresh check: verify it in full below
        principal, expires_at = self._verify(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            del self._verified[next(iter(self._verified))]  # the oldest entry goes first
        self._verified[token] = (principal, min(expires_at, now + VERIFIED_CACHE_TTL_S))
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        """The full check: signature, expiry, audience, issuer, role and scope; the Principal and its expiry."""
        claims = self.decode(token)
        try:
            role = Role(claims["role"])
        except ValueError as exc:
            raise _unauthorized("令牌角色无效", "token_role") from exc
        scope_claim = SCOPE_CLAIM.get(role)
        if scope_claim and not claims.get(scope_claim):
            raise _unauthorized(f"角色 {role.value} 的令牌缺少 {scope_claim} 范围", "token_scope")
        return Principal(
            sub=str(claims["sub"]),
            role=role,
            body=claims.get("body"),
            institution=claims.get("institution"),
            district=claims.get("district"),
            perms=frozenset(claims.get("perms") or ()),
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
    principal = verifier_of(request).principal(credentials.credentials)
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
