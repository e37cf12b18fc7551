"""Use cases of filed bodies: filing with a fresh code (OF-4), receipt, suspension, cancellation, merger, extension."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from org_filing.access import require_place_officer
from org_filing.bodies.models import Body, BodyScope
from org_filing.bodies.repository import BodyRepository
from org_filing.bodies.rules import (
    OF_4,
    BodyStatus,
    ExtensionInput,
    SequenceExhausted,
    extended_valid_to,
    extension_verdicts,
    format_body_code,
    max_valid_to,
    next_body_status,
    next_free_sequence,
    validity_verdict,
)
from org_filing.bodies.schemas import BodyOut, ReceiptOut, ScopeIn, ScopeOut
from org_filing.bodies.scope import CR_3, OUTSIDE_SCOPE, REACH_ZH, beyond_reach
from org_filing.issuer_sync.service import enqueue_issuer_update
from skills_shared.audit import record
from skills_shared.auth import Principal
from skills_shared.duplicates import refuse_repeats
from skills_shared.problems import Problem, not_found
from skills_shared.reference import SkillLevel, filing_place_name
from skills_shared.refusals import Refusal, Verdict, refuse_verdicts


@dataclass(frozen=True, slots=True)
class NewBody:
    """Everything a filing needs, whether it comes from an application or from a merger."""

    place: str
    level_scope: str
    name: str
    credit_code: str
    registered_address: str
    office_address: str
    legal_representative: str
    scope: Sequence[ScopeIn]
    valid_from: date
    valid_to: date | None
    opinion: str


def refuse_repeated_scope(scope: Sequence[ScopeIn]) -> None:
    """Issue 20 item 4: one occupation on two scope lines is refused with both lines named, never a 500 from the
    (body, occupation) unique key."""
    refuse_repeats(
        scope,
        lambda line: line.occupation_code,
        field="scope",
        member="occupation_code",
        what_zh="职业编码",
        list_zh="认定范围",
    )


def scope_rows(scope: Sequence[ScopeIn]) -> list[BodyScope]:
    return [
        BodyScope(
            occupation_code=s.occupation_code,
            occupation_name=s.occupation_name,
            work_types=list(s.work_types),
            levels=list(s.levels),
        )
        for s in scope
    ]


def scope_level_verdicts(level_scope: str, scope: Sequence[ScopeIn]) -> list[Verdict]:
    """CR-3 for a scope being filed or changed: city-wide 1–5, district-level 3–5."""
    out = []
    for i, s in enumerate(scope):
        bad = beyond_reach(level_scope, s.levels)
        if bad:
            reach = REACH_ZH[level_scope]
            out.append(
                Verdict(
                    CR_3,
                    f"scope.{i}.levels",
                    "fail",
                    f"{s.occupation_name} 等级 {bad} 超出允许范围（仅可 {reach}）",
                )
            )
    return out


def scope_fields(scope: Sequence[ScopeIn]) -> dict[str, tuple[str | int, ...]]:
    """Where each scope line's CR-3 verdict points in the request."""
    return {f"scope.{i}.levels": ("scope", i, "levels") for i in range(len(scope))}


def refused(
    verdicts: Sequence[Verdict], code: str, fields: dict[str, tuple[str | int, ...]] | None = None
) -> Refusal:
    """One refusal for the failed verdicts; a CR-3 failure first keeps CR-3's one code, ``outside_scope``."""
    first = next(v for v in verdicts if v.failed)
    return refuse_verdicts(verdicts, code=OUTSIDE_SCOPE if first.rule == CR_3 else code, fields=fields)


def snapshot(body: Body) -> dict[str, Any]:
    """What the audit keeps of a body: no personal data is involved."""
    return {
        "code": body.code,
        "name": body.name,
        "status": body.status,
        "valid_from": body.valid_from,
        "valid_to": body.valid_to,
        "extended": body.extended,
    }


def to_out(body: Body, scopes: Sequence[BodyScope], merged_into: str | None = None) -> BodyOut:
    return BodyOut(
        code=body.code,
        name=body.name,
        credit_code=body.credit_code,
        district_code=body.place_code,
        district_name=filing_place_name(body.place_code),
        level_scope=body.level_scope,
        status=body.status,
        registered_address=body.registered_address,
        office_address=body.office_address,
        legal_representative=body.legal_representative,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        filed_on=body.filed_on,
        extended=body.extended,
        merged_into=merged_into,
        cancelled_on=body.cancelled_on,
        scope=[
            ScopeOut(
                occupation_code=s.occupation_code,
                occupation_name=s.occupation_name,
                work_types=list(s.work_types),
                levels=sorted(s.levels),
            )
            for s in scopes
        ],
    )


def scope_line(s: ScopeOut) -> str:
    work = "、".join(s.work_types) if s.work_types else "——"
    levels = "、".join(SkillLevel(lv).zh for lv in s.levels)
    return f"{s.occupation_name}（{s.occupation_code}）工种：{work}；等级：{levels}"


class BodyService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = BodyRepository(session)

    async def file(self, principal: Principal, new: NewBody, *, today: date) -> Body:
        """Assign the next free code of the place and create the body (OF-3, OF-4), in the caller's transaction."""
        valid_to = new.valid_to or max_valid_to(new.valid_from)
        verdicts = [
            validity_verdict(new.valid_from, valid_to),
            *scope_level_verdicts(new.level_scope, new.scope),
        ]
        if any(v.failed for v in verdicts):
            raise refused(verdicts, code="filing_refused")
        counter = await self.repo.lock_counter(new.place)
        try:
            seq = next_free_sequence(counter, await self.repo.taken_sequences(new.place, counter))
        except SequenceExhausted:
            raise Problem(
                409,
                "sequence_exhausted",
                f"备案地 {new.place} 的机构序列码 0001–9999 已用尽",
                rule=OF_4,
            ) from None
        await self.repo.set_counter(new.place, seq + 1)
        body = Body(
            code=format_body_code(new.place, seq),
            place_code=new.place,
            sequence=seq,
            name=new.name,
            credit_code=new.credit_code,
            registered_address=new.registered_address,
            office_address=new.office_address,
            legal_representative=new.legal_representative,
            level_scope=new.level_scope,
            status=BodyStatus.active.value,
            valid_from=new.valid_from,
            valid_to=valid_to,
            filed_on=today,
            extended=False,
            opinion=new.opinion,
        )
        rows = scope_rows(new.scope)
        await self.repo.add(body, rows)
        await enqueue_issuer_update(self.session, body, rows, "filed")
        await record(
            self.session,
            actor=principal,
            action="body.filed",
            entity_type="body",
            entity_id=body.code,
            after=snapshot(body),
        )
        return body

    async def get(self, code: str, *, for_update: bool = False) -> Body:
        body = await self.repo.by_code(code, for_update=for_update)
        if body is None:
            raise not_found("body_not_found", f"评价机构 {code} 不存在")
        return body

    async def out(self, body: Body) -> BodyOut:
        merged_into = None
        if body.merged_into_id is not None:
            target = await self.repo.by_id(body.merged_into_id)
            merged_into = target.code if target else None
        return to_out(body, await self.repo.scopes(body.id), merged_into)

    async def receipt(self, principal: Principal, code: str) -> ReceiptOut:
        body = await self.get(code)
        self._require_reader(principal, body)
        out = await self.out(body)
        return ReceiptOut(
            unit_name=body.name,
            body_code=body.code,
            credit_code=body.credit_code,
            registered_address=body.registered_address,
            office_address=body.office_address,
            legal_representative=body.legal_representative,
            scope=out.scope,
            scope_text=[scope_line(s) for s in out.scope],
            valid_from=body.valid_from,
            valid_to=body.valid_to,
            department=(
                "重庆市职业技能鉴定指导中心"
                if body.place_code == "00"
                else f"{filing_place_name(body.place_code)}人力资源和社会保障局"
            ),
            opinion=body.opinion,
            issued_on=body.filed_on,
        )

    @staticmethod
    def _require_reader(principal: Principal, body: Body) -> None:
        if principal.role.value in ("org_staff", "org_admin"):
            principal.require_body(body.code)
            return
        if principal.role.value in ("service", "inspector"):
            return
        require_place_officer(principal, body.place_code)

    async def _move(self, principal: Principal, code: str, action: str) -> tuple[Body, dict[str, Any]]:
        body = await self.get(code, for_update=True)
        require_place_officer(principal, body.place_code)
        before = snapshot(body)
        body.status = next_body_status(body.status, action).value
        return body, before

    async def suspend(self, principal: Principal, code: str, reason: str) -> Body:
        body, before = await self._move(principal, code, "suspend")
        await self._after(principal, body, before, "suspended", reason)
        return body

    async def reinstate(self, principal: Principal, code: str, reason: str) -> Body:
        body, before = await self._move(principal, code, "reinstate")
        await self._after(principal, body, before, "reinstated", reason)
        return body

    async def cancel(self, principal: Principal, code: str, reason: str, *, today: date) -> Body:
        """OF-7 / CR-2: the body is cancelled and its code goes to the retired pool, never to be reassigned."""
        body, before = await self._move(principal, code, "cancel")
        body.cancelled_on = today
        body.cancel_reason = reason
        await self.repo.retire(body, today, "cancelled")
        await self._after(principal, body, before, "cancelled", reason)
        return body

    async def extend(self, principal: Principal, code: str, *, today: date) -> Body:
        """OF-6: three clean years → validity extended by 3 years, once."""
        body, before = await self._move(principal, code, "extend")
        verdicts = extension_verdicts(
            ExtensionInput(
                filed_on=body.filed_on,
                valid_to=body.valid_to,
                today=today,
                complaints_since_filing=await self.repo.complaints_since(body.id, body.filed_on),
                violations_since_filing=await self.repo.violations_since(body.id, body.filed_on),
                already_extended=body.extended,
            )
        )
        if any(v.failed for v in verdicts):
            raise refused(verdicts, code="extension_refused")
        body.valid_to = extended_valid_to(body.valid_to)
        body.extended = True
        await self._after(principal, body, before, "extended", None)
        return body

    async def change_scope(self, principal: Principal, code: str, scope: Sequence[ScopeIn]) -> Body:
        body, before = await self._move(principal, code, "change_scope")
        refuse_repeated_scope(scope)
        verdicts = scope_level_verdicts(body.level_scope, scope)
        if verdicts:
            raise refused(verdicts, code="scope_refused", fields=scope_fields(scope))
        before["scope"] = [s.occupation_code for s in await self.repo.scopes(body.id)]
        await self.repo.replace_scopes(body.id, scope_rows(scope))
        await self._after(principal, body, before, "scope_changed", None)
        return body

    async def merge(self, principal: Principal, codes: Sequence[str], new: NewBody, *, today: date) -> Body:
        """OF-7 / CR-2: a merger files a new body with a new code; each merged body is cancelled and retired."""
        require_place_officer(principal, new.place)
        refuse_repeats(
            codes, str, field="merged_codes", member=None, what_zh="机构代码", list_zh="被合并机构"
        )
        refuse_repeated_scope(new.scope)
        merged: list[tuple[Body, dict[str, Any]]] = []
        for code in sorted(codes):  # a fixed lock order, so two mergers never deadlock
            merged.append(await self._move(principal, code, "merge"))
        created = await self.file(principal, new, today=today)
        for body, before in merged:
            body.merged_into_id = created.id
            body.cancelled_on = today
            body.cancel_reason = f"合并为 {created.code}"
            await self.repo.retire(body, today, "merged")
            await self._after(
                principal, body, before, "merged", f"合并为 {created.code}", merged_into=created.code
            )
        return created

    async def _after(
        self,
        principal: Principal,
        body: Body,
        before: dict[str, Any],
        event: str,
        reason: str | None,
        *,
        merged_into: str | None = None,
    ) -> None:
        await self.session.flush()
        scopes = await self.repo.scopes(body.id)
        await enqueue_issuer_update(self.session, body, scopes, event, merged_into=merged_into)
        after = snapshot(body)
        if reason:
            after["reason"] = reason
        await record(
            self.session,
            actor=principal,
            action=f"body.{event}",
            entity_type="body",
            entity_id=body.code,
            before=before,
            after=after,
        )
