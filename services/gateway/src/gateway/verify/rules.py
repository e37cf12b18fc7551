"""Pure rules of the public verify page: what it may show (CR-6, masked ID) and how a request is read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from skills_shared.validators import mask_resident_id

RULE_PUBLIC_QUERY = "CR-6"
NUMBER_RE = re.compile(r"^[A-Z][0-9]{21}$")
MAX_NAME = 50
MAX_TOKEN = 200
NO_WORK_TYPE = "——"

STATUS_ZH = {"valid": "有效", "revoked": "已撤销"}


class Mode(StrEnum):
    """How the visitor arrived."""

    FORM = "form"
    """Empty form, nothing asked yet."""
    BY_NAME = "by_name"
    """Number + holder name typed in."""
    BY_QR = "by_qr"
    """Number + signed token from the certificate's QR code."""
    INVALID = "invalid"
    """Something was asked, but not in a form we can answer."""


@dataclass(frozen=True, slots=True)
class Query:
    """The visitor's question, read from the query string."""

    mode: Mode
    number: str = ""
    name: str = ""
    token: str = ""
    error: str = ""


def read_query(number: str | None, name: str | None, token: str | None) -> Query:
    """Classify the request; a bad number or a missing name/token is a message on the page, not an error page."""
    number = (number or "").strip().upper()
    name = (name or "").strip()
    token = (token or "").strip()
    if not number and not name and not token:
        return Query(Mode.FORM)
    if not NUMBER_RE.match(number):
        return Query(
            Mode.INVALID, number[:40], name[:MAX_NAME], error="证书编号应为 1 位大写字母加 21 位数字"
        )
    if token:
        if len(token) > MAX_TOKEN:
            return Query(Mode.INVALID, number, error="二维码内容无效")
        return Query(Mode.BY_QR, number, token=token)
    if not name or len(name) > MAX_NAME:
        return Query(Mode.INVALID, number, name[:MAX_NAME], error="请填写持证人姓名（不超过 50 字）")
    return Query(Mode.BY_NAME, number, name=name)


CONTACT_HOTLINE = "12333"
"""人力资源社会保障服务热线, the public line of every HR-and-social-security office."""


def chinese_date(value: object) -> str:
    """ "2025-10-20" → "2025年10月20日"; anything else is shown as it came."""
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return str(value or "")
    return f"{day.year}年{day.month}月{day.day}日"


def live_status(signed: dict[str, Any]) -> dict[str, Any]:
    """The certificate's status now, as the registry answers it beside the credential."""
    return {key: signed.get(key) for key in ("status", "revoked_reason", "revoked_on")}


def public_card(document: dict[str, Any]) -> dict[str, str]:
    """What the page shows (CR-6): the ID number masked, names rather than codes, dates in Chinese, and who issued
    the certificate, who filed that body and whom to ask."""
    work_type = document.get("work_type") or NO_WORK_TYPE
    status = str(document.get("status", ""))
    body_name = str(document.get("body_name", ""))
    authority = str(document.get("filing_authority") or "人力社保部门")
    return {
        "number": str(document.get("number", "")),
        "holder_name": str(document.get("holder_name", "")),
        "id_number_masked": mask_resident_id(str(document.get("id_number", ""))),
        "occupation": str(document.get("occupation_name", "")),
        "work_type": str(work_type),
        "level": str(document.get("level_name", "")),
        "issue_date": chinese_date(document.get("issue_date", "")),
        "body_name": body_name,
        "authority": authority,
        "contact": f"如对证书信息有疑问，请联系发证的{body_name or '评价机构'}或{authority}，"
        f"也可拨打人力资源社会保障服务热线 {CONTACT_HOTLINE}。",
        "status": status,
        "status_zh": STATUS_ZH.get(status, "未知"),
        "revoked_on": chinese_date(document.get("revoked_on")) if document.get("revoked_on") else "",
        "revoked_reason": str(document.get("revoked_reason") or ""),
    }
