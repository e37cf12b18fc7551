"""Use cases of a claim's life: draft, submit (registry check + policy), review, publicity, payment, 追回."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from skills_shared import audit, metrics
from skills_shared.auth import Principal, Role
from skills_shared.contracts.v1.pagination import Page, PageParams
from skills_shared.contracts.v1.subsidy import (
    ClaimFactSheet,
    ClaimObjection,
    SubsidyDecision,
)
from skills_shared.metrics import count_on_commit
from skills_shared.problems import FieldError, forbidden, not_found
from skills_shared.refusals import Refusal
from skills_shared.validators import mask_resident_id
from skills_shared.workdays import CalendarNotCovered
from subsidy_claims.access import check_applicant, check_may_read, check_reviewer, scope_district
from subsidy_claims.bulk import refuse_duplicates
from subsidy_claims.claims import rules
from subsidy_claims.claims.events import record_claim_event
from subsidy_claims.claims.facts_builder import claim_facts
from subsidy_claims.claims.models import Claim, Objection, PastSubsidyRecord
from subsidy_claims.claims.repository import ClaimRepository
from subsidy_claims.claims.rules import Action, ClaimStatus
from subsidy_claims.claims.schemas import (
    BankPaymentResult,
    ClaimApproval,
    ClaimDraft,
    PastSubsidyEntry,
    ReviewQueueItem,
    SubsidyClaim,
)
from subsidy_claims.policies import cq_eval, sh_upgrade
from subsidy_claims.policies.decision import Outcome, RuleResult, RuleVerdict, fen_to_yuan_text
from subsidy_claims.policies.facts import CertificateFacts, CertificateKind, ObtainedVia, ShGroup
from subsidy_claims.policies.tables import level_key

UNIT_HEAD_PERM = "unit_head"


def field_error(
    loc: list[str | int], msg: str, type_: str = "value_error", rule: str | None = None
) -> Refusal:
    """A 422 about one field of the body (``validation_failed``, as pydantic's own field errors)."""
    return Refusal(
        rule,
        "validation_failed",
        msg,
        errors=[FieldError(loc=loc, msg=msg, type=type_)],
        title="Validation failed",
    )


def publicity_rule(policy: str) -> str:
    """CQ-5 for Chongqing, SH-11 for Shanghai: publicity, confirmation and payment."""
    return "CQ-5" if policy == "cq-eval" else "SH-11"


def _verified_paths(value: Any, path: list[str | int]) -> list[list[str | int]]:
    """Paths of facts in a body that claim provenance 'verified'."""
    found: list[list[str | int]] = []
    if isinstance(value, dict):
        if value.get("provenance") == "verified":
            found.append(path)
        for k, v in value.items():
            found.extend(_verified_paths(v, [*path, k]))
    return found


def apply_by(claim: Claim) -> date | None:
    """The last day to apply: CQ-9 for transitional Chongqing certificates, SH-9 for Shanghai ones."""
    if claim.policy == "cq-eval":
        return cq_eval.claim_by(claim.certificate_issue_date)
    group = ShGroup(claim.facts["sh"]["group"]["value"])
    return sh_upgrade.sh9_last_day(claim.certificate_issue_date, group)


def decision_out(stored: dict[str, Any] | None) -> SubsidyDecision | None:
    """The stored decision record as the contract shows it (records stored before v1 say ``review_district``)."""
    return None if stored is None else SubsidyDecision.model_validate(stored)


def facts_out(facts: dict[str, Any]) -> ClaimFactSheet:
    """The claim's facts without the payout accounts."""
    return ClaimFactSheet.model_validate({k: v for k, v in facts.items() if k != "payout"})


def to_out(claim: Claim, today: date, objections: list[Objection] | None = None) -> SubsidyClaim:
    return SubsidyClaim(
        apply_by=apply_by(claim),
        id=claim.id,
        policy=claim.policy,
        policy_version=claim.policy_version,
        status=ClaimStatus(claim.status),
        applicant_id_masked=mask_resident_id(claim.applicant_id_number),
        applicant_name=claim.applicant_name,
        certificate_number=claim.certificate_number,
        occupation_code=claim.occupation_code,
        occupation_name=claim.occupation_name,
        work_type=claim.work_type,
        level=claim.level,
        certificate_kind=CertificateKind(claim.certificate_kind),
        certificate_issue_date=claim.certificate_issue_date,
        district_code=claim.district,
        outcome=claim.outcome,
        decision=decision_out(claim.decision),
        facts=facts_out(claim.facts),
        applied_amount_fen=claim.applied_amount_fen,
        amount_fen=claim.amount_fen,
        city_share_fen=claim.city_share_fen,
        district_share_fen=claim.district_share_fen,
        submitted_on=claim.submitted_on,
        review_due_on=rules.review_deadline(claim.review_started_on, claim.review_due_on),
        overdue=rules.is_overdue(
            ClaimStatus(claim.status),
            rules.review_deadline(claim.review_started_on, claim.review_due_on),
            today,
        ),
        rejection_reason=claim.rejection_reason,
        material_request=claim.material_request,
        material_response=claim.material_response,
        publicity_started_on=claim.publicity_started_on,
        publicity_ends_on=rules.publicity_end_shown(claim.publicity_started_on, claim.publicity_ends_on),
        confirmed_on=claim.confirmed_on,
        payment_channel=claim.payment_channel,
        payment_attempts=claim.payment_attempts,
        payment_failure_reason=claim.payment_failure_reason,
        paid_on=claim.paid_on,
        clawback_reason=claim.clawback_reason,
        objections=[
            ClaimObjection(
                id=o.id,
                reason=o.reason,
                resolution=o.resolution,
                raised_at=o.raised_at,
            )
            for o in objections or []
        ],
    )


def to_queue_item(claim: Claim, today: date) -> ReviewQueueItem:
    return ReviewQueueItem(
        id=claim.id,
        policy=claim.policy,
        status=ClaimStatus(claim.status),
        district_code=claim.district,
        applicant_id_masked=mask_resident_id(claim.applicant_id_number),
        applicant_name=claim.applicant_name,
        occupation_name=claim.occupation_name,
        level=claim.level,
        amount_fen=claim.amount_fen,
        submitted_on=claim.submitted_on,
        review_due_on=rules.review_deadline(claim.review_started_on, claim.review_due_on),
        overdue=rules.is_overdue(
            ClaimStatus(claim.status),
            rules.review_deadline(claim.review_started_on, claim.review_due_on),
            today,
        ),
    )


def approval_record(
    computed_fen: int | None, approved_fen: int, reason: str | None, approved_on: date
) -> dict[str, Any]:
    """What the explanation shows once a reviewer approved: the amount approved beside the rule's, and why."""
    changed = computed_fen is not None and approved_fen != computed_fen
    approved_text = fen_to_yuan_text(approved_fen)
    if changed:
        working = f"核定金额 {approved_text}（规则计算 {fen_to_yuan_text(computed_fen or 0)}）：{reason}"
    else:
        working = f"核定金额 {approved_text}，与规则计算一致" + (f"：{reason}" if reason else "")
    return {
        "amount_fen": approved_fen,
        "computed_amount_fen": computed_fen,
        "changed": changed,
        "reason": reason,
        "approved_on": approved_on.isoformat(),
        "working": working,
    }


def snapshot(claim: Claim) -> dict[str, Any]:
    """What the audit row keeps: state and money, never the full ID number."""
    return {
        "status": claim.status,
        "applicant": mask_resident_id(claim.applicant_id_number),
        "certificate_number": claim.certificate_number,
        "district": claim.district,
        "amount_fen": claim.amount_fen,
        "payment_channel": claim.payment_channel,
    }


@dataclass
class ClaimService:
    session: AsyncSession
    principal: Principal
    today: date

    @property
    def repo(self) -> ClaimRepository:
        return ClaimRepository(self.session)

    # --- access -----------------------------------------------------------------------------------------

    def _may_read(self, claim: Claim) -> None:
        check_may_read(self.principal, claim)

    def _officer(self, claim: Claim) -> None:
        check_reviewer(self.principal, claim)

    def _applicant(self, claim: Claim) -> None:
        check_applicant(self.principal, claim)

    async def _load(self, claim_id: uuid.UUID, *, for_update: bool = True) -> Claim:
        claim = await self.repo.get(claim_id, for_update=for_update)
        if claim is None:
            raise not_found("claim_not_found", "补贴申请不存在")
        self._may_read(claim)
        return claim

    async def _move(self, claim: Claim, action: Action) -> dict[str, Any]:
        before = snapshot(claim)
        claim.status = rules.next_status(claim.status, action).value
        count_on_commit(self.session, metrics.CLAIM_TRANSITIONS.labels(claim.status, claim.policy))
        return before

    async def _audit(self, action: str, claim: Claim, before: dict[str, Any] | None) -> None:
        await self.session.flush()
        await audit.record(
            self.session,
            actor=self.principal,
            action=f"claim.{action}",
            entity_type="claim",
            entity_id=str(claim.id),
            before=before,
            after=snapshot(claim),
        )
        await record_claim_event(self.session, action, claim)

    async def out(self, claim: Claim) -> SubsidyClaim:
        return to_out(claim, self.today, await self.repo.objections(claim.id))

    # --- draft --------------------------------------------------------------------------------------------

    def _check_creator(self, body: ClaimDraft) -> None:
        p = self.principal
        if p.role == Role.CITIZEN:
            p.require_subject(body.applicant.id_number)
            verified = _verified_paths(body.model_dump(mode="json", include={"cq", "sh"}), ["body"])
            if verified:
                raise field_error(
                    verified[0], "申请人只能申报事实，核验须由数据来源完成", "provenance_not_allowed"
                )
            return
        if p.role == Role.DISTRICT_OFFICER:
            # CQ-3 / SH-10: an application at a counter is taken by the district that will review it.
            district = body.cq.district_code if body.cq else body.sh.counter_district if body.sh else None
            if district != p.district:
                raise forbidden("只能受理本区县的申请", code="forbidden_district")
            return
        if p.role != Role.SERVICE:
            raise forbidden("无权提交补贴申请", code="forbidden_role")

    def _check_dates(self, body: ClaimDraft) -> None:
        past_only: list[tuple[list[str | int], date | None]] = [
            (["body", "certificate", "issue_date"], body.certificate.issue_date)
        ]
        if body.sh:
            past_only += [
                (["body", "sh", "employment_start", "value"], body.sh.employment_start.value),
                (["body", "sh", "veteran_discharged_on"], body.sh.veteran_discharged_on),
                (["body", "sh", "graduating_year_start"], body.sh.graduating_year_start),
            ]
        for loc, value in past_only:
            if value is not None and value > self.today:
                raise field_error(loc, "日期不能晚于今天", "date_in_future")
        for i, past in enumerate(body.declared_past_subsidies):
            if past.year > self.today.year:
                raise field_error(
                    ["body", "declared_past_subsidies", i, "year"], "年份不能晚于今年", "date_in_future"
                )
        if body.certificate.kind == "special_ability" and body.certificate.level is not None:
            raise field_error(
                ["body", "certificate", "level"], "专项职业能力证书不区分等级", "level_not_allowed"
            )
        if body.certificate.kind != "special_ability" and body.certificate.level is None:
            raise field_error(["body", "certificate", "level"], "该类证书须填写技能等级", "missing")
        if body.payout.card_number is None and body.payout.bank_account is None:
            raise field_error(["body", "payout"], "须提供社会保障卡或本人银行账户", "missing")

    async def create_draft(self, body: ClaimDraft) -> SubsidyClaim:
        self._check_creator(body)
        self._check_dates(body)
        cert = body.certificate
        facts = body.model_dump(mode="json", include={"cq", "sh", "declared_past_subsidies"})
        claim = Claim(
            id=uuid.uuid4(),
            policy=body.policy,
            status=ClaimStatus.DRAFT.value,
            applicant_id_number=body.applicant.id_number,
            applicant_name=body.applicant.name,
            certificate_number=cert.number,
            certificate_kind=cert.kind.value,
            occupation_code=cert.occupation_code,
            occupation_name=cert.occupation_name,
            work_type=cert.work_type,
            family_key=cert.occupation_code,
            work_type_key=f"{cert.occupation_code}/{cert.work_type or ''}",
            level=cert.level,
            level_key=level_key(cert.level),
            certificate_issue_date=cert.issue_date,
            facts=facts,
            applied_amount_fen=body.cq.applied_amount_fen if body.cq else None,
            card_number=body.payout.card_number,
            card_financial_enabled=body.payout.card_financial_enabled,
            bank_account=body.payout.bank_account,
            bank_name=body.payout.bank_name,
            payment_attempts=0,
            as_in_service=False,
            as_secondary_student=False,
            created_by=self.principal.key,
        )
        await self.repo.add(claim)
        await self._audit("create", claim, None)
        return await self.out(claim)

    # --- review -----------------------------------------------------------------------------------------------

    async def verify_fact(self, claim_id: uuid.UUID, fact: str, source: str) -> SubsidyClaim:
        """A reviewer confirms a declared fact from a named source; only the rules that read its provenance are
        evaluated again (their verdicts do not depend on other claims), the rest of the record stands."""
        claim = await self._load(claim_id)
        self._officer(claim)
        if claim.status != ClaimStatus.UNDER_REVIEW.value:
            raise Refusal(
                rules.CLAIM_LIFE.rule,
                "illegal_state",
                f"补贴申请当前状态为“{rules.CLAIM_LIFE.states_zh.get(claim.status, claim.status)}”，"
                "只有审核中的申请可以核验事实",
                status=409,
                title="Illegal state transition",
                extra={"current_state": claim.status, "action": "verify_fact"},
            )
        section, _, name = fact.partition(".")
        stored = claim.facts.get(section)
        if not isinstance(stored, dict) or not isinstance(stored.get(name), dict):
            raise field_error(["body", "fact"], "该申请没有这项事实", "unknown_fact")
        before = {"fact": fact, **stored[name]}
        facts = {
            **claim.facts,
            section: {**stored, name: {**stored[name], "provenance": "verified", "source": source}},
        }
        claim.facts = facts
        certificate = facts["certificate"]["value"]
        cert = CertificateFacts(
            number=certificate["number"],
            holder_id_number=claim.applicant_id_number,
            holder_name=certificate["holder_name"],
            occupation_code=certificate["occupation_code"],
            occupation_name=certificate["occupation_name"],
            work_type=certificate["work_type"],
            level=certificate["level"],
            kind=CertificateKind(certificate["kind"]),
            issue_date=date.fromisoformat(certificate["issue_date"]),
            obtained_via=ObtainedVia(certificate["obtained_via"]),
            province_code=claim.certificate_number[5:7],
            verified_by=facts["certificate"]["source"],
        )
        plain = claim_facts(
            applied_on=claim.submitted_on or self.today,
            applicant_id=claim.applicant_id_number,
            stored=facts,
            certificate=cert,
            prior=[],
            catalogue_class=None,
        )
        fresh: dict[str, RuleResult] = {}
        if plain.cq is not None:
            fresh["CQ-2"] = cq_eval.cq2_identity(plain.cq)
        if plain.sh is not None:
            fresh["SH-1"] = sh_upgrade.sh1_who(plain, plain.sh)
            fresh["SH-5"] = sh_upgrade.sh5_post_match(plain, plain.sh)
            fresh["SH-8"] = sh_upgrade.sh8_elder_domestic(plain, plain.sh)
        decision = dict(claim.decision or {})
        results = [
            fresh[r["rule"]].as_dict() if r["rule"] in fresh else r for r in decision.get("results", [])
        ]
        verdicts = {r["verdict"] for r in results}
        outcome = (
            Outcome.INELIGIBLE
            if RuleVerdict.FAIL.value in verdicts
            else Outcome.NEEDS_MATERIAL
            if RuleVerdict.NEEDS_MATERIAL.value in verdicts
            else Outcome.ELIGIBLE
        )
        claim.decision = {**decision, "results": results, "outcome": outcome.value}
        claim.outcome = outcome.value
        await self.session.flush()
        await audit.record(
            self.session,
            actor=self.principal,
            action="claim.verify_fact",
            entity_type="claim",
            entity_id=str(claim.id),
            before=before,
            after={"fact": fact, "source": source, "outcome": outcome.value},
        )
        return await self.out(claim)

    async def start_review(self, claim_id: uuid.UUID) -> SubsidyClaim:
        claim = await self._load(claim_id)
        self._officer(claim)
        before = await self._move(claim, Action.START_REVIEW)
        claim.reviewer = self.principal.key
        await self._audit("start_review", claim, before)
        return await self.out(claim)

    async def request_material(self, claim_id: uuid.UUID, reason: str) -> SubsidyClaim:
        claim = await self._load(claim_id)
        self._officer(claim)
        before = await self._move(claim, Action.REQUEST_MATERIAL)
        claim.material_request = reason
        await self._audit("request_material", claim, before)
        return await self.out(claim)

    async def resubmit(self, claim_id: uuid.UUID, material: str) -> SubsidyClaim:
        claim = await self._load(claim_id)
        self._applicant(claim)
        before = await self._move(claim, Action.RESUBMIT)
        claim.material_response = material
        if claim.policy == "cq-eval":
            # Decision: the CQ-4 clock restarts from the day the requested material arrives.
            claim.review_started_on = self.today
            claim.review_due_on = rules.safe_review_due_on(self.today)
        await self._audit("resubmit", claim, before)
        return await self.out(claim)

    async def approve(self, claim_id: uuid.UUID, body: ClaimApproval) -> SubsidyClaim:
        """Approve, recording in the explanation the amount approved beside the rule's computed amount."""
        claim = await self._load(claim_id)
        self._officer(claim)
        before = await self._move(claim, Action.APPROVE)
        decision = dict(claim.decision or {})
        amount = decision.get("amount") or {}
        computed: int | None = amount.get("amount_fen")
        if claim.policy == "cq-eval" and amount.get("table_key") == "applied":
            # CQ-10: without a loaded amount table the reviewer sets the amount, never above what was applied for,
            # and says why when it is less.
            if body.amount_fen is None:
                raise field_error(
                    ["body", "amount_fen"], "补贴标准表未加载，审核通过须填写核定金额", "missing", "CQ-10"
                )
            if claim.applied_amount_fen is not None and body.amount_fen > claim.applied_amount_fen:
                raise field_error(["body", "amount_fen"], "核定金额不能高于申请金额", "too_large", "CQ-10")
            if body.amount_fen != computed and body.reason is None:
                raise field_error(
                    ["body", "reason"],
                    f"核定金额与规则计算的{fen_to_yuan_text(computed or 0)}不同，须填写理由",
                    "missing",
                    "CQ-10",
                )
            claim.amount_fen = body.amount_fen
        elif body.amount_fen is not None and body.amount_fen != claim.amount_fen:
            rule = "SH-3" if claim.policy == "sh-upgrade" else "CQ-10"
            raise field_error(["body", "amount_fen"], "金额由补贴标准确定，不能另行核定", "not_allowed", rule)
        decision["approved"] = approval_record(computed, claim.amount_fen or 0, body.reason, self.today)
        count_on_commit(
            self.session, metrics.CLAIM_AMOUNT_FEN.labels("approved", claim.policy), claim.amount_fen or 0
        )
        claim.decision = decision
        claim.decided_on = self.today
        await self._audit("approve", claim, before)
        return await self.out(claim)

    async def reject(self, claim_id: uuid.UUID, reason: str) -> SubsidyClaim:
        claim = await self._load(claim_id)
        self._officer(claim)
        if claim.status == ClaimStatus.IN_PUBLICITY.value:
            # During publicity only an upheld objection rejects (resolve_objection).
            raise rules.refuse_move(claim.status, Action.REJECT)
        before = await self._move(claim, Action.REJECT)
        claim.rejection_reason = reason
        claim.decided_on = self.today
        await self.repo.release(claim)
        await self._audit("reject", claim, before)
        return await self.out(claim)

    # --- publicity --------------------------------------------------------------------------------------------

    async def publish(self, claim_id: uuid.UUID) -> SubsidyClaim:
        claim = await self._load(claim_id)
        self._officer(claim)
        before = await self._move(claim, Action.PUBLISH)
        # CQ-5 / SH-11: publicity starts today and needs no later day; its end is recorded when the calendar
        # covers it, and on confirmation otherwise (P-3 refuses only a day an answer depends on).
        claim.publicity_started_on = self.today
        claim.publicity_ends_on = rules.publicity_known_end(self.today)
        await self._audit("publish", claim, before)
        return await self.out(claim)

    async def object(self, claim_id: uuid.UUID, reason: str) -> SubsidyClaim:
        claim = await self.repo.get(claim_id, for_update=True)
        if claim is None or claim.status != ClaimStatus.IN_PUBLICITY.value:
            # Anyone may object to what is published; a claim not in publicity is not public.
            raise not_found("claim_not_in_publicity", "该申请不在公示期")
        started = claim.publicity_started_on
        assert started is not None  # set on publication, with the status
        try:
            rules.check_may_object(started, self.today, publicity_rule(claim.policy))
        except CalendarNotCovered as exc:
            raise exc.refusal() from None
        objection = Objection(claim_id=claim.id, raised_by=self.principal.key, reason=reason)
        await self.repo.add_objection(objection)
        await audit.record(
            self.session,
            actor=self.principal,
            action="claim.object",
            entity_type="claim",
            entity_id=str(claim.id),
            after={"objection_id": objection.id},
        )
        return to_out(claim, self.today, await self.repo.objections(claim.id))

    async def resolve_objection(
        self, claim_id: uuid.UUID, objection_id: int, resolution: str, note: str
    ) -> SubsidyClaim:
        claim = await self._load(claim_id)
        self._officer(claim)
        objection = await self.repo.objection(claim.id, objection_id)
        if objection is None:
            raise not_found("objection_not_found", "异议不存在")
        if objection.resolution is not None:
            raise Refusal(
                publicity_rule(claim.policy), "objection_resolved", "该异议已处理，不能再次处理", status=409
            )
        objection.resolution = resolution
        objection.resolution_note = note
        objection.resolved_by = self.principal.key
        before = snapshot(claim)
        if resolution == "upheld":
            await self._move(claim, Action.REJECT)
            claim.rejection_reason = f"公示异议成立：{note}"
            claim.decided_on = self.today
            await self.repo.release(claim)
        await self._audit(f"objection_{resolution}", claim, before)
        return await self.out(claim)

    async def confirm(self, claim_id: uuid.UUID) -> SubsidyClaim:
        claim = await self._load(claim_id)
        p = self.principal
        if p.role != Role.DISTRICT_OFFICER or UNIT_HEAD_PERM not in p.perms:
            raise forbidden(
                "须由单位负责人确认", code="forbidden_unit_head", rule=publicity_rule(claim.policy)
            )
        p.require_district(claim.district)
        if claim.status == ClaimStatus.IN_PUBLICITY.value:
            started = claim.publicity_started_on
            assert started is not None  # set on publication, with the status
            try:
                rules.check_may_confirm(started, self.today, publicity_rule(claim.policy), claim.status)
                # Over: every day up to the end has been read, so the end is known and is recorded now.
                claim.publicity_ends_on = claim.publicity_ends_on or rules.publicity_ends_on(started)
            except CalendarNotCovered as exc:
                raise exc.refusal() from None
            if any(o.resolution is None for o in await self.repo.objections(claim.id)):
                raise Refusal(
                    publicity_rule(claim.policy),
                    "open_objection",
                    "公示期有未处理的异议，处理完毕后方可确认",
                    status=409,
                    extra={"current_state": claim.status},
                )
        before = await self._move(claim, Action.CONFIRM)
        claim.confirmed_by = p.key
        claim.confirmed_on = self.today
        await self._audit("confirm", claim, before)
        return await self.out(claim)

    # --- payment ----------------------------------------------------------------------------------------------

    def _accounts(self, claim: Claim) -> rules.PayoutAccounts:
        return rules.PayoutAccounts(claim.card_number, claim.card_financial_enabled, claim.bank_account)

    async def instruct_payment(self, claim_id: uuid.UUID) -> SubsidyClaim:
        claim = await self._load(claim_id)
        self._officer(claim)
        before = await self._move(claim, Action.INSTRUCT_PAYMENT)
        claim.payment_channel = rules.first_channel(self._accounts(claim), publicity_rule(claim.policy))
        claim.payment_attempts += 1
        await self._audit("instruct_payment", claim, before)
        return await self.out(claim)

    async def record_payment(self, claim_id: uuid.UUID, body: BankPaymentResult) -> SubsidyClaim:
        claim = await self._load(claim_id)
        if self.principal.role not in (Role.SERVICE, Role.CITY_OFFICER):
            raise forbidden("仅财务或银行回盘可登记支付结果", code="forbidden_role")
        if body.result == "paid":
            before = await self._move(claim, Action.RECORD_PAID)
            claim.paid_on = self.today
            count_on_commit(
                self.session, metrics.CLAIM_AMOUNT_FEN.labels("paid", claim.policy), claim.amount_fen or 0
            )
        else:
            if not body.reason:
                raise field_error(["body", "reason"], "支付失败须说明原因", "missing")
            before = await self._move(claim, Action.RECORD_FAILED)
            claim.payment_failure_reason = body.reason
        await self._audit(f"payment_{body.result}", claim, before)
        return await self.out(claim)

    async def retry_payment(self, claim_id: uuid.UUID) -> SubsidyClaim:
        claim = await self._load(claim_id)
        self._officer(claim)
        failed = claim.payment_channel or ""
        before = await self._move(claim, Action.RETRY_PAYMENT)
        claim.payment_channel = rules.retry_channel(
            self._accounts(claim), failed, publicity_rule(claim.policy)
        )
        claim.payment_attempts += 1
        await self._audit("retry_payment", claim, before)
        return await self.out(claim)

    async def claw_back(self, claim_id: uuid.UUID, reason: str) -> SubsidyClaim:
        claim = await self._load(claim_id)
        self._officer(claim)
        before = await self._move(claim, Action.CLAW_BACK)
        claim.clawback_reason = reason
        claim.clawed_back_on = self.today
        await self._audit("claw_back", claim, before)
        return await self.out(claim)

    # --- reading ----------------------------------------------------------------------------------------------

    async def get(self, claim_id: uuid.UUID) -> SubsidyClaim:
        return await self.out(await self._load(claim_id, for_update=False))

    async def mine(self, page: PageParams) -> Page[SubsidyClaim]:
        if self.principal.role != Role.CITIZEN:
            raise forbidden("仅申请人可查看本人申请", code="forbidden_role")
        claims, total = await self.repo.of_applicant(self.principal.sub, page.offset, page.limit)
        return page.wrap([to_out(c, self.today) for c in claims], total)

    async def queue(
        self, district_code: str | None, overdue: bool, page: PageParams
    ) -> Page[ReviewQueueItem]:
        district = scope_district(self.principal, district_code)
        claims, total = await self.repo.queue(
            district, overdue_on=self.today if overdue else None, offset=page.offset, limit=page.limit
        )
        return page.wrap([to_queue_item(c, self.today) for c in claims], total)

    async def record_past_subsidies(self, applicant: str, rows: list[PastSubsidyEntry], source: str) -> int:
        refuse_duplicates(
            rows,
            lambda r: (r.kind, r.occupation_code, r.work_type or "", r.level, r.year),
            field="subsidies",
            what_zh="补贴类别、职业（工种）、等级和年度",
        )
        records = [
            PastSubsidyRecord(
                applicant_id_number=applicant,
                kind=r.kind,
                occupation_code=r.occupation_code,
                work_type=r.work_type,
                level=r.level,
                year=r.year,
                as_in_service=r.as_in_service,
                as_secondary_student=r.as_secondary_student,
                source=source,
            )
            for r in rows
        ]
        await self.repo.add_past_subsidies(records)
        await audit.record(
            self.session,
            actor=self.principal,
            action="past_subsidies.record",
            entity_type="person",
            entity_id=mask_resident_id(applicant),
            after={"count": len(records), "source": source},
        )
        return len(records)
