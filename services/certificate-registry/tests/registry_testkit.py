"""Test and demo drivers of the registry's HTTP API: valid issuers, candidates and the issuance path."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI

from certificate_registry.testdata import make_id
from skills_shared.testing import auth_headers

DISTRICT_BODY = "S000050070001"
CITY_BODY = "S000050000002"
OCCUPATION = {"occupation_code": "4-01-01-01", "occupation_name": "电工"}
PUBLICITY_START = date(2025, 9, 30)
PUBLICITY_END = date(2025, 10, 14)  # P-1's worked example
APPROVAL_DAY = date(2025, 10, 15)


def issuer_payload(code: str = DISTRICT_BODY, **overrides: Any) -> dict[str, Any]:
    levels = [3, 4, 5] if code[7:9] != "00" else [1, 2, 3, 4, 5]
    body: dict[str, Any] = {
        "name": f"重庆市某职业技能评价中心{code[-4:]}",
        "status": "active",
        "scope": [{**OCCUPATION, "work_types": ["维修电工"], "levels": levels}],
        "level_scope": "district" if code[7:9] != "00" else "city",
        "valid_from": "2025-01-01",
        "valid_to": "2027-12-31",
    }
    body.update(overrides)
    return body


def candidate(seq: int, *, passed: bool = True, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": f"考生{seq}",
        "id_number": make_id(seq),
        "gender": "男",
        "photo_ref": f"photos/{seq}.jpg",
        "scores": {"theory": 75, "skill": 80 if passed else 40},
    }
    row.update(overrides)
    return row


@dataclass
class Registry:
    """Drives the registry through its HTTP API the way org-filing, a body and an officer would."""

    client: httpx.AsyncClient
    app: FastAPI
    today: list[date] = field(default_factory=lambda: [PUBLICITY_START])

    def on(self, day: date) -> None:
        self.today[0] = day

    def staff(self, code: str = DISTRICT_BODY, role: str = "org_staff") -> dict[str, str]:
        return auth_headers(role, sub=f"staff-{code}", body=code)

    def officer(self, district: str = "07") -> dict[str, str]:
        return auth_headers("district_officer", sub=f"officer-{district}", district=district)

    async def put_issuer(self, code: str = DISTRICT_BODY, **overrides: Any) -> dict[str, Any]:
        response = await self.client.put(
            f"/v1/issuers/{code}",
            json=issuer_payload(code, **overrides),
            headers=auth_headers("service", sub="org-filing"),
        )
        assert response.status_code in (200, 201), response.text
        return dict(response.json())

    async def create_batch(self, code: str = DISTRICT_BODY, **overrides: Any) -> str:
        body: dict[str, Any] = {
            "body_code": code,
            "plan_ref": "渝评计划2025-001",
            **OCCUPATION,
            "work_type": "维修电工",
            "level": 4,
            "evaluation_date": "2025-09-20",
            "method": "examination",
        }
        body.update(overrides)
        response = await self.client.post("/v1/batches", json=body, headers=self.staff(code))
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def upload(
        self, batch_id: str, rows: list[dict[str, Any]], code: str = DISTRICT_BODY
    ) -> httpx.Response:
        return await self.client.put(
            f"/v1/batches/{batch_id}/results", json={"candidates": rows}, headers=self.staff(code)
        )

    async def publicise_and_approve(self, batch_id: str, code: str = DISTRICT_BODY) -> None:
        self.on(PUBLICITY_START)
        started = await self.client.post(f"/v1/batches/{batch_id}/publicity", headers=self.staff(code))
        assert started.status_code == 200, started.text
        self.on(APPROVAL_DAY)
        approved = await self.client.post(f"/v1/batches/{batch_id}/approval", headers=self.officer(code[7:9]))
        assert approved.status_code == 200, approved.text

    async def issue(self, batch_id: str, code: str = DISTRICT_BODY, key: str | None = None) -> httpx.Response:
        headers = {**self.staff(code), "Idempotency-Key": key or uuid.uuid4().hex}
        return await self.client.post(f"/v1/batches/{batch_id}/issue", headers=headers)

    async def ready_batch(self, rows: list[dict[str, Any]], code: str = DISTRICT_BODY, **batch: Any) -> str:
        batch_id = await self.create_batch(code, **batch)
        uploaded = await self.upload(batch_id, rows, code)
        assert uploaded.status_code == 200, uploaded.text
        await self.publicise_and_approve(batch_id, code)
        return batch_id
