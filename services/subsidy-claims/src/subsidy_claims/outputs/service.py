"""Building the outputs: masked publicity rows, the payment batch, statistics; each also as a file table
(`skills_shared.spreadsheets`: Chinese headers, names not codes, CSV with a BOM or .xlsx)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from skills_shared.money import fen_to_yuan_str
from skills_shared.reference import CQ_FILING_PLACES, SkillLevel
from skills_shared.spreadsheets import Column, Table
from skills_shared.validators import mask_resident_id
from subsidy_claims.claims.models import Claim
from subsidy_claims.claims.rules import publicity_end_shown
from subsidy_claims.policies.tables import SH_DISTRICTS

PUBLICITY_COLUMNS = (
    Column("name", "姓名"),
    Column("id_masked", "身份证号（部分隐藏）"),
    Column("occupation", "职业"),
    Column("work_type", "工种"),
    Column("level", "等级"),
    Column("amount_fen", "补贴金额（元）", "fen"),
    Column("district_name", "审核区县"),
    Column("publicity_ends_on", "公示截止日期", "date"),
)
"""CQ-5 / SH-11: what is posted, in Chinese; the ID number only masked."""

BATCH_COLUMNS = (
    Column("claim_id", "申请编号"),
    Column("name", "姓名"),
    Column("id_number", "身份证号"),
    Column("channel_name", "发放渠道"),
    Column("account", "卡号或账号"),
    Column("bank_name", "开户银行"),
    Column("amount_fen", "金额（分）", "int"),
    Column("amount_yuan", "金额（元）", "yuan"),
    Column("district_name", "审核区县"),
    Column("city_share_fen", "市级承担（元）", "fen"),
    Column("district_share_fen", "区级承担（元）", "fen"),
)
"""The bank's file: full ID and account (it is not public); the amount in fen too, so no rounding is read."""

STATISTICS_COLUMNS = (
    Column("policy_name", "补贴政策"),
    Column("key_name", "分组"),
    Column("claims", "申请数（件）", "int"),
    Column("paid", "已发放（件）", "int"),
    Column("paid_fen", "已发放金额（元）", "fen"),
)
STATISTICS_GROUPS = {"district": "审核区县", "occupation": "职业", "level": "等级", "month": "提交月份"}
POLICY_NAMES = {"cq-eval": "重庆市职业技能评价补贴", "sh-upgrade": "上海市技能提升补贴"}
CHANNEL_NAMES = {"social_security_card": "社会保障卡", "bank_account": "银行账户"}


def district_name(code: str | None) -> str:
    """A reviewing district by name: Shanghai's 16 districts (SH-10) or Chongqing's 表2 places (CQ-3)."""
    if not code:
        return ""
    return SH_DISTRICTS.get(code) or CQ_FILING_PLACES.get(code) or code


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
            "publicity_ends_on": publicity_end_shown(c.publicity_started_on, c.publicity_ends_on),
        }
        for c in claims
    ]


def publicity_table(claims: Iterable[Claim]) -> Table:
    """The publicity list as a file: districts by name, the end of publicity as a date."""
    rows = [{**r, "district_name": district_name(r["district_code"])} for r in publicity_rows(claims)]
    return Table("补贴申领公示名单", PUBLICITY_COLUMNS, rows)


def batch_table(claims: Iterable[Claim]) -> Table:
    return Table("补贴发放批次", BATCH_COLUMNS, batch_rows(claims))


def statistics_table(by: str, rows: Iterable[Mapping[str, Any]]) -> Table:
    """Statistics by name: the policy, and the district, occupation or level of each group."""

    def key_name(row: Mapping[str, Any]) -> str:
        key = row["key"]
        if key is None:
            return "（未填）"
        if by == "district":
            return district_name(str(key))
        if by == "level":
            return level_label(int(key))
        if by == "occupation":
            return str(row.get("occupation_name") or key)
        return str(key)

    out = [
        {**row, "policy_name": POLICY_NAMES.get(row["policy"], row["policy"]), "key_name": key_name(row)}
        for row in rows
    ]
    columns = (STATISTICS_COLUMNS[0], Column("key_name", STATISTICS_GROUPS[by]), *STATISTICS_COLUMNS[2:])
    return Table(f"补贴申领统计（按{STATISTICS_GROUPS[by]}）", columns, out)


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
                "channel_name": CHANNEL_NAMES.get(c.payment_channel or "", c.payment_channel or ""),
                "account": c.card_number if card else c.bank_account,
                "bank_name": "" if card else (c.bank_name or ""),
                "amount_fen": c.amount_fen,
                "amount_yuan": fen_to_yuan_str(c.amount_fen or 0),
                "district_code": c.district,
                "district_name": district_name(c.district),
                "city_share_fen": c.city_share_fen,
                "district_share_fen": c.district_share_fen,
            }
        )
    return out
