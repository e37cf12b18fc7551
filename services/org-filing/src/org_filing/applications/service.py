"""Use cases of an application: draft, complete, submit (OF-1), evaluate (OF-2), publish and file (OF-3)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from org_filing.access import officer_places, require_place_officer
from org_filing.applications.models import Application
from org_filing.applications.repository import ApplicationRepository
from org_filing.applications.rules import (
    APPLICATION_MACHINE,
    OF_3,
    ApplicationStatus,
    EligibilityInput,
    OccupationExperience,
    Thresholds,
    accepting_place,
    eligibility,
    selection_publicity,
)
from org_filing.applications.schemas import (
    ApplicationDraft,
    ApplicationForm,
    ApplicationFormOut,
    ApplicationOut,
    EvaluationIn,
    EvaluationOut,
    FileIn,
    PublishIn,
    cross_field_errors,
)
from org_filing.bodies.schemas import ScopeIn
from org_filing.bodies.scope import CR_3, OUTSIDE_SCOPE
from org_filing.bodies.service import BodyService, NewBody
from org_filing.combine import combined
from org_filing.common_schemas import VerdictOut
from skills_shared.audit import record
from skills_shared.auth import Principal, Role
from skills_shared.clock import SHANGHAI
from skills_shared.errors import validation_errors
from skills_shared.problems import FieldError, Problem, forbidden, not_found
from skills_shared.refusals import Refusal, Verdict, refuse_verdicts
from skills_shared.validators import mask_resident_id

PEOPLE_SECTIONS = ("staff", "experts", "assessors", "supervisors")

#: The form field each eligibility check is about.
ELIGIBILITY_FIELDS: dict[str, tuple[str, ...]] = {
    "registered_in_chongqing": ("basic", "credit_code"),
    "independent_legal_person": ("basic", "independent_legal_person"),
    "min_years": ("occupations",),
    "min_total": ("occupations",),
    "min_per_occupation": ("occupations",),
    "level_scope": ("occupations",),
    "sound_finances": ("sound_finances",),
    "good_credit": ("good_credit",),
    "no_violation_record": ("no_violation_record",),
}


def masked_form(form: dict[str, Any]) -> dict[str, Any]:
    """The form as responses show it: every ID number masked (personal data never leaves in full)."""
    out = dict(form)
    for section in PEOPLE_SECTIONS:
        people = form.get(section)
        if isinstance(people, list):
            out[section] = [
                {**p, "id_number": mask_resident_id(p.get("id_number", ""))} if isinstance(p, dict) else p
                for p in people
            ]
    return out


def to_out(app: Application, body_code: str | None = None) -> ApplicationOut:
    return ApplicationOut(
        id=app.id,
        status=app.status,
        level_scope=app.level_scope,
        district_code=app.accepting_place,
        credit_code=app.credit_code,
        name=app.name,
        form=ApplicationFormOut.model_validate(masked_form(app.form)),
        eligibility=[VerdictOut(**v) for v in app.eligibility] if app.eligibility is not None else None,
        evaluation=EvaluationOut.model_validate(app.evaluation) if app.evaluation else None,
        publicity_from=app.publicity_from,
        publicity_to=app.publicity_to,
        body_code=body_code,
        created_at=app.created_at,
        updated_at=app.updated_at,
        submitted_at=app.submitted_at,
    )


def _verdict_dicts(vs: list[Verdict]) -> list[dict[str, str]]:
    return [{"rule": v.rule, "check": v.check, "outcome": v.outcome, "detail": v.detail} for v in vs]


def _audit_view(app: Application) -> dict[str, Any]:
    return {"status": app.status, "accepting_place": app.accepting_place, "credit_code": app.credit_code}


def selected_on(app: Application) -> date:
    """The day the accepting department made its selection (its evaluation), or the submission day before it."""
    recorded = (app.evaluation or {}).get("on")
    if recorded:
        return date.fromisoformat(recorded)
    assert app.submitted_at is not None
    return app.submitted_at.astimezone(SHANGHAI).date()


def not_eligible(verdicts: list[Verdict]) -> Refusal:
    """OF-2 ``not_eligible`` listing every failed check; CR-3's own code when the level reach fails first."""
    first = next(v for v in verdicts if v.failed)
    code = OUTSIDE_SCOPE if first.rule == CR_3 else "not_eligible"
    return refuse_verdicts(verdicts, code=code, fields=ELIGIBILITY_FIELDS)


class ApplicationService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = ApplicationRepository(session)

    # --- applicant side -------------------------------------------------------------------------------------

    @staticmethod
    def _require_applicant(principal: Principal) -> str:
        """Decision: an applicant signs in as org_admin whose `body` claim is its credit code until it is filed."""
        if principal.role != Role.ORG_ADMIN or not principal.body:
            raise forbidden("仅申报机构管理员可以办理申报", code="forbidden_role")
        return principal.body

    @staticmethod
    def _owner_matches(owner: str, draft: ApplicationDraft) -> None:
        if draft.basic is not None and draft.basic.credit_code != owner:
            msg = "统一社会信用代码与登录机构不符"
            raise Problem(
                422,
                "validation_failed",
                msg,
                title="Validation failed",
                errors=[FieldError(loc=["body", "basic", "credit_code"], msg=msg, type="owner_mismatch")],
            )

    async def _own(self, principal: Principal, app_id: int, *, for_update: bool = False) -> Application:
        app = await self.repo.get(app_id, for_update=for_update)
        if app is None:
            raise not_found("application_not_found", f"申报 {app_id} 不存在")
        if principal.role in (Role.ORG_ADMIN, Role.ORG_STAFF):
            if principal.body != app.owner:
                raise forbidden("无权查看其他机构的申报", code="forbidden_body")
        elif principal.role in (Role.CITY_OFFICER, Role.DISTRICT_OFFICER):
            if app.accepting_place is None or app.status == ApplicationStatus.draft:
                raise not_found("application_not_found", f"申报 {app_id} 不存在")
            require_place_officer(principal, app.accepting_place)
        elif principal.role != Role.SERVICE:
            raise forbidden("无权查看申报", code="forbidden_role")
        return app

    def _move(self, app: Application, action: str) -> None:
        app.status = APPLICATION_MACHINE.next(app.status, action).value
        app.updated_at = datetime.now(UTC)

    async def create(self, principal: Principal, draft: ApplicationDraft) -> Application:
        owner = self._require_applicant(principal)
        self._owner_matches(owner, draft)
        app = Application(
            status=ApplicationStatus.draft.value,
            owner=owner,
            form=draft.model_dump(mode="json", exclude_none=True),
        )
        self._denormalise(app)
        await self.repo.add(app)
        await record(
            self.session,
            actor=principal,
            action="application.created",
            entity_type="application",
            entity_id=str(app.id),
            after=_audit_view(app),
        )
        return app

    async def patch(self, principal: Principal, app_id: int, draft: ApplicationDraft) -> Application:
        """Replace the sections sent; the rest of the draft stays as saved."""
        self._require_applicant(principal)
        app = await self._own(principal, app_id, for_update=True)
        self._owner_matches(app.owner, draft)
        self._move(app, "edit")
        app.form = {**app.form, **draft.model_dump(mode="json", exclude_unset=True)}
        app.form = {k: v for k, v in app.form.items() if v is not None}
        self._denormalise(app)
        await record(
            self.session,
            actor=principal,
            action="application.edited",
            entity_type="application",
            entity_id=str(app.id),
            after={"sections": sorted(draft.model_fields_set)},
        )
        return app

    @staticmethod
    def _denormalise(app: Application) -> None:
        basic = app.form.get("basic") or {}
        app.name = basic.get("name")
        app.credit_code = basic.get("credit_code")
        app.level_scope = app.form.get("level_scope")

    async def submit(self, principal: Principal, app_id: int, *, now: datetime) -> Application:
        """Whole-form validation (one 422 listing every bad field), then every OF-2/CR-3 verdict."""
        self._require_applicant(principal)
        app = await self._own(principal, app_id, for_update=True)
        if app.status != ApplicationStatus.draft:
            self._move(app, "submit")  # raises the 409 naming the state
        errors: list[FieldError] = []
        form: ApplicationForm | None = None
        try:
            form = ApplicationForm.model_validate(app.form)
        except ValidationError as exc:
            errors.extend(validation_errors(exc.errors()))
        errors.extend(FieldError(loc=loc, msg=msg, type=t) for loc, msg, t in cross_field_errors(app.form))
        if errors or form is None:
            for e in errors:
                e.loc = ["body", *e.loc]
            raise Problem(
                422,
                "application_incomplete",
                f"申报表有 {len(errors)} 处需要补正",
                title="Validation failed",
                rule="OF-1",
                errors=errors,
            )
        verdicts = await self._eligibility(form, now.astimezone(SHANGHAI).date(), None)
        if any(v.failed for v in verdicts):
            raise not_eligible(verdicts)
        self._move(app, "submit")
        app.accepting_place = accepting_place(form.level_scope, form.district_code)
        app.eligibility = _verdict_dicts(verdicts)
        app.submitted_at = now
        await record(
            self.session,
            actor=principal,
            action="application.submitted",
            entity_type="application",
            entity_id=str(app.id),
            before={"status": "draft"},
            after=_audit_view(app),
        )
        return app

    async def withdraw(self, principal: Principal, app_id: int) -> Application:
        self._require_applicant(principal)
        app = await self._own(principal, app_id, for_update=True)
        before = _audit_view(app)
        self._move(app, "withdraw")
        await record(
            self.session,
            actor=principal,
            action="application.withdrawn",
            entity_type="application",
            entity_id=str(app.id),
            before=before,
            after=_audit_view(app),
        )
        return app

    async def _eligibility(self, form: ApplicationForm, today: date, e: EvaluationIn | None) -> list[Verdict]:
        thresholds = None
        if form.level_scope == "district" and form.district_code:
            row = await self.repo.thresholds(form.district_code)
            if row is not None:
                thresholds = Thresholds(row.min_years, row.min_total, row.min_per_occupation)
        return eligibility(
            EligibilityInput(
                level_scope=form.level_scope,
                credit_code=form.basic.credit_code,
                independent_legal_person=form.basic.independent_legal_person,
                occupations=[
                    OccupationExperience(
                        o.code, o.name, o.is_new, o.start_date, o.people_evaluated, frozenset(o.levels)
                    )
                    for o in form.occupations
                ],
                on_date=today,
                national_base=form.national_base,
                district_thresholds=thresholds,
                sound_finances=e.sound_finances if e else None,
                good_credit=e.good_credit if e else None,
                no_violation_record=e.no_violation_record if e else None,
            )
        )

    # --- accepting department -------------------------------------------------------------------------------

    async def get(self, principal: Principal, app_id: int) -> Application:
        return await self._own(principal, app_id)

    async def page(
        self, principal: Principal, *, status: str | None, limit: int, offset: int
    ) -> tuple[list[Application], int]:
        if principal.role in (Role.ORG_ADMIN, Role.ORG_STAFF):
            return await self.repo.page(
                owner=principal.body, places=None, status=status, limit=limit, offset=offset
            )
        places = officer_places(principal)
        if places is not None and not places:
            raise forbidden("无权查看申报", code="forbidden_role")
        return await self.repo.page(
            owner=None, places=places, status=status, exclude_drafts=True, limit=limit, offset=offset
        )

    async def _officer_app(self, principal: Principal, app_id: int) -> Application:
        app = await self.repo.get(app_id, for_update=True)
        if app is None or app.accepting_place is None:
            raise not_found("application_not_found", f"申报 {app_id} 不存在")
        require_place_officer(principal, app.accepting_place)
        return app

    async def evaluate(
        self, principal: Principal, app_id: int, e: EvaluationIn, *, today: date
    ) -> Application:
        """'Who accepts, evaluates': the accepting officer records findings; a selection must pass OF-2."""
        app = await self._officer_app(principal, app_id)
        before = _audit_view(app)
        form = ApplicationForm.model_validate(app.form)
        verdicts = await self._eligibility(form, today, e)
        if e.selected and any(v.failed for v in verdicts):
            raise not_eligible(verdicts)
        self._move(app, "evaluate" if e.selected else "reject")
        app.eligibility = _verdict_dicts(verdicts)
        app.evaluation = {**e.model_dump(mode="json"), "by": principal.sub, "on": today.isoformat()}
        if not e.selected:
            app.rejection_reason = e.opinion
        await record(
            self.session,
            actor=principal,
            action="application.evaluated",
            entity_type="application",
            entity_id=str(app.id),
            before=before,
            after={**_audit_view(app), "selected": e.selected},
        )
        return app

    async def reject(self, principal: Principal, app_id: int, reason: str) -> Application:
        app = await self._officer_app(principal, app_id)
        before = _audit_view(app)
        self._move(app, "reject")
        app.rejection_reason = reason
        await record(
            self.session,
            actor=principal,
            action="application.rejected",
            entity_type="application",
            entity_id=str(app.id),
            before=before,
            after={**_audit_view(app), "reason": reason},
        )
        return app

    async def publish(self, principal: Principal, app_id: int, p: PublishIn, *, today: date) -> Application:
        """The selection is published (公示) for the period recorded here before the body can be filed; the
        period starts on or after the selection and has not ended (OF-3)."""
        app = await self._officer_app(principal, app_id)
        before = _audit_view(app)
        self._move(app, "publish")
        refusals = selection_publicity(
            p.publicity_from, p.publicity_to, selected_on=selected_on(app), today=today
        )
        if refusals:
            raise combined(refusals)
        app.publicity_from, app.publicity_to = p.publicity_from, p.publicity_to
        await record(
            self.session,
            actor=principal,
            action="application.published",
            entity_type="application",
            entity_id=str(app.id),
            before=before,
            after={**_audit_view(app), "publicity_from": p.publicity_from, "publicity_to": p.publicity_to},
        )
        return app

    async def file(
        self, principal: Principal, app_id: int, f: FileIn, *, today: date
    ) -> tuple[Application, str]:
        """OF-3/OF-4: once the publicity is over, the body is filed with the next free code of the place."""
        app = await self._officer_app(principal, app_id)
        before = _audit_view(app)
        self._move(app, "file")
        assert app.publicity_to is not None and app.accepting_place is not None
        if today <= app.publicity_to:
            raise Problem(
                409,
                "publicity_not_over",
                f"遴选结果公示至 {app.publicity_to.isoformat()}，公示期满后方可备案",
                rule=OF_3,
                extra={"current_state": ApplicationStatus.published.value},
            )
        form = ApplicationForm.model_validate(app.form)
        body = await BodyService(self.session).file(
            principal,
            NewBody(
                place=app.accepting_place,
                level_scope=form.level_scope,
                name=form.basic.name,
                credit_code=form.basic.credit_code,
                registered_address=form.basic.address,
                office_address=form.basic.office_address or form.basic.address,
                legal_representative=form.basic.legal_representative,
                scope=scope_from_form(form),
                valid_from=f.valid_from,
                valid_to=f.valid_to,
                opinion=f.opinion,
            ),
            today=today,
        )
        app.body_id = body.id
        await record(
            self.session,
            actor=principal,
            action="application.filed",
            entity_type="application",
            entity_id=str(app.id),
            before=before,
            after={**_audit_view(app), "body_code": body.code},
        )
        return app, body.code


def scope_from_form(form: ApplicationForm) -> list[ScopeIn]:
    """One scope row per occupation code: its work types and the union of the levels applied for."""
    names: dict[str, str] = {}
    work: dict[str, set[str]] = defaultdict(set)
    levels: dict[str, set[int]] = defaultdict(set)
    for o in form.occupations:
        names.setdefault(o.code, o.name)
        if o.work_type:
            work[o.code].add(o.work_type)
        levels[o.code].update(o.levels)
    return [
        ScopeIn(
            occupation_code=c, occupation_name=names[c], work_types=sorted(work[c]), levels=sorted(levels[c])
        )
        for c in sorted(names)
    ]
