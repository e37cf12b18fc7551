"""Submitting a claim on the lean unit of work: registry check (CQ-4 / SH-2), evaluation, entitlement.

The hot path of the service. It reads and writes through `SubmitRepository` (plain SQL on one asyncpg
connection) and leaves every decision to the pure functions the other routes share: access checks
(`access`), the certificate comparison, the policy rules, the state machine and what a submission
changes (`claims.submission`). Any refusal raises, and the unit of work rolls everything back.
"""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg

from skills_shared import audit, metrics
from skills_shared.auth import Principal
from skills_shared.clock import Clock, today_of
from skills_shared.db.lean import LeanTx
from skills_shared.metrics import count_on_commit
from skills_shared.problems import Problem, not_found
from subsidy_claims.access import check_applicant, check_may_read
from subsidy_claims.claims import rules, submission
from subsidy_claims.claims.facts_builder import claim_facts
from subsidy_claims.claims.models import Claim
from subsidy_claims.claims.registry import RegistryClient, compare
from subsidy_claims.claims.rules import Action
from subsidy_claims.claims.schemas import SubsidyClaim
from subsidy_claims.claims.service import snapshot, to_out
from subsidy_claims.claims.submit_repository import SubmitContext, SubmitRepository
from subsidy_claims.policies import rules as policy_rules
from subsidy_claims.policies.decision import DecisionRecord
from subsidy_claims.policies.facts import CertificateFacts


async def submit_claim(
    tx: LeanTx, principal: Principal, clock: Clock, registry: RegistryClient | None, claim_id: uuid.UUID
) -> SubsidyClaim:
    """A draft becomes submitted once the registry confirms the certificate and no rule fails."""
    now = clock.now()
    today = today_of(clock)
    repo = SubmitRepository(tx)
    claim = await repo.draft(claim_id)
    if claim is None:
        raise not_found("claim_not_found", "补贴申请不存在")
    check_may_read(principal, claim)
    check_applicant(principal, claim)
    rules.next_status(claim.status, Action.SUBMIT)  # a claim already submitted is refused before the registry
    rule = submission.registry_rule(claim.policy)
    if registry is None:
        raise Problem(
            503,
            "service_unavailable",
            "证书查询服务未配置",
            title="Service unavailable",
            extra={"service": "certificate-registry"},
        )
    certificate = await registry.certificate(claim.certificate_number, rule)
    compare(submission.declared(claim), certificate, rule)
    # Lock the row and look at its status again, with everything the decision reads: a parallel submit may have
    # won while the registry was asked. Only the status can have moved (a draft changes by submitting), so the
    # claim as read stands.
    context = await repo.context(claim, certificate.occupation_code, certificate.work_type)
    if context.status is None:  # a stale draft purged (claims.drafts) while the registry was asked
        raise not_found("claim_not_found", "补贴申请不存在")
    before = snapshot(claim)
    target = rules.next_status(context.status, Action.SUBMIT)
    record = _evaluate(claim, certificate, context, today)
    refused = submission.refusal(record)
    if refused is not None:
        raise refused
    try:
        await _take_entitlements(repo, claim, today)
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise _lost_race(exc) from None
    submission.apply_submission(claim, target, certificate, record, today, now)
    await repo.save(claim, refuse=_lost_race)
    await audit.record(
        tx,
        actor=principal,
        action="claim.submit",
        entity_type="claim",
        entity_id=str(claim.id),
        before=before,
        after=snapshot(claim),
    )
    count_on_commit(tx, metrics.CLAIM_TRANSITIONS.labels(claim.status, claim.policy))
    return to_out(claim, today, [])  # objections exist only from publicity on: none yet


def _lost_race(exc: asyncpg.IntegrityConstraintViolationError) -> Exception:
    """A simultaneous submit committed first: the database's guard names the rule (CONSTRAINT_RULES)."""
    return submission.constraint_problem(exc.constraint_name)


def _evaluate(
    claim: Claim, certificate: CertificateFacts, context: SubmitContext, today: date
) -> DecisionRecord:
    """The policy's decision with the registry's facts, the policy tables and the applicant's prior subsidies."""
    facts = claim_facts(
        applied_on=today,
        applicant_id=claim.applicant_id_number,
        stored=claim.facts,
        certificate=certificate,
        prior=context.prior,
        catalogue_class=context.catalogue_class,
    )
    return policy_rules.evaluate(claim.policy, facts, context.cq_table)


async def _take_entitlements(repo: SubmitRepository, claim: Claim, today: date) -> None:
    """The database's guards, in one transaction with the claim: level (CQ-7 / SH-6), family (CQ-6), year (SH-13)."""
    applicant = claim.applicant_id_number
    if claim.policy == "cq-eval":
        level, family = await repo.take_level_and_family(
            applicant, claim.policy, claim.work_type_key, claim.level_key, claim.id, claim.family_key
        )
        if not level:
            raise submission.level_taken(claim.policy)
        if not family:
            raise submission.family_taken()
    elif not await repo.take_level(applicant, claim.policy, claim.work_type_key, claim.level_key, claim.id):
        raise submission.level_taken(claim.policy)
    if claim.policy == "sh-upgrade":
        in_service, secondary = submission.sh13_standing(claim.facts)
        external, external_in_service = await repo.external_counts(applicant, today.year)
        if not await repo.count_year(
            applicant,
            today.year,
            in_service=in_service,
            external=external,
            external_in_service=external_in_service,
        ):
            raise submission.yearly_cap_reached()
        claim.as_in_service = in_service
        claim.as_secondary_student = secondary
