"""Use cases of evaluation batches: create, upload results, publicity (CR-4), objections, approval."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from certificate_registry.access import require_officer_for, require_view
from certificate_registry.batches import rules
from certificate_registry.batches.models import Batch, Objection
from certificate_registry.batches.repository import BatchRepository
from certificate_registry.batches.schemas import (
    BatchCreate,
    BatchOut,
    ObjectionIn,
    ObjectionOut,
    PublicityCandidate,
    PublicityOut,
    ResolutionIn,
    ResultsUpload,
    UploadOut,
)
from certificate_registry.issuers.models import Issuer
from certificate_registry.issuers.repository import IssuerRepository
from certificate_registry.issuers.rules import Refusal, check_may_evaluate
from certificate_registry.issuers.service import facts_of
from skills_shared.audit import record
from skills_shared.auth import Principal
from skills_shared.problems import FieldError, Problem, conflict, not_found
from skills_shared.validators import InvalidValue, mask_resident_id, validate_resident_id
from skills_shared.workdays import CalendarNotCovered, period_end


def check_resident_id(value: str) -> str | None:
    """The shared GB 11643 validator as the batch rules' checker: None when valid, else the Chinese reason."""
    try:
        validate_resident_id(value)
    except InvalidValue as exc:
        return exc.reason
    return None


def to_out(batch: Batch) -> BatchOut:
    return BatchOut(
        id=batch.id,
        body_code=batch.body_code,
        plan_ref=batch.plan_ref,
        occupation_code=batch.occupation_code,
        occupation_name=batch.occupation_name,
        work_type=batch.work_type,
        level=batch.level,
        evaluation_date=batch.evaluation_date,
        method=rules.Method(batch.method),
        guantong=batch.guantong,
        status=rules.BatchStatus(batch.status),
        candidate_count=batch.candidate_count,
        passed_count=batch.passed_count,
        publicity_starts=batch.publicity_starts,
        publicity_ends=batch.publicity_ends,
        approved_at=batch.approved_at,
    )


def _refusal_errors(refusals: list[Refusal]) -> list[FieldError]:
    return [FieldError(loc=["body", r.field], msg=r.reason, type=r.code) for r in refusals]


def _scope_problem(refusals: list[Refusal], extra_errors: list[FieldError] | None = None) -> Problem:
    first = refusals[0]
    return Problem(
        422,
        first.code,
        first.reason,
        title="Outside the body's filing",
        rule=first.rule,
        errors=_refusal_errors(refusals) + (extra_errors or []),
    )


class BatchService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = BatchRepository(session)
        self.issuers = IssuerRepository(session)

    async def _issuer(self, code: str) -> Issuer:
        issuer = await self.issuers.get(code)
        if issuer is None:
            raise Problem(
                422,
                "issuer_unknown",
                f"评价机构{code}不在发证机构名录中",
                title="Validation failed",
                errors=[FieldError(loc=["body", "body_code"], msg="评价机构不在名录中", type="unknown")],
            )
        return issuer

    async def load(self, batch_id: uuid.UUID, *, for_update: bool = False) -> tuple[Batch, Issuer]:
        batch = await self.repo.get(batch_id, for_update=for_update)
        if batch is None:
            raise not_found("batch_not_found", "评价批次不存在")
        issuer = await self.issuers.get(batch.body_code)
        assert issuer is not None  # foreign key
        return batch, issuer

    async def create(self, principal: Principal, payload: BatchCreate) -> BatchOut:
        """CR-3: only inside the body's filed occupations and levels, while it is active and filed."""
        principal.require_body(payload.body_code)
        issuer = await self._issuer(payload.body_code)
        refusals = check_may_evaluate(
            facts_of(issuer),
            occupation_code=payload.occupation_code,
            work_type=payload.work_type,
            level=payload.level,
            on=payload.evaluation_date,
        )
        if refusals:
            raise _scope_problem(refusals)
        method_problem = rules.check_batch_method(payload.method, payload.level, payload.guantong)
        if method_problem:
            raise Problem(
                422,
                "method_not_allowed",
                method_problem,
                title="Validation failed",
                rule=rules.RULE_TITLE_LEVEL,
                errors=[FieldError(loc=["body", "method"], msg=method_problem, type="method")],
            )
        batch = await self.repo.add(
            Batch(
                id=uuid.uuid4(),
                body_code=payload.body_code,
                plan_ref=payload.plan_ref,
                occupation_code=payload.occupation_code,
                occupation_name=payload.occupation_name,
                work_type=payload.work_type,
                level=payload.level,
                evaluation_date=payload.evaluation_date,
                method=payload.method.value,
                guantong=payload.guantong,
                status=rules.BatchStatus.DRAFT.value,
                candidate_count=0,
                passed_count=0,
                created_by=principal.key,
            )
        )
        out = to_out(batch)
        await record(
            self.session,
            actor=principal,
            action="batch.created",
            entity_type="batch",
            entity_id=str(batch.id),
            after=out.model_dump(mode="json"),
        )
        return out

    async def get(self, principal: Principal, batch_id: uuid.UUID) -> BatchOut:
        batch, issuer = await self.load(batch_id)
        require_view(principal, body_code=batch.body_code, place=issuer.place)
        return to_out(batch)

    async def upload(self, principal: Principal, batch_id: uuid.UUID, payload: ResultsUpload) -> UploadOut:
        """Every check at once; one 422 lists every bad row; nothing is stored unless all rows are good."""
        batch, issuer = await self.load(batch_id, for_update=True)
        principal.require_body(batch.body_code)
        if batch.status != rules.BatchStatus.DRAFT.value:
            raise conflict("batch_not_draft", "公示开始后不能再上传或修改成绩", rule=rules.RULE_PUBLICITY)
        refusals = check_may_evaluate(
            facts_of(issuer),
            occupation_code=batch.occupation_code,
            work_type=batch.work_type,
            level=batch.level,
            on=batch.evaluation_date,
        )
        method = rules.Method(batch.method)
        subjects = rules.required_subjects(method, batch.level, batch.guantong)
        rows = [
            rules.CandidateRow(
                name=c.name,
                id_number=c.id_number,
                gender=c.gender,
                photo_ref=c.photo_ref,
                scores=c.scores,
                panel=c.panel,
            )
            for c in payload.candidates
        ]
        row_errors = rules.validate_rows(
            rows, subjects=subjects, guantong=batch.guantong, check_id=check_resident_id
        )
        errors = [
            FieldError(
                loc=["body", "candidates", e.row, *e.field.split(".")], msg=e.reason, type="invalid_row"
            )
            for e in row_errors
        ]
        if refusals:
            raise _scope_problem(refusals, errors)
        if errors:
            bad_rows = len({e.row for e in row_errors})
            raise Problem(
                422,
                "invalid_results",
                f"成绩上传有{bad_rows}行不符合要求，未保存任何数据",
                title="Validation failed",
                errors=errors,
            )
        records: list[tuple[Any, ...]] = []
        passed_count = 0
        for index, row in enumerate(rows):
            passed = rules.passes(row, subjects, batch.guantong)
            passed_count += passed
            scores: dict[str, Any] = dict(row.panel) if batch.guantong else dict(row.scores)
            records.append(
                (
                    index,
                    rules.normalise_name(row.name),
                    row.id_number.strip().upper(),
                    row.gender,
                    row.photo_ref,
                    scores,
                    passed,
                )
            )
        await self.repo.replace_candidates(batch.id, records)
        before = {"candidate_count": batch.candidate_count, "passed_count": batch.passed_count}
        batch.candidate_count = len(records)
        batch.passed_count = passed_count
        await self.session.flush()
        digest = hashlib.sha256(payload.model_dump_json().encode()).hexdigest()
        await record(
            self.session,
            actor=principal,
            action="batch.results_uploaded",
            entity_type="batch",
            entity_id=str(batch.id),
            before=before,
            after={"candidate_count": len(records), "passed_count": passed_count, "sha256": digest},
        )
        return UploadOut(batch_id=batch.id, candidate_count=len(records), passed_count=passed_count)

    async def start_publicity(self, principal: Principal, batch_id: uuid.UUID, today: date) -> BatchOut:
        """CR-4: publicity runs 5 working days from today (P-1: the start day is not counted)."""
        batch, _ = await self.load(batch_id, for_update=True)
        principal.require_body(batch.body_code)
        if batch.status != rules.BatchStatus.DRAFT.value:
            raise conflict("batch_not_draft", "该批次已开始公示", rule=rules.RULE_PUBLICITY)
        if batch.candidate_count == 0:
            raise conflict("no_results", "尚未上传成绩，不能开始公示", rule=rules.RULE_PUBLICITY)
        try:
            ends = period_end(today, rules.PUBLICITY_WORKING_DAYS)
        except CalendarNotCovered as exc:
            raise conflict("calendar_not_covered", str(exc), rule="P-3") from None
        batch.status = rules.BatchStatus.PUBLICITY.value
        batch.publicity_starts = today
        batch.publicity_ends = ends
        await self.session.flush()
        out = to_out(batch)
        await record(
            self.session,
            actor=principal,
            action="batch.publicity_started",
            entity_type="batch",
            entity_id=str(batch.id),
            after={"starts": today.isoformat(), "ends": ends.isoformat()},
        )
        return out

    async def publicity(self, batch_id: uuid.UUID) -> PublicityOut:
        """The public 公示 list: names, masked ID numbers and results, once publicity has begun."""
        batch, issuer = await self.load(batch_id)
        if batch.status == rules.BatchStatus.DRAFT.value:
            raise not_found("batch_not_found", "评价批次不存在")
        candidates = await self.repo.candidates(batch.id)
        return PublicityOut(
            batch_id=batch.id,
            body_code=batch.body_code,
            body_name=issuer.name,
            occupation_name=batch.occupation_name,
            work_type=batch.work_type,
            level=batch.level,
            publicity_starts=batch.publicity_starts,
            publicity_ends=batch.publicity_ends,
            candidates=[
                PublicityCandidate(
                    candidate_id=c.id,
                    name=c.name,
                    id_number_masked=mask_resident_id(c.id_number),
                    passed=c.passed,
                )
                for c in candidates
            ],
        )

    async def lodge_objection(
        self, principal: Principal, batch_id: uuid.UUID, payload: ObjectionIn, today: date
    ) -> ObjectionOut:
        """CR-4: during publicity anyone may object; the candidate is held until the objection is resolved."""
        batch, _ = await self.load(batch_id)
        if (
            batch.status != rules.BatchStatus.PUBLICITY.value
            or batch.publicity_starts is None
            or batch.publicity_ends is None
        ):
            raise conflict("not_in_publicity", "该批次不在公示期内", rule=rules.RULE_PUBLICITY)
        decision = rules.may_object(today, batch.publicity_starts, batch.publicity_ends)
        if not decision.allowed:
            raise conflict(
                "not_in_publicity",
                decision.reason or "",
                rule=decision.rule,
                extra={"publicity_ends": batch.publicity_ends.isoformat()},
            )
        candidate = await self.repo.candidate(batch.id, payload.candidate_id)
        if candidate is None:
            raise Problem(
                422,
                "candidate_unknown",
                "该批次中没有此考生",
                title="Validation failed",
                errors=[FieldError(loc=["body", "candidate_id"], msg="该批次中没有此考生", type="unknown")],
            )
        objection = await self.repo.add_objection(
            Objection(
                batch_id=batch.id,
                candidate_id=candidate.id,
                reason=payload.reason,
                lodged_by=principal.key,
                status="pending",
            )
        )
        out = ObjectionOut(
            id=objection.id,
            batch_id=batch.id,
            candidate_id=candidate.id,
            status="pending",
            reason=objection.reason,
        )
        await record(
            self.session,
            actor=principal,
            action="objection.lodged",
            entity_type="objection",
            entity_id=str(objection.id),
            after=out.model_dump(mode="json"),
        )
        return out

    async def list_objections(self, principal: Principal, batch_id: uuid.UUID) -> list[ObjectionOut]:
        batch, issuer = await self.load(batch_id)
        require_view(principal, body_code=batch.body_code, place=issuer.place)
        return [
            ObjectionOut(
                id=o.id,
                batch_id=o.batch_id,
                candidate_id=o.candidate_id,
                status=o.status,
                reason=o.reason,
                resolution_note=o.resolution_note,
            )
            for o in await self.repo.objections(batch.id)
        ]

    async def resolve_objection(
        self, principal: Principal, objection_id: int, payload: ResolutionIn
    ) -> ObjectionOut:
        """Upheld excludes the candidate; dismissed releases them (CR-4)."""
        objection = await self.repo.objection(objection_id, for_update=True)
        if objection is None:
            raise not_found("objection_not_found", "异议不存在")
        _, issuer = await self.load(objection.batch_id)
        require_officer_for(principal, place=issuer.place)
        if objection.status != "pending":
            raise conflict("objection_resolved", "该异议已处理", rule=rules.RULE_PUBLICITY)
        objection.status = payload.outcome
        objection.resolution_note = payload.note
        objection.resolved_by = principal.key
        objection.resolved_at = datetime.now(UTC)
        await self.session.flush()
        out = ObjectionOut(
            id=objection.id,
            batch_id=objection.batch_id,
            candidate_id=objection.candidate_id,
            status=payload.outcome,
            reason=objection.reason,
            resolution_note=payload.note,
        )
        await record(
            self.session,
            actor=principal,
            action="objection.resolved",
            entity_type="objection",
            entity_id=str(objection.id),
            before={"status": "pending"},
            after={"status": payload.outcome, "note": payload.note},
        )
        return out

    async def approve(self, principal: Principal, batch_id: uuid.UUID, today: date) -> BatchOut:
        """CR-4: the district (the body's filing place) or city HR department reviews after publicity ends."""
        batch, issuer = await self.load(batch_id, for_update=True)
        require_officer_for(principal, place=issuer.place)
        if batch.status != rules.BatchStatus.PUBLICITY.value or batch.publicity_ends is None:
            raise conflict("batch_not_in_publicity", "只有公示后的批次才能审核", rule=rules.RULE_PUBLICITY)
        decision = rules.may_approve(today, batch.publicity_ends)
        if not decision.allowed:
            raise conflict(
                "publicity_not_ended",
                decision.reason or "",
                rule=decision.rule,
                extra={"publicity_ends": batch.publicity_ends.isoformat()},
            )
        batch.status = rules.BatchStatus.APPROVED.value
        batch.approved_by = principal.key
        batch.approved_at = datetime.now(UTC)
        await self.session.flush()
        out = to_out(batch)
        await record(
            self.session,
            actor=principal,
            action="batch.approved",
            entity_type="batch",
            entity_id=str(batch.id),
            before={"status": "publicity"},
            after={"status": "approved"},
        )
        return out
