"""Routes of the issuer list: org-filing writes it (service role), anyone may read an issuer."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse

from certificate_registry.deps import services
from certificate_registry.issuers.schemas import IssuerRecord, IssuerSync
from certificate_registry.issuers.service import IssuerService
from skills_shared.auth import Principal
from skills_shared.db import ReadSessionDep, SessionDep
from skills_shared.problems import problem_responses

router = APIRouter(prefix="/v1/issuers", tags=["issuers"])

CodePath = Path(description="13-character body code (CR-1 positions 1–13)", max_length=40)


@router.put(
    "/{code}",
    response_model=IssuerRecord,
    operation_id="issuers.put",
    summary="Create or replace an issuer as org-filing reports it (idempotent; service role; CR-2)",
    responses={
        201: {"model": IssuerRecord, "description": "Created."},
        **problem_responses(401, 403, 409, 413, 422),
    },
)
async def put_issuer(
    session: SessionDep,
    payload: IssuerSync,
    code: str = CodePath,
    principal: Principal = Depends(services),
) -> JSONResponse:
    result = await IssuerService(session).upsert(principal, code, payload)
    return JSONResponse(result.issuer.model_dump(mode="json"), status_code=201 if result.created else 200)


@router.get(
    "/{code}",
    response_model=IssuerRecord,
    operation_id="issuers.get",
    summary="One issuer, also when retired (CR-2: kept for look-up and tracing)",
    responses=problem_responses(404, 422),
)
async def get_issuer(session: ReadSessionDep, code: str = CodePath) -> IssuerRecord:
    return await IssuerService(session).get(code)
