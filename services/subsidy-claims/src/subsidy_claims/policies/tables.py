"""Policy tables as data: amounts (SH-3, CQ-10), the SH-5 post list, districts (CQ-3, SH-10)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from skills_shared import reference
from subsidy_claims.policies.facts import CatalogueClass, CertificateKind

NO_LEVEL = 0
"""Table key for certificates that carry no level (专项职业能力, 不区分等级的职业资格)."""


def _yuan(amount: int) -> int:
    return amount * 100


# SH-3 (沪人社规〔2025〕7号 一(三)): yuan per person by level 5/4/3/2/1 and no-level, stored in fen.
SH3_AMOUNTS_FEN: Mapping[tuple[CatalogueClass, int], int] = MappingProxyType(
    {
        (CatalogueClass.A, 5): _yuan(1950),
        (CatalogueClass.A, 4): _yuan(2600),
        (CatalogueClass.A, 3): _yuan(3250),
        (CatalogueClass.A, 2): _yuan(3900),
        (CatalogueClass.A, 1): _yuan(4550),
        (CatalogueClass.A, NO_LEVEL): _yuan(1000),
        (CatalogueClass.B, 5): _yuan(1500),
        (CatalogueClass.B, 4): _yuan(2000),
        (CatalogueClass.B, 3): _yuan(2700),
        (CatalogueClass.B, 2): _yuan(3200),
        (CatalogueClass.B, 1): _yuan(3700),
        (CatalogueClass.B, NO_LEVEL): _yuan(800),
        (CatalogueClass.C, 5): _yuan(800),
        (CatalogueClass.C, 4): _yuan(800),
        (CatalogueClass.C, 3): _yuan(1500),
        (CatalogueClass.C, 2): _yuan(1500),
        (CatalogueClass.C, 1): _yuan(1500),
        (CatalogueClass.C, NO_LEVEL): _yuan(500),
    }
)

# SH-5 (附件 技岗匹配项目): occupation code → name, 13 rows.
SH5_POST_MATCH: Mapping[str, str] = MappingProxyType(
    {
        "4-09-10-05": "插花花艺师",
        "4-03-02-07": "茶艺师",
        "4-08-05-03": "贵金属首饰与宝玉石检测员",
        "4-03-02-08": "咖啡师",
        "4-10-03-03": "美甲师",
        "4-10-03-01": "美容师",
        "6-02-06-11": "评茶师",
        "4-03-02-09": "调酒师",
        "4-03-02-03": "西式烹调师",
        "4-03-02-04": "西式面点师",
        "4-03-02-02": "中式面点师",
        "4-12-02-01": "计算机维修工",
        "6-02-06-07": "品酒师",
    }
)

# SH-8: 养老护理 and 家政服务 occupations (中华人民共和国职业分类大典 2022). Decision: matched by code.
SH8_OCCUPATIONS: Mapping[str, str] = MappingProxyType(
    {
        "4-10-01-05": "养老护理员",
        "4-10-01-06": "家政服务员",
    }
)

# SH-10 / SH-12: the 16 districts of Shanghai by administrative division code.
SH_DISTRICTS: Mapping[str, str] = MappingProxyType(
    {
        "310101": "黄浦区",
        "310104": "徐汇区",
        "310105": "长宁区",
        "310106": "静安区",
        "310107": "普陀区",
        "310109": "虹口区",
        "310110": "杨浦区",
        "310112": "闵行区",
        "310113": "宝山区",
        "310114": "嘉定区",
        "310115": "浦东新区",
        "310116": "金山区",
        "310117": "松江区",
        "310118": "青浦区",
        "310120": "奉贤区",
        "310151": "崇明区",
    }
)

# CQ-3: districts that review (备案地代码 01–41, seed 001 附件5 表2).
CQ_DISTRICTS: frozenset[str] = frozenset(reference.CQ_DISTRICTS)
"""CQ-3: the 41 districts and counties of Chongqing (the suite's reference table, 00 being the city)."""


@dataclass(frozen=True, slots=True)
class CqAmountTable:
    """CQ-10: the 渝人社发〔2024〕13号 amounts, loaded by an operator; keyed by (kind, level or NO_LEVEL)."""

    version: str
    amounts_fen: Mapping[tuple[CertificateKind, int], int]

    def lookup(self, kind: CertificateKind, level: int | None) -> int | None:
        return self.amounts_fen.get((kind, level if level is not None else NO_LEVEL))


def cq_amount_table(version: str, amounts: list[dict[str, Any]]) -> CqAmountTable:
    """CQ-10: a stored table version (rows of kind, level, amount_fen) as the lookup the rules read."""
    return CqAmountTable(
        version=version,
        amounts_fen={(CertificateKind(a["kind"]), int(a["level"])): int(a["amount_fen"]) for a in amounts},
    )


def catalogue_class_of(by_work_type: Mapping[str, str], work_type: str | None) -> CatalogueClass | None:
    """SH-2: the 工种's own catalogue entry wins over the occupation's ('' work type)."""
    found = by_work_type.get(work_type or "") or by_work_type.get("")
    return CatalogueClass(found) if found else None


def level_key(level: int | None) -> int:
    return NO_LEVEL if level is None else level
