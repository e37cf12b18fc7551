"""GET /v1/calendar/working-days and /deadline: the P-1 periods and P-2 deadlines, public, with the years covered."""

from __future__ import annotations

import httpx
import pytest


async def test_p1_publicity_period_from_the_domain_example(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/calendar/working-days", params={"start": "2025-09-30", "n": 5})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["rule"] == "P-1"
    assert body["working_days"] == ["2025-10-09", "2025-10-10", "2025-10-11", "2025-10-13", "2025-10-14"]
    assert (body["last_day"], body["next_day"]) == ("2025-10-14", "2025-10-15")
    assert 2025 in body["covered_years"] and 2026 in body["covered_years"]


async def test_p2_deadline_for_an_evaluation_and_a_late_filing(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/calendar/deadline", params={"event_date": "2026-10-20"})
    assert r.status_code == 200, r.text
    assert (r.json()["rule"], r.json()["n"], r.json()["latest_filing_date"]) == ("P-2", 10, "2026-09-30")
    assert r.json()["on_time"] is None
    late = await client.get(
        "/v1/calendar/deadline", params={"event_date": "2026-10-20", "n": 10, "filed_on": "2026-10-08"}
    )
    assert late.json()["on_time"] is False and late.json()["earliest_event_date"] == "2026-10-21"


async def test_december_filing_for_january_is_answered(client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/v1/calendar/deadline", params={"event_date": "2027-01-15", "filed_on": "2026-12-07"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["on_time"] is True and body["earliest_event_date"] == "2026-12-21"
    assert body["latest_filing_date"] is None and body["uncovered_years"] == [2027]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/calendar/deadline", {"event_date": "2027-01-15"}, "event_date"),
        ("/v1/calendar/working-days", {"start": "2026-12-28", "n": 10}, "n"),
        ("/v1/calendar/deadline", {"event_date": "2027-02-01", "filed_on": "2026-12-28"}, "filed_on"),
    ],
)
async def test_p3_when_a_needed_day_is_uncovered(
    client: httpx.AsyncClient, path: str, params: dict[str, str], field: str
) -> None:
    r = await client.get(path, params=params)
    assert r.status_code == 409
    p = r.json()
    assert (p["rule"], p["code"], p["year"]) == ("P-3", "calendar_not_covered", 2027)
    assert 2026 in p["covered_years"] and p["errors"][0]["loc"] == ["query", field]


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-13-01", "n": 5},
        {"start": "20260901", "n": 5},
        {"start": "2026-09-01", "n": 0},
        {"start": "2026-09-01", "n": 251},
        {"start": "2026-09-01"},
    ],
)
async def test_bad_queries_name_the_field(client: httpx.AsyncClient, params: dict[str, object]) -> None:
    r = await client.get("/v1/calendar/working-days", params=params)
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"][0] == "query"
