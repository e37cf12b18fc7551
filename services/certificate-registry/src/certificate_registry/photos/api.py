"""Routes of holder photos: the holder or the issuing body uploads the 2-inch photo printed on certificates."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from certificate_registry.certificates import lookup
from certificate_registry.certificates.service import parse_number_or_422
from certificate_registry.documents.api import record_for
from certificate_registry.photos import images
from certificate_registry.photos.service import photo_key, photo_of, save_photo, store_of
from skills_shared.audit import record
from skills_shared.auth import CurrentPrincipal, Principal, Role
from skills_shared.db import SessionDep
from skills_shared.problems import Problem, forbidden, problem_responses
from skills_shared.refusals import Refusal

router = APIRouter(tags=["photos"])

NumberPath = Annotated[str, Path(description="22-character certificate number (CR-1)", max_length=64)]


class PhotoIn(BaseModel):
    """The photo inside JSON, as every body the suite accepts is JSON (other types are a 415 at the door)."""

    model_config = ConfigDict(extra="forbid")

    content_base64: str = Field(
        description=f"The JPEG or PNG file, base64; at most {images.MAX_BYTES // 1_000_000} MB once decoded. "
        "The type is read from the bytes, never from a name."
    )

    def decoded(self) -> bytes:
        try:
            return base64.b64decode(self.content_base64, validate=True)
        except binascii.Error as exc:
            raise Refusal(
                images.RULE_CONTENT,
                "photo_encoding",
                "照片内容应为 base64 编码",
                field=("body", "content_base64"),
            ) from exc


async def _store(
    request: Request, session: SessionDep, principal: Principal, id_number: str, payload: PhotoIn
) -> Response:
    stored = await save_photo(store_of(request.app), id_number, payload.decoded())
    await record(
        session,
        actor=principal,
        action="holder_photo.replaced",
        entity_type="holder_photo",
        entity_id=photo_key(id_number),
        after={"sha256": hashlib.sha256(stored).hexdigest(), "bytes": len(stored)},
    )
    return Response(status_code=204)


@router.put(
    "/v1/me/photo",
    status_code=204,
    summary="The citizen's own 2-inch photo (JPEG/PNG), printed on each of their certificates (CR-5)",
    responses=problem_responses(401, 403, 413, 422),
)
async def put_my_photo(
    request: Request, session: SessionDep, principal: CurrentPrincipal, payload: PhotoIn
) -> Response:
    if principal.role is not Role.CITIZEN:
        raise forbidden("只有持证人本人可以上传本人照片", code="forbidden_role")
    return await _store(request, session, principal, principal.sub, payload)


@router.put(
    "/v1/certificates/{number}/photo",
    status_code=204,
    summary="The holder's 2-inch photo, by the holder or by staff of the body that issued this certificate",
    responses=problem_responses(401, 403, 404, 413, 422),
)
async def put_holder_photo(
    request: Request, session: SessionDep, number: NumberPath, principal: CurrentPrincipal, payload: PhotoIn
) -> Response:
    parse_number_or_422(number)
    row = await lookup.fetch_by_number(lookup.pool_of(request), number)
    if row is None:
        raise lookup.not_found()
    if principal.role is Role.CITIZEN:
        principal.require_subject(row["id_number"])
    elif principal.role in (Role.ORG_STAFF, Role.ORG_ADMIN):
        principal.require_body(row["body_code"])
    else:
        raise forbidden("只有持证人或颁证的评价机构可以上传照片", code="forbidden_role")
    return await _store(request, session, principal, row["id_number"], payload)


@router.get(
    "/v1/certificates/{number}/photo",
    summary="The holder's photo as stored (JPEG, 413×579), to whoever may fetch the certificate's document",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}, **problem_responses(401, 403, 404, 422)},
)
async def get_holder_photo(request: Request, number: NumberPath, principal: CurrentPrincipal) -> Response:
    found: dict[str, Any] = await record_for(request, number, principal)
    photo = await photo_of(store_of(request.app), found["id_number"])
    if photo is None:
        raise Problem(404, "photo_not_found", "尚未上传持证人照片")
    return Response(photo, media_type=images.STORED_TYPE, headers={"Cache-Control": "private, no-store"})
