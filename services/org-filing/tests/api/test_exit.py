"""Exit (OF-7, CR-2): cancellation retires the code; a merger files a new body and cancels the merged ones."""

from __future__ import annotations

import httpx
from of_factories import city, credit_code, district, filed_body


async def test_cancellation_retires_and_is_final(client: httpx.AsyncClient) -> None:
    code, _, officer = await filed_body(client, level_scope="district", place="20", levels=(3, 4, 5))
    assert (
        await client.post(f"/v1/bodies/{code}/cancellation", json={"reason": "x"}, headers=district("21"))
    ).status_code == 403
    r = await client.post(f"/v1/bodies/{code}/cancellation", json={"reason": "自愿注销"}, headers=officer)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = await client.post(f"/v1/bodies/{code}/reinstatement", json={"reason": "x"}, headers=officer)
    assert r.status_code == 409 and r.json()["current_state"] == "cancelled"
    retired = (await client.get("/v1/retired-codes", params={"district_code": "20"})).json()["items"]
    assert [(x["code"], x["reason"], x["district_code"]) for x in retired] == [(code, "cancelled", "20")]
    # the deprecated name of the filter still works for one version
    deprecated = (await client.get("/v1/retired-codes", params={"place": "20"})).json()["items"]
    assert [x["code"] for x in deprecated] == [code]
    assert (await client.get("/v1/retired-codes", params={"district_code": "21"})).json()["total"] == 0
    # the cancelled body stays on record for look-up and tracing
    assert (await client.get(f"/v1/bodies/{code}")).json()["cancelled_on"] is not None


async def test_merger_creates_a_new_body_and_cancels_the_merged(client: httpx.AsyncClient) -> None:
    a, _, officer = await filed_body(client)
    b, _, _ = await filed_body(client)
    merge = {
        "merged_codes": [a, b],
        "place_code": "00",
        "level_scope": "city",
        "name": "重庆市合并后评价中心",
        "credit_code": credit_code(),
        "registered_address": "重庆市江北区",
        "office_address": "重庆市江北区",
        "legal_representative": "周九",
        "scope": [{"occupation_code": "6-31-01-03", "occupation_name": "电工", "levels": [1, 2, 3]}],
        "valid_from": "2026-11-01",
    }
    # `place_code` is the deprecated name of `district_code`, still accepted for one version
    r = await client.post("/v1/bodies/mergers", json=merge, headers={**city(), "Idempotency-Key": "m-1"})
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["code"] == "S000050000003" and new["status"] == "active" and new["district_code"] == "00"
    assert new["district_name"] == "重庆市"
    for old in (a, b):
        got = (await client.get(f"/v1/bodies/{old}")).json()
        assert got["status"] == "cancelled" and got["merged_into"] == new["code"]
    assert {x["code"]: x["reason"] for x in (await client.get("/v1/retired-codes")).json()["items"]} == {
        a: "merged",
        b: "merged",
    }
    again = await client.post("/v1/bodies/mergers", json=merge, headers=officer)
    assert again.status_code == 409 and again.json()["current_state"] == "cancelled"


async def test_merger_refuses_out_of_reach_levels_and_leaves_nothing(client: httpx.AsyncClient) -> None:
    a, _, _ = await filed_body(client, level_scope="district", place="02", levels=(3, 4, 5))
    b, _, officer = await filed_body(client, level_scope="district", place="02", levels=(3, 4, 5))
    merge = {
        "merged_codes": [a, b],
        "district_code": "02",
        "level_scope": "district",
        "name": "合并机构",
        "credit_code": credit_code(),
        "registered_address": "黔江",
        "office_address": "黔江",
        "legal_representative": "吴十",
        "scope": [{"occupation_code": "6-31-01-03", "occupation_name": "电工", "levels": [1, 3]}],
        "valid_from": "2026-11-01",
    }
    r = await client.post("/v1/bodies/mergers", json=merge, headers=officer)
    assert r.status_code == 422 and r.json()["rule"] == "CR-3"
    assert {(await client.get(f"/v1/bodies/{c}")).json()["status"] for c in (a, b)} == {"active"}
    assert (await client.get("/v1/retired-codes")).json()["items"] == []
