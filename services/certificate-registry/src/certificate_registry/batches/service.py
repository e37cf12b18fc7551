"""Use cases of evaluation batches: open (OF-5 with org-filing), upload results, publicity (CR-4), objections,
approval."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from certificate_registry.access import require_officer_for, require_view
from certificate_registry.batches import rules, titles
from certificate_registry.batches.models import Batch, Objection
from certificate_registry.batches.repository import BatchRepository
from certificate_registry.batches.schemas import (
    BatchOpen,
    CertificateBatch,
    ObjectionIn,
    ObjectionOut,
    PublicityCandidate,
    PublicityOut,
    ResolutionIn,
    ResultsUpload,
    ResultsUploaded,
)
from certificate_registry.issuers.models import Issuer
from certificate_registry.issuers.repository import IssuerRepository
from certificate_registry.plans.check import PlanChecker
from skills_shared.audit import record
from skills_shared.auth import Principal
from skills_shared.contracts.v1.org_filing import BatchPlanCheck
from skills_shared.contracts.v1.registry import TitleHeld, TitleLevel
from skills_shared.duplicates import refuse_repeats
from skills_shared.problems import FieldError, not_found
from skills_shared.reference import SkillLevel
from skills_shared.refusals import Refusal
from skills_shared.transitions import StateMachine
from skills_shared.validators import InvalidValue, mask_resident_id, validate_resident_id
from skills_shared.workdays import CalendarNotCovered

GUANTONG_ROUTE = "贯通"

OBJECTIONS: StateMachine[Any] = StateMachine(
    "异议",
    moves={
        "upheld": (frozenset({"pending"}), "upheld"),
        "dismissed": (frozenset({"pending"}), "dismissed"),
    },
    actions_zh={"upheld": "认定异议成立", "dismissed": "驳回异议"},
    rule=rules.RULE_PUBLICITY,
    states_zh={"pending": "待处理", "upheld": "异议成立", "dismissed": "异议已驳回"},
)
"""An objection is resolved once: upheld excludes the candidate, dismissed releases them (CR-4)."""


def check_resident_id(value: str) -> str | None:
    """The shared GB 11643 validator as the batch rules' checker: None when valid, else the Chinese reason."""
    try:
        validate_resident_id(value)
    except InvalidValue as exc:
        return exc.reason
    return None


def to_out(batch: Batch) -> CertificateBatch:
    return CertificateBatch(
        id=batch.id,
        body_code=batch.body_code,
        district_code=batch.body_code[7:9],
        plan_id=batch.plan_id,
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
        publicity_ends=rules.publicity_end_shown(batch.publicity_starts, batch.publicity_ends),
        approved_at=batch.approved_at,
    )


def _objection_out(o: Objection) -> ObjectionOut:
    return ObjectionOut(
        id=o.id,
        batch_id=o.batch_id,
        candidate_id=o.candidate_id,
        status=o.status,
        reason=o.reason,
        resolution_note=o.resolution_note,
    )


class BatchService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = BatchRepository(session)
        self.issuers = IssuerRepository(session)

    async def load(self, batch_id: uuid.UUID, *, for_update: bool = False) -> tuple[Batch, Issuer]:
        batch = await self.repo.get(batch_id, for_update=for_update)
        if batch is None:
            raise not_found("batch_not_found", "评价批次不存在")
        issuer = await self.issuers.get(batch.body_code)
        assert issuer is not None  # foreign key
        return batch, issuer

    async def open(self, principal: Principal, payload: BatchOpen, plans: PlanChecker) -> CertificateBatch:
        """OF-5: a batch opens only under a plan org-filing clears for it (filed in time, standing, covering the
        occupation, level and date; the body active and in scope, CR-3/OF-6; 贯通 registration, OF-8).

        org-filing's refusal is passed on unchanged and nothing is stored; org-filing down is a 503 naming it.
        """
        principal.require_body(payload.body_code)
        rules.check_batch_method(payload.method, payload.level, payload.guantong)
        clearance = await plans.clear(
            payload.plan_id,
            BatchPlanCheck(
                body_code=payload.body_code,
                occupation_code=payload.occupation_code,
                work_type=payload.work_type,
                level=payload.level,
                evaluation_date=payload.evaluation_date,
                route=GUANTONG_ROUTE if payload.guantong else None,
            ),
        )
        if await self.issuers.get(payload.body_code) is None:
            raise Refusal(
                None,
                "issuer_not_synced",
                f"评价机构{payload.body_code}的备案信息尚未同步到发证机构名录，请稍后重试",
                field=("body", "body_code"),
                status=409,
                headers={"Retry-After": "5"},
            )
        batch = await self.repo.add(
            Batch(
                id=uuid.uuid4(),
                body_code=payload.body_code,
                plan_id=clearance.plan_id,
                occupation_code=payload.occupation_code,
                occupation_name=payload.occupation_name,
                work_type=payload.work_type,
                level=payload.level,
                evaluation_date=payload.evaluation_date,
                method=payload.method.value,
                guantong=payload.guantong,
                title_specialties=list(clearance.title_specialties) if payload.guantong else [],
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
            after={**out.model_dump(mode="json"), "plan_filed_on": clearance.filed_on.isoformat()},
        )
        return out

    async def get(self, principal: Principal, batch_id: uuid.UUID) -> CertificateBatch:
        batch, issuer = await self.load(batch_id)
        require_view(principal, body_code=batch.body_code, place=issuer.place)
        return to_out(batch)

    async def upload(
        self, principal: Principal, batch_id: uuid.UUID, payload: ResultsUpload, today: date
    ) -> ResultsUploaded:
        """Every check at once; one 422 lists every bad row; nothing is stored unless all rows are good."""
        batch, _ = await self.load(batch_id, for_update=True)
        principal.require_body(batch.body_code)
        rules.BATCHES.next(batch.status, "upload")
        rules.check_evaluation_held(today, batch.evaluation_date, action_zh="上传成绩")
        method = rules.Method(batch.method)
        panel = rules.by_panel(method, batch.guantong)
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
        refuse_repeats(
            payload.candidates,
            lambda c: rules.id_key(c.id_number),
            field="candidates",
            member="id_number",
            what_zh="身份证号码",
            list_zh="考生名单",
        )
        row_errors = rules.validate_rows(rows, subjects=subjects, panel=panel, check_id=check_resident_id)
        errors = [
            FieldError(
                loc=["body", "candidates", e.row, *e.field.split(".")], msg=e.reason, type="invalid_row"
            )
            for e in row_errors
        ]
        title_errors = [
            FieldError(loc=["body", "candidates", index, "title"], msg=reason, type="title_level_not_allowed")
            for index, c in enumerate(payload.candidates)
            if (reason := titles.title_problem(c.title, batch.level, batch.guantong, batch.title_specialties))
            is not None
        ]
        if errors or title_errors:
            found: list[FieldError] = sorted(
                errors + title_errors, key=lambda e: (int(e.loc[2]), [str(p) for p in e.loc[3:]])
            )
            bad_rows = len({e.loc[2] for e in found})
            raise Refusal(
                # CR-9 when a title refuses; CR-8 when a 贯通 batch's scores are not those its method takes.
                rules.RULE_TITLE_LEVEL if title_errors else (rules.RULE_PANEL if batch.guantong else None),
                "invalid_results",
                f"成绩上传有{bad_rows}行不符合要求，未保存任何数据",
                errors=found,
                title="Validation failed",
            )
        records: list[tuple[Any, ...]] = []
        passed_count = 0
        for index, (row, given) in enumerate(zip(rows, payload.candidates, strict=True)):
            passed = rules.passes(row, subjects, panel)
            passed_count += passed
            scores: dict[str, Any] = dict(row.panel) if panel else dict(row.scores)
            title = given.title.model_dump(mode="json") if given.title is not None else None
            records.append(
                (
                    index,
                    rules.normalise_name(row.name),
                    row.id_number.strip().upper(),
                    row.gender,
                    row.photo_ref,
                    scores,
                    passed,
                    title,
                )
            )
        if batch.guantong:
            await self._declare_titles(batch, payload)
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
        return ResultsUploaded(batch_id=batch.id, candidate_count=len(records), passed_count=passed_count)

    async def _declare_titles(self, batch: Batch, payload: ResultsUpload) -> None:
        """CR-9 (seed 002 七(三)): one title level → one occupation's level at one body, suite-wide."""
        where: dict[tuple[str, str], int] = {}
        for index, c in enumerate(payload.candidates):
            title: TitleHeld | None = c.title
            if title is not None:
                where[(c.id_number.strip().upper(), title.level.value)] = index
        wanted = titles.Declaration(batch.body_code, batch.occupation_code, batch.work_type, batch.level)
        declared = await self.repo.declare_titles(batch, list(where))
        errors: list[FieldError] = []
        for row in declared:
            earlier = titles.Declaration(
                row["body_code"], row["occupation_code"], row["work_type"], row["level"]
            )
            reason = titles.declaration_conflict(TitleLevel(row["title_level"]), earlier, wanted)
            if reason is not None:
                index = where[(row["id_number"], row["title_level"])]
                errors.append(
                    FieldError(
                        loc=["body", "candidates", index, "title", "level"],
                        msg=reason,
                        type="title_level_already_declared",
                    )
                )
        if errors:
            errors.sort(key=lambda e: int(e.loc[2]))
            raise Refusal(
                rules.RULE_TITLE_LEVEL,
                "title_level_already_declared",
                f"{len(errors)}名申报人的职称级别已在其他评价机构或职业（工种）申报，未保存任何数据；"
                "请删除这些行后重新上传",
                errors=errors,
                status=409,
            )

    async def start_publicity(
        self, principal: Principal, batch_id: uuid.UUID, today: date
    ) -> CertificateBatch:
        """CR-4: after the evaluation, publicity runs 5 working days from today (P-1: the start day not counted).

        Starting needs no later day: the end is recorded when the calendar covers it, and at approval otherwise,
        so a publicity started in late December is not refused while next year's calendar is unpublished (P-3).
        """
        batch, _ = await self.load(batch_id, for_update=True)
        principal.require_body(batch.body_code)
        status = rules.BATCHES.next(batch.status, "publicise")
        rules.check_evaluation_held(today, batch.evaluation_date, action_zh="公示评价结果")
        if batch.candidate_count == 0:
            raise Refusal(rules.RULE_PUBLICITY, "no_results", "尚未上传成绩，上传后方可开始公示", status=409)
        ends = rules.publicity_known_end(today)
        batch.status = status.value
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
            after={"starts": today.isoformat(), "ends": ends.isoformat() if ends else None},
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
            level_name=SkillLevel(batch.level).zh,
            publicity_starts=batch.publicity_starts,
            publicity_ends=rules.publicity_end_shown(batch.publicity_starts, batch.publicity_ends),
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
        if batch.status != rules.BatchStatus.PUBLICITY.value or batch.publicity_starts is None:
            raise Refusal(
                rules.RULE_PUBLICITY,
                "not_in_publicity",
                "该批次不在公示期内，公示期内方可提出异议",
                status=409,
                extra={"current_state": batch.status},
            )
        try:
            rules.check_may_object(today, batch.publicity_starts)
        except CalendarNotCovered as exc:
            raise exc.refusal() from None
        candidate = await self.repo.candidate(batch.id, payload.candidate_id)
        if candidate is None:
            raise Refusal(
                None,
                "candidate_unknown",
                "该批次中没有此考生",
                field=("body", "candidate_id"),
                title="Validation failed",
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
        out = _objection_out(objection)
        await record(
            self.session,
            actor=principal,
            action="objection.lodged",
            entity_type="objection",
            entity_id=str(objection.id),
            after=out.model_dump(mode="json"),
        )
        return out

    async def list_objections(
        self, principal: Principal, batch_id: uuid.UUID, *, offset: int, limit: int
    ) -> tuple[list[ObjectionOut], int]:
        batch, issuer = await self.load(batch_id)
        require_view(principal, body_code=batch.body_code, place=issuer.place)
        found, total = await self.repo.objections(batch.id, offset=offset, limit=limit)
        return [_objection_out(o) for o in found], total

    async def resolve_objection(
        self, principal: Principal, objection_id: int, payload: ResolutionIn
    ) -> ObjectionOut:
        """Upheld excludes the candidate; dismissed releases them (CR-4)."""
        objection = await self.repo.objection(objection_id, for_update=True)
        if objection is None:
            raise not_found("objection_not_found", "异议不存在")
        _, issuer = await self.load(objection.batch_id)
        require_officer_for(principal, place=issuer.place)
        before = objection.status
        objection.status = str(OBJECTIONS.next(objection.status, payload.outcome))
        objection.resolution_note = payload.note
        objection.resolved_by = principal.key
        objection.resolved_at = datetime.now(UTC)
        await self.session.flush()
        out = _objection_out(objection)
        await record(
            self.session,
            actor=principal,
            action="objection.resolved",
            entity_type="objection",
            entity_id=str(objection.id),
            before={"status": before},
            after={"status": payload.outcome, "note": payload.note},
        )
        return out

    async def approve(self, principal: Principal, batch_id: uuid.UUID, today: date) -> CertificateBatch:
        """CR-4: the district (the body's filing place) or city HR department reviews after publicity ends."""
        batch, issuer = await self.load(batch_id, for_update=True)
        require_officer_for(principal, place=issuer.place)
        status = rules.BATCHES.next(batch.status, "approve")
        starts = batch.publicity_starts
        assert starts is not None  # set when publicity started, with the status
        try:
            rules.check_may_approve(today, starts)
            # Over: every day up to the end has been read, so the end is known and is recorded now.
            batch.publicity_ends = batch.publicity_ends or rules.publicity_ends_on(starts)
        except CalendarNotCovered as exc:
            raise exc.refusal() from None
        batch.status = status.value
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
