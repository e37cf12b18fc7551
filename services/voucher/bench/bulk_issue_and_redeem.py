"""Benchmark (not a test): bulk issue of 300,000 holders in one request, then redeem throughput.

Run: TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
     .venv/bin/python services/voucher/bench/bulk_issue_and_redeem.py [holders] [redeems]

It creates and drops its own database, drives the real app over ASGI (no sockets: the figures are the service's
own cost, not the network's) and prints figures; it asserts nothing about time.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import datetime

import orjson
from sqlalchemy import text

from skills_shared.testing import fresh_database, running_app
from voucher.app import MIGRATIONS_DIR, create_app
from voucher.clock import SHANGHAI, FixedClock
from voucher.redeem.rules import sign_token
from voucher.settings import VoucherSettings
from voucher.testdata import Scenario, holder_ids


async def main(url: str, holders_n: int, redeems_n: int) -> None:
    settings = VoucherSettings(
        database_url=url, environment="test", log_level="WARNING", database_pool_size=20
    )
    app = create_app(settings)
    app.state.clock = FixedClock(datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI))
    async with running_app(app) as client:
        s = Scenario(client)
        await s.price_all_types()
        inst = await s.institution("5000001", "04")
        await s.grant(inst, "scanner-1")
        class_id = await s.open_class(inst)
        campaign = await s.campaign(2026)
        holders = holder_ids(holders_n)
        body = orjson.dumps({"holders": [{"id_number": h, "district_code": "04"} for h in holders]})
        t0 = time.perf_counter()
        r = await client.post(
            f"/v1/campaigns/{campaign}/issues",
            content=body,
            headers={**s.city, "content-type": "application/json"},
        )
        elapsed = time.perf_counter() - t0
        assert r.status_code == 201, r.text[:500]
        print(
            f"bulk issue: {r.json()['issued']:,} holders in {elapsed:.1f} s ({len(body) / 1e6:.1f} MB body)"
        )

        # Vouchers for the redeem run, written set-wise (claiming is not what is measured here).
        engine = app.state.db.engine
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    """
                    INSERT INTO vouchers (holder_id, year, type_code, campaign_id, district_code, face_value_fen,
                                          valid_until, status)
                    SELECT holder_id, year, 'employment_skills', campaign_id, district_code, 80000,
                           '2026-11-30', 'claimed'
                      FROM grants ORDER BY id LIMIT :n
                    """
                ),
                {"n": redeems_n},
            )
            rows = (await conn.execute(text("SELECT id, holder_id FROM vouchers"))).all()
        key = settings.qr_secret.encode()
        now_s = int(app.state.clock.now().timestamp())
        staff = inst.staff("scanner-1")
        sem = asyncio.Semaphore(16)

        async def one(voucher_id: int, holder: str) -> int:
            async with sem:
                resp = await client.post(
                    "/v1/redemptions",
                    json={"token": sign_token(key, voucher_id, holder, now_s), "class_id": class_id},
                    headers=staff,
                )
                return resp.status_code

        t0 = time.perf_counter()
        codes = await asyncio.gather(*(one(v, h) for v, h in rows))
        elapsed = time.perf_counter() - t0
        ok = sum(1 for c in codes if c == 201)
        rate = ok / elapsed
        print(
            f"redeem: {ok:,} of {len(rows):,} in {elapsed:.1f} s = {rate:,.0f}/s (in-process, every check on)"
        )


if __name__ == "__main__":
    holders_n = int(sys.argv[1]) if len(sys.argv) > 1 else 300_000
    redeems_n = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000
    with fresh_database("voucher_bench", MIGRATIONS_DIR) as url:
        asyncio.run(main(url, holders_n, redeems_n))
