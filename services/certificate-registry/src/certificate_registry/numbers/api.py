"""``GET /v1/certificate-numbers/{number}``: what each part of a certificate number means (CR-1), for anyone.

It says nothing about whether a certificate with that number exists (that is the CR-6 look-up, which needs the
holder's name or ID number); it only reads the number. A malformed number gets the one CR-1 refusal
(``invalid_certificate_number``) listing every fault with its position.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from certificate_registry.certificates.lookup import invalid_number
from skills_shared import certnumber
from skills_shared.contracts.v1.registry import CertificateNumberParts
from skills_shared.problems import problem_responses

router = APIRouter(tags=["certificate numbers"])


@router.get(
    "/v1/certificate-numbers/{number}",
    response_model=CertificateNumberParts,
    operation_id="numbers.decode",
    summary="Decode a certificate number part by part (public; CR-1)",
    responses=problem_responses(422),
)
async def decode_number(
    number: Annotated[str, Path(description="22-character certificate number, e.g. S000050070012253000123.")],
) -> CertificateNumberParts:
    faults = certnumber.validate(number)
    if faults:
        raise invalid_number(number, faults)
    return CertificateNumberParts.model_validate(certnumber.parts(number))
