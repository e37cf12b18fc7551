"""5. Vouchers: bulk issue of 300,000 holders in one request, and redeem throughput (scan-to-redeem, V-5).

The setting (types priced, an institution with a scanner, a campaign, classes) is built through the public API
with the voucher service's own scripted scenario; QR tokens are signed here with the service's key, exactly as
its qr-token endpoint would sign them, so the timed part is the redeem call alone.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.common import Context, StepFailed, cpu_text, expect
from bench.http1 import encode_request
from bench.infra import db_activity, describe_waits
from bench.loadgen import closed_loop
from skills_shared.workdays import today_shanghai

# The voucher service's scripted set-up steps (voucher_testdata) live with its tests, never in its src/.
VOUCHER_TESTS = Path(__file__).resolve().parents[1] / "services" / "voucher" / "tests"

REDEEM_TYPES = ("employment_skills", "entrepreneurship", "hr_services")
CONCURRENCY = 16


async def _run(ctx: Context, base: str) -> None:
    from voucher.redeem.rules import sign_token
    from voucher.settings import VoucherSettings

    if str(VOUCHER_TESTS) not in sys.path:
        sys.path.insert(0, str(VOUCHER_TESTS))
    from voucher_testdata import Scenario, holder_ids

    from voucher.vouchers.rules import open_campaign_year

    cfg = ctx.config
    today = today_shanghai()
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        scenario = Scenario(client)
        await scenario.price_all_types()
        inst = await scenario.institution("5000001", "04")
        await scenario.grant(inst, "scanner-1")
        campaign = await scenario.campaign(open_campaign_year(today))
        holders = holder_ids(cfg.voucher_holders)
        body = orjson.dumps({"holders": [{"id_number": h, "district_code": "04"} for h in holders]})
        t = time.perf_counter()
        resp = await client.post(
            f"/v1/campaigns/{campaign}/issues",
            content=body,
            headers={
                **scenario.city,
                "Content-Type": "application/json",
                "Idempotency-Key": str(uuid.uuid4()),
            },
        )
        seconds = time.perf_counter() - t
        try:
            out = expect(resp, 201, what="bulk issue")
            if int(out.get("issued", 0)) != cfg.voucher_holders:
                raise StepFailed(f"issued {out.get('issued')} of {cfg.voucher_holders}")
            ctx.figure(
                "voucher.bulk",
                seconds,
                f"{cfg.voucher_holders:,} holders in one request of {len(body) / 1e6:.1f} MB JSON: "
                f"{seconds:.1f} s ({cfg.voucher_holders / seconds:,.0f} holders/s)",
                label=f"bulk issue of {cfg.voucher_holders:,} holders",
                data={"seconds": seconds, "holders": cfg.voucher_holders},
            )
        except StepFailed as exc:
            ctx.missing("voucher.bulk", str(exc), label=f"bulk issue of {cfg.voucher_holders:,} holders")

        # Redeem: each holder may use three vouchers a year, so R redeems need R/3 holders claiming 3 types.
        people = holders[: (cfg.redeems + 2) // 3]
        classes = {
            t: await scenario.open_class(
                inst, project_type=t, starts_on=today - timedelta(days=5), ends_on=today + timedelta(days=60)
            )
            for t in REDEEM_TYPES
        }
        sem = asyncio.Semaphore(8)

        async def claim(holder: str) -> list[dict[str, Any]]:
            async with sem:
                return await scenario.claim(holder, list(REDEEM_TYPES))

        claimed = await asyncio.gather(*(claim(h) for h in people))
    key = VoucherSettings().qr_secret.encode()
    now = int(time.time())
    # One round per type over all holders: simultaneous scans then belong to different holders, as at a real
    # enrolment desk, instead of queueing on one holder's yearly-use counter row.
    jobs: list[dict[str, Any]] = []
    for type_code in REDEEM_TYPES:
        for holder, vouchers in zip(people, claimed, strict=True):
            for v in vouchers:
                if v["type_code"] == type_code:
                    jobs.append(
                        {
                            "token": sign_token(key, int(v["id"]), holder, now, ttl_s=1800),
                            "class_id": classes[type_code],
                        }
                    )
    jobs = jobs[: cfg.redeems]
    staff = inst.staff("scanner-1")

    # Each redeem is its own signed token and idempotency key, encoded before the clock starts.
    redeems = [
        encode_request(
            base, "POST", "/v1/redemptions", json=job, headers={**staff, "Idempotency-Key": str(uuid.uuid4())}
        )
        for job in jobs
    ]
    with ctx.fleet.peak_during("voucher") as mem, db_activity(ctx.urls["voucher"]) as waits:
        result = await closed_loop(
            base,
            redeems,
            concurrency=CONCURRENCY,
            ok_statuses=(201,),
            seconds=cfg.duration_s,
        )
    ctx.shared.setdefault("load_rss", {})["voucher"] = mem["peak_mb"]
    if result.ok < result.sent * 0.99:
        raise StepFailed(
            f"only {result.ok} of {result.sent} redeems succeeded; first error: {result.first_error}"
        )
    ceiling = ctx.shared.get("client_ceiling")
    extra = f"; the same client reaches {ceiling:,.0f} req/s against the floor" if ceiling else ""
    ctx.figure(
        "voucher.redeem",
        result.rate,
        f"{result.summary()}; {CONCURRENCY} concurrent scanners, closed loop{extra}; "
        f"{cpu_text(mem, result.sent, 'voucher')}; {describe_waits(waits)}",
        data={"rate": result.rate, "ok": result.ok, "p95_ms": result.pct(95)},
    )


def measure(ctx: Context) -> None:
    try:
        base = ctx.proc_base("voucher")
        asyncio.run(_run(ctx, base))
    except (StepFailed, AssertionError, httpx.HTTPError, ImportError, KeyError) as exc:
        reason = str(exc) or type(exc).__name__
        if isinstance(exc, AssertionError):
            reason = f"set-up step refused: {reason[:250]}"
        for key in ("voucher.bulk", "voucher.redeem"):
            if ctx.results.get(key) is None:
                ctx.missing(key, reason)
