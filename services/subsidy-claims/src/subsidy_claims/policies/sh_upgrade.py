"""Policy `sh-upgrade`: Shanghai 职业技能提升补贴 (沪人社规〔2025〕7号), rules SH-1 … SH-14."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from subsidy_claims.policies.calendar_months import add_months, age_on
from subsidy_claims.policies.decision import (
    AmountWorking,
    DecisionRecord,
    FundingSplit,
    RuleResult,
    RuleVerdict,
    apply_rate,
    fen_to_yuan_text,
)
from subsidy_claims.policies.facts import (
    ClaimFacts,
    EmployerTrade,
    ObtainedVia,
    Sex,
    ShFacts,
    ShGroup,
    SubsidyKind,
)
from subsidy_claims.policies.tables import (
    SH3_AMOUNTS_FEN,
    SH5_POST_MATCH,
    SH8_OCCUPATIONS,
    SH_DISTRICTS,
    level_key,
)

POLICY_ID = "sh-upgrade"
POLICY_VERSION = "2025-05-01"
DOCUMENT = "沪人社规〔2025〕7号"

SH14_FIRST_DAY = date(2025, 5, 1)
SH14_LAST_DAY = date(2028, 4, 30)
SH9_MONTHS = 12
SH9_MONTHS_LONG = 24
SH4_IN_SERVICE_MONTHS = 6
SH8_START_WITHIN_MONTHS = 12
SH8_CONTINUOUS_MONTHS = 6
SH13_YEARLY_CAP = 3
SH13_IN_SERVICE_CAP = 1
VETERAN_YEARS = 5
WORKING_AGE_FROM = 16
# Decision: upper end of 法定劳动年龄 (exclusive) by sex; SH-8 relaxes women to 60.
WORKING_AGE_UNTIL = {Sex.MALE: 60, Sex.FEMALE: 55}
SH8_WORKING_AGE_UNTIL = {Sex.MALE: 60, Sex.FEMALE: 60}
SH8_TRADE_OF = {"4-10-01-05": EmployerTrade.ELDER_CARE, "4-10-01-06": EmployerTrade.DOMESTIC_SERVICE}

STUDENTS = frozenset({ShGroup.COLLEGE_STUDENT, ShGroup.SECONDARY_STUDENT})
HUKOU_ONLY_100 = frozenset({ShGroup.DISABLED, ShGroup.VETERAN, ShGroup.DIFFICULTY})
NOT_EMPLOYED = frozenset({ShGroup.UNEMPLOYED, ShGroup.XIEBAO, ShGroup.RURAL_SURPLUS, ShGroup.UNREGISTERED})
AS_IN_SERVICE = frozenset({ShGroup.IN_SERVICE, ShGroup.ELDER_DOMESTIC})
LONG_WINDOW = STUDENTS | {ShGroup.ELDER_DOMESTIC}
NON_HUKOU_ALLOWED = frozenset({ShGroup.IN_SERVICE, ShGroup.FLEXIBLE, ShGroup.ELDER_DOMESTIC}) | STUDENTS

CLAUSES: dict[str, str] = {
    "SH-1": "本市户籍、法定劳动年龄段内的六类对象；外省市户籍在沪就业的在职人员、"
    "以灵活就业身份参加本市养老和医疗保险的人员、"
    "在本市院校就读的毕业学年学生参照执行",
    "SH-2": "补贴目录分为重点支持项目（A类）、急需紧缺项目（B类）、其它补贴项目（C类）；证书应在“随申办”中可查询",
    "SH-3": "A类1950/2600/3250/3900/4550元、不区分等级1000元；B类1500/2000/2700/3200/3700元、不区分等级800元；"
    "C类800/800/1500/1500/1500元、不区分等级500元（初级工至高级技师）",
    "SH-4": "在职人员获证起持续在沪就业满6个月按80%；灵活就业人员100%；高等院校毕业学年学生中级及以上80%；"
    "中等职业学校毕业学年学生80%享受1次；学生申请时在沪就业100%；本市户籍残疾人、退役5年内退役士兵、"
    "就业困难人员100%；本市户籍未就业人员100%，申请时在沪就业120%",
    "SH-5": "技岗匹配项目申请补贴时需处于在沪就业状态，并提供在相应技能岗位就业的材料",
    "SH-6": "同一职业（工种）同一等级只可申请1次；已享受过的，不可再次享受该等级及以下等级的补贴",
    "SH-7": "企业直接认定、竞赛晋升、国（境）外证书比照发证或表彰取得的证书，"
    "以及公务员、事业单位非技能岗位人员不可申请",
    "SH-8": "养老护理、家政服务证书，自证书核发之日起12个月内在本市该行业单位相应岗位就业（含已在岗）且连续满6个月，"
    "参照本市户籍在职人员",
    "SH-9": "自证书颁发之日起12个月内申请；毕业学年学生、养老护理、家政服务从业人员24个月内",
    "SH-10": "在职人员由单位社保所在区审核；学生由院校所在区；灵活就业人员由社保缴纳或户籍所在区；"
    "养老家政人员由单位所在区；其他人员由户籍所在区；窗口申请由受理地所在区审核",
    "SH-11": "审核通过后公示，无异议的发放至社会保障卡关联银行账户或本人银行账户",
    "SH-12": "市、区按1:1比例分担，区级部分由审核所在区承担",
    "SH-13": "每年不超过3次职业技能培训补贴或提升补贴；以在职人员身份每年1次",
    "SH-14": "2025年5月1日至2028年4月30日颁发的证书适用；此前取得的按沪人社规〔2022〕17号、沪人社规〔2024〕20号执行",
}


@lru_cache(maxsize=4096)
def _r(rule: str, verdict: RuleVerdict, reason: str) -> RuleResult:
    """Results are immutable, and most claims pass most rules for the same reason: build each one once."""
    return RuleResult(rule, CLAUSES[rule], verdict, reason)


def sh1_who(facts: ClaimFacts, sh: ShFacts) -> RuleResult:
    group = sh.group.value
    issued = facts.certificate.issue_date
    limits = SH8_WORKING_AGE_UNTIL if group is ShGroup.ELDER_DOMESTIC else WORKING_AGE_UNTIL
    age = age_on(facts.birth_date, issued)
    if not WORKING_AGE_FROM <= age < limits[facts.sex]:
        return _r("SH-1", RuleVerdict.FAIL, f"获证时{age}周岁，不在法定劳动年龄段内")
    if group in STUDENTS and not sh.school_in_shanghai:
        return _r("SH-1", RuleVerdict.FAIL, "毕业学年学生须就读于本市中等职业学校或高等院校")
    hukou = sh.hukou_shanghai.value
    if not hukou and group is ShGroup.FLEXIBLE and not sh.pension_and_medical_in_shanghai.value:
        return _r("SH-1", RuleVerdict.FAIL, "外省市户籍灵活就业人员须以灵活就业身份参加本市养老、医疗保险")
    if not hukou and group not in NON_HUKOU_ALLOWED:
        return _r("SH-1", RuleVerdict.FAIL, "外省市户籍人员仅在职、灵活就业、毕业学年学生可参照享受")
    if not (sh.group.verified and sh.hukou_shanghai.verified):
        unverified = [n for n, f in (("人员类别", sh.group), ("户籍", sh.hukou_shanghai)) if not f.verified]
        return _r(
            "SH-1", RuleVerdict.NEEDS_MATERIAL, f"{'、'.join(unverified)}为本人申报，需数据比对或佐证材料"
        )
    return _r("SH-1", RuleVerdict.PASS, f"属于补贴对象（{group.value}）")


def sh2_catalogue(facts: ClaimFacts, sh: ShFacts) -> RuleResult:
    if sh.catalogue_class is None:
        return _r("SH-2", RuleVerdict.FAIL, "证书项目不在补贴目录内")
    if not facts.certificate.verified_by:
        return _r("SH-2", RuleVerdict.NEEDS_MATERIAL, "证书尚未在证书查询系统中核验")
    return _r("SH-2", RuleVerdict.PASS, f"补贴目录{sh.catalogue_class.value}类，证书可查询")


def sh3_table_amount(facts: ClaimFacts, sh: ShFacts) -> tuple[RuleResult, int | None]:
    if sh.catalogue_class is None:
        return _r("SH-3", RuleVerdict.NOT_APPLICABLE, "不在补贴目录内，无补贴标准"), None
    key = (sh.catalogue_class, level_key(facts.certificate.level))
    amount = SH3_AMOUNTS_FEN.get(key)
    if amount is None:
        return _r("SH-3", RuleVerdict.FAIL, "证书等级无对应补贴标准"), None
    return _r("SH-3", RuleVerdict.PASS, f"补贴标准{fen_to_yuan_text(amount)}"), amount


def _employed_now(sh: ShFacts) -> bool:
    return sh.employed_in_shanghai_now.value


def sh4_rate(facts: ClaimFacts, sh: ShFacts) -> tuple[RuleResult, int | None]:
    group = sh.group.value
    cert = facts.certificate
    if group is ShGroup.IN_SERVICE:
        start = sh.employment_start.value
        if not _employed_now(sh) or start is None or start > cert.issue_date:
            return _r("SH-4", RuleVerdict.FAIL, "在职人员须自获证起持续在沪就业"), None
        if facts.applied_on < add_months(cert.issue_date, SH4_IN_SERVICE_MONTHS):
            return _r("SH-4", RuleVerdict.FAIL, "获证起持续在沪就业未满6个月"), None
        return _r("SH-4", RuleVerdict.PASS, "在职人员，获证起持续在沪就业满6个月，按80%"), 80
    if group is ShGroup.ELDER_DOMESTIC:
        return _r("SH-4", RuleVerdict.PASS, "养老护理、家政服务从业人员参照在职人员，按80%"), 80
    if group is ShGroup.FLEXIBLE:
        return _r("SH-4", RuleVerdict.PASS, "灵活就业人员，按100%"), 100
    if group in STUDENTS:
        start, end = sh.graduating_year_start, sh.graduating_year_end
        if start is None or end is None or not start <= cert.issue_date <= end:
            return _r("SH-4", RuleVerdict.FAIL, "证书须在毕业学年内取得"), None
        if group is ShGroup.COLLEGE_STUDENT and (cert.level is None or cert.level > 4):
            return _r("SH-4", RuleVerdict.FAIL, "高等院校毕业学年学生须取得中级及以上证书"), None
        if group is ShGroup.SECONDARY_STUDENT and any(
            p.kind is SubsidyKind.SH_UPGRADE and p.as_secondary_student for p in facts.prior_subsidies
        ):
            return _r("SH-4", RuleVerdict.FAIL, "中等职业学校毕业学年学生只享受1次"), None
        if _employed_now(sh):
            return _r("SH-4", RuleVerdict.PASS, "毕业学年学生申请时已在沪就业，按100%"), 100
        return _r("SH-4", RuleVerdict.PASS, "毕业学年学生，按80%"), 80
    if not sh.hukou_shanghai.value:
        return _r("SH-4", RuleVerdict.FAIL, "该类人员须为本市户籍"), None
    if group is ShGroup.VETERAN:
        discharged = sh.veteran_discharged_on
        if discharged is None or not discharged <= cert.issue_date <= add_months(
            discharged, 12 * VETERAN_YEARS
        ):
            return _r("SH-4", RuleVerdict.FAIL, "获证时不属于退役5年内的退役士兵"), None
    if group in HUKOU_ONLY_100:
        return _r("SH-4", RuleVerdict.PASS, "本市户籍残疾人、退役5年内退役士兵、就业困难人员，按100%"), 100
    if group in NOT_EMPLOYED:
        if _employed_now(sh):
            return _r("SH-4", RuleVerdict.PASS, "本市户籍未就业人员，申请时已在沪就业，按120%"), 120
        return _r("SH-4", RuleVerdict.PASS, "本市户籍未就业人员，按100%"), 100
    return _r("SH-4", RuleVerdict.FAIL, "无适用的补贴比例"), None  # pragma: no cover - every group is handled


def sh5_post_match(facts: ClaimFacts, sh: ShFacts) -> RuleResult:
    code = facts.certificate.occupation_code
    if code not in SH5_POST_MATCH:
        return _r("SH-5", RuleVerdict.NOT_APPLICABLE, "不属于技岗匹配项目")
    if not _employed_now(sh):
        return _r("SH-5", RuleVerdict.FAIL, f"技岗匹配项目（{SH5_POST_MATCH[code]}）申请时须在沪就业")
    post = sh.post_occupation_code
    if post.value != code:
        return _r("SH-5", RuleVerdict.FAIL, f"未在{SH5_POST_MATCH[code]}相应技能岗位就业")
    if not post.verified:
        return _r("SH-5", RuleVerdict.NEEDS_MATERIAL, "需提供在相应技能岗位就业的材料")
    return _r("SH-5", RuleVerdict.PASS, f"在{SH5_POST_MATCH[code]}岗位就业，已由{post.source}核验")


def sh6_not_same_or_lower(facts: ClaimFacts) -> RuleResult:
    cert = facts.certificate
    for past in facts.prior_subsidies:
        if past.kind is not SubsidyKind.SH_UPGRADE or past.work_type_key != cert.work_type_key:
            continue
        if cert.level is None or past.level is None:
            return _r("SH-6", RuleVerdict.FAIL, "同一职业（工种）已享受过补贴")
        if cert.level >= past.level:
            return _r(
                "SH-6", RuleVerdict.FAIL, f"已享受过该职业（工种）{past.level}级补贴，本次为同级或更低等级"
            )
    return _r("SH-6", RuleVerdict.PASS, "未享受过该职业（工种）同级或更高等级补贴")


_SH7_VIA = {
    ObtainedVia.ENTERPRISE_DIRECT_RECOGNITION: "企业直接认定",
    ObtainedVia.COMPETITION_PROMOTION: "竞赛成绩优异晋升",
    ObtainedVia.FOREIGN_MAPPING: "国（境）外证书比照发证",
    ObtainedVia.COMMENDATION: "表彰",
}


def sh7_exclusions(facts: ClaimFacts, sh: ShFacts) -> RuleResult:
    via = facts.certificate.obtained_via
    if via in _SH7_VIA:
        return _r("SH-7", RuleVerdict.FAIL, f"通过{_SH7_VIA[via]}取得的证书不可申请")
    if sh.civil_servant.value:
        return _r("SH-7", RuleVerdict.FAIL, "公务员不可申请")
    if sh.public_institution_non_skill_post.value:
        return _r("SH-7", RuleVerdict.FAIL, "事业单位非技能岗位从业人员不可申请")
    return _r("SH-7", RuleVerdict.PASS, "不属于排除情形")


def sh8_elder_domestic(facts: ClaimFacts, sh: ShFacts) -> RuleResult:
    if sh.group.value is not ShGroup.ELDER_DOMESTIC:
        return _r("SH-8", RuleVerdict.NOT_APPLICABLE, "不按养老护理、家政服务特别规定申请")
    cert = facts.certificate
    trade = SH8_TRADE_OF.get(cert.occupation_code)
    if trade is None:
        return _r("SH-8", RuleVerdict.FAIL, "证书不是养老护理或家政服务职业")
    if sh.employer_trade is not trade or sh.post_occupation_code.value != cert.occupation_code:
        return _r(
            "SH-8", RuleVerdict.FAIL, f"未在本市{SH8_OCCUPATIONS[cert.occupation_code]}行业单位相应岗位就业"
        )
    start = sh.employment_start.value
    if start is None or start > add_months(cert.issue_date, SH8_START_WITHIN_MONTHS):
        return _r("SH-8", RuleVerdict.FAIL, "未在证书核发之日起12个月内上岗")
    if not _employed_now(sh) or facts.applied_on < add_months(start, SH8_CONTINUOUS_MONTHS):
        return _r("SH-8", RuleVerdict.FAIL, "连续就业未满6个月")
    if not sh.post_occupation_code.verified:
        return _r("SH-8", RuleVerdict.NEEDS_MATERIAL, "从业状态以民政、商务部门平台数据为准，尚未核验")
    return _r("SH-8", RuleVerdict.PASS, f"从业状态已由{sh.post_occupation_code.source}核验")


def sh9_window_months(group: ShGroup) -> int:
    return SH9_MONTHS_LONG if group in LONG_WINDOW else SH9_MONTHS


def sh9_last_day(issue_date: date, group: ShGroup) -> date:
    """The last day an application is on time (SH-9)."""
    return add_months(issue_date, sh9_window_months(group))


def sh9_window(facts: ClaimFacts, sh: ShFacts) -> RuleResult:
    months = sh9_window_months(sh.group.value)
    issued = facts.certificate.issue_date
    last = add_months(issued, months)
    applied = facts.applied_on
    if applied < issued:
        return _r("SH-9", RuleVerdict.FAIL, "申请日期早于证书颁发日期")
    if applied > last:
        return _r("SH-9", RuleVerdict.FAIL, f"须在证书颁发之日起{months}个月内（{last}前）申请")
    return _r("SH-9", RuleVerdict.PASS, f"在{months}个月申请期内（截至{last}）")


def sh10_district(sh: ShFacts) -> str | None:
    """Which district reviews and pays its half."""
    if sh.counter_district:
        return sh.counter_district
    group = sh.group.value
    if group is ShGroup.IN_SERVICE:
        return sh.employer_insurance_district
    if group in STUDENTS:
        return sh.school_district
    if group is ShGroup.FLEXIBLE:
        return sh.insurance_district or sh.hukou_district
    if group is ShGroup.ELDER_DOMESTIC:
        return sh.employer_district
    return sh.hukou_district


def sh10_routing(sh: ShFacts) -> tuple[RuleResult, str | None]:
    district = sh10_district(sh)
    if district is None or district not in SH_DISTRICTS:
        return _r("SH-10", RuleVerdict.FAIL, "无法确定审核区"), None
    return _r("SH-10", RuleVerdict.PASS, f"由{SH_DISTRICTS[district]}审核"), district


def sh11_publicity() -> RuleResult:
    return _r("SH-11", RuleVerdict.NOT_APPLICABLE, "审核通过后公示并发放")


def sh12_funding(amount_fen: int, district: str | None) -> FundingSplit:
    """1:1; Decision: an odd fen falls to the city so the district share is never rounded up."""
    district_fen = amount_fen // 2
    return FundingSplit("SH-12", amount_fen - district_fen, district_fen, district)


def sh13_yearly_cap(facts: ClaimFacts, sh: ShFacts) -> RuleResult:
    year = facts.applied_on.year
    this_year = [
        p
        for p in facts.prior_subsidies
        if p.year == year and p.kind in (SubsidyKind.SH_UPGRADE, SubsidyKind.SH_TRAINING)
    ]
    if len(this_year) >= SH13_YEARLY_CAP:
        return _r("SH-13", RuleVerdict.FAIL, f"{year}年已享受{len(this_year)}次培训或提升补贴")
    if sh.group.value in AS_IN_SERVICE and sum(p.as_in_service for p in this_year) >= SH13_IN_SERVICE_CAP:
        return _r("SH-13", RuleVerdict.FAIL, f"{year}年已以在职人员身份享受过补贴")
    return _r("SH-13", RuleVerdict.PASS, f"{year}年已享受{len(this_year)}次，未超过上限")


def sh14_validity(facts: ClaimFacts) -> RuleResult:
    issued = facts.certificate.issue_date
    if issued < SH14_FIRST_DAY:
        return _r(
            "SH-14",
            RuleVerdict.FAIL,
            "2025年5月1日前取得的证书按沪人社规〔2022〕17号、沪人社规〔2024〕20号执行",
        )
    if issued > SH14_LAST_DAY:
        return _r("SH-14", RuleVerdict.FAIL, "证书颁发日期晚于本政策有效期（2028年4月30日）")
    return _r("SH-14", RuleVerdict.PASS, "证书颁发日期在政策有效期内")


def evaluate(facts: ClaimFacts) -> DecisionRecord:
    """Evaluate every SH rule and the amount: SH-3 table amount × SH-4 rate, split by SH-12."""
    sh = facts.sh
    if sh is None:
        raise ValueError("sh-upgrade needs Shanghai facts")
    table_result, table_fen = sh3_table_amount(facts, sh)
    rate_result, rate = sh4_rate(facts, sh)
    routing_result, district = sh10_routing(sh)
    working: AmountWorking | None = None
    funding: FundingSplit | None = None
    if table_fen is not None and rate is not None:
        amount = apply_rate(table_fen, rate)
        level = facts.certificate.level
        working = AmountWorking(
            rule="SH-3×SH-4",
            table_key=f"{sh.catalogue_class.value if sh.catalogue_class else ''}:{level_key(level)}",
            table_amount_fen=table_fen,
            rate_percent=rate,
            amount_fen=amount,
            working=f"{fen_to_yuan_text(table_fen)} × {rate}% = {fen_to_yuan_text(amount)}",
        )
        funding = sh12_funding(amount, district)
    funding_result = (
        _r("SH-12", RuleVerdict.PASS, "市、区1:1分担")
        if funding is not None
        else _r("SH-12", RuleVerdict.NOT_APPLICABLE, "无补贴金额")
    )
    results = (
        sh1_who(facts, sh),
        sh2_catalogue(facts, sh),
        table_result,
        rate_result,
        sh5_post_match(facts, sh),
        sh6_not_same_or_lower(facts),
        sh7_exclusions(facts, sh),
        sh8_elder_domestic(facts, sh),
        sh9_window(facts, sh),
        routing_result,
        sh11_publicity(),
        funding_result,
        sh13_yearly_cap(facts, sh),
        sh14_validity(facts),
    )
    return DecisionRecord(
        policy=POLICY_ID,
        policy_version=POLICY_VERSION,
        evaluated_on=facts.applied_on,
        results=results,
        amount=working,
        district_code=district,
        funding=funding,
    )
