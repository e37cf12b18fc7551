"""JWT checks and object-level scope: every way a token can be wrong is refused."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest

from skills_shared import auth
from skills_shared.auth import Principal, Role, TokenVerifier, mint_token
from skills_shared.problems import Problem
from skills_shared.settings import DEV_JWT_SECRET
from skills_shared.testing import auth_headers


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_no_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/district/05")
    assert response.status_code == 401
    assert response.json()["code"] == "token_missing"
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("token", "code"),
    [
        (mint_token(DEV_JWT_SECRET, sub="x", role="city_officer", now=time.time() - 7200), "token_expired"),
        (
            mint_token("another-secret-of-sufficient-length-123", sub="x", role="city_officer"),
            "token_invalid",
        ),
        (mint_token(DEV_JWT_SECRET, sub="x", role="city_officer", audience="other"), "token_audience"),
        (mint_token(DEV_JWT_SECRET, sub="x", role="city_officer", issuer="someone-else"), "token_invalid"),
        (mint_token(DEV_JWT_SECRET, sub="x", role="district_officer"), "token_scope"),
        ("not-a-jwt", "token_invalid"),
    ],
    ids=[
        "expired",
        "wrong-signature",
        "other-audience",
        "other-issuer",
        "scoped-role-without-scope",
        "garbage",
    ],
)
async def test_bad_tokens_are_401(client: httpx.AsyncClient, token: str, code: str) -> None:
    response = await client.get("/v1/district/05", headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["code"] == code


async def test_altered_scope_breaks_the_signature(client: httpx.AsyncClient) -> None:
    token = mint_token(DEV_JWT_SECRET, sub="x", role="district_officer", district="05")
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["district"] = "06"
    header, _, signature = token.split(".")
    forged_payload = jwt.utils.base64url_encode(jwt.api_jws.json.dumps(claims).encode()).decode()
    forged = f"{header}.{forged_payload}.{signature}"
    response = await client.get("/v1/district/06", headers=bearer(forged))
    assert response.status_code == 401


async def test_none_algorithm_is_refused(client: httpx.AsyncClient) -> None:
    unsigned = jwt.encode(
        {
            "sub": "x",
            "role": "city_officer",
            "aud": "skills-suite",
            "iss": "skills-dev",
            "exp": int(time.time()) + 60,
        },
        key=None,
        algorithm="none",
    )
    assert (await client.get("/v1/district/05", headers=bearer(unsigned))).status_code == 401


async def test_role_and_district_scope(client: httpx.AsyncClient) -> None:
    own = await client.get("/v1/district/05", headers=auth_headers("district_officer", district="05"))
    assert own.status_code == 200
    other = await client.get("/v1/district/06", headers=auth_headers("district_officer", district="05"))
    assert other.status_code == 403
    assert other.json()["code"] == "forbidden_district"
    city = await client.get("/v1/district/06", headers=auth_headers("city_officer"))
    assert city.status_code == 200
    citizen = await client.get("/v1/district/05", headers=auth_headers("citizen", sub="500101199001011234"))
    assert citizen.status_code == 403
    assert citizen.json()["code"] == "forbidden_role"


def test_object_checks_for_bodies_institutions_and_people() -> None:
    staff = Principal(sub="s", role=Role.ORG_STAFF, body="S0000500700012")
    staff.require_body("S0000500700012")
    with pytest.raises(Problem) as exc:
        staff.require_body("S0000500700013")
    assert exc.value.status == 403
    inst = Principal(sub="i", role=Role.INSTITUTION_STAFF, institution="1234567")
    with pytest.raises(Problem):
        inst.require_institution("7654321")
    citizen = Principal(sub="A", role=Role.CITIZEN)
    citizen.require_subject("A")
    with pytest.raises(Problem):
        citizen.require_subject("B")


def _verifier(clock: list[float] | None = None) -> TokenVerifier:
    verifier = TokenVerifier(secret=DEV_JWT_SECRET, audience="skills-suite", issuer="skills-dev")
    if clock is not None:
        verifier.clock = lambda: clock[0]
    return verifier


def test_a_remembered_token_is_refused_once_it_expires() -> None:
    """Expiry is checked on the real clock even for a token the verifier has cached.

    ``exp`` is a whole second, so a 1 s token minted late in a second may already be
    spent when first shown; two seconds leave at least one of validity, and the test
    then waits until just past the stated ``exp``.
    """
    verifier = _verifier()
    token = mint_token(DEV_JWT_SECRET, sub="x", role="city_officer", ttl_s=2)
    assert verifier.principal(token).sub == "x"
    expires_at = jwt.decode(token, options={"verify_signature": False})["exp"]
    time.sleep(max(0.0, expires_at - time.time()) + 0.1)
    with pytest.raises(Problem) as refused:
        verifier.principal(token)
    assert refused.value.status == 401 and refused.value.code == "token_expired"


def test_a_remembered_token_is_verified_again_after_the_cache_ttl() -> None:
    """A withdrawn key stops being accepted within VERIFIED_CACHE_TTL_S even for tokens seen before."""
    clock = [time.time()]
    verifier = _verifier(clock)
    token = mint_token(DEV_JWT_SECRET, sub="x", role="city_officer")
    first = verifier.principal(token)
    assert verifier.principal(token) is first  # taken from the cache, not verified again
    verifier.secret = "a-rotated-secret-of-sufficient-length-0123456789"
    clock[0] += auth.VERIFIED_CACHE_TTL_S - 1
    assert verifier.principal(token) is first
    clock[0] += 2
    with pytest.raises(Problem) as refused:
        verifier.principal(token)
    assert refused.value.code == "token_invalid"


def test_an_altered_copy_of_a_remembered_token_is_refused() -> None:
    verifier = _verifier()
    token = mint_token(DEV_JWT_SECRET, sub="x", role="district_officer", district="05")
    verifier.principal(token)
    header, payload, signature = token.split(".")
    forged_payload = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b'"05"', b'"06"')
    ).decode()
    for forged in (
        f"{header}.{forged_payload}.{signature}",
        token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
    ):
        with pytest.raises(Problem) as refused:
            verifier.principal(forged)
        assert refused.value.code == "token_invalid"


def test_the_verified_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "VERIFIED_CACHE_SIZE", 8)
    verifier = _verifier()
    tokens = [mint_token(DEV_JWT_SECRET, sub=f"s{i}", role="city_officer") for i in range(20)]
    for token in tokens:
        verifier.principal(token)
    assert len(verifier._verified) == 8
    assert set(verifier._verified) == set(tokens[-8:])  # the oldest went first


def test_an_expiry_that_does_not_fit_a_timestamp_is_a_401() -> None:
    """Issue 20, item 7: a correctly signed token with exp = 10^400 must be refused, not crash a float()."""
    verifier = _verifier()
    for exp in (10**400, 10**30, -5, "soon", 1.5e308):
        forged = jwt.encode(
            {"sub": "x", "role": "city_officer", "aud": "skills-suite", "iss": "skills-dev", "exp": exp},
            DEV_JWT_SECRET,
            algorithm="HS256",
        )
        with pytest.raises(Problem) as refused:
            verifier.principal(forged)
        assert refused.value.status == 401, exp


def test_malformed_scope_claims_are_a_401() -> None:
    verifier = _verifier()
    for extra in ({"perms": [{"a": 1}]}, {"perms": "redeem"}, {"district": {"x": 1}}, {"sub": 5}):
        body = {"sub": "x", "role": "district_officer", "district": "05", "aud": "skills-suite"}
        body.update({"iss": "skills-dev", "exp": int(time.time()) + 60, **extra})
        forged = jwt.encode(body, DEV_JWT_SECRET, algorithm="HS256")
        with pytest.raises(Problem) as refused:
            verifier.principal(forged)
        assert refused.value.status == 401, extra


def test_an_oversized_token_is_refused_unread() -> None:
    verifier = _verifier()
    huge = "a" * (auth.MAX_TOKEN_BYTES + 1)
    with pytest.raises(Problem) as refused:
        verifier.principal(huge)
    assert (refused.value.status, refused.value.code) == (401, "token_too_large")


def test_the_idempotency_scope_covers_the_whole_principal() -> None:
    """Issue 20, item 9: same role and sub, another institution (or body, district) → another scope."""
    a = Principal(sub="staff-1", role=Role.INSTITUTION_STAFF, institution="5001001")
    b = Principal(sub="staff-1", role=Role.INSTITUTION_STAFF, institution="5001002")
    assert a.key == b.key, "audit identity is role and subject"
    assert a.scope_key != b.scope_key
    assert len(a.scope_key) <= 200
    assert Principal(sub="s", role=Role.DISTRICT_OFFICER, district="05").scope_key != (
        Principal(sub="s", role=Role.DISTRICT_OFFICER, district="06").scope_key
    )
