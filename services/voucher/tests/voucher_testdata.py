"""Deterministic test and demo data: valid holder ID numbers, and a scripted setting of institution, types,
campaign and class driven through the public API (tests, demos and benchmarks share it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from skills_shared.testing import auth_headers
from skills_shared.validators import make_resident_id

CHAOTIANMEN = (29.5653, 106.5878)
JIEFANGBEI = (29.5576, 106.5770)
DEFAULT_FACE_VALUE_FEN = 80_000


def holder_id(i: int, region: str = "500103") -> str:
    """The i-th distinct valid resident ID: 1,000 per birth day, counting days from 1970-01-01."""
    return make_resident_id(region, date(1970, 1, 1) + timedelta(days=i // 1000), i % 1000)


def holder_ids(n: int, start: int = 0) -> list[str]:
    return [holder_id(i) for i in range(start, start + n)]


def institution_payload(code: str, district: str, admin_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"重庆市测试职业培训学校{code}",
        "district_code": district,
        "address": "重庆市渝中区解放碑街道民族路1号",
        "phone": "023-88126902",
        "type": "private_training_school",
        "admin_name": "王专员",
        "admin_id_number": admin_id,
        "sites": [
            {"name": "朝天门教学点", "latitude": CHAOTIANMEN[0], "longitude": CHAOTIANMEN[1]},
            {"name": "解放碑教学点", "latitude": JIEFANGBEI[0], "longitude": JIEFANGBEI[1]},
        ],
        **extra,
    }


@dataclass
class Institution:
    code: str
    district: str
    admin_id: str
    site_ids: list[int]
    admin: dict[str, str] = field(default_factory=dict)

    def staff(self, sub: str) -> dict[str, str]:
        return auth_headers("institution_staff", sub, institution=self.code)


class Scenario:
    """Drives the API to build the usual setting; each step asserts its own success."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.city = auth_headers("city_officer", "city-1")

    def district(self, code: str) -> dict[str, str]:
        return auth_headers("district_officer", f"district-{code}", district=code)

    @staticmethod
    def citizen(id_number: str) -> dict[str, str]:
        return auth_headers("citizen", id_number)

    async def price_all_types(self, face_value_fen: int = DEFAULT_FACE_VALUE_FEN) -> list[str]:
        types = (await self.client.get("/v1/voucher-types", params={"page_size": 200})).json()["items"]
        for t in types:
            r = await self.client.put(
                f"/v1/voucher-types/{t['code']}", json={"face_value_fen": face_value_fen}, headers=self.city
            )
            assert r.status_code == 200, r.text
        return [t["code"] for t in types]

    async def institution(
        self, code: str = "5000001", district: str = "04", admin_index: int = 900_000
    ) -> Institution:
        admin_id = holder_id(admin_index)
        r = await self.client.post(
            "/v1/institutions",
            json=institution_payload(code, district, admin_id),
            headers=self.district(district),
        )
        assert r.status_code == 201, r.text
        inst = Institution(code, district, admin_id, [s["id"] for s in r.json()["sites"]])
        inst.admin = auth_headers("institution_admin", admin_id, institution=code)
        return inst

    async def grant(self, inst: Institution, staff_sub: str) -> None:
        r = await self.client.put(f"/v1/institutions/{inst.code}/redeemers/{staff_sub}", headers=inst.admin)
        assert r.status_code in (200, 201), r.text

    async def campaign(self, year: int, kind: str = "annual", **extra: Any) -> int:
        r = await self.client.post(
            "/v1/campaigns",
            json={"year": year, "kind": kind, "name": f"{year}年职业培训券", **extra},
            headers=self.city,
        )
        assert r.status_code == 201, r.text
        campaign_id: int = r.json()["id"]
        return campaign_id

    async def issue(self, campaign_id: int, holders: list[str], district: str = "04") -> dict[str, Any]:
        r = await self.client.post(
            f"/v1/campaigns/{campaign_id}/issues",
            json={"holders": [{"id_number": h, "district_code": district} for h in holders]},
            headers=self.city,
        )
        assert r.status_code == 201, r.text
        result: dict[str, Any] = r.json()
        return result

    async def claim(self, holder: str, types: list[str] | None = None) -> list[dict[str, Any]]:
        body: dict[str, Any] = {} if types is None else {"types": types}
        r = await self.client.post("/v1/me/vouchers/claims", json=body, headers=self.citizen(holder))
        assert r.status_code == 201, r.text
        vouchers: list[dict[str, Any]] = r.json()["vouchers"]
        return vouchers

    async def open_class(
        self,
        inst: Institution,
        project_type: str = "employment_skills",
        starts_on: date | None = None,
        ends_on: date | None = None,
    ) -> int:
        r = await self.client.post(
            f"/v1/institutions/{inst.code}/classes",
            json={
                "name": "电工培训班",
                "project_type": project_type,
                "starts_on": (starts_on or date(2026, 5, 1)).isoformat(),
                "ends_on": (ends_on or date(2026, 7, 31)).isoformat(),
                "site_ids": inst.site_ids,
            },
            headers=inst.admin,
        )
        assert r.status_code == 201, r.text
        class_id: int = r.json()["id"]
        return class_id

    async def qr(self, holder: str, voucher_id: int) -> str:
        r = await self.client.post(f"/v1/me/vouchers/{voucher_id}/qr-token", headers=self.citizen(holder))
        assert r.status_code == 200, r.text
        token: str = r.json()["token"]
        return token
