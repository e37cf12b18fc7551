"""The demo world in the container smoke test: deploy/smoke.py runs this in the workspace's environment
(`uv run --frozen --all-packages python deploy/smoke_demo.py …`), because the demo loader mints development tokens
and speaks httpx, which the smoke test's standard library cannot.

    calendar FOLDER            before the stack starts: write the demo's synthetic working-day calendar into
                               FOLDER when the walk needs one (as `make demo` does); print its file name, or
                               nothing when chinesecalendar covers every year the walk reaches
    workflow GATEWAY FOLDER    load the demo world through the published gateway with the demo's own loader
                               (skills_tools.demo.load.load_world), then a few requests as its people make them,
                               each crossing services; one `ok` line per step, or `FAIL …` and exit 1

Nothing here picks from the world itself: the numbers and callers are those `make demo`'s guide hands a newcomer
(skills_tools.demo.guide: DEMO_CERT, CITIZEN_TOKEN's citizen, the reviewer, DEMO_VOUCHER, the redeemer).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from skills_shared.clock import SandboxClock, today_of
from skills_shared.validators import mask_resident_id
from skills_shared.workdays import CALENDAR_FILE_ENV, reset_loaded_calendars
from skills_tools.demo.api import Api, DemoError, Who
from skills_tools.demo.guide import roles, variables
from skills_tools.demo.load import CLAIMS_DISTRICT, World, load_world
from skills_tools.demo.runner import demo_calendar

CALENDAR_NAME = "demo-calendar.json"
"""The file name `make demo` gives its synthetic calendar (skills_tools.demo.runner.demo_calendar)."""
SANDBOX_NAME = "sandbox-clock.json"
"""The sandbox clock's file in the demo folder (deploy/compose.demo.yml mounts the folder into every service)."""


def calendar(folder: Path) -> int:
    """Write the synthetic calendar the demo's walk needs from today's sandbox date (real time: a fresh stack)."""
    os.environ.pop(CALENDAR_FILE_ENV, None)  # the containers see only what is written here
    today = today_of(SandboxClock(folder / SANDBOX_NAME))
    note = demo_calendar(today, folder)
    print(folder / CALENDAR_NAME if note else "")
    return 0


@dataclass(frozen=True, slots=True)
class Walk:
    """The numbers and callers `make demo`'s guide hands a newcomer (skills_tools.demo.guide), by their names there."""

    numbers: dict[str, str]
    callers: dict[str, Who]

    @classmethod
    def of(cls, world: World, gateway: str) -> Walk:
        return cls(variables(world, gateway), {role.variable: role.who for role in roles(world)})


async def workflow(gateway: str, folder: Path) -> None:
    """Load the world, then a citizen's look-up, a subsidy application, the reviewer's queue and a redemption."""
    written = folder / CALENDAR_NAME
    if written.exists():  # the loader counts working days too, on the calendar the containers count on
        os.environ[CALENDAR_FILE_ENV] = str(written)
        reset_loaded_calendars()
    started = time.monotonic()
    world, loaded_now = await load_world(gateway, folder)
    if not loaded_now:
        raise DemoError("the stack held a demo world already: its volumes were not fresh")
    print(
        f"ok   demo world loaded through the gateway in {time.monotonic() - started:.0f} s: "
        f"{len(world.bodies)} bodies, {len(world.certificates)} certificates, {len(world.claims)} claims, "
        f"business date {world.started_on} → {world.today} (sandbox clock)",
        flush=True,
    )
    walk = Walk.of(world, gateway)
    async with httpx.AsyncClient(base_url=gateway, timeout=60) as client:
        api = Api(client)
        claim_id = await look_up_and_apply(api, walk)
        await reviewer_sees(api, walk, claim_id)
        await redeem(api, walk)


async def look_up_and_apply(api: Api, walk: Walk) -> str:
    """CR-6 look-up by number and name (registry), then the holder applies for a subsidy with it: the gateway
    checks the certificate with the registry and subsidy-claims decides. Returns the claim's id."""
    number, name = walk.numbers["DEMO_CERT"], walk.numbers["DEMO_HOLDER"]
    id_number = walk.numbers["DEMO_HOLDER_ID"]
    found = await api.call("GET", f"/api/v1/certificates/{number}", None, params={"name": name}, ok=(200,))
    masked = mask_resident_id(id_number)
    if found.get("holder_name") != name or found.get("id_number_masked") != masked:
        raise DemoError(f"look-up of {number}: expected {name} and {masked}, got {found}")
    if id_number in str(found):
        raise DemoError(f"look-up of {number} shows the full ID number (CR-6): {found}")
    print(
        f"ok   citizen look-up of demo certificate {number} with the holder's name: 200, "
        f"{found['status']}, ID masked {found['id_number_masked']} (gateway → registry)",
        flush=True,
    )
    application = {  # the README's walk, as the holder's app sends it
        "policy": "cq-eval",
        "certificate_number": number,
        "holder_name": name,
        "cq": {
            "identity_category": {"value": "4"},
            "district_code": CLAIMS_DISTRICT,
            "applied_amount_fen": 130000,
        },
        "payout": {"card_number": "6217000012345678", "card_financial_enabled": True},
    }
    claim = await api.call(
        "POST",
        "/api/v1/subsidy-applications",
        walk.callers["CITIZEN_TOKEN"],
        json=application,
        key=f"smoke-apply-{number}",
        ok=(201,),
    )
    decision = claim.get("decision") or {}
    print(
        f"ok   the holder applies for a subsidy with it: 201, claim {claim['id']} {claim['status']}, decision "
        f"{decision.get('outcome')} (gateway → registry → subsidy-claims)",
        flush=True,
    )
    return str(claim["id"])


async def reviewer_sees(api: Api, walk: Walk, claim_id: str) -> None:
    """The district's reviewer finds the new claim in the review queue (CQ-4), its applicant's ID masked."""
    queue = await api.call(
        "GET",
        "/api/v1/subsidy/claims/queue",
        walk.callers["DISTRICT_OFFICER_TOKEN"],
        params={"district_code": CLAIMS_DISTRICT, "page_size": 200},
        ok=(200,),
    )
    mine = [item for item in queue["items"] if item["id"] == claim_id]
    if not mine:
        raise DemoError(f"claim {claim_id} is not in district {CLAIMS_DISTRICT}'s review queue: {queue}")
    print(
        f"ok   the district {CLAIMS_DISTRICT} reviewer's queue lists it among {queue['total']} claims: due "
        f"{mine[0]['review_due_on']}, applicant {mine[0]['applicant_id_masked']} (gateway → subsidy-claims)",
        flush=True,
    )


async def redeem(api: Api, walk: Walk) -> None:
    """A holder's voucher QR token, scanned by the institution's front desk: redeemed once (V-5, V-6)."""
    voucher, class_id = int(walk.numbers["DEMO_VOUCHER"]), int(walk.numbers["DEMO_CLASS"])
    qr = await api.call(
        "POST", f"/api/v1/vouchers/{voucher}/qr-token", walk.callers["VOUCHER_CITIZEN_TOKEN"], ok=(200,)
    )
    redeemed = await api.call(
        "POST",
        "/api/v1/redemptions",
        walk.callers["REDEEMER_TOKEN"],
        json={"token": qr["token"], "class_id": class_id},
        key=f"smoke-redeem-{voucher}",
        ok=(201,),
    )
    if redeemed.get("voucher_id") != voucher:
        raise DemoError(f"redeemed voucher {redeemed.get('voucher_id')}, expected {voucher}: {redeemed}")
    print(
        f"ok   voucher {voucher} redeemed by institution {redeemed['institution_code']}'s front desk into class "
        f"{redeemed['class_id']}: 201 (gateway → voucher)",
        flush=True,
    )


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "calendar":
        return calendar(Path(argv[1]))
    if len(argv) == 3 and argv[0] == "workflow":
        try:
            asyncio.run(workflow(argv[1], Path(argv[2])))
        except (DemoError, httpx.HTTPError, KeyError) as failure:
            print(f"FAIL demo workflow: {type(failure).__name__}: {failure}", file=sys.stderr)
            return 1
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
