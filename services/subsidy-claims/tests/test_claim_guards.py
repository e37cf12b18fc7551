"""Bad input, registry checks, scoping, deadlines and illegal moves: clear problems, nothing stored."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from subsidy_claims.claims.models import Claim


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def count_claims(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(Claim))).scalar_one())


async def drafted(client: httpx.AsyncClient, body: dict[str, Any], headers: dict[str, str]) -> str:
    response = await client.post("/v1/claims", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def submitted(
    client: httpx.AsyncClient, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    cid = await drafted(client, body, headers)
    response = await client.post(f"/v1/claims/{cid}/submit", headers={**headers, **key()})
    assert response.status_code == 200, response.text
    return dict(response.json())


def set_path(body: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    target = body
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return body


@pytest.mark.parametrize(
    ("path", "value", "loc"),
    [
        (("cq", "identity_category", "value"), "7", ["body", "cq", "identity_category", "value"]),
        (("cq", "applied_amount_fen"), 1500.5, ["body", "cq", "applied_amount_fen"]),
        (("cq", "applied_amount_fen"), -1, ["body", "cq", "applied_amount_fen"]),
        (("cq", "district_code"), "42", ["body", "cq", "district_code"]),
        (("certificate", "issue_date"), "2026-06-16", ["body", "certificate", "issue_date"]),
        (("certificate", "number"), "S00005005000125300000X", ["body", "certificate", "number"]),
        (("certificate", "occupation_code"), "4-1-02-03", ["body", "certificate", "occupation_code"]),
        (("applicant", "id_number"), "500103199003070011", ["body", "applicant", "id_number"]),
        (("certificate", "level"), 6, ["body", "certificate", "level"]),
    ],
)
async def test_bad_input_names_the_field_and_stores_nothing(
    client: httpx.AsyncClient,
    factory: Any,
    tokens: Any,
    engine: AsyncEngine,
    path: tuple[str, ...],
    value: Any,
    loc: list[str],
) -> None:
    person = factory.person()
    body = set_path(factory.cq_body(person, factory.certificate(person)), path, value)
    response = await client.post("/v1/claims", json=body, headers=tokens.citizen(person))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["loc"][: len(loc)] == loc
    assert await count_claims(engine) == 0


async def test_citizen_cannot_self_verify_a_fact(
    client: httpx.AsyncClient, factory: Any, tokens: Any, engine: AsyncEngine
) -> None:
    person = factory.person()
    body = factory.cq_body(
        person,
        factory.certificate(person),
        identity_category={"value": "5", "provenance": "verified", "source": "me"},
    )
    response = await client.post("/v1/claims", json=body, headers=tokens.citizen(person))
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "cq", "identity_category"]
    assert await count_claims(engine) == 0
    as_gateway = await client.post("/v1/claims", json=body, headers=tokens.service())
    assert as_gateway.status_code == 201
    assert as_gateway.json()["facts"]["cq"]["identity_category"]["source"] == "me"


async def test_citizen_claims_only_for_self(client: httpx.AsyncClient, factory: Any, tokens: Any) -> None:
    person, other = factory.person(), factory.person()
    body = factory.cq_body(person, factory.certificate(person))
    assert (await client.post("/v1/claims", json=body, headers=tokens.citizen(other))).status_code == 403


@pytest.mark.parametrize(
    ("field", "value", "loc"),
    [
        ("level", 2, ["body", "certificate", "level"]),
        ("issue_date", "2026-05-21", ["body", "certificate", "issue_date"]),
        ("occupation_code", "4-01-02-09", ["body", "certificate", "occupation_code"]),
        ("work_type", "甲", ["body", "certificate", "work_type"]),
    ],
)
async def test_registry_mismatch_names_the_field(
    client: httpx.AsyncClient,
    factory: Any,
    tokens: Any,
    engine: AsyncEngine,
    field: str,
    value: Any,
    loc: list[str],
) -> None:
    person = factory.person()
    body = factory.cq_body(person, factory.certificate(person))
    body["certificate"][field] = value
    me = tokens.citizen(person)
    cid = await drafted(client, body, me)
    response = await client.post(f"/v1/claims/{cid}/submit", headers={**me, **key()})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "certificate_mismatch" and response.json()["rule"] == "CQ-4"
    assert response.json()["errors"][0]["loc"] == loc
    assert (await client.get(f"/v1/claims/{cid}", headers=me)).json()["status"] == "draft"


async def test_registry_holder_and_existence(client: httpx.AsyncClient, factory: Any, tokens: Any) -> None:
    person = factory.person()
    me = tokens.citizen(person)
    ghost = factory.certificate(person, register=False)
    cid = await drafted(client, factory.cq_body(person, ghost), me)
    missing = await client.post(f"/v1/claims/{cid}/submit", headers={**me, **key()})
    assert missing.status_code == 422 and missing.json()["errors"][0]["loc"] == [
        "body",
        "certificate",
        "number",
    ]

    someone_else = factory.certificate(factory.person())
    cid = await drafted(client, factory.cq_body(person, someone_else), me)
    stolen = await client.post(f"/v1/claims/{cid}/submit", headers={**me, **key()})
    assert stolen.status_code == 422 and stolen.json()["errors"][0]["loc"] == [
        "body",
        "applicant",
        "id_number",
    ]


async def test_registry_down_is_503_and_nothing_stored(
    client: httpx.AsyncClient, factory: Any, tokens: Any, fake_registry: Any, engine: AsyncEngine
) -> None:
    person = factory.person()
    me = tokens.citizen(person)
    cid = await drafted(client, factory.cq_body(person, factory.certificate(person)), me)
    fake_registry.down = True
    k = key()
    response = await client.post(f"/v1/claims/{cid}/submit", headers={**me, **k})
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "Retry-After" in response.headers
    assert (await client.get(f"/v1/claims/{cid}", headers=me)).json()["status"] == "draft"
    fake_registry.down = False
    retry = await client.post(f"/v1/claims/{cid}/submit", headers={**me, **k})
    assert retry.status_code == 200 and retry.json()["status"] == "submitted"


async def test_ineligible_claim_is_refused_with_rule_and_decision(
    client: httpx.AsyncClient, factory: Any, tokens: Any
) -> None:
    person = factory.person()
    me = tokens.citizen(person)
    shanghai_cert = factory.certificate(person, province="31")
    cid = await drafted(client, factory.cq_body(person, shanghai_cert), me)
    response = await client.post(f"/v1/claims/{cid}/submit", headers={**me, **key()})
    assert response.status_code == 422
    body = response.json()
    assert body["rule"] == "CQ-1" and body["code"] == "claim_ineligible"
    assert body["decision"]["outcome"] == "ineligible"


async def test_cq8_former_jianding_and_cq7_after_payment(
    client: httpx.AsyncClient, factory: Any, tokens: Any
) -> None:
    person = factory.person()
    me = tokens.citizen(person)
    recorded = await client.post(
        "/v1/past-subsidies",
        json={
            "applicant_id_number": person,
            "source": "重庆市职业技能鉴定补贴台账",
            "subsidies": [{"kind": "cq-jianding", "occupation_code": "4-02-01-01", "level": 4, "year": 2019}],
        },
        headers=tokens.city(),
    )
    assert recorded.status_code == 201
    cid = await drafted(
        client, factory.cq_body(person, factory.certificate(person, occupation="4-02-01-01")), me
    )
    refused = await client.post(f"/v1/claims/{cid}/submit", headers={**me, **key()})
    assert refused.status_code == 409 and refused.json()["rule"] == "CQ-8"

    await submitted(client, factory.cq_body(person, factory.certificate(person, level=2)), me)
    lower = await drafted(client, factory.cq_body(person, factory.certificate(person, level=3)), me)
    again = await client.post(f"/v1/claims/{lower}/submit", headers={**me, **key()})
    assert again.status_code == 409 and again.json()["rule"] == "CQ-7"
    higher = await drafted(client, factory.cq_body(person, factory.certificate(person, level=1)), me)
    assert (await client.post(f"/v1/claims/{higher}/submit", headers={**me, **key()})).status_code == 200


async def test_rejection_releases_the_entitlement(
    client: httpx.AsyncClient, factory: Any, tokens: Any
) -> None:
    person = factory.person()
    me = tokens.citizen(person)
    first = await submitted(client, factory.cq_body(person, factory.certificate(person)), me)
    reviewer = tokens.officer("05")
    await client.post(f"/v1/claims/{first['id']}/start-review", headers=reviewer)
    no_reason = await client.post(f"/v1/claims/{first['id']}/reject", json={}, headers=reviewer)
    assert no_reason.status_code == 422
    rejected = await client.post(
        f"/v1/claims/{first['id']}/reject", json={"reason": "身份材料不实"}, headers=reviewer
    )
    assert rejected.json()["status"] == "rejected" and rejected.json()["rejection_reason"] == "身份材料不实"
    second = await submitted(client, factory.cq_body(person, factory.certificate(person)), me)
    assert second["status"] == "submitted"


async def test_district_officer_never_sees_another_district(
    client: httpx.AsyncClient, factory: Any, tokens: Any
) -> None:
    person = factory.person()
    me = tokens.citizen(person)
    claim = await submitted(client, factory.cq_body(person, factory.certificate(person)), me)
    other = await submitted(
        client,
        factory.cq_body(person, factory.certificate(person, occupation="4-07-01-01"), district_code="06"),
        me,
    )
    assert other["district_code"] == "06"
    five, six = tokens.officer("05"), tokens.officer("06")
    assert (await client.get(f"/v1/claims/{claim['id']}", headers=six)).status_code == 403
    assert (await client.post(f"/v1/claims/{claim['id']}/start-review", headers=six)).status_code == 403
    queue_six = (await client.get("/v1/claims/queue", headers=six)).json()["items"]
    assert [item["id"] for item in queue_six] == [other["id"]]
    assert (
        await client.get("/v1/claims/queue", params={"district_code": "05"}, headers=six)
    ).status_code == 403
    # The deprecated ?district= still works for one version.
    assert (await client.get("/v1/claims/queue", params={"district": "05"}, headers=six)).status_code == 403
    queue_five = (await client.get("/v1/claims/queue", headers=five)).json()["items"]
    assert [item["id"] for item in queue_five] == [claim["id"]]
    assert (await client.get("/v1/statistics", params={"district": "05"}, headers=six)).status_code == 403
    everything = (await client.get("/v1/claims/queue", headers=tokens.city())).json()["items"]
    assert {item["id"] for item in everything} == {claim["id"], other["id"]}


async def test_overdue_claims_are_flagged_and_listed_by_deadline(
    client: httpx.AsyncClient, factory: Any, tokens: Any, clock: Any
) -> None:
    person = factory.person()
    me = tokens.citizen(person)
    early = await submitted(client, factory.cq_body(person, factory.certificate(person)), me)
    clock.today = date(2026, 6, 22)
    late = await submitted(
        client, factory.cq_body(person, factory.certificate(person, occupation="4-07-01-01")), me
    )
    assert (early["review_due_on"], late["review_due_on"]) == ("2026-06-30", "2026-07-06")
    reviewer = tokens.officer("05")
    queue = (await client.get("/v1/claims/queue", headers=reviewer)).json()["items"]
    assert [i["id"] for i in queue] == [early["id"], late["id"]]
    clock.today = date(2026, 6, 30)
    assert (await client.get("/v1/claims/queue", params={"overdue": True}, headers=reviewer)).json()[
        "items"
    ] == []
    clock.today = date(2026, 7, 1)
    overdue = (await client.get("/v1/claims/queue", params={"overdue": True}, headers=reviewer)).json()[
        "items"
    ]
    assert [(i["id"], i["overdue"]) for i in overdue] == [(early["id"], True)]
    assert (await client.get(f"/v1/claims/{late['id']}", headers=me)).json()["overdue"] is False
    mine = (await client.get("/v1/claims/mine", headers=me)).json()
    assert [(c["id"], c["overdue"]) for c in mine["items"]] == [(early["id"], True), (late["id"], False)]
    assert (mine["total"], mine["page"]) == (2, 1)
    second = (await client.get("/v1/claims/mine", params={"page": 2, "page_size": 1}, headers=me)).json()
    assert [c["id"] for c in second["items"]] == [late["id"]] and second["total"] == 2
    nobody = (await client.get("/v1/claims/mine", headers=tokens.citizen(factory.person()))).json()
    assert (nobody["items"], nobody["total"]) == ([], 0)


async def test_illegal_moves_are_409_naming_the_state(
    client: httpx.AsyncClient, factory: Any, tokens: Any
) -> None:
    person = factory.person()
    me = tokens.citizen(person)
    claim = await submitted(client, factory.cq_body(person, factory.certificate(person)), me)
    reviewer = tokens.officer("05", "unit_head")
    for path, extra in (
        ("approve", {"json": {"amount_fen": 100}, "headers": {**reviewer, **key()}}),
        ("publish", {"headers": reviewer}),
        ("confirm", {"headers": {**reviewer, **key()}}),
        ("instruct-payment", {"headers": reviewer}),
        ("claw-back", {"json": {"reason": "x"}, "headers": reviewer}),
    ):
        response = await client.post(f"/v1/claims/{claim['id']}/{path}", **extra)
        assert response.status_code == 409, (path, response.text)
        assert response.json()["current_state"] == "submitted"
        assert "已提交" in response.json()["detail"]  # the state by its Chinese name
    again = await client.post(f"/v1/claims/{claim['id']}/submit", headers={**me, **key()})
    assert again.status_code == 409 and again.json()["current_state"] == "submitted"


async def test_objection_blocks_confirmation_until_resolved(
    client: httpx.AsyncClient, factory: Any, tokens: Any, clock: Any
) -> None:
    person = factory.person()
    me = tokens.citizen(person)
    claim = await submitted(client, factory.cq_body(person, factory.certificate(person)), me)
    cid = claim["id"]
    boss = tokens.officer("05", "unit_head")
    await client.post(f"/v1/claims/{cid}/start-review", headers=boss)
    material = await client.post(
        f"/v1/claims/{cid}/request-material", json={"reason": "请提供失业登记证明"}, headers=boss
    )
    assert material.json()["status"] == "material_requested"
    clock.today = date(2026, 6, 17)
    resubmitted = await client.post(
        f"/v1/claims/{cid}/resubmit", json={"material": "失业登记证明已上传"}, headers=me
    )
    assert resubmitted.json()["status"] == "resubmitted"
    assert resubmitted.json()["review_due_on"] == "2026-07-02"
    await client.post(f"/v1/claims/{cid}/start-review", headers=boss)
    await client.post(
        f"/v1/claims/{cid}/approve",
        json={"amount_fen": 100_000, "reason": "票据金额1000元"},
        headers={**boss, **key()},
    )
    await client.post(f"/v1/claims/{cid}/publish", headers=boss)
    objection = await client.post(
        f"/v1/claims/{cid}/objections",
        json={"reason": "此人并未参加评价"},
        headers=tokens.citizen(factory.person()),
    )
    assert objection.status_code == 201
    oid = objection.json()["objections"][0]["id"]
    clock.today = date(2026, 6, 30)
    blocked = await client.post(f"/v1/claims/{cid}/confirm", headers={**boss, **key()})
    assert blocked.status_code == 409 and blocked.json()["code"] == "open_objection"
    not_head = await client.post(f"/v1/claims/{cid}/confirm", headers={**tokens.officer("05"), **key()})
    assert not_head.status_code == 403
    dismissed = await client.post(
        f"/v1/claims/{cid}/objections/{oid}/resolve",
        json={"resolution": "dismissed", "note": "核实参加了评价"},
        headers=boss,
    )
    assert dismissed.json()["status"] == "in_publicity"
    assert (await client.post(f"/v1/claims/{cid}/confirm", headers={**boss, **key()})).status_code == 200


async def test_upheld_objection_rejects_the_claim(
    client: httpx.AsyncClient, factory: Any, tokens: Any
) -> None:
    person = factory.person()
    me = tokens.citizen(person)
    claim = await submitted(client, factory.cq_body(person, factory.certificate(person)), me)
    cid = claim["id"]
    boss = tokens.officer("05", "unit_head")
    await client.post(f"/v1/claims/{cid}/start-review", headers=boss)
    await client.post(
        f"/v1/claims/{cid}/approve",
        json={"amount_fen": 100_000, "reason": "票据金额1000元"},
        headers={**boss, **key()},
    )
    await client.post(f"/v1/claims/{cid}/publish", headers=boss)
    oid = (await client.post(f"/v1/claims/{cid}/objections", json={"reason": "冒名"}, headers=me)).json()[
        "objections"
    ][0]["id"]
    upheld = await client.post(
        f"/v1/claims/{cid}/objections/{oid}/resolve",
        json={"resolution": "upheld", "note": "冒名顶替"},
        headers=boss,
    )
    assert upheld.json()["status"] == "rejected" and "冒名顶替" in upheld.json()["rejection_reason"]
    assert (await client.get("/v1/publicity")).json()["items"] == []


async def test_reviewer_verifies_declared_facts_from_a_named_source(
    client: httpx.AsyncClient, factory: Any, tokens: Any
) -> None:
    await client.put(
        "/v1/policies/sh-upgrade/catalogue",
        json={"entries": [{"occupation_code": "4-01-02-03", "catalogue_class": "C"}]},
        headers=tokens.city(),
    )
    person = factory.person()
    me = tokens.citizen(person)
    claim = await submitted(client, factory.sh_body(person, factory.certificate(person, province="31")), me)
    assert claim["outcome"] == "needs_material"
    cid, reviewer = claim["id"], tokens.officer(claim["district_code"])
    early = await client.post(
        f"/v1/claims/{cid}/verify-fact", json={"fact": "sh.group", "source": "社保"}, headers=reviewer
    )
    assert early.status_code == 409 and early.json()["current_state"] == "submitted"
    await client.post(f"/v1/claims/{cid}/start-review", headers=reviewer)
    elsewhere = await client.post(
        f"/v1/claims/{cid}/verify-fact",
        json={"fact": "sh.group", "source": "社保"},
        headers=tokens.officer("310101"),
    )
    assert elsewhere.status_code == 403
    wrong = await client.post(
        f"/v1/claims/{cid}/verify-fact",
        json={"fact": "cq.identity_category", "source": "x"},
        headers=reviewer,
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["loc"] == ["body", "fact"]
    half = await client.post(
        f"/v1/claims/{cid}/verify-fact", json={"fact": "sh.group", "source": "灵活就业登记"}, headers=reviewer
    )
    assert half.json()["outcome"] == "needs_material"
    assert half.json()["facts"]["sh"]["group"] == {
        "value": "flexible",
        "provenance": "verified",
        "source": "灵活就业登记",
    }
    done = await client.post(
        f"/v1/claims/{cid}/verify-fact",
        json={"fact": "sh.hukou_shanghai", "source": "公安户籍"},
        headers=reviewer,
    )
    assert done.json()["outcome"] == "eligible"
    sh1 = next(r for r in done.json()["decision"]["results"] if r["rule"] == "SH-1")
    assert sh1["verdict"] == "pass"
    assert done.json()["amount_fen"] == claim["amount_fen"] == 150_000


async def test_registry_record_shapes_the_decision(
    client: httpx.AsyncClient, factory: Any, tokens: Any, fake_registry: Any
) -> None:
    """How the registry says a certificate was obtained decides SH-7; a revoked certificate is refused;
    a 工种 printed as "——" is no 工种."""
    await client.put(
        "/v1/policies/sh-upgrade/catalogue",
        json={"entries": [{"occupation_code": "4-01-02-03", "catalogue_class": "B"}]},
        headers=tokens.city(),
    )
    person = factory.person()
    me = tokens.citizen(person)
    recognised = factory.certificate(person, province="31", via="direct_recognition")
    cid = await drafted(client, factory.sh_body(person, recognised), me)
    refused = await client.post(f"/v1/claims/{cid}/submit", headers={**me, **key()})
    assert refused.status_code == 422 and refused.json()["rule"] == "SH-7"

    revoked = factory.certificate(person, province="31")
    fake_registry.records[revoked["number"]] = {**revoked, "status": "revoked", "revoked_reason": "舞弊"}
    cid = await drafted(client, factory.sh_body(person, revoked), me)
    response = await client.post(f"/v1/claims/{cid}/submit", headers={**me, **key()})
    assert response.status_code == 422 and response.json()["errors"][0]["type"] == "revoked"

    dashed = factory.certificate(person, province="31")
    fake_registry.records[dashed["number"]] = {**dashed, "work_type": "——"}
    claim = await submitted(client, factory.sh_body(person, dashed), me)
    assert claim["work_type"] is None and claim["amount_fen"] == 270_000
