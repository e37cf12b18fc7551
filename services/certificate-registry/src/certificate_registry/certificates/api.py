"""Routes of certificates: issue and roster (body staff), public look-up (CR-6), full record, revocation."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from certificate_registry.certificates import lookup
from certificate_registry.certificates.roster import roster_csv, roster_table
from certificate_registry.certificates.schemas import (
    CertificateRecord,
    IssueOutcome,
    PublicCertificate,
    RevocationIn,
    RosterOut,
)
from certificate_registry.certificates.service import CertificateService, parse_number_or_422
from certificate_registry.deps import body_staff, citizens, record_readers, revokers, viewers
from skills_shared.auth import Principal, Role
from skills_shared.clock import TodayDep
from skills_shared.contracts.v1.pagination import Page, PageDep
from skills_shared.db import ReadSessionDep, SessionDep
from skills_shared.idempotency import RequiredIdempotencyDep
from skills_shared.problems import problem_responses
from skills_shared.spreadsheet_routes import FileFormat, file_responses, xlsx_response
from skills_shared.spreadsheets import xlsx_bytes

router = APIRouter(tags=["certificates"])

NumberPath = Annotated[str, Path(description="22-character certificate number (CR-1)")]


@router.post(
    "/v1/batches/{batch_id}/issue",
    response_model=IssueOutcome,
    status_code=201,
    operation_id="batches.issue",
    summary="Issue numbers to every reviewed, passing, unheld candidate; gapless serials (CR-1, CR-4)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def issue_batch(
    session: SessionDep,
    idem: RequiredIdempotencyDep,
    batch_id: uuid.UUID,
    today: TodayDep,
    principal: Principal = Depends(body_staff),
) -> Response:
    return await idem.run(
        lambda: CertificateService(session).issue(principal, batch_id, today), status_code=201
    )


@router.get(
    "/v1/batches/{batch_id}/roster",
    response_model=RosterOut,
    operation_id="batches.roster",
    summary="获证人员名册 as JSON, or a file with ?format=csv or ?format=xlsx",
    responses={
        **file_responses("csv", "xlsx"),
        **problem_responses(401, 403, 404, 422),
    },
)
async def roster(
    session: ReadSessionDep,
    batch_id: uuid.UUID,
    principal: Principal = Depends(viewers),
    format: Annotated[
        FileFormat, Query(description="json (default), csv (UTF-8 with BOM, for spreadsheets) or xlsx.")
    ] = "json",
) -> Response:
    out = await CertificateService(session).roster(principal, batch_id)
    if format == "xlsx":
        return xlsx_response(xlsx_bytes(roster_table(out)), f"获证人员名册-{batch_id}.xlsx")
    if format == "csv":
        return Response(
            roster_csv(out.entries),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="roster-{batch_id}.csv"'},
        )
    return lookup.json_response(out.model_dump(mode="json"))


@router.get(
    "/v1/certificates/{number}",
    response_model=PublicCertificate,
    operation_id="certificates.lookup",
    summary="Public look-up by number + name or number + ID number; ID masked (CR-6)",
    responses=problem_responses(404, 422),
)
async def public_lookup(
    request: Request,
    number: NumberPath,
    name: Annotated[str | None, Query(max_length=50, description="The holder's name.")] = None,
    id_number: Annotated[str | None, Query(max_length=18, description="The holder's ID number.")] = None,
) -> Response:
    """Documents the look-up, which `lookup.LookupFastPath` answers ahead of the router; this route answers HEAD
    and what the fast path hands on, through the same `lookup.lookup_body`."""
    body = await lookup.lookup_body(lookup.pool_of(request), number, request.scope["query_string"])
    return Response(body, media_type="application/json")


@router.get(
    "/v1/certificates/{number}/record",
    response_model=CertificateRecord,
    operation_id="certificates.record",
    summary="The full record for a subsidy check (service, partner, officers)",
    responses=problem_responses(401, 403, 404, 422),
)
async def full_record(
    request: Request, number: NumberPath, principal: Principal = Depends(record_readers)
) -> Response:
    parse_number_or_422(number)
    row = await lookup.fetch_by_number(lookup.pool_of(request), number)
    if row is None:
        raise lookup.not_found()
    if principal.role is Role.DISTRICT_OFFICER:
        principal.require_district(row["number"][7:9])
    return lookup.json_response(lookup.full_record(row))


@router.get(
    "/v1/me/certificates",
    response_model=Page[PublicCertificate],
    operation_id="certificates.mine",
    summary="The calling citizen's own certificates, newest first (subject = ID number)",
    responses=problem_responses(401, 403, 422),
)
async def my_certificates(
    request: Request, page: PageDep, principal: Principal = Depends(citizens)
) -> Response:
    items, total = await lookup.holder_certificates(
        lookup.pool_of(request), principal.sub.upper(), offset=page.offset, limit=page.limit
    )
    return lookup.json_response(
        {"items": items, "page": page.page, "page_size": page.page_size, "total": total}
    )


@router.post(
    "/v1/certificates/{number}/revocation",
    response_model=CertificateRecord,
    operation_id="certificates.revoke",
    summary="Revoke with a reason (issuing body's admin or an officer); never deletes (CR-7)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def revoke(
    session: SessionDep,
    idem: RequiredIdempotencyDep,
    number: NumberPath,
    payload: RevocationIn,
    today: TodayDep,
    principal: Principal = Depends(revokers),
) -> Response:
    return await idem.run(lambda: CertificateService(session).revoke(principal, number, payload, today))
