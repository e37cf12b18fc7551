"""Authorization (OWASP API1 object level, API5 function level, API3 property level) across the suite.

The role matrix is read from the apps themselves: every route guarded by ``require(*roles)`` is called with a
token of every other role and must answer 403 problem+json; every guarded route refuses a missing token and
each kind of broken token (expired, wrongly signed, another audience or issuer, altered scope, ``alg: none``)
with 401. Object-level denials are exercised on real objects made through the API.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

import pytest
from registry_testkit import Registry, candidate
from rel_support import (
    Service,
    assert_problem,
    bad_tokens,
    bearer,
    contains_full_id,
    cq_draft,
    fetchval,
    guarded_routes,
    row_counts,
)

from skills_shared.auth import Role
from skills_shared.certnumber import build
from skills_shared.validators import make_resident_id

SCOPED: dict[str, dict[str, Any]] = {
    "org_staff": {"body": "S000050070001"},
    "org_admin": {"body": "S000050070001"},
    "institution_staff": {"institution": "5000001", "perms": ["redeem"]},
    "institution_admin": {"institution": "5000001"},
    "district_officer": {"district": "05"},
}
SERVICES = ["certificate-registry", "org-filing", "subsidy-claims", "voucher", "gateway"]


def routes_of(app: Any) -> list[tuple[str, str, frozenset[str]]]:
    """Guarded routes with their path parameters filled with a placeholder (the role check runs first)."""
    return [(m, re.sub(r"\{[^}]+\}", "1", p), allowed) for m, p, allowed in guarded_routes(app)]


@pytest.mark.parametrize("name", SERVICES)
async def test_every_guarded_route_refuses_every_other_role(name: str, suite: dict[str, Service]) -> None:
    service = suite[name]
    routes = routes_of(service.app)
    assert routes, f"{name}: no route guarded by require()"
    before = await row_counts(service.database_url)
    wrong: list[str] = []
    for method, path, allowed in routes:
        for role in Role:
            if role.value in allowed:
                continue
            r = await service.client.request(
                method, path, headers=bearer(role, f"authz-{role.value}", **SCOPED.get(role.value, {}))
            )
            if r.status_code != 403 or not r.headers.get("content-type", "").startswith(
                "application/problem+json"
            ):
                wrong.append(f"{method} {path} as {role.value}: {r.status_code} {r.text[:160]}")
    assert await row_counts(service.database_url) == before
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("name", SERVICES)
async def test_every_guarded_route_refuses_missing_and_broken_tokens(
    name: str, suite: dict[str, Service]
) -> None:
    service = suite[name]
    wrong: list[str] = []
    for method, path, allowed in routes_of(service.app):
        role = sorted(allowed)[0]
        variants: dict[str, dict[str, str]] = {"missing": {}}
        for kind, bad in bad_tokens(role, "authz", **SCOPED.get(role, {})).items():
            variants[kind] = {"Authorization": f"Bearer {bad}"}
        for kind, headers in variants.items():
            r = await service.client.request(method, path, headers=headers)
            if r.status_code != 401 or "application/problem+json" not in r.headers.get("content-type", ""):
                wrong.append(f"{method} {path} token {kind}: {r.status_code} {r.text[:160]}")
    assert not wrong, "\n".join(wrong)


async def test_every_relayed_route_needing_a_token_refuses_missing_and_broken_ones_at_the_gateway(
    suite: dict[str, Service],
) -> None:
    """The gateway relays the services' other routes (``/api/v1/<service>/...``); where the service needs a token,
    the gateway refuses a call without a valid one itself (401), and nothing reaches a service's database."""
    from gateway.openapi.snapshot import load_documents
    from gateway.relayed.table import Access, relay_table

    gateway = suite["gateway"]
    services = ["certificate-registry", "org-filing", "subsidy-claims", "voucher"]
    before = {name: await row_counts(suite[name].database_url) for name in services}
    variants: dict[str, dict[str, str]] = {"missing": {}}
    for kind, bad in bad_tokens("city_officer", "authz").items():
        variants[kind] = {"Authorization": f"Bearer {bad}"}
    wrong: list[str] = []
    checked = 0
    for relayed in relay_table(load_documents()):
        url = re.sub(r"\{[^}]+\}", "1", relayed.public_path)
        for method in relayed.methods:
            if relayed.access_for(method) is not Access.REQUIRED:
                continue
            checked += 1
            for kind, headers in variants.items():
                r = await gateway.client.request(method, url, headers=headers)
                problem = "application/problem+json" in r.headers.get("content-type", "")
                if r.status_code != 401 or not problem:
                    wrong.append(f"{method} {url} token {kind}: {r.status_code} {r.text[:160]}")
    assert checked > 80
    assert not wrong, "\n".join(wrong)
    assert {name: await row_counts(suite[name].database_url) for name in services} == before


async def test_scoped_role_without_its_scope_is_refused(suite: dict[str, Service]) -> None:
    """A district officer's token with no district claim is not a city officer's."""
    for name, path in (("subsidy-claims", "/v1/claims/queue"), ("voucher", "/v1/settlements")):
        r = await suite[name].client.get(path, headers=bearer("district_officer", "no-district"))
        assert_problem(r, 401)


# --- object level (API1) --------------------------------------------------------------------------------


async def test_voucher_objects_belong_to_their_institution_and_holder(suite: dict[str, Service]) -> None:
    from voucher_testdata import Scenario, holder_id

    client = suite["voucher"].client
    s = Scenario(client)
    await s.price_all_types()
    a = await s.institution("5000101", "04", admin_index=910_001)
    b = await s.institution("5000102", "06", admin_index=910_002)
    campaign = await s.campaign(2026)
    holder, other = holder_id(310_001), holder_id(310_002)
    await s.issue(campaign, [holder, other])
    vouchers = await s.claim(holder)
    before = await row_counts(suite["voucher"].database_url)

    denials = [
        await client.get(f"/v1/institutions/{a.code}", headers=b.admin),
        await client.patch(f"/v1/institutions/{a.code}", json={"phone": "023-11111111"}, headers=b.admin),
        await client.put(f"/v1/institutions/{a.code}/redeemers/mallory", headers=b.admin),
        await client.get(f"/v1/institutions/{a.code}/redeemers", headers=b.admin),
        await client.get(f"/v1/institutions/{a.code}", headers=s.district("06")),
        await client.post(f"/v1/me/vouchers/{vouchers[0]['id']}/qr-token", headers=s.citizen(other)),
        await client.get(f"/v1/me/vouchers/{vouchers[0]['id']}/qr.png", headers=s.citizen(other)),
    ]
    for r in denials:
        assert_problem(r, 403, 404)
    # staff without the redeem permission cannot redeem, even at their own institution
    token = await s.qr(holder, vouchers[0]["id"])
    class_id = await s.open_class(a)
    r = await client.post(
        "/v1/redemptions", json={"token": token, "class_id": class_id}, headers=a.staff("no-perm")
    )
    assert_problem(r, 403)
    # and a scanner of institution B cannot redeem into A's class
    await s.grant(b, "scanner-b")
    r = await client.post(
        "/v1/redemptions", json={"token": token, "class_id": class_id}, headers=b.staff("scanner-b")
    )
    assert_problem(r, 403, 404, 409)
    status = await fetchval(
        suite["voucher"].database_url, "SELECT status FROM vouchers WHERE id = $1", vouchers[0]["id"]
    )
    assert status == "claimed", "a refused redemption left the voucher changed"
    assert (await row_counts(suite["voucher"].database_url))["institutions"] == before["institutions"]


async def test_registry_batches_belong_to_their_body(suite: dict[str, Service]) -> None:
    service = suite["certificate-registry"]
    client = service.client
    helper = Registry(client, service.app, suite["org-filing"].client)
    saved = service.app.state.clock
    try:
        mine, theirs = await helper.new_body("07"), await helper.new_body("07")
        batch = await helper.open_batch(mine)  # under a plan org-filing filed for it (OF-5)
    finally:
        service.app.state.clock = saved
    assert batch.status_code == 201, batch.text
    batch_id = batch.json()["id"]
    other = bearer("org_staff", "staff-b", body=theirs)
    for method, path in (
        ("GET", f"/v1/batches/{batch_id}"),
        ("PUT", f"/v1/batches/{batch_id}/results"),
        ("POST", f"/v1/batches/{batch_id}/publicity"),
        ("POST", f"/v1/batches/{batch_id}/issue"),
        ("GET", f"/v1/batches/{batch_id}/roster"),
    ):
        kwargs: dict[str, Any] = {"headers": {**other, "Idempotency-Key": uuid.uuid4().hex}}
        if method == "PUT":
            kwargs["json"] = {"candidates": [candidate(77)]}
        assert_problem(await client.request(method, path, **kwargs), 403, 404)
    # a body cannot open a batch in another body's name
    r = await client.post("/v1/batches", json={**helper.batch_body(mine), "plan_id": 1}, headers=other)
    assert_problem(r, 403)
    # the approving officer must be of the body's district (07), not 05
    r = await client.post(
        f"/v1/batches/{batch_id}/approval", headers=bearer("district_officer", "o5", district="05")
    )
    assert_problem(r, 403, 409)


async def test_subsidy_claims_belong_to_their_applicant_and_district(suite: dict[str, Service]) -> None:
    client = suite["subsidy-claims"].client
    holder = make_resident_id("500103", date(1990, 3, 7), 41)
    other = make_resident_id("500103", date(1991, 4, 8), 43)
    body = cq_draft(holder, build("S", "0000", "50", "05", 1, 2026, 4, 1))
    created = await client.post(
        "/v1/claims", json=body, headers={**bearer("citizen", holder), "Idempotency-Key": uuid.uuid4().hex}
    )
    assert created.status_code == 201, created.text
    claim_id = created.json()["id"]
    # another citizen cannot read, submit or object as the holder; nor file a claim in the holder's name
    assert_problem(await client.get(f"/v1/claims/{claim_id}", headers=bearer("citizen", other)), 403, 404)
    assert_problem(
        await client.post(
            f"/v1/claims/{claim_id}/submit",
            headers={**bearer("citizen", other), "Idempotency-Key": uuid.uuid4().hex},
        ),
        403,
        404,
    )
    assert_problem(
        await client.post(
            "/v1/claims", json=body, headers={**bearer("citizen", other), "Idempotency-Key": uuid.uuid4().hex}
        ),
        403,
        422,
    )
    # an officer of another district sees nothing of it
    assert_problem(
        await client.get(f"/v1/claims/{claim_id}", headers=bearer("district_officer", "o6", district="06")),
        403,
        404,
    )
    # the claim's own district may read it, and the answer masks nothing it must not show to the holder
    mine = await client.get(f"/v1/claims/{claim_id}", headers=bearer("citizen", holder))
    assert mine.status_code == 200, mine.text
    queue = await client.get("/v1/claims/queue", headers=bearer("district_officer", "o6", district="06"))
    assert queue.status_code == 200, queue.text
    assert claim_id not in queue.text
    assert holder not in queue.text and not contains_full_id([queue.text])


# --- property level (API3) --------------------------------------------------------------------------------


async def test_server_owned_fields_cannot_be_mass_assigned(suite: dict[str, Service]) -> None:
    """Fields the server owns (status, amounts, ids, scope codes) sent by a caller are refused, never applied."""
    from voucher_testdata import Scenario

    voucher = suite["voucher"]
    s = Scenario(voucher.client)
    inst = await s.institution("5000301", "04", admin_index=930_001)
    r = await voucher.client.patch(
        f"/v1/institutions/{inst.code}",
        json={"district_code": "06", "code": "5009999", "status": "approved"},
        headers=inst.admin,
    )
    assert_problem(r, 403, 422)
    district = await fetchval(
        voucher.database_url, "SELECT district_code FROM institutions WHERE code = $1", inst.code
    )
    assert district == "04"

    subsidy = suite["subsidy-claims"]
    holder = make_resident_id("500103", date(1992, 2, 2), 51)
    body = cq_draft(holder, build("S", "0000", "50", "05", 1, 2026, 4, 2))
    before = await row_counts(subsidy.database_url)
    for extra in (
        {"status": "paid"},
        {"approved_amount_fen": 99_999_999},
        {"district": "01"},
        {"id": str(uuid.uuid4())},
    ):
        r = await subsidy.client.post(
            "/v1/claims",
            json={**body, **extra},
            headers={**bearer("citizen", holder), "Idempotency-Key": uuid.uuid4().hex},
        )
        assert_problem(r, 422)
    assert await row_counts(subsidy.database_url) == before
