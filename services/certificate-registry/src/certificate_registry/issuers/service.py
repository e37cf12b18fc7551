"""Use cases of the issuer list: the idempotent upsert org-filing calls, and reading one issuer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from certificate_registry.issuers import rules
from certificate_registry.issuers.models import Issuer
from certificate_registry.issuers.repository import IssuerRepository
from certificate_registry.issuers.schemas import IssuerRecord, IssuerScopeItem, IssuerSync
from skills_shared import certnumber
from skills_shared.audit import record
from skills_shared.auth import Principal
from skills_shared.certnumber import BodyCode
from skills_shared.duplicates import refuse_repeats
from skills_shared.problems import FieldError, not_found
from skills_shared.reference import CQ_FILING_PLACES, CQ_PROVINCE_CODE
from skills_shared.refusals import Refusal


def parse_code_or_422(code: str, loc: list[str | int]) -> BodyCode:
    """CR-1: a malformed body code is a 422 naming the field and every bad position."""
    faults = certnumber.validate_body_code(code)
    if faults:
        raise Refusal(
            rules.RULE_CODE_LAYOUT,
            "invalid_body_code",
            faults[0].message,
            errors=[FieldError(loc=loc, msg=f.message, type=f.code) for f in faults],
            title="Validation failed",
            extra={"faults": [f.as_dict() for f in faults]},
        )
    return rules.parse_body_code(code)


def to_out(issuer: Issuer) -> IssuerRecord:
    status = rules.IssuerStatus(issuer.status)
    place_name = CQ_FILING_PLACES.get(issuer.place, "") if issuer.province == CQ_PROVINCE_CODE else ""
    return IssuerRecord(
        code=issuer.code,
        category=issuer.category,
        route=issuer.route,
        province=issuer.province,
        district_code=issuer.place,
        district_name=place_name,
        sequence=f"{issuer.sequence:04d}",
        name=issuer.name,
        level_scope=rules.Jurisdiction(issuer.level_scope),
        scope=[IssuerScopeItem.model_validate(item) for item in issuer.scope],
        valid_from=issuer.valid_from,
        valid_to=issuer.valid_to,
        status=status,
        retired=status in rules.RETIRED_STATUSES,
        merged_into=issuer.merged_into,
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
    issuer: IssuerRecord
    created: bool


class IssuerService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = IssuerRepository(session)

    async def get(self, code: str) -> IssuerRecord:
        parse_code_or_422(code, ["path", "code"])
        issuer = await self.repo.get(code)
        if issuer is None:
            raise not_found("issuer_not_found", f"评价机构{code}不在发证机构名录中")
        return to_out(issuer)

    async def upsert(self, principal: Principal, code: str, payload: IssuerSync) -> UpsertResult:
        """Create or replace an issuer as org-filing reports it. CR-2 freezes retired codes.

        The filed scope is stored as org-filing sends it: whether it fits the body's jurisdiction (CR-3) is
        org-filing's check, made when it files the body.
        """
        body = parse_code_or_422(code, ["path", "code"])
        refuse_repeats(
            payload.scope,
            lambda item: item.occupation_code,
            field="scope",
            member="occupation_code",
            what_zh="职业编码",
            list_zh="备案范围",
        )
        level_scope = payload.level_scope or rules.default_jurisdiction(body)
        if payload.merged_into is not None and payload.status is not rules.IssuerStatus.MERGED:
            raise Refusal(
                rules.RULE_RETIRED_CODES,
                "validation_failed",
                "只有合并状态可以填写合并后的机构代码",
                field=("body", "merged_into"),
                title="Validation failed",
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
        rules.check_retired_unchanged(current, changed=True)
        rules.ISSUERS.next(current, payload.status.value)
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
