"""The certificate check of CQ-4 / SH-2: fetch the registry's record and compare it with what was declared."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import orjson
import structlog

from skills_shared.auth import ServiceTokens
from skills_shared.clients import ServiceClient, service_path
from skills_shared.contracts.parsing import parse_contract
from skills_shared.contracts.v1.registry import CertificateRecord, CertificateStatus, ObtainedBy
from skills_shared.fastget import FastGet
from skills_shared.problems import FieldError, Problem
from skills_shared.refusals import Refusal
from subsidy_claims.policies.facts import CertificateFacts, CertificateKind, ObtainedVia

REGISTRY = "certificate-registry"
RECORD_PATH = "/v1/certificates/{number}/record"


@dataclass(frozen=True, slots=True)
class Declared:
    """The applicant's own account of the certificate, as in the draft."""

    number: str
    holder_id_number: str
    holder_name: str
    occupation_code: str
    work_type: str | None
    level: int | None
    kind: str
    issue_date: date


def _field(loc: list[str | int], msg: str, type_: str, rule: str) -> Refusal:
    return Refusal(
        rule,
        "certificate_mismatch" if type_ == "mismatch" else "certificate_invalid",
        msg,
        errors=[FieldError(loc=loc, msg=msg, type=type_)],
        title="Certificate check failed",
    )


# certificate-registry's ObtainedBy values to the policies' ObtainedVia (SH-7).
OBTAINED_VIA = {
    ObtainedBy.EVALUATION: ObtainedVia.EVALUATION,
    ObtainedBy.DIRECT_RECOGNITION: ObtainedVia.ENTERPRISE_DIRECT_RECOGNITION,
    ObtainedBy.COMPETITION: ObtainedVia.COMPETITION_PROMOTION,
}
NO_WORK_TYPE = {"", "——", "-"}


def record_to_facts(record: CertificateRecord) -> CertificateFacts:
    """The registry's record (its v1 contract, already parsed) as the policies' certificate facts.

    The registry issues 职业技能等级证书 only (``kind`` is always ``skill_level``); a 工种 printed as "——" means
    none; the province comes from the number itself (CR-1 positions 6–7).
    """
    work_type = record.work_type
    return CertificateFacts(
        number=record.number,
        holder_id_number=record.id_number,
        holder_name=record.holder_name,
        occupation_code=record.occupation_code,
        occupation_name=record.occupation_name,
        work_type=None if work_type is None or work_type.strip() in NO_WORK_TYPE else work_type,
        level=record.level,
        kind=CertificateKind(record.kind),
        issue_date=record.issue_date,
        obtained_via=OBTAINED_VIA[record.obtained_by],
        province_code=record.number[5:7],
        verified_by=REGISTRY,
    )


def compare(declared: Declared, cert: CertificateFacts, rule: str) -> None:
    """CQ-4: occupation, level, number and issue date must match the record; the holder must be the applicant."""
    if cert.holder_id_number.upper() != declared.holder_id_number.upper():
        raise _field(["body", "applicant", "id_number"], "证书持有人与申请人不一致", "mismatch", rule)
    if cert.holder_name != declared.holder_name:
        raise _field(["body", "applicant", "name"], "申请人姓名与证书记录不一致", "mismatch", rule)
    checks: list[tuple[str, object, object, str]] = [
        ("occupation_code", declared.occupation_code, cert.occupation_code, "职业编码"),
        ("work_type", declared.work_type or None, cert.work_type or None, "工种"),
        ("level", declared.level, cert.level, "技能等级"),
        ("kind", declared.kind, cert.kind.value, "证书类别"),
        ("issue_date", declared.issue_date, cert.issue_date, "发证日期"),
    ]
    for name, mine, theirs, label in checks:
        if mine != theirs:
            raise _field(["body", "certificate", name], f"{label}与证书记录不一致", "mismatch", rule)


class RegistryClient:
    """Look up a certificate record with a service token; a down registry is a 503 problem (nothing stored).

    Every claim submit makes this call, so over plain http it goes through the lean keep-alive GET
    (`skills_shared.fastget`: same timeouts, retries, breaker and 503 as the ServiceClient, about a tenth of
    httpx's CPU); a test that puts a fake registry behind an httpx transport keeps the general client.
    """

    def __init__(self, client: ServiceClient, tokens: ServiceTokens, fast: FastGet | None = None) -> None:
        self.client = client
        self.tokens = tokens
        self.fast = fast

    async def _fetch(self, number: str) -> tuple[int, bytes]:
        path = service_path(RECORD_PATH, number=number)
        if self.fast is None:
            response = await self.client.request("GET", path, token=self.tokens())
            return response.status_code, response.content
        headers = [(b"Authorization", b"Bearer " + self.tokens().encode("ascii"))]
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        if request_id:
            headers.append((b"X-Request-ID", str(request_id).encode("latin-1", "replace")))
        answer = await self.fast.get(path, tuple(headers))
        return answer.status, answer.body

    async def certificate(self, number: str, rule: str) -> CertificateFacts:
        """The registry's record of ``number`` as facts; 404 → the claim's certificate does not exist (422),
        revoked → 422, an answer off the contract → 502 naming certificate-registry, down → 503."""
        status_code, body = await self._fetch(number)
        if status_code == 404:
            raise _field(["body", "certificate", "number"], "证书不存在，请核对证书编号", "not_found", rule)
        if status_code >= 400:
            raise _unavailable("证书查询服务暂不可用，请稍后重试", f"status {status_code}")
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            data = None  # not JSON at all: off the contract like any other shape, a 502 naming the registry
        record: CertificateRecord = parse_contract(CertificateRecord, data, service=REGISTRY)
        if record.status is not CertificateStatus.VALID:
            raise _field(["body", "certificate", "number"], "证书已撤销或无效，不能申请补贴", "revoked", rule)
        return record_to_facts(record)


def _unavailable(detail: str, reason: str) -> Problem:
    """The registry could not give a usable answer: 503 naming it, so nothing is stored and the client retries."""
    return Problem(
        503,
        "service_unavailable",
        detail,
        title="Service unavailable",
        headers={"Retry-After": "5"},
        extra={"service": REGISTRY, "reason": reason},
    )
