"""OF-4 / CR-2 under real concurrency: officers filing at once in one place never share a sequence."""

from __future__ import annotations

import asyncio

import httpx
from of_factories import city, district, filed_body, published_application

from skills_shared.testing import auth_headers

ROUNDS = 3
FILERS = 8


async def _file_all_at_once(client: httpx.AsyncClient, apps: list[tuple[int, dict[str, str]]]) -> list[str]:
    barrier = asyncio.Barrier(len(apps))

    async def one(app_id: int, officer: dict[str, str]) -> str:
        await barrier.wait()
        r = await client.post(
            f"/v1/applications/{app_id}/filing", json={"valid_from": "2026-11-01"}, headers=officer
        )
        assert r.status_code == 201, r.text
        return str(r.json()["body_code"])

    return list(await asyncio.gather(*(one(a, o) for a, o in apps)))


async def test_concurrent_filings_in_one_place_get_distinct_consecutive_sequences(
    client: httpx.AsyncClient,
) -> None:
    seen: list[str] = []
    for _ in range(ROUNDS):
        apps = []
        for i in range(FILERS):
            app_id, _, _ = await published_application(
                client, level_scope="district", place="05", levels=(3, 4, 5)
            )
            apps.append((app_id, district("05", sub=f"officer-{i}")))
        codes = await _file_all_at_once(client, apps)
        assert len(set(codes)) == FILERS
        seen.extend(codes)
    assert len(set(seen)) == ROUNDS * FILERS
    sequences = sorted(int(c[-4:]) for c in seen)
    assert sequences == list(range(1, ROUNDS * FILERS + 1))
    assert all(c.startswith("S00005005") for c in seen)


async def test_places_count_independently(client: httpx.AsyncClient) -> None:
    a = [
        await published_application(client, level_scope="district", place="01", levels=(3, 4, 5))
        for _ in range(3)
    ]
    b = [await published_application(client) for _ in range(3)]
    codes = await _file_all_at_once(client, [(x[0], x[2]) for x in a] + [(y[0], city()) for y in b])
    assert sorted(codes) == sorted(
        ["S000050010001", "S000050010002", "S000050010003", "S000050000001", "S000050000002", "S000050000003"]
    )


async def test_a_retired_sequence_never_returns(client: httpx.AsyncClient) -> None:
    first, _, officer = await filed_body(client)
    second, _, _ = await filed_body(client)
    for code in (first, second):
        r = await client.post(f"/v1/bodies/{code}/cancellation", json={"reason": "自愿退出"}, headers=officer)
        assert r.status_code == 200, r.text
    retired = (await client.get("/v1/retired-codes")).json()["items"]
    assert [r["code"] for r in retired] == [first, second]
    third, _, _ = await filed_body(client)
    assert third == "S000050000003"
    assert third not in {first, second}


async def test_two_officers_filing_the_same_application_file_it_once(client: httpx.AsyncClient) -> None:
    for _ in range(3):
        app_id, _, _ = await published_application(client)
        barrier = asyncio.Barrier(2)

        async def one(sub: str, app_id: int = app_id, barrier: asyncio.Barrier = barrier) -> httpx.Response:
            await barrier.wait()
            return await client.post(
                f"/v1/applications/{app_id}/filing",
                json={"valid_from": "2026-11-01"},
                headers=auth_headers("city_officer", sub=sub),
            )

        results = await asyncio.gather(one("officer-a"), one("officer-b"))
        assert sorted(r.status_code for r in results) == [201, 409]
        loser = next(r for r in results if r.status_code == 409)
        assert loser.json()["current_state"] == "filed"
    bodies = (await client.get("/v1/bodies")).json()
    assert bodies["total"] == 3
