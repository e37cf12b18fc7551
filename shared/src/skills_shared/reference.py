"""Immutable reference data from the seeds: skill levels, certificate kinds, places, voucher tables."""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum, StrEnum
from types import MappingProxyType

from skills_shared.validators import InvalidValue

__all__ = [
    "BODY_CATEGORIES",
    "CQ_DISTRICTS",
    "CQ_FILING_PLACES",
    "CQ_PROVINCE_CODE",
    "PROVINCE_CODES",
    "SH_PROVINCE_CODE",
    "VOUCHER_CITY_ISSUE_TARGET",
    "VOUCHER_CITY_USE_TARGET",
    "VOUCHER_DISTRICT_TARGETS",
    "CertificateKind",
    "InstitutionType",
    "SkillLevel",
    "VoucherProjectType",
    "filing_place_name",
    "province_name",
]


class SkillLevel(IntEnum):
    """Skill level code (seed 001 附件5 (七)): a *lower* level has a *higher* code."""

    LEVEL_1 = 1
    LEVEL_2 = 2
    LEVEL_3 = 3
    LEVEL_4 = 4
    LEVEL_5 = 5

    @property
    def zh(self) -> str:
        """Chinese name as the seed writes it, e.g. "三级/高级工"."""
        return _SKILL_LEVEL_ZH[self.value]

    @property
    def label(self) -> str:
        """Code and Chinese name, e.g. "3 三级/高级工"."""
        return f"{self.value} {self.zh}"


_SKILL_LEVEL_ZH: Mapping[int, str] = MappingProxyType(
    {1: "一级/高级技师", 2: "二级/技师", 3: "三级/高级工", 4: "四级/中级工", 5: "五级/初级工"}
)


class CertificateKind(StrEnum):
    """The three certificate kinds the subsidies accept (CQ-1); a special-ability certificate has no level."""

    VOCATIONAL_QUALIFICATION = "vocational_qualification"
    SKILL_LEVEL = "skill_level"
    SPECIAL_ABILITY = "special_ability"

    @property
    def zh(self) -> str:
        return _CERTIFICATE_KIND_ZH[self.value]

    @property
    def has_level(self) -> bool:
        return self is not CertificateKind.SPECIAL_ABILITY


_CERTIFICATE_KIND_ZH: Mapping[str, str] = MappingProxyType(
    {
        "vocational_qualification": "职业资格证书",
        "skill_level": "职业技能等级证书",
        "special_ability": "专项职业能力证书",
    }
)


# GB/T 2260 province-level codes (the first two digits), used by certificate numbers (CR-1, pos 6–7).
PROVINCE_CODES: Mapping[str, str] = MappingProxyType(
    {
        "11": "北京市",
        "12": "天津市",
        "13": "河北省",
        "14": "山西省",
        "15": "内蒙古自治区",
        "21": "辽宁省",
        "22": "吉林省",
        "23": "黑龙江省",
        "31": "上海市",
        "32": "江苏省",
        "33": "浙江省",
        "34": "安徽省",
        "35": "福建省",
        "36": "江西省",
        "37": "山东省",
        "41": "河南省",
        "42": "湖北省",
        "43": "湖南省",
        "44": "广东省",
        "45": "广西壮族自治区",
        "46": "海南省",
        "50": "重庆市",
        "51": "四川省",
        "52": "贵州省",
        "53": "云南省",
        "54": "西藏自治区",
        "61": "陕西省",
        "62": "甘肃省",
        "63": "青海省",
        "64": "宁夏回族自治区",
        "65": "新疆维吾尔自治区",
        "71": "台湾省",
        "81": "香港特别行政区",
        "82": "澳门特别行政区",
    }
)
CQ_PROVINCE_CODE = "50"
SH_PROVINCE_CODE = "31"


def province_name(code: str) -> str:
    """Chinese name of a GB/T 2260 province code; InvalidValue when unknown."""
    try:
        return PROVINCE_CODES[code]
    except KeyError:
        raise InvalidValue("province_code_unknown", f"省级代码{code}不存在") from None


# Evaluation-body category letter (CR-1, pos 1).
BODY_CATEGORIES: Mapping[str, str] = MappingProxyType({"S": "社会培训评价组织", "Y": "用人单位"})


# Seed 001 附件5 表2 重庆市备案地代码表, all 42 rows exactly as printed (note 40 万盛经开区, 41 重庆高新区).
CQ_FILING_PLACES: Mapping[str, str] = MappingProxyType(
    {
        "00": "重庆市",
        "01": "万州区",
        "02": "黔江区",
        "03": "涪陵区",
        "04": "渝中区",
        "05": "大渡口区",
        "06": "江北区",
        "07": "沙坪坝区",
        "08": "九龙坡区",
        "09": "南岸区",
        "10": "北碚区",
        "11": "渝北区",
        "12": "巴南区",
        "13": "长寿区",
        "14": "江津区",
        "15": "合川区",
        "16": "永川区",
        "17": "南川区",
        "18": "綦江区",
        "19": "大足区",
        "20": "璧山区",
        "21": "铜梁区",
        "22": "潼南区",
        "23": "荣昌区",
        "24": "开州区",
        "25": "梁平区",
        "26": "武隆区",
        "27": "城口县",
        "28": "丰都县",
        "29": "垫江县",
        "30": "忠县",
        "31": "云阳县",
        "32": "奉节县",
        "33": "巫山县",
        "34": "巫溪县",
        "35": "石柱县",
        "36": "秀山县",
        "37": "酉阳县",
        "38": "彭水县",
        "39": "两江新区",
        "40": "万盛经开区",
        "41": "重庆高新区",
    }
)

# The 41 district rows (01–41): the places a district officer or a district-level body belongs to.
CQ_DISTRICTS: Mapping[str, str] = MappingProxyType({k: v for k, v in CQ_FILING_PLACES.items() if k != "00"})


def filing_place_name(code: str) -> str:
    """Chinese name of a Chongqing filing-place code (表2); InvalidValue when the code is not a row."""
    try:
        return CQ_FILING_PLACES[code]
    except KeyError:
        raise InvalidValue("filing_place_unknown", f"重庆市备案地代码{code}不存在") from None


# Seed 004 附件1 2021 usage targets (V-8), keyed by the 表2 code of the same name. The seed lists rows in its
# own order, with 重庆高新区 as row 40 and 万盛经开区 as row 41 — the reverse of 表2 — so rows are matched by
# name, never by row number. Every name in 附件1 is written exactly as in 表2.
_VOUCHER_TARGETS_BY_NAME: Mapping[str, int] = MappingProxyType(
    {
        "万州区": 7000,
        "黔江区": 1000,
        "涪陵区": 4000,
        "渝中区": 3000,
        "大渡口区": 2000,
        "江北区": 4000,
        "沙坪坝区": 5000,
        "九龙坡区": 4000,
        "南岸区": 6000,
        "北碚区": 3000,
        "渝北区": 1000,
        "巴南区": 6000,
        "长寿区": 2000,
        "江津区": 6000,
        "合川区": 3000,
        "永川区": 5000,
        "南川区": 500,
        "綦江区": 500,
        "大足区": 2000,
        "璧山区": 2000,
        "铜梁区": 4000,
        "潼南区": 3000,
        "荣昌区": 3000,
        "开州区": 9000,
        "梁平区": 1000,
        "武隆区": 1000,
        "城口县": 1000,
        "丰都县": 500,
        "垫江县": 500,
        "忠县": 500,
        "云阳县": 5000,
        "奉节县": 5000,
        "巫山县": 2500,
        "巫溪县": 500,
        "石柱县": 1000,
        "秀山县": 2000,
        "酉阳县": 3000,
        "彭水县": 1000,
        "两江新区": 5000,
        "重庆高新区": 4000,
        "万盛经开区": 500,
    }
)
_CODE_BY_NAME = {name: code for code, name in CQ_DISTRICTS.items()}
VOUCHER_DISTRICT_TARGETS: Mapping[str, int] = MappingProxyType(
    dict(sorted((_CODE_BY_NAME[name], n) for name, n in _VOUCHER_TARGETS_BY_NAME.items()))
)
VOUCHER_CITY_ISSUE_TARGET = 300_000  # V-8: 全市全年发放职业培训券30万张以上
VOUCHER_CITY_USE_TARGET = 120_000  # V-8: 使用职业培训券12万张以上 (= the sum of 附件1)


class VoucherProjectType(StrEnum):
    """The nine subsidised training project types a voucher applies to (V-1, seed 004 二(一))."""

    EMPLOYMENT_SKILLS = "employment_skills"
    ENTREPRENEURSHIP = "entrepreneurship"
    HR_SERVICES = "hr_services"
    DOMESTIC_SERVICE = "domestic_service"
    PRE_COMPETITION = "pre_competition"
    NEW_APPRENTICESHIP = "new_apprenticeship"
    ENTERPRISE_STAFF = "enterprise_staff"
    EMPLOYMENT_ADAPTATION = "employment_adaptation"
    WORK_FOR_TRAINING = "work_for_training"

    @property
    def zh(self) -> str:
        return _VOUCHER_PROJECT_ZH[self.value]


_VOUCHER_PROJECT_ZH: Mapping[str, str] = MappingProxyType(
    {
        "employment_skills": "就业技能培训",
        "entrepreneurship": "创业培训",
        "hr_services": "人力资源服务业培训",
        "domestic_service": "家政服务人员培训",
        "pre_competition": "职业技能竞赛前培训（工种类）",
        "new_apprenticeship": "企业新型学徒制培训",
        "enterprise_staff": "企业职工培训（岗前培训、安全技能培训、通用职业素质培训）",
        "employment_adaptation": "就业适应性培训",
        "work_for_training": "以工代训",
    }
)


class InstitutionType(StrEnum):
    """Training institution type (V-6, seed 004 附件2 机构类型; the seed's "其他类培训机构" is 其他)."""

    HIGHER_VOCATIONAL = "higher_vocational"
    SECONDARY_VOCATIONAL = "secondary_vocational"
    TECHNICAL_SCHOOL = "technical_school"
    INDUSTRY_TRAINING = "industry_training"
    ENTERPRISE_TRAINING_CENTER = "enterprise_training_center"
    PRIVATE_TRAINING_SCHOOL = "private_training_school"
    OTHER = "other"

    @property
    def zh(self) -> str:
        return _INSTITUTION_TYPE_ZH[self.value]


_INSTITUTION_TYPE_ZH: Mapping[str, str] = MappingProxyType(
    {
        "higher_vocational": "高职院校",
        "secondary_vocational": "中职院校",
        "technical_school": "技工院校",
        "industry_training": "行业培训机构",
        "enterprise_training_center": "企业培训中心",
        "private_training_school": "民办职业培训学校",
        "other": "其他",
    }
)
