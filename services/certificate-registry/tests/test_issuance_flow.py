"""Batch → results → publicity → approval → issue → roster → look-up, over HTTP against real PostgreSQL."""

from __future__ import annotations

import csv
import io

import httpx
from registry_testkit import (
    APPROVAL_DAY,
    DISTRICT_BODY,
    PUBLICITY_END,
    PUBLICITY_START,
    YEAR,
    Registry,
    candidate,
)
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared import certnumber


async def test_full_issuance(registry: Registry, client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    await registry.put_issuer()
    rows = [candidate(i) for i in range(5)] + [candidate(5, passed=False)]
    batch_id = await registry.ready_batch(rows)
    issued = await registry.issue(batch_id)
    assert issued.status_code == 201, issued.text
    out = issued.json()
    assert out["issued_count"] == 5
    assert out["first_number"] == f"{DISTRICT_BODY}{YEAR}4000001"
    assert out["last_number"] == f"{DISTRICT_BODY}{YEAR}4000005"
    assert certnumber.decode(out["first_number"])["place"] == "07 沙坪坝区"

    roster = await client.get(f"/v1/batches/{batch_id}/roster", headers=registry.staff())
    assert roster.status_code == 200
    entries = roster.json()["entries"]
    assert [e["number"][-6:] for e in entries] == ["000001", "000002", "000003", "000004", "000005"]
    assert entries[0]["level_name"] == "四级/中级工" and entries[0]["work_type"] == "维修电工"
    as_csv = await client.get(f"/v1/batches/{batch_id}/roster?format=csv", headers=registry.officer())
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert lines[0][:3] == ["序号", "证书编号", "姓名"] and len(lines) == 6

    number = out["first_number"]
    found = await client.get(f"/v1/certificates/{number}", params={"name": "考生甲"})
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["status"] == "valid" and body["body_name"].startswith("重庆市某职业技能评价中心")
    assert "*" in body["id_number_masked"] and rows[0]["id_number"] not in found.text
    by_id = await client.get(f"/v1/certificates/{number}", params={"id_number": rows[0]["id_number"]})
    assert by_id.status_code == 200 and by_id.json() == body

    wrong_name = await client.get(f"/v1/certificates/{number}", params={"name": "考生乙"})
    unknown = await client.get(f"/v1/certificates/{DISTRICT_BODY}{YEAR}4999999", params={"name": "考生甲"})
    assert wrong_name.status_code == unknown.status_code == 404
    strip = lambda r: {k: v for k, v in r.json().items() if k != "request_id"}  # noqa: E731
    assert strip(wrong_name) == strip(unknown)
    assert strip(wrong_name)["rule"] == "CR-6"

    async with engine.connect() as conn:
        audit = (await conn.execute(text("SELECT action FROM audit_log ORDER BY id"))).scalars().all()
    assert audit == [
        "issuer.created",
        "batch.created",
        "batch.results_uploaded",
        "batch.publicity_started",
        "batch.approved",
        "certificates.issued",
    ]
    chain = await client.get("/v1/audit/verify", headers={**registry.officer(), **_inspector()})
    assert chain.json()["ok"] is True


def _inspector() -> dict[str, str]:
    from skills_shared.testing import auth_headers

    return auth_headers("inspector")


async def test_approval_waits_for_publicity_to_end(registry: Registry, client: httpx.AsyncClient) -> None:
    await registry.put_issuer()
    batch_id = await registry.create_batch()
    assert (await registry.upload(batch_id, [candidate(1)])).status_code == 200
    registry.on(PUBLICITY_START)
    started = await client.post(f"/v1/batches/{batch_id}/publicity", headers=registry.staff())
    assert started.json()["publicity_ends"] == PUBLICITY_END.isoformat()
    registry.on(PUBLICITY_END)
    early = await client.post(f"/v1/batches/{batch_id}/approval", headers=registry.officer())
    assert early.status_code == 409
    assert early.json()["rule"] == "CR-4" and PUBLICITY_END.isoformat() in early.json()["detail"]
    assert early.json()["publicity_ends"] == PUBLICITY_END.isoformat()
    other_district = await client.post(f"/v1/batches/{batch_id}/approval", headers=registry.officer("08"))
    assert other_district.status_code == 403
    not_issued_yet = await registry.issue(batch_id)
    assert not_issued_yet.status_code == 409 and not_issued_yet.json()["rule"] == "CR-4"
    assert not_issued_yet.json()["current_state"] == "publicity"
    registry.on(APPROVAL_DAY)
    assert (
        await client.post(f"/v1/batches/{batch_id}/approval", headers=registry.officer())
    ).status_code == 200


async def test_objection_holds_a_candidate_until_resolved(
    registry: Registry, client: httpx.AsyncClient
) -> None:
    await registry.put_issuer()
    batch_id = await registry.create_batch()
    assert (await registry.upload(batch_id, [candidate(i) for i in range(3)])).status_code == 200
    registry.on(PUBLICITY_START)
    await client.post(f"/v1/batches/{batch_id}/publicity", headers=registry.staff())
    public = await client.get(f"/v1/batches/{batch_id}/publicity")
    assert public.status_code == 200
    ids = [c["candidate_id"] for c in public.json()["candidates"]]
    assert all("*" in c["id_number_masked"] for c in public.json()["candidates"])
    citizen = {"Authorization": _citizen_token()}
    held = []
    for candidate_id in ids[:2]:
        lodged = await client.post(
            f"/v1/batches/{batch_id}/objections",
            json={"candidate_id": candidate_id, "reason": "成绩存疑"},
            headers=citizen,
        )
        assert lodged.status_code == 201, lodged.text
        held.append(lodged.json()["id"])
    registry.on(APPROVAL_DAY)
    late = await client.post(
        f"/v1/batches/{batch_id}/objections", json={"candidate_id": ids[2], "reason": "晚了"}, headers=citizen
    )
    assert late.status_code == 409 and late.json()["rule"] == "CR-4"
    assert (
        await client.post(f"/v1/batches/{batch_id}/approval", headers=registry.officer())
    ).status_code == 200
    first = await registry.issue(batch_id)
    assert first.status_code == 201 and first.json()["issued_count"] == 1
    listed = await client.get(f"/v1/batches/{batch_id}/objections", headers=registry.officer())
    page = listed.json()
    assert (page["total"], page["page"]) == (2, 1)
    assert [o["id"] for o in page["items"]] == held and {o["status"] for o in page["items"]} == {"pending"}
    second_page = await client.get(
        f"/v1/batches/{batch_id}/objections", params={"page": 2, "page_size": 1}, headers=registry.officer()
    )
    assert [o["id"] for o in second_page.json()["items"]] == held[1:]
    assert (
        await client.get(f"/v1/batches/{batch_id}/objections", headers=registry.officer("08"))
    ).status_code == 403
    upheld = await client.post(
        f"/v1/objections/{held[0]}/resolution",
        json={"outcome": "upheld", "note": "属实"},
        headers=registry.officer(),
    )
    dismissed = await client.post(
        f"/v1/objections/{held[1]}/resolution",
        json={"outcome": "dismissed", "note": "不属实"},
        headers=registry.officer(),
    )
    assert upheld.status_code == dismissed.status_code == 200
    again = await client.post(
        f"/v1/objections/{held[1]}/resolution",
        json={"outcome": "upheld", "note": "再议"},
        headers=registry.officer(),
    )
    assert again.status_code == 409 and again.json()["code"] == "illegal_state"
    assert again.json()["current_state"] == "dismissed"
    second = await registry.issue(batch_id)
    assert second.status_code == 201, second.text
    assert second.json()["issued_count"] == 1 and second.json()["first_number"].endswith("000002")
    nothing = await registry.issue(batch_id)
    assert nothing.status_code == 409 and nothing.json()["code"] == "nothing_to_issue"


def _citizen_token() -> str:
    from skills_shared.testing import auth_headers

    return auth_headers("citizen", sub="500106199001010011")["Authorization"]


async def test_issue_is_idempotent_per_key(
    registry: Registry, client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await registry.put_issuer()
    batch_id = await registry.ready_batch([candidate(1), candidate(2)])
    first = await registry.issue(batch_id, key="issue-1")
    replay = await registry.issue(batch_id, key="issue-1")
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json() and replay.headers.get("idempotent-replayed") == "true"
    other = await registry.create_batch()
    assert (await registry.upload(other, [candidate(3)])).status_code == 200
    registry.on(PUBLICITY_START)
    reused = await client.post(
        f"/v1/batches/{other}/publicity", headers={**registry.staff(), "Idempotency-Key": "issue-1"}
    )
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    no_key = await client.post(f"/v1/batches/{batch_id}/issue", headers=registry.staff())
    assert no_key.status_code == 422 and no_key.json()["errors"][0]["loc"][0] == "header"
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM certificates"))).scalar_one() == 2
        issued = (
            await conn.execute(text("SELECT count(*) FROM audit_log WHERE action = 'certificates.issued'"))
        ).scalar_one()
    assert issued == 1


async def test_openapi_documents_every_error(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    operations = [
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if path.startswith("/v1/")
    ]
    assert len(operations) >= 24
    ids = [op["operationId"] for _, _, op in operations]
    assert len(ids) == len(set(ids))
    short = {
        ("post", "/v1/batches"): "batches.open",
        ("put", "/v1/batches/{batch_id}/results"): "batches.upload_results",
        ("post", "/v1/batches/{batch_id}/issue"): "batches.issue",
        ("get", "/v1/certificates/{number}"): "certificates.lookup",
        ("get", "/v1/certificates/{number}/record"): "certificates.record",
        ("get", "/v1/me/certificates"): "certificates.mine",
        ("get", "/v1/certificate-numbers/{number}"): "numbers.decode",
        ("put", "/v1/issuers/{code}"): "issuers.put",
        ("get", "/v1/reports/counts"): "reports.counts",
    }
    for (method, path), operation_id in short.items():
        assert schema["paths"][path][method]["operationId"] == operation_id
    undocumented = [
        (method, path)
        for path, method, op in operations
        if not any(code.startswith("4") for code in op["responses"]) and path != "/v1/signing-key"
    ]
    assert undocumented == []
    lookup_op = schema["paths"]["/v1/certificates/{number}"]["get"]
    assert {"404", "422"} <= set(lookup_op["responses"])


async def test_lookup_hot_path_is_counted_under_its_template(
    registry: Registry, client: httpx.AsyncClient
) -> None:
    await registry.put_issuer()
    batch_id = await registry.ready_batch([candidate(1)])
    number = (await registry.issue(batch_id)).json()["first_number"]
    assert (await client.get(f"/v1/certificates/{number}", params={"name": "考生乙"})).status_code == 200
    metrics = (await client.get("/metrics")).text
    assert 'route="/v1/certificates/{number}"' in metrics
