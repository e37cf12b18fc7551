"""Look-up (CR-6), full record, own certificates, documents (CR-5, signature), revocation and reporting."""

from __future__ import annotations

import csv
import io

import httpx
import orjson
from registry_testkit import APPROVAL_DAY, DISTRICT_BODY, OCCUPATION, Registry, candidate
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.contracts.v1.pagination import Page
from skills_shared.contracts.v1.registry import CertificateRecord, PublicCertificate
from skills_shared.testing import auth_headers


async def _issued(registry: Registry, count: int = 2) -> tuple[list[str], list[dict[str, object]]]:
    await registry.put_issuer()
    rows = [candidate(i) for i in range(count)]
    batch_id = await registry.ready_batch(rows)
    issued = await registry.issue(batch_id)
    assert issued.status_code == 201, issued.text
    roster = await registry.client.get(f"/v1/batches/{batch_id}/roster", headers=registry.staff())
    return [e["number"] for e in roster.json()["entries"]], rows


async def test_lookup_answers(registry: Registry, client: httpx.AsyncClient) -> None:
    numbers, rows = await _issued(registry)
    bad = await client.get("/v1/certificates/S00005007000125400000X", params={"name": "考生甲"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["path", "number"]
    assert (bad.json()["rule"], bad.json()["code"]) == ("CR-1", "invalid_certificate_number")
    neither = await client.get(f"/v1/certificates/{numbers[0]}")
    both = await client.get(f"/v1/certificates/{numbers[0]}", params={"name": "考生甲", "id_number": "x"})
    assert neither.status_code == both.status_code == 422
    nul = await client.get(f"/v1/certificates/{numbers[0]}?name=%00")
    assert nul.status_code == 422

    record = await client.get(f"/v1/certificates/{numbers[0]}/record", headers=auth_headers("partner"))
    assert record.status_code == 200
    assert record.json()["id_number"] == rows[0]["id_number"] and record.json()["obtained_by"] == "evaluation"
    assert CertificateRecord.model_validate(record.json()).holder_name == "考生甲"
    assert (
        PublicCertificate.model_validate(
            (await client.get(f"/v1/certificates/{numbers[0]}", params={"name": "考生甲"})).json()
        ).number
        == numbers[0]
    )
    assert (await client.get(f"/v1/certificates/{numbers[0]}/record")).status_code == 401
    citizen_record = await client.get(
        f"/v1/certificates/{numbers[0]}/record",
        headers=auth_headers("citizen", sub=str(rows[0]["id_number"])),
    )
    assert citizen_record.status_code == 403
    other_district = await client.get(f"/v1/certificates/{numbers[0]}/record", headers=registry.officer("08"))
    assert other_district.status_code == 403

    mine = await client.get(
        "/v1/me/certificates", headers=auth_headers("citizen", sub=str(rows[1]["id_number"]))
    )
    page = Page[PublicCertificate].model_validate(mine.json())
    assert mine.status_code == 200 and [c.number for c in page.items] == [numbers[1]]
    assert (page.total, page.page) == (1, 1) and "*" in page.items[0].id_number_masked
    beyond = await client.get(
        "/v1/me/certificates",
        params={"page": 2},
        headers=auth_headers("citizen", sub=str(rows[1]["id_number"])),
    )
    assert (beyond.json()["items"], beyond.json()["total"]) == ([], 1)
    nobody = await client.get(
        "/v1/me/certificates", headers=auth_headers("citizen", sub="11010519491231002X")
    )
    assert (nobody.json()["items"], nobody.json()["total"]) == ([], 0)


async def test_revocation(registry: Registry, client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    numbers, _ = await _issued(registry, 2)
    number = numbers[0]
    path = f"/v1/certificates/{number}/revocation"
    body = {"reason": "考试作弊，经查属实"}
    no_key = await client.post(path, json=body, headers=registry.staff(role="org_admin"))
    assert no_key.status_code == 422
    staff = await client.post(path, json=body, headers={**registry.staff(), "Idempotency-Key": "r1"})
    assert staff.status_code == 403  # org_staff may not revoke, only the body's admin or an officer
    other = await client.post(path, json=body, headers={**registry.officer("08"), "Idempotency-Key": "r1"})
    assert other.status_code == 403
    admin = {**registry.staff(role="org_admin"), "Idempotency-Key": "r1"}
    revoked = await client.post(path, json=body, headers=admin)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked" and revoked.json()["revoked_reason"] == body["reason"]
    replay = await client.post(path, json=body, headers=admin)
    assert replay.status_code == 200 and replay.headers.get("idempotent-replayed") == "true"
    twice = await client.post(path, json=body, headers={**admin, "Idempotency-Key": "r2"})
    assert twice.status_code == 409 and twice.json()["code"] == "illegal_state"
    assert (twice.json()["rule"], twice.json()["current_state"]) == ("CR-7", "revoked")
    public = await client.get(f"/v1/certificates/{number}", params={"name": "考生甲"})
    assert public.json()["status"] == "revoked" and public.json()["revoked_reason"] == body["reason"]
    assert public.json()["revoked_on"] == APPROVAL_DAY.isoformat()
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM certificates"))).scalar_one() == 2
        actions = (
            await conn.execute(text("SELECT count(*) FROM audit_log WHERE action = 'certificate.revoked'"))
        ).scalar_one()
    assert actions == 1


async def test_reporting(registry: Registry, client: httpx.AsyncClient) -> None:
    numbers, _ = await _issued(registry, 3)
    day = APPROVAL_DAY.isoformat()
    city = auth_headers("city_officer")
    exported = await client.get("/v1/reports/certificates", params={"from": day, "to": day}, headers=city)
    assert exported.status_code == 200, exported.text
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert lines[0][0] == "证书编号" and [line[0] for line in lines[1:]] == numbers
    jsonl = await client.get(
        "/v1/reports/certificates",
        params={"from": day, "to": day, "format": "jsonl"},
        headers=registry.officer("07"),
    )
    assert [orjson.loads(line)["number"] for line in jsonl.content.splitlines()] == numbers
    elsewhere = await client.get(
        "/v1/reports/certificates",
        params={"from": day, "to": day, "format": "jsonl"},
        headers=registry.officer("08"),
    )
    assert elsewhere.content == b""
    counts = await client.get("/v1/reports/counts", params={"from": day, "to": day}, headers=city)
    assert counts.json()["items"] == [
        {
            "body_code": DISTRICT_BODY,
            "body_name": counts.json()["items"][0]["body_name"],
            **OCCUPATION,
            "level": 4,
            "year": APPROVAL_DAY.year,
            "issued": 3,
            "revoked": 0,
        }
    ]
    assert (counts.json()["total"], counts.json()["page_size"]) == (1, 50)
    backwards = await client.get("/v1/reports/counts", params={"from": day, "to": "2020-01-01"}, headers=city)
    assert backwards.status_code == 422
    absurd = await client.get("/v1/reports/counts", params={"from": "0001-01-01", "to": day}, headers=city)
    assert absurd.status_code == 422
    assert (
        await client.get("/v1/reports/counts", params={"from": day, "to": day}, headers=registry.staff())
    ).status_code == 403
