"""Use cases of certificates: issuing a reviewed batch (CR-1, CR-4), its roster, the full record, revocation."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from certificate_registry.access import require_officer_for, require_view
from certificate_registry.batches.rules import BATCHES, Method, check_issue_date
from certificate_registry.batches.service import BatchService
from certificate_registry.certificates import rules
from certificate_registry.certificates.events import issued_events, record_issued, record_revoked
from certificate_registry.certificates.lookup import check_number
from certificate_registry.certificates.models import Certificate
from certificate_registry.certificates.repository import CertificateRepository
from certificate_registry.certificates.schemas import (
    CertificateRecord,
    IssueOutcome,
    RevocationIn,
    RosterEntry,
    RosterOut,
)
from certificate_registry.issuers.repository import IssuerRepository
from certificate_registry.issuers.rules import RULE_RETIRED_CODES, IssuerStatus, parse_body_code
from skills_shared import certnumber, metrics
from skills_shared.audit import record
from skills_shared.auth import Principal, Role
from skills_shared.metrics import count_on_commit
from skills_shared.problems import not_found
from skills_shared.reference import SkillLevel
from skills_shared.refusals import Refusal


def parse_number_or_422(number: str) -> str:
    """CR-1: a malformed number is a 422 naming the field and the first bad position."""
    check_number(number)
    return number


def to_record(certificate: Certificate) -> CertificateRecord:
    return CertificateRecord(
        number=certificate.number,
        holder_name=certificate.holder_name,
        id_number=certificate.id_number,
        occupation_code=certificate.occupation_code,
        occupation_name=certificate.occupation_name,
        work_type=certificate.work_type,
        level=certificate.level,
        issue_date=certificate.issue_date,
        body_code=certificate.body_code,
        body_name=certificate.body_name,
        obtained_by=rules.ObtainedBy(certificate.obtained_by),
        status=rules.CertificateStatus(certificate.status),
        revoked_reason=certificate.revoked_reason,
        revoked_on=certificate.revoked_on,
    )


class CertificateService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = CertificateRepository(session)
        self.batches = BatchService(session)
        self.issuers = IssuerRepository(session)

    async def issue(self, principal: Principal, batch_id: uuid.UUID, today: date) -> IssueOutcome:
        """Numbers for every reviewed, passing, unheld candidate of the batch, in one transaction (CR-4).

        Serials come from the (body, year, level) counter row, locked until commit (CR-1): gapless under any
        concurrency, and a failure anywhere later in this transaction hands them back.
        """
        batch, issuer = await self.batches.load(batch_id, for_update=True)
        principal.require_body(batch.body_code)
        status = BATCHES.next(batch.status, "issue")
        check_issue_date(today, batch.evaluation_date)
        if issuer.status != IssuerStatus.ACTIVE.value:
            raise Refusal(
                RULE_RETIRED_CODES,
                "issuer_not_active",
                "评价机构当前不能发证（状态非有效），恢复有效后方可发证",
                status=409,
                extra={"issuer_status": issuer.status},
            )
        eligible = await self.repo.eligible_candidates(batch.id)
        if not eligible:
            raise Refusal(
                rules.RULE_PUBLICITY,
                "nothing_to_issue",
                "没有待发证的合格人员（已发证、未合格或因异议暂缓）；异议处理完毕后可再次发证",
                status=409,
            )
        count = len(eligible)
        year = today.year
        last = await self.repo.take_serials(batch.body_code, year, batch.level, count)
        if last is None:
            current = await self.repo.last_serial(batch.body_code, year, batch.level)
            raise Refusal(
                rules.RULE_CODE_LAYOUT,
                "serial_exhausted",
                str(rules.SerialExhausted(current, count)),
                status=409,
                extra={"last_serial": current, "wanted": count},
            )
        serials = rules.allocate_serials(last - count, count)
        body = parse_body_code(batch.body_code)
        how = rules.obtained_by(Method(batch.method)).value
        # The codec builds and checks the first and last numbers; the block shares their 16-character prefix and
        # its serials were range-checked by allocate_serials, so the rest are that prefix plus the serial.
        first = certnumber.build(
            body.category, body.route, body.province, body.place, body.sequence, year, batch.level, serials[0]
        )
        last_number = certnumber.build(
            body.category,
            body.route,
            body.province,
            body.place,
            body.sequence,
            year,
            batch.level,
            serials[-1],
        )
        prefix = first[:16]
        numbers = [f"{prefix}{serial:06d}" for serial in serials]
        assert numbers[0] == first and numbers[-1] == last_number
        records = [
            (
                number,
                batch.body_code,
                year,
                batch.level,
                serial,
                batch.id,
                candidate.id,
                candidate.name,
                candidate.id_number,
                candidate.gender,
                candidate.photo_ref,
                batch.occupation_code,
                batch.occupation_name,
                batch.work_type,
                how,
                today,
                issuer.name,
                issuer.place,
                "valid",
            )
            for candidate, serial, number in zip(eligible, serials, numbers, strict=True)
        ]
        await self.repo.insert_many(records)
        await self.repo.mark_issued([candidate.id for candidate in eligible], numbers)
        batch.status = status.value
        await self.session.flush()
        out = IssueOutcome(
            batch_id=batch.id,
            issued_count=count,
            first_number=numbers[0],
            last_number=numbers[-1],
            issue_date=today,
        )
        await record(
            self.session,
            actor=principal,
            action="certificates.issued",
            entity_type="batch",
            entity_id=str(batch.id),
            after=out.model_dump(mode="json"),
        )
        await record_issued(
            self.session,
            issued_events(
                numbers=numbers,
                id_numbers=[c.id_number for c in eligible],
                body_code=batch.body_code,
                place=issuer.place,
                occupation_code=batch.occupation_code,
                level=batch.level,
                issued_on=today,
            ),
        )
        count_on_commit(self.session, metrics.CERTIFICATES.labels("issued"), count)
        return out

    async def roster(self, principal: Principal, batch_id: uuid.UUID) -> RosterOut:
        batch, issuer = await self.batches.load(batch_id)
        require_view(principal, body_code=batch.body_code, place=issuer.place)
        certificates = await self.repo.for_batch(batch.id)
        return RosterOut(
            batch_id=batch.id,
            body_code=batch.body_code,
            body_name=issuer.name,
            entries=[
                RosterEntry(
                    number=c.number,
                    name=c.holder_name,
                    gender=c.gender,
                    id_number=c.id_number,
                    occupation_code=c.occupation_code,
                    occupation_name=c.occupation_name,
                    work_type=c.work_type or "——",
                    level=c.level,
                    level_name=SkillLevel(c.level).zh,
                    issue_date=c.issue_date,
                )
                for c in certificates
            ],
        )

    async def revoke(
        self, principal: Principal, number: str, payload: RevocationIn, today: date
    ) -> CertificateRecord:
        """The issuing body's admin or an officer revokes with a reason; the record stays (CR-7)."""
        parse_number_or_422(number)
        certificate = await self.repo.get(number, for_update=True)
        if certificate is None:
            raise not_found("certificate_not_found", "证书不存在")
        if principal.role is Role.ORG_ADMIN:
            principal.require_body(certificate.body_code)
        else:
            require_officer_for(principal, place=certificate.body_place)
        rules.CERTIFICATES.next(certificate.status, "revoke")
        before = to_record(certificate).model_dump(mode="json", include={"status"})
        await self.repo.revoke(certificate, reason=payload.reason, on=today, by=principal.key)
        out = to_record(certificate)
        await record(
            self.session,
            actor=principal,
            action="certificate.revoked",
            entity_type="certificate",
            entity_id=number,
            before=before,
            after={"status": "revoked", "reason": payload.reason, "revoked_on": today.isoformat()},
        )
        await record_revoked(self.session, certificate)
        count_on_commit(self.session, metrics.CERTIFICATES.labels("revoked"))
        return out
