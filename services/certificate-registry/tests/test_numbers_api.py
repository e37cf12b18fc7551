"""GET /v1/certificate-numbers/{number}: the public decode (CR-1), and one refusal listing every fault."""

from __future__ import annotations

import httpx
import pytest

from skills_shared.contracts.v1.registry import CertificateNumberParts

GOOD = "S000050070012263000123"


async def test_a_number_is_decoded_part_by_part(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/v1/certificate-numbers/{GOOD}")
    assert response.status_code == 200, response.text
    parts = CertificateNumberParts.model_validate(response.json())
    assert parts.model_dump() == {
        "number": GOOD,
        "category": "S",
        "category_name": "社会培训评价组织",
        "route": "0000",
        "route_name": "重庆市人力社保部门备案",
        "province_code": "50",
        "province_name": "重庆市",
        "district_code": "07",
        "district_name": "沙坪坝区",
        "body_sequence": "0012",
        "body_code": "S000050070012",
        "year": 2026,
        "level_code": 3,
        "level_name": "三级/高级工",
        "serial": "000123",
    }


async def test_another_provinces_number_names_its_province(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/certificate-numbers/Y123431050007251000001")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["province_name"], body["category_name"], body["level_name"]) == (
        "上海市",
        "用人单位",
        "一级/高级技师",
    )
    assert body["route_name"] == "人力资源社会保障部赋码" and body["district_code"] == "05"


@pytest.mark.parametrize(
    ("number", "positions"),
    [
        ("s0000500x0012253000000XYZ", [1, 9, 17, 23]),  # lower-case letter, a letter, serial 0, too long
        ("S00005007001226300012", [22]),  # one short
        ("S000099070012263000123", [6]),  # no province 99
        ("S000050990012263000123", [8]),  # no Chongqing place 99
        ("S000050070012269000123", [16]),  # level 9
        ("S00005007001226３000123", [16]),  # a full-width digit
    ],
)
async def test_every_fault_is_listed_with_its_position(
    client: httpx.AsyncClient, number: str, positions: list[int]
) -> None:
    response = await client.get(f"/v1/certificate-numbers/{number}")
    assert response.status_code == 422
    problem = response.json()
    assert (problem["code"], problem["rule"]) == ("invalid_certificate_number", "CR-1")
    assert [f["position"] for f in problem["faults"]] == positions
    assert len(problem["errors"]) == len(positions)
    assert all(e["loc"] == ["path", "number"] for e in problem["errors"])
    assert all(f"第{p}位" in problem["detail"] for p in positions)


async def test_the_look_up_refuses_a_malformed_number_the_same_way(client: httpx.AsyncClient) -> None:
    number = "s0000500x0012253000000XYZ"
    decode = (await client.get(f"/v1/certificate-numbers/{number}")).json()
    lookup = (await client.get(f"/v1/certificates/{number}", params={"name": "张三"})).json()
    assert lookup["code"] == decode["code"] and lookup["faults"] == decode["faults"]
    very_long = "S" + "0" * 70
    assert (await client.get(f"/v1/certificates/{very_long}", params={"name": "张三"})).json()["code"] == (
        "invalid_certificate_number"
    )
