"""Reference data copied from the seeds: levels, kinds, filing places, voucher targets, enumerations."""

from __future__ import annotations

import re

import pytest

from skills_shared.reference import (
    BODY_CATEGORIES,
    CQ_DISTRICTS,
    CQ_FILING_PLACES,
    PROVINCE_CODES,
    VOUCHER_CITY_ISSUE_TARGET,
    VOUCHER_CITY_USE_TARGET,
    VOUCHER_DISTRICT_TARGETS,
    CertificateKind,
    InstitutionType,
    SkillLevel,
    VoucherProjectType,
    filing_place_name,
    province_name,
)
from skills_shared.validators import InvalidValue

# Seed 001 附件5 表2 and seed 004 附件1, as printed in the seeds (row number, name, target), for a check
# that the module's tables are a faithful copy.
TABLE_2_TEXT = """\
00 重庆市 11 渝北区 22 潼南区 33 巫山县
01 万州区 12 巴南区 23 荣昌区 34 巫溪县
02 黔江区 13 长寿区 24 开州区 35 石柱县
03 涪陵区 14 江津区 25 梁平区 36 秀山县
04 渝中区 15 合川区 26 武隆区 37 酉阳县
05 大渡口区 16 永川区 27 城口县 38 彭水县
06 江北区 17 南川区 28 丰都县 39 两江新区
07 沙坪坝区 18 綦江区 29 垫江县 40 万盛经开区
08 九龙坡区 19 大足区 30 忠县 41 重庆高新区
09 南岸区 20 璧山区 31 云阳县
10 北碚区 21 铜梁区 32 奉节县
"""

ATTACHMENT_1_ROWS = """\
1 万州区 7000
2 黔江区 1000
3 涪陵区 4000
4 渝中区 3000
5 大渡口区 2000
6 江北区 4000
7 沙坪坝区 5000
8 九龙坡区 4000
9 南岸区 6000
10 北碚区 3000
11 渝北区 1000
12 巴南区 6000
13 长寿区 2000
14 江津区 6000
15 合川区 3000
16 永川区 5000
17 南川区 500
18 綦江区 500
19 大足区 2000
20 璧山区 2000
21 铜梁区 4000
22 潼南区 3000
23 荣昌区 3000
24 开州区 9000
25 梁平区 1000
26 武隆区 1000
27 城口县 1000
28 丰都县 500
29 垫江县 500
30 忠县 500
31 云阳县 5000
32 奉节县 5000
33 巫山县 2500
34 巫溪县 500
35 石柱县 1000
36 秀山县 2000
37 酉阳县 3000
38 彭水县 1000
39 两江新区 5000
40 重庆高新区 4000
41 万盛经开区 500
"""


def test_skill_levels() -> None:
    assert [lvl.label for lvl in SkillLevel] == [
        "1 一级/高级技师",
        "2 二级/技师",
        "3 三级/高级工",
        "4 四级/中级工",
        "5 五级/初级工",
    ]
    assert SkillLevel(3).zh == "三级/高级工"
    assert SkillLevel.LEVEL_1 < SkillLevel.LEVEL_5  # a higher level has a lower code
    assert SkillLevel(4) == 4


def test_certificate_kinds() -> None:
    assert {k.value: k.zh for k in CertificateKind} == {
        "vocational_qualification": "职业资格证书",
        "skill_level": "职业技能等级证书",
        "special_ability": "专项职业能力证书",
    }
    assert not CertificateKind.SPECIAL_ABILITY.has_level
    assert CertificateKind.SKILL_LEVEL.has_level
    assert CertificateKind("skill_level") == "skill_level"


def test_filing_places_table_2() -> None:
    assert len(CQ_FILING_PLACES) == 42
    assert list(CQ_FILING_PLACES) == [f"{i:02d}" for i in range(42)]
    assert CQ_FILING_PLACES["00"] == "重庆市"
    assert filing_place_name("07") == "沙坪坝区"
    assert filing_place_name("39") == "两江新区"
    assert filing_place_name("40") == "万盛经开区"
    assert filing_place_name("41") == "重庆高新区"
    assert len(CQ_DISTRICTS) == 41
    assert "00" not in CQ_DISTRICTS


def test_filing_places_match_the_seed_text() -> None:
    rows = dict(re.findall(r"(\d{2}) (\S+)", TABLE_2_TEXT))
    assert rows == dict(CQ_FILING_PLACES)


@pytest.mark.parametrize("code", ["42", "99", "7", "", "０７"])
def test_unknown_filing_place(code: str) -> None:
    with pytest.raises(InvalidValue) as info:
        filing_place_name(code)
    assert info.value.code == "filing_place_unknown"


def test_voucher_targets_sum_and_keys() -> None:
    assert sum(VOUCHER_DISTRICT_TARGETS.values()) == 120_000 == VOUCHER_CITY_USE_TARGET
    assert VOUCHER_CITY_ISSUE_TARGET == 300_000
    assert set(VOUCHER_DISTRICT_TARGETS) == set(CQ_DISTRICTS)
    assert len(VOUCHER_DISTRICT_TARGETS) == 41


def test_voucher_targets_matched_by_name_not_row() -> None:
    # 附件1 lists 重庆高新区 as row 40 and 万盛经开区 as row 41; 表2 codes them the other way round.
    assert VOUCHER_DISTRICT_TARGETS["41"] == 4000  # 重庆高新区
    assert VOUCHER_DISTRICT_TARGETS["40"] == 500  # 万盛经开区
    assert VOUCHER_DISTRICT_TARGETS["24"] == 9000  # 开州区, the largest
    assert VOUCHER_DISTRICT_TARGETS["01"] == 7000  # 万州区


def test_voucher_targets_match_the_seed_text() -> None:
    rows = [line.split() for line in ATTACHMENT_1_ROWS.splitlines()]
    assert len(rows) == 41
    by_name = {name: int(n) for _, name, n in rows}
    assert {CQ_DISTRICTS[code]: n for code, n in VOUCHER_DISTRICT_TARGETS.items()} == by_name


def test_mappings_are_read_only() -> None:
    with pytest.raises(TypeError):
        CQ_FILING_PLACES["42"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        VOUCHER_DISTRICT_TARGETS["01"] = 1  # type: ignore[index]


def test_voucher_project_types() -> None:
    assert len(VoucherProjectType) == 9
    assert [t.zh for t in VoucherProjectType][:2] == ["就业技能培训", "创业培训"]
    assert VoucherProjectType.PRE_COMPETITION.zh == "职业技能竞赛前培训（工种类）"
    assert VoucherProjectType.WORK_FOR_TRAINING.zh == "以工代训"
    assert all(t.value.isascii() and t.value.islower() for t in VoucherProjectType)


def test_institution_types() -> None:
    assert [t.zh for t in InstitutionType] == [
        "高职院校",
        "中职院校",
        "技工院校",
        "行业培训机构",
        "企业培训中心",
        "民办职业培训学校",
        "其他",
    ]


def test_provinces_and_body_categories() -> None:
    assert len(PROVINCE_CODES) == 34
    assert province_name("50") == "重庆市"
    assert province_name("31") == "上海市"
    with pytest.raises(InvalidValue):
        province_name("99")
    assert BODY_CATEGORIES == {"S": "社会培训评价组织", "Y": "用人单位"}
