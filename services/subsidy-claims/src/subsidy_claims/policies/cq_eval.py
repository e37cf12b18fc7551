"""Policy `cq-eval`: Chongqing 职业技能评价补贴 (渝人社办〔2025〕84号), rules CQ-1 … CQ-10."""

from __future__ import annotations

from datetime import date

from skills_shared import reference
from subsidy_claims.policies.decision import (
    AmountWorking,
    DecisionRecord,
    RuleResult,
    RuleVerdict,
    fen_to_yuan_text,
)
from subsidy_claims.policies.facts import ClaimFacts, CqFacts, SubsidyKind
from subsidy_claims.policies.tables import CQ_DISTRICTS, CqAmountTable, level_key

POLICY_ID = "cq-eval"
POLICY_VERSION = "2025-06-06"
DOCUMENT = "渝人社办〔2025〕84号"

CQ1_FIRST_DAY = date(2024, 5, 9)  # 渝人社发〔2024〕13号 发布之日
CQ9_WINDOW_FIRST = date(2024, 5, 9)
CQ9_WINDOW_LAST = date(2025, 6, 6)  # 本文件印发之日
CQ9_CLAIM_BY = date(2025, 11, 30)
CHONGQING_PROVINCE = reference.CQ_PROVINCE_CODE

CLAUSES: dict[str, str] = {
    "CQ-1": "自渝人社发〔2024〕13号文件发布之日起，在我市依法取得技能类职业资格证书、"
    "职业技能等级证书、专项职业能力证书",
    "CQ-2": "申请时符合六类人员身份之一（防止返贫监测对象、毕业年度高校毕业生、城乡未继续升学的应届初高中毕业生、"
    "农村转移就业劳动者、城镇登记失业人员、就业困难人员），按审核部门要求补充佐证材料",
    "CQ-3": "向职业技能评价所在区县（自治县）人力社保部门申请",
    "CQ-4": "比对审核技能等级证书职业（工种）名称、技能等级、证书编号、发证日期，10个工作日内完成审核；"
    "难以确认的，可请申请人提供佐证材料",
    "CQ-5": "对符合补贴条件的人员公示不少于5个工作日，无异议的经单位负责人确认后拨付",
    "CQ-6": "已取得某职业及该职业下设不同工种证书的，只可享受其中一个职业（工种）技能评价补贴",
    "CQ-7": "同一职业（工种）同一等级或更低等级证书，以及同一项目专项职业能力证书，不得重复享受",
    "CQ-8": "已享受过原职业技能鉴定补贴的不再享受职业技能评价补贴",
    "CQ-9": "2024年5月9日至2025年6月6日期间取得的，可在2025年11月30日前提出申请",
    "CQ-10": "补贴标准按渝人社发〔2024〕13号执行",
}


def _r(rule: str, verdict: RuleVerdict, reason: str) -> RuleResult:
    return RuleResult(rule, CLAUSES[rule], verdict, reason)


def cq1_certificate(facts: ClaimFacts) -> RuleResult:
    cert = facts.certificate
    if cert.issue_date < CQ1_FIRST_DAY:
        return _r("CQ-1", RuleVerdict.FAIL, f"证书核发日期{cert.issue_date.isoformat()}早于2024年5月9日")
    if cert.province_code != CHONGQING_PROVINCE:
        return _r("CQ-1", RuleVerdict.FAIL, "证书不是在重庆市取得的")
    return _r("CQ-1", RuleVerdict.PASS, "证书于2024年5月9日以后在重庆市取得")


def cq2_identity(cq: CqFacts) -> RuleResult:
    category = cq.identity_category
    if category.verified:
        return _r("CQ-2", RuleVerdict.PASS, f"身份类别{category.value.value}已由{category.source}核验")
    return _r("CQ-2", RuleVerdict.NEEDS_MATERIAL, f"身份类别{category.value.value}为本人申报，需补充佐证材料")


def cq3_routing(cq: CqFacts) -> RuleResult:
    if cq.district_code in CQ_DISTRICTS:
        return _r("CQ-3", RuleVerdict.PASS, f"由评价所在区县（{cq.district_code}）审核")
    return _r("CQ-3", RuleVerdict.FAIL, f"评价所在区县代码{cq.district_code}无效")


def cq4_certificate_record(facts: ClaimFacts) -> RuleResult:
    if facts.certificate.verified_by:
        return _r("CQ-4", RuleVerdict.PASS, f"证书信息已与{facts.certificate.verified_by}记录比对一致")
    return _r("CQ-4", RuleVerdict.NEEDS_MATERIAL, "证书信息尚未与证书记录比对")


def cq5_publicity() -> RuleResult:
    return _r("CQ-5", RuleVerdict.NOT_APPLICABLE, "审核通过后公示，不少于5个工作日")


def cq6_one_per_family(facts: ClaimFacts) -> RuleResult:
    cert = facts.certificate
    for past in facts.prior_subsidies:
        if (
            past.kind is SubsidyKind.CQ_EVAL
            and past.occupation_code == cert.family_key
            and past.work_type_key != cert.work_type_key
        ):
            return _r("CQ-6", RuleVerdict.FAIL, f"已享受职业{past.occupation_code}下其他工种的评价补贴")
    return _r("CQ-6", RuleVerdict.PASS, "同一职业下未享受过其他工种的评价补贴")


def cq7_not_same_or_lower(facts: ClaimFacts) -> RuleResult:
    cert = facts.certificate
    for past in facts.prior_subsidies:
        if past.kind is not SubsidyKind.CQ_EVAL or past.work_type_key != cert.work_type_key:
            continue
        if cert.level is None or past.level is None:
            return _r("CQ-7", RuleVerdict.FAIL, "同一项目已享受过评价补贴")
        if cert.level >= past.level:
            return _r(
                "CQ-7",
                RuleVerdict.FAIL,
                f"同一职业（工种）已按{past.level}级享受补贴，本次{cert.level}级为同级或更低等级",
            )
    return _r("CQ-7", RuleVerdict.PASS, "同一职业（工种）未享受过同级或更高等级的补贴")


def cq8_former_jianding(facts: ClaimFacts) -> RuleResult:
    cert = facts.certificate
    for past in facts.prior_subsidies:
        if past.kind is SubsidyKind.CQ_JIANDING and past.occupation_code == cert.family_key:
            return _r("CQ-8", RuleVerdict.FAIL, "已享受过原职业技能鉴定补贴")
    return _r("CQ-8", RuleVerdict.PASS, "未享受过原职业技能鉴定补贴")


def claim_by(issue_date: date) -> date | None:
    """CQ-9: the last day to claim, for certificates of the transitional window; None when the seed sets none."""
    return CQ9_CLAIM_BY if CQ9_WINDOW_FIRST <= issue_date <= CQ9_WINDOW_LAST else None


def cq9_transitional_deadline(facts: ClaimFacts) -> RuleResult:
    issued = facts.certificate.issue_date
    if not CQ9_WINDOW_FIRST <= issued <= CQ9_WINDOW_LAST:
        return _r("CQ-9", RuleVerdict.NOT_APPLICABLE, "证书不在2024年5月9日至2025年6月6日期间取得")
    if facts.applied_on <= CQ9_CLAIM_BY:
        return _r("CQ-9", RuleVerdict.PASS, "在2025年11月30日前申请")
    return _r("CQ-9", RuleVerdict.FAIL, "该期间取得的证书应在2025年11月30日前申请，已逾期")


def cq10_amount(
    facts: ClaimFacts, cq: CqFacts, table: CqAmountTable | None
) -> tuple[RuleResult, AmountWorking]:
    cert = facts.certificate
    if table is not None:
        table_fen = table.lookup(cert.kind, cert.level)
        if table_fen is not None:
            working = AmountWorking(
                rule="CQ-10",
                table_key=f"{table.version}:{cert.kind.value}:{level_key(cert.level)}",
                table_amount_fen=table_fen,
                rate_percent=100,
                amount_fen=table_fen,
                working=f"{fen_to_yuan_text(table_fen)} × 100% = {fen_to_yuan_text(table_fen)}",
            )
            return _r("CQ-10", RuleVerdict.PASS, f"按补贴标准表{table.version}核定"), working
    applied = cq.applied_amount_fen
    working = AmountWorking(
        rule="CQ-10",
        table_key="applied",
        table_amount_fen=applied,
        rate_percent=100,
        amount_fen=applied,
        working=f"申请金额 {fen_to_yuan_text(applied)} × 100% = {fen_to_yuan_text(applied)}（待审核人员核定）",
    )
    return _r("CQ-10", RuleVerdict.PASS, "补贴标准表未加载，按申请金额，由审核人员核定"), working


def evaluate(facts: ClaimFacts, table: CqAmountTable | None = None) -> DecisionRecord:
    """Evaluate every CQ rule; the record lists them in ID order so reviewers read it like the notice."""
    cq = facts.cq
    if cq is None:
        raise ValueError("cq-eval needs Chongqing facts")
    amount_result, working = cq10_amount(facts, cq, table)
    results = (
        cq1_certificate(facts),
        cq2_identity(cq),
        cq3_routing(cq),
        cq4_certificate_record(facts),
        cq5_publicity(),
        cq6_one_per_family(facts),
        cq7_not_same_or_lower(facts),
        cq8_former_jianding(facts),
        cq9_transitional_deadline(facts),
        amount_result,
    )
    return DecisionRecord(
        policy=POLICY_ID,
        policy_version=POLICY_VERSION,
        evaluated_on=facts.applied_on,
        results=results,
        amount=working,
        district_code=cq.district_code,
    )
