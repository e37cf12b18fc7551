"""贯通 bodies (OF-8): registration, the 2023 plan, issued-versus-quota progress under concurrency."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from of_factories import city, resident_id

from skills_shared.testing import auth_headers


def registration(name: str, experts: int) -> dict[str, Any]:
    contact = {"name": "某", "title": "主任", "mobile": "13900000000"}
    return {
        "name": name,
        "kind": "技工院校",
        "office_address": "重庆市江北区嘉陵四村100号",
        "registered_place": "00",
        "legal_representative": contact,
        "contact": contact,
        "mappings": [
            {"occupation_name": "化工总控工", "level": 2, "title_specialties": ["化学工程", "化工工艺"]}
        ],
        "staff": [
            {"name": "某", "id_number": resident_id(), "title": "主任", "education": "本科", "duties": "组织"}
        ],
        "experts": [
            {
                "name": f"专家{'甲乙丙丁戊己庚辛壬癸'[i]}",
                "id_number": resident_id(),
                "title_or_level": "正高级工程师",
                "education": "博士",
                "specialty": "化工",
                "in_house": i == 0,
            }
            for i in range(experts)
        ],
    }


async def test_registration_needs_three_experts(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/guantong/bodies", json=registration("重庆化工职业学院", 2), headers=city())
    assert r.status_code == 422 and r.json()["rule"] == "OF-8"
    assert [e["type"] for e in r.json()["errors"]] == ["min_experts"]
    r = await client.post("/v1/guantong/bodies", json=registration("重庆化工职业学院", 3), headers=city())
    assert r.status_code == 201, r.text
    assert r.json()["registration_complete"] is True and r.json()["expert_count"] == 3
    again = await client.post("/v1/guantong/bodies", json=registration("重庆化工职业学院", 3), headers=city())
    assert again.status_code == 409


async def test_the_2023_plan_loads_and_progress_adds_up_under_concurrency(client: httpx.AsyncClient) -> None:
    registered = await client.post(
        "/v1/guantong/bodies", json=registration("重庆化工职业学院", 3), headers=city()
    )
    gid = registered.json()["id"]
    r = await client.post("/v1/guantong/quota-plans/2023", headers=city())
    assert r.status_code == 200, r.text
    plan = r.json()
    assert len(plan["bodies"]) == 51
    assert (plan["quota_total"], plan["quota_technician"]) == (2000, 1500)
    chem = next(b for b in plan["bodies"] if b["name"] == "重庆化工职业学院")
    assert chem["guantong_body_id"] == gid and (chem["quota_total"], chem["quota_technician"]) == (130, 120)
    # loading again does not duplicate anything
    assert len((await client.post("/v1/guantong/quota-plans/2023", headers=city())).json()["bodies"]) == 51

    service = auth_headers("service", sub="certificate-registry")
    barrier = asyncio.Barrier(10)

    async def report() -> int:
        await barrier.wait()
        resp = await client.post(
            f"/v1/guantong/bodies/{gid}/quotas/2023/issued",
            json={"total": 5, "technician": 3},
            headers=service,
        )
        return resp.status_code

    assert set(await asyncio.gather(*(report() for _ in range(10)))) == {200}
    progress = (await client.get("/v1/guantong/quotas/2023", headers=city())).json()
    chem = next(b for b in progress["bodies"] if b["guantong_body_id"] == gid)
    assert (chem["issued_total"], chem["issued_technician"]) == (50, 30)
    assert (chem["percent_total"], chem["remaining_technician"]) == (38, 90)
    assert progress["issued_total"] == 50

    r = await client.post(
        f"/v1/guantong/bodies/{gid}/quotas/2023/issued", json={"total": 1, "technician": 2}, headers=service
    )
    assert r.status_code == 422
    r = await client.post(
        f"/v1/guantong/bodies/{gid}/quotas/2024/issued", json={"total": 1, "technician": 0}, headers=service
    )
    assert r.status_code == 404
    r = await client.put(
        f"/v1/guantong/bodies/{gid}/quotas/2024",
        json={"quota_total": 5, "quota_technician": 6},
        headers=city(),
    )
    assert r.status_code == 422 and r.json()["rule"] == "OF-8"
