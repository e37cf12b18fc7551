"""Use cases of the issuer list: the idempotent upsert org-filing calls, and reading one issuer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from certificate_registry.issuers import rules
from certificate_registry.issuers.models import Issuer
from certificate_registry.issuers.repository import IssuerRepository
from certificate_registry.issuers.schemas import IssuerOut, IssuerPut, ScopeItem
from skills_shared.audit import record
from skills_shared.auth import Principal
from skills_shared.certnumber import BodyCode, CertificateNumberError
from skills_shared.problems import FieldError, Problem, conflict, not_found
from skills_shared.reference import CQ_FILING_PLACES, CQ_PROVINCE_CODE


def parse_code_or_422(code: str, loc: list[str | int]) -> BodyCode:
    """CR-1: a malformed body code is a 422 naming the field and the first bad position."""
    try:
        return rules.parse_body_code(code)
    except CertificateNumberError as exc:
        raise Problem(
            422,
            "invalid_body_code",
            exc.message,
            title="Validation failed",
            rule=rules.RULE_CODE_LAYOUT,
            errors=[FieldError(loc=loc, msg=exc.message, type=exc.code)],
        ) from None


def to_out(issuer: Issuer) -> IssuerOut:
    status = rules.IssuerStatus(issuer.status)
    place_name = CQ_FILING_PLACES.get(issuer.place, "") if issuer.province == CQ_PROVINCE_CODE else ""
    return IssuerOut(
        code=issuer.code,
        category=issuer.category,
        route=issuer.route,
        province=issuer.province,
        place=issuer.place,
        place_name=place_name,
        sequence=f"{issuer.sequence:04d}",
        name=issuer.name,
        level_scope=rules.Jurisdiction(issuer.level_scope),
        scope=[ScopeItem.model_validate(item) for item in issuer.scope],
        valid_from=issuer.valid_from,
        valid_to=issuer.valid_to,
        status=status,
        retired=status in rules.RETIRED_STATUSES,
        merged_into=issuer.merged_into,
    )


def facts_of(issuer: Issuer) -> rules.IssuerFacts:
    """The plain data the CR-3 rule needs."""
    return rules.IssuerFacts(
        code=issuer.code,
        status=rules.IssuerStatus(issuer.status),
        jurisdiction=rules.Jurisdiction(issuer.level_scope),
        valid_from=issuer.valid_from,
        valid_to=issuer.valid_to,
        scope=tuple(
            rules.ScopeEntry(
                item["occupation_code"],
                item["occupation_name"],
                tuple(item["work_types"]),
                frozenset(item["levels"]),
            )
            for item in issuer.scope
        ),
    )


def _state(issuer: Issuer) -> dict[str, Any]:
    return {
        "name": issuer.name,
        "status": issuer.status,
        "scope": issuer.scope,
        "level_scope": issuer.level_scope,
        "valid_from": issuer.valid_from.isoformat(),
        "valid_to": issuer.valid_to.isoformat(),
        "merged_into": issuer.merged_into,
    }


@dataclass(frozen=True)
class UpsertResult:
    issuer: IssuerOut
    created: bool


class IssuerService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = IssuerRepository(session)

    async def get(self, code: str) -> IssuerOut:
        parse_code_or_422(code, ["path", "code"])
        issuer = await self.repo.get(code)
        if issuer is None:
            raise not_found("issuer_not_found", f"评价机构{code}不在发证机构名录中")
        return to_out(issuer)

    async def upsert(self, principal: Principal, code: str, payload: IssuerPut) -> UpsertResult:
        """Create or replace an issuer. CR-3 bounds a district body's levels; CR-2 freezes retired codes."""
        body = parse_code_or_422(code, ["path", "code"])
        level_scope = payload.level_scope or rules.default_jurisdiction(body)
        bad = [
            FieldError(
                loc=["body", "scope", index, "levels"],
                msg="区县级评价机构只能备案三级至五级",
                type="level_scope",
            )
            for index, item in enumerate(payload.scope)
            if rules.scope_levels_outside_jurisdiction(level_scope, item.levels)
        ]
        if bad:
            raise Problem(
                422,
                "scope_outside_level_scope",
                "区县级评价机构只能评价三级至五级",
                title="Validation failed",
                rule=rules.RULE_SCOPE,
                errors=bad,
            )
        if payload.merged_into is not None and payload.status is not rules.IssuerStatus.MERGED:
            raise Problem(
                422,
                "validation_failed",
                "只有合并状态可以填写合并后的机构代码",
                title="Validation failed",
                errors=[FieldError(loc=["body", "merged_into"], msg="仅合并状态可填写", type="value_error")],
            )
        state = {
            "name": payload.name,
            "status": payload.status.value,
            "scope": [item.model_dump(mode="json") for item in payload.scope],
            "level_scope": level_scope.value,
            "valid_from": payload.valid_from,
            "valid_to": payload.valid_to,
            "merged_into": payload.merged_into,
        }
        created = await self.repo.insert_if_absent(
            {
                "code": code,
                "category": body.category,
                "route": body.route,
                "province": body.province,
                "place": body.place,
                "sequence": body.sequence,
                **state,
            }
        )
        issuer = await self.repo.get(code, for_update=True)
        assert issuer is not None
        if created:
            await record(
                self.session,
                actor=principal,
                action="issuer.created",
                entity_type="issuer",
                entity_id=code,
                after=_state(issuer),
            )
            return UpsertResult(to_out(issuer), True)
        before = _state(issuer)
        wanted = {
            **state,
            "valid_from": payload.valid_from.isoformat(),
            "valid_to": payload.valid_to.isoformat(),
        }
        if before == wanted:
            return UpsertResult(to_out(issuer), False)
        current = rules.IssuerStatus(issuer.status)
        move = rules.check_status_move(current, payload.status)
        if not move.allowed or current in rules.RETIRED_STATUSES:
            raise conflict(
                "issuer_retired",
                move.reason or "机构代码已进入废置库，记录不得更改",
                rule=rules.RULE_RETIRED_CODES,
            )
        for key, value in state.items():
            setattr(issuer, key, value)
        issuer.updated_at = datetime.now(UTC)
        await self.session.flush()
        await record(
            self.session,
            actor=principal,
            action="issuer.updated",
            entity_type="issuer",
            entity_id=code,
            before=before,
            after=_state(issuer),
        )
        return UpsertResult(to_out(issuer), False)
