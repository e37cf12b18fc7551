"""What the demo prints: for each role a ready token and three requests to try, and a shell file with the same
tokens and the world's numbers as variables (the README's quick start reads them)."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from skills_tools.demo.api import Who
from skills_tools.demo.load import (
    CITY,
    CLAIMS_DISTRICT,
    INSTITUTIONS,
    REDEEMER,
    REVIEWER,
    REVOKED_HOLDER,
    World,
    institution_admin,
)
from skills_tools.demo.people import HOLDERS, VOUCHER_HOLDERS


@dataclass(frozen=True, slots=True)
class RoleGuide:
    """One role: who it is in the demo world, its token's variable, and three requests."""

    variable: str
    title: str
    who: Who
    requests: tuple[str, str, str]


def variables(world: World, gateway: str) -> dict[str, str]:
    """The world's numbers the README walk uses, by variable name."""
    holder, voucher_holder = HOLDERS[0], VOUCHER_HOLDERS[3]
    return {
        "GW": gateway,
        "DEMO_CERT": world.certificates[holder.id_number],
        "DEMO_HOLDER": holder.name,
        "DEMO_HOLDER_ID": holder.id_number,
        "DEMO_REVOKED_CERT": world.revoked,
        "DEMO_REVOKED_HOLDER": HOLDERS[REVOKED_HOLDER].name,
        "DEMO_VOUCHER": str(world.vouchers[voucher_holder.id_number]),
        "DEMO_CLASS": str(world.class_id),
        "DEMO_BODY": world.bodies["yubei"],
        "DEMO_BATCH": world.batches["yubei-publicity"],
        "DEMO_PUBLICITY_OVER": world.publicity_over_on,
        "DEMO_CLAIM_SUBMITTED": world.claims["submitted"],
        "DEMO_TODAY": world.today,
    }


def roles(world: World) -> list[RoleGuide]:
    """The roles of the suite, each with three requests that work against the demo world."""
    body = world.bodies["yubei"]
    inst_code, _, _, _, inst_admin = INSTITUTIONS[0]
    holder = HOLDERS[0]
    name = quote(holder.name)
    return [
        RoleGuide(
            "CITIZEN_TOKEN",
            f"citizen {holder.name} (holds certificate {world.certificates[holder.id_number]})",
            Who("citizen", holder.id_number),
            (
                'curl -s "$GW/api/v1/me" -H "Authorization: Bearer $CITIZEN_TOKEN"',
                f'curl -s "$GW/api/v1/certificates/$DEMO_CERT?name={name}"',
                f'curl -s "$GW/verify?n=$DEMO_CERT&name={name}"   # the HTML verify page (open it in a browser)',
            ),
        ),
        RoleGuide(
            "VOUCHER_CITIZEN_TOKEN",
            f"citizen {VOUCHER_HOLDERS[3].name} (a claimed, unused training voucher)",
            Who("citizen", VOUCHER_HOLDERS[3].id_number),
            (
                'curl -s "$GW/api/v1/voucher/me/vouchers" -H "Authorization: Bearer $VOUCHER_CITIZEN_TOKEN"',
                'curl -s -X POST "$GW/api/v1/vouchers/$DEMO_VOUCHER/qr-token" '
                '-H "Authorization: Bearer $VOUCHER_CITIZEN_TOKEN"',
                'curl -s "$GW/api/v1/me" -H "Authorization: Bearer $VOUCHER_CITIZEN_TOKEN"',
            ),
        ),
        RoleGuide(
            "ORG_STAFF_TOKEN",
            f"staff of body {body} (重庆市渝北区匠心职业技能评价中心)",
            Who("org_staff", "staff-yubei", body=body),
            (
                'curl -s "$GW/api/v1/filing/bodies/$DEMO_BODY/plans" -H "Authorization: Bearer $ORG_STAFF_TOKEN"',
                'curl -s "$GW/api/v1/batches/$DEMO_BATCH" -H "Authorization: Bearer $ORG_STAFF_TOKEN"',
                'curl -s "$GW/api/v1/registry/batches/$DEMO_BATCH/publicity" '
                '-H "Authorization: Bearer $ORG_STAFF_TOKEN"',
            ),
        ),
        RoleGuide(
            "ORG_ADMIN_TOKEN",
            f"administrator of body {body}",
            Who("org_admin", "admin-yubei", body=body),
            (
                'curl -s "$GW/api/v1/filing/bodies/$DEMO_BODY"',
                'curl -s "$GW/api/v1/filing/bodies/$DEMO_BODY/receipt" -H "Authorization: Bearer $ORG_ADMIN_TOKEN"',
                'curl -s "$GW/api/v1/filing/bodies/$DEMO_BODY/violations" '
                '-H "Authorization: Bearer $ORG_ADMIN_TOKEN"',
            ),
        ),
        RoleGuide(
            "DISTRICT_OFFICER_TOKEN",
            f"officer of district {CLAIMS_DISTRICT} (大渡口区), unit head: reviews the subsidy claims",
            REVIEWER,
            (
                f'curl -s "$GW/api/v1/subsidy/claims/queue?district={CLAIMS_DISTRICT}" '
                '-H "Authorization: Bearer $DISTRICT_OFFICER_TOKEN"',
                'curl -s "$GW/api/v1/claims/$DEMO_CLAIM_SUBMITTED" -H "Authorization: Bearer $DISTRICT_OFFICER_TOKEN"',
                f'curl -s "$GW/api/v1/subsidy/publicity?district_code={CLAIMS_DISTRICT}"',
            ),
        ),
        RoleGuide(
            "CITY_OFFICER_TOKEN",
            "officer of the city office: approves batches, moves the sandbox clock",
            CITY,
            (
                'curl -s "$GW/api/v1/sandbox/clock"',
                'curl -s "$GW/api/v1/subsidy/statistics?by=level" -H "Authorization: Bearer $CITY_OFFICER_TOKEN"',
                'curl -s "$GW/api/v1/voucher/targets" -H "Authorization: Bearer $CITY_OFFICER_TOKEN"',
            ),
        ),
        RoleGuide(
            "INSTITUTION_ADMIN_TOKEN",
            f"专员 of training institution {inst_code} (重庆市渝中区新华职业培训学校)",
            institution_admin(inst_code, inst_admin.id_number),
            (
                f'curl -s "$GW/api/v1/voucher/institutions/{inst_code}" '
                '-H "Authorization: Bearer $INSTITUTION_ADMIN_TOKEN"',
                f'curl -s "$GW/api/v1/voucher/institutions/{inst_code}/redeemers" '
                '-H "Authorization: Bearer $INSTITUTION_ADMIN_TOKEN"',
                'curl -s "$GW/api/v1/voucher/classes/$DEMO_CLASS" -H "Authorization: Bearer $INSTITUTION_ADMIN_TOKEN"',
            ),
        ),
        RoleGuide(
            "REDEEMER_TOKEN",
            f"front-desk staff {REDEEMER} of institution {inst_code}, allowed to redeem vouchers",
            Who("institution_staff", REDEEMER, institution=inst_code),
            (
                'curl -s "$GW/api/v1/voucher/classes/$DEMO_CLASS" -H "Authorization: Bearer $REDEEMER_TOKEN"',
                'curl -s "$GW/api/v1/voucher/settlements" -H "Authorization: Bearer $REDEEMER_TOKEN"',
                f'curl -s "$GW/api/v1/voucher/institutions/{inst_code}" -H "Authorization: Bearer $REDEEMER_TOKEN"',
            ),
        ),
        RoleGuide(
            "INSPECTOR_TOKEN",
            "inspector: verifies every service's audit chain",
            Who("inspector", "inspector-demo"),
            (
                'curl -s "$GW/api/v1/audit/registry/verify" -H "Authorization: Bearer $INSPECTOR_TOKEN"',
                'curl -s "$GW/api/v1/audit/subsidy/verify" -H "Authorization: Bearer $INSPECTOR_TOKEN"',
                'curl -s "$GW/api/v1/filing/inspections" -H "Authorization: Bearer $INSPECTOR_TOKEN"',
            ),
        ),
        RoleGuide(
            "PARTNER_TOKEN",
            "partner system: reads full certificate records",
            Who("partner", "partner-demo"),
            (
                'curl -s "$GW/api/v1/registry/certificates/$DEMO_CERT/record" '
                '-H "Authorization: Bearer $PARTNER_TOKEN"',
                'curl -s "$GW/api/v1/registry/certificates/$DEMO_REVOKED_CERT/record" '
                '-H "Authorization: Bearer $PARTNER_TOKEN"',
                'curl -s "$GW/api/v1/registry/certificate-numbers/$DEMO_CERT"',
            ),
        ),
    ]


def write_env(path: Path, world: World, gateway: str) -> None:
    """A shell file to ``source``: the world's numbers and a fresh token per role."""
    lines = ["# The demo world (make demo): source this file, then follow the README's quick start."]
    for name, value in variables(world, gateway).items():
        lines.append(f"export {name}={shlex.quote(value)}")
    for role in roles(world):
        lines.append(f"export {role.variable}={role.who.token()}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", "utf-8")


def describe(world: World, env_file: Path, loaded_now: bool, seconds: float) -> str:
    """The text printed after a load: the world in a few lines, then each role's token and requests."""
    how = f"loaded in {seconds:.1f} s" if loaded_now else "already loaded: nothing changed"
    out = [
        f"demo world {how}; business date {world.today} (sandbox clock, started {world.started_on})",
        f"  bodies: {', '.join(world.bodies.values())} (贯通 body registered as {world.guantong_id})",
        f"  batches: issued, approved, in publicity (over on {world.publicity_over_on}), draft",
        f"  certificates: {len(world.certificates)} issued, {world.revoked} revoked",
        f"  claims: {', '.join(world.claims)}",
        f"  vouchers: campaign {world.campaign_id}, {len(world.redeemed)} redeemed, class {world.class_id}",
    ]
    if world.calendar_note:
        out.append(f"  calendar: {world.calendar_note}")
    out.append(f"\nsource {env_file}   # GW, the DEMO_* numbers and every token below")
    for role in roles(world):
        out.append(f"\n{role.title}\n  export {role.variable}={role.who.token()}")
        out.extend(f"  {request}" for request in role.requests)
    return "\n".join(out)
