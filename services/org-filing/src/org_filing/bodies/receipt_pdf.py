"""The filing receipt (附件3) rendered as an A4 PDF with the Song CID font, so Chinese prints without font files."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from org_filing.bodies.schemas import ReceiptOut

FONT = "STSong-Light"
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def _wrap(text: str, width_chars: int) -> list[str]:
    return [text[i : i + width_chars] for i in range(0, len(text), width_chars)] or [""]


def render_receipt(r: ReceiptOut) -> bytes:
    """One page: the 附件3 rows as a two-column table, then the department's opinion and date."""
    font = _font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(f"{r.title} {r.body_code}")
    width, height = A4
    c.setFont(font, 20)
    c.drawCentredString(width / 2, height - 30 * mm, r.title)
    rows: list[tuple[str, str]] = [
        ("单位名称", r.unit_name),
        ("机构备案编码", r.body_code),
        ("统一社会信用代码", r.credit_code),
        ("注册地址", r.registered_address),
        ("办公地址", r.office_address),
        ("法定代表人", r.legal_representative),
        ("认定职业（工种）、等级范围", "；".join(r.scope_text)),
        (
            "备案有效期",
            f"{r.valid_from.year} 年 {r.valid_from.month} 月 {r.valid_from.day} 日至 "
            f"{r.valid_to.year} 年 {r.valid_to.month} 月 {r.valid_to.day} 日",
        ),
        ("备案管理部门意见", f"{r.opinion}（{r.department}）"),
    ]
    left, label_w, right = 20 * mm, 50 * mm, width - 20 * mm
    y = height - 45 * mm
    c.setFont(font, 11)
    for label, value in rows:
        lines = _wrap(value, 30)
        h = max(len(lines), len(_wrap(label, 10))) * 6 * mm + 4 * mm
        c.rect(left, y - h, right - left, h)
        c.line(left + label_w, y, left + label_w, y - h)
        for i, part in enumerate(_wrap(label, 10)):
            c.drawString(left + 2 * mm, y - (i + 1) * 6 * mm, part)
        for i, part in enumerate(lines):
            c.drawString(left + label_w + 2 * mm, y - (i + 1) * 6 * mm, part)
        y -= h
    c.drawRightString(right, y - 12 * mm, "（盖章）")
    c.drawRightString(
        right, y - 20 * mm, f"{r.issued_on.year} 年 {r.issued_on.month} 月 {r.issued_on.day} 日"
    )
    c.showPage()
    c.save()
    return buf.getvalue()
