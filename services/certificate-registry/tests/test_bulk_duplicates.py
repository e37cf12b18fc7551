"""Every bulk write of the registry refuses a repeated row with one 422 ``duplicate_rows`` naming both rows, and
stores nothing (issue 20, item 4): a property test over the results upload (JSON and the .xlsx template) and the
issuer record's scope lines, the registry's lists of rows."""

from __future__ import annotations

import io
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from registry_testkit import DISTRICT_BODY, EVALUATION_DAY, Registry, candidate, issuer_payload
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.duplicates import find_repeats
from skills_shared.spreadsheets import XLSX_MEDIA
from skills_shared.testing import auth_headers

HEADERS = ["姓名", "身份证号", "性别", "照片编号", "理论知识成绩", "操作技能成绩", "综合评审成绩"]
CODES = ["6-31-01-03", "4-10-01-05", "6-18-02-01", "4-01-02-03"]


def _id_key(row: dict[str, Any]) -> Hashable:
    return str(row["id_number"]).strip().upper()


def _same_id(row: dict[str, Any], earlier: dict[str, Any]) -> dict[str, Any]:
    """The earlier row's ID number, as a sender's file repeats it: sometimes with a lower-case x or spaces."""
    return {**row, "id_number": earlier["id_number"].lower(), "gender": earlier["gender"]}


def _sheet(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("评价结果")
    for c, header in enumerate(HEADERS):
        sheet.write(0, c, header)
    for r, row in enumerate(rows, start=1):
        values = [row["name"], row["id_number"], row["gender"], row["photo_ref"], *row["scores"].values()]
        for c, value in enumerate(values):
            sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


Request = Callable[[str, list[Any]], tuple[str, str, dict[str, Any]]]


@dataclass(frozen=True)
class Bulk:
    """One bulk list of one route: how to make a row, its key, how to repeat a key, where errors point."""

    row: st.SearchStrategy[dict[str, Any]]
    key: Callable[[dict[str, Any]], Hashable]
    repeat: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]
    loc: Callable[[int], list[Any]]
    field: str
    member: str
    request: Request


CANDIDATE = st.integers(min_value=0, max_value=399).map(lambda seq: candidate(seq))
SCOPE_LINE = st.builds(
    lambda code, levels: {"occupation_code": code, "occupation_name": "某职业", "levels": levels},
    st.sampled_from(CODES),
    st.sampled_from([[3], [4], [3, 4, 5]]),
)

BULKS: dict[str, Bulk] = {
    "results (JSON)": Bulk(
        CANDIDATE,
        _id_key,
        _same_id,
        lambda later: ["body", "candidates", later, "id_number"],
        "candidates",
        "id_number",
        lambda batch, rows: ("json", f"/v1/batches/{batch}/results", {"candidates": rows}),
    ),
    "results (.xlsx)": Bulk(
        CANDIDATE,
        _id_key,
        _same_id,
        lambda later: ["file", "评价结果", later + 2, "身份证号"],
        "candidates",
        "id_number",
        lambda batch, rows: ("xlsx", f"/v1/batches/{batch}/results", {"candidates": rows}),
    ),
    "issuer scope": Bulk(
        SCOPE_LINE,
        lambda r: r["occupation_code"],
        lambda row, earlier: {**row, "occupation_code": earlier["occupation_code"]},
        lambda later: ["body", "scope", later, "occupation_code"],
        "scope",
        "occupation_code",
        lambda _, rows: ("json", f"/v1/issuers/{DISTRICT_BODY}", issuer_payload(DISTRICT_BODY, scope=rows)),
    ),
}


@st.composite
def with_duplicate(draw: st.DrawFn) -> tuple[str, list[Any], int, int]:
    """A bulk list in which row ``later`` repeats row ``earlier``'s key (other rows may repeat too)."""
    name = draw(st.sampled_from(sorted(BULKS)))
    bulk = BULKS[name]
    rows = draw(st.lists(bulk.row, min_size=2, max_size=6))
    earlier = draw(st.integers(min_value=0, max_value=len(rows) - 2))
    later = draw(st.integers(min_value=earlier + 1, max_value=len(rows) - 1))
    rows[later] = bulk.repeat(rows[later], rows[earlier])
    return name, rows, earlier, later


@pytest.fixture
async def batch_id(registry: Registry) -> str:
    await registry.put_issuer()
    return await registry.create_batch()


async def _stored(engine: AsyncEngine) -> tuple[int, str]:
    async with engine.connect() as conn:
        candidates = (await conn.execute(text("SELECT count(*) FROM candidates"))).scalar_one()
        scopes = (await conn.execute(text("SELECT scope::text FROM issuers ORDER BY code"))).scalars().all()
    return int(candidates), "|".join(scopes)


async def _send(registry: Registry, bulk: Bulk, batch: str, rows: list[Any]) -> httpx.Response:
    kind, path, body = bulk.request(batch, rows)
    registry.on(EVALUATION_DAY + timedelta(days=1))
    if path.startswith("/v1/issuers/"):
        return await registry.client.put(path, json=body, headers=auth_headers("service", sub="org-filing"))
    if kind == "xlsx":
        headers = {**registry.staff(), "Content-Type": XLSX_MEDIA}
        return await registry.client.put(path, content=_sheet(body["candidates"]), headers=headers)
    return await registry.client.put(path, json=body, headers=registry.staff())


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=with_duplicate())
async def test_every_bulk_write_refuses_a_repeated_row_naming_both(
    registry: Registry, engine: AsyncEngine, batch_id: str, case: tuple[str, list[Any], int, int]
) -> None:
    name, rows, earlier, later = case
    bulk = BULKS[name]
    before = await _stored(engine)
    response = await _send(registry, bulk, batch_id, rows)
    assert response.status_code == 422, (name, response.text)
    problem = response.json()
    assert problem["code"] == "duplicate_rows", (name, problem)
    pairs = {tuple(p["rows"]) for p in problem["duplicates"]}
    assert pairs == set(find_repeats(rows, bulk.key))
    assert any(lt == later and bulk.key(rows[e]) == bulk.key(rows[earlier]) for e, lt in pairs)
    assert {(p["field"], p["member"]) for p in problem["duplicates"]} == {(bulk.field, bulk.member)}
    assert bulk.loc(later) in [e["loc"] for e in problem["errors"]]
    assert all(e["type"] == "duplicate_rows" for e in problem["errors"])
    assert await _stored(engine) == before


async def test_without_the_repeat_the_same_upload_is_stored(registry: Registry, batch_id: str) -> None:
    """The refusal is the repeat's alone: the rows without it upload."""
    rows = [candidate(seq) for seq in range(3)]
    repeated = await registry.upload(batch_id, [*rows, {**candidate(7), "id_number": rows[1]["id_number"]}])
    assert repeated.status_code == 422 and repeated.json()["duplicates"] == [
        {"rows": [1, 3], "field": "candidates", "member": "id_number"}
    ]
    assert "考生名单第4项与第2项的身份证号码重复" in repeated.json()["detail"]
    stored = await registry.upload(batch_id, rows)
    assert stored.status_code == 200, stored.text
    assert stored.json()["candidate_count"] == 3
