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
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.common import Context, StepFailed, cpu_text, expect
from bench.http1 import encode_request
from bench.infra import db_activity, describe_waits, drain_outboxes
from bench.loadgen import closed_loop
from skills_shared.workdays import today_shanghai

# The voucher service's scripted set-up steps (voucher_testdata) live with its tests, never in its src/.
VOUCHER_TESTS = Path(__file__).resolve().parents[1] / "services" / "voucher" / "tests"

REDEEM_TYPES = ("employment_skills", "entrepreneurship", "hr_services")
CONCURRENCY = 16


@dataclass
class VoucherSetting:
    """What the redeem loads need from the voucher set-up: the scanner's institution, the classes per type, and
    the bulk-issued holders, of whom ``used`` have already claimed their vouchers for a redeem load."""

    inst: Any
    campaign: int
    holders: list[str]
    classes: dict[str, int]
    used: int = 0


def voucher_testdata_module() -> Any:
    if str(VOUCHER_TESTS) not in sys.path:
        sys.path.insert(0, str(VOUCHER_TESTS))
    import voucher_testdata

    return voucher_testdata


async def voucher_setting(ctx: Context, client: httpx.AsyncClient) -> VoucherSetting:
    """Types priced, an institution with a scanner, a campaign whose holders are bulk-issued in one request (the
    timed figure 5, reported the first time), and a class per redeemed type. Built once per run."""
    setting: VoucherSetting | None = ctx.shared.get("voucher_setting")
    if setting is not None:
        return setting
    from voucher.vouchers.rules import open_campaign_year

    data = voucher_testdata_module()
    cfg = ctx.config
    today = today_shanghai()
    scenario = data.Scenario(client)
    await scenario.price_all_types()
    inst = await scenario.institution("5000001", "04")
    await scenario.grant(inst, "scanner-1")
    campaign = await scenario.campaign(open_campaign_year(today))
    holders = data.holder_ids(cfg.voucher_holders)
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
        raise
    classes = {
        t: await scenario.open_class(
            inst, project_type=t, starts_on=today - timedelta(days=5), ends_on=today + timedelta(days=60)
        )
        for t in REDEEM_TYPES
    }
    setting = VoucherSetting(inst, campaign, holders, classes)
    ctx.shared["voucher_setting"] = setting
    return setting


async def redeem_jobs(client: httpx.AsyncClient, setting: VoucherSetting, count: int) -> list[dict[str, Any]]:
    """``count`` redeem bodies of holders not used before: each claims three types (three uses a year is the
    cap) and its QR tokens are signed here with the service's key, exactly as its qr-token endpoint signs them."""
    from voucher.redeem.rules import sign_token
    from voucher.settings import VoucherSettings

    need = (count + len(REDEEM_TYPES) - 1) // len(REDEEM_TYPES)
    people = setting.holders[setting.used : setting.used + need]
    if len(people) < need:
        raise StepFailed(f"{count} redeems need {need} unused voucher holders; only {len(people)} left")
    setting.used += need
    scenario = voucher_testdata_module().Scenario(client)
    sem = asyncio.Semaphore(8)

    async def claim(holder: str) -> list[dict[str, Any]]:
        async with sem:
            claimed: list[dict[str, Any]] = await scenario.claim(holder, list(REDEEM_TYPES))
            return claimed

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
                            "class_id": setting.classes[type_code],
                        }
                    )
    return jobs[:count]


async def _run(ctx: Context, base: str) -> None:
    cfg = ctx.config
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        setting = await voucher_setting(ctx, client)
        jobs = await redeem_jobs(client, setting, cfg.redeems)
    inst = setting.inst
    staff = inst.staff("scanner-1")

    # Each redeem is its own signed token and idempotency key, encoded before the clock starts.
    redeems = [
        encode_request(
            base, "POST", "/v1/redemptions", json=job, headers={**staff, "Idempotency-Key": str(uuid.uuid4())}
        )
        for job in jobs
    ]
    drained = await drain_outboxes(ctx.urls.values())
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
        f"{cpu_text(mem, result.sent, 'voucher')}; {describe_waits(waits)}; each redeem's partner event "
        f"delivered during the run (the set-up's backlog drained first, {drained:.0f} s)",
        data={"rate": result.rate, "ok": result.ok, "p95_ms": result.pct(95), "drain_s": drained},
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
