"""Building the outputs: masked publicity rows, the payment batch CSV, statistics."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from skills_shared.money import fen_to_yuan_str
from skills_shared.reference import SkillLevel
from skills_shared.validators import mask_resident_id
from subsidy_claims.claims.models import Claim

PUBLICITY_COLUMNS = (
    "name",
    "id_masked",
    "occupation",
    "level",
    "amount_yuan",
    "district_code",
    "publicity_ends_on",
)
BATCH_COLUMNS = (
    "claim_id",
    "name",
    "id_number",
    "channel",
    "account",
    "bank_name",
    "amount_fen",
    "amount_yuan",
    "district_code",
    "city_share_fen",
    "district_share_fen",
)


def level_label(level: int | None) -> str:
    return SkillLevel(level).zh if level else "——"


def publicity_rows(claims: Iterable[Claim]) -> list[dict[str, Any]]:
    """CQ-5: name, occupation (工种), level and amount; the ID number only masked."""
    return [
        {
            "name": c.applicant_name,
            "id_masked": mask_resident_id(c.applicant_id_number),
            "occupation": c.occupation_name or c.occupation_code,
            "work_type": c.work_type,
            "level": level_label(c.level),
            "amount_fen": c.amount_fen,
            "amount_yuan": fen_to_yuan_str(c.amount_fen or 0),
            "district_code": c.district,
            "publicity_ends_on": c.publicity_ends_on.isoformat() if c.publicity_ends_on else None,
        }
        for c in claims
    ]


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _safe(v) for k, v in row.items()})
    return buffer.getvalue()


def _safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def batch_rows(claims: Iterable[Claim]) -> list[dict[str, Any]]:
    """The bank's file: full ID and account (it is not public), amount in fen and yuan."""
    out = []
    for c in claims:
        card = c.payment_channel == "social_security_card"
        out.append(
            {
                "claim_id": str(c.id),
                "name": c.applicant_name,
                "id_number": c.applicant_id_number,
                "channel": c.payment_channel,
                "account": c.card_number if card else c.bank_account,
                "bank_name": "" if card else (c.bank_name or ""),
                "amount_fen": c.amount_fen,
                "amount_yuan": fen_to_yuan_str(c.amount_fen or 0),
                "district_code": c.district,
                "city_share_fen": c.city_share_fen,
                "district_share_fen": c.district_share_fen,
            }
        )
    return out
