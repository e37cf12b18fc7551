"""The certificate PDF laid out per CR-5 (seed 001 附件4): A4 landscape, a 188×269 mm border at 2.25 pt,
title 30 pt, body 16 pt, query address 14 pt, a 2-inch photo frame and a 30×30 mm QR code.

Chinese text uses reportlab's built-in CID font STSong-Light, so no font file has to ship with the service;
the layout asks for 华文楷体, which is not freely redistributable (Decision, see README).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.graphics import renderPDF
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from certificate_registry.documents.qr_drawing import qr_drawing

RULE_LAYOUT = "CR-5"
FONT = "STSong-Light"
PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
BORDER_WIDTH_MM = 269
BORDER_HEIGHT_MM = 188
BORDER_LINE_PT = 2.25
TITLE_PT = 30
BODY_PT = 16
ADDRESS_PT = 14
QR_SIZE_MM = 30
PHOTO_WIDTH_MM = 35
PHOTO_HEIGHT_MM = 49
NO_WORK_TYPE = "——"
LEVEL_NAMES = {1: "一级/高级技师", 2: "二级/技师", 3: "三级/高级工", 4: "四级/中级工", 5: "五级/初级工"}

_registered = False


def _register_font() -> None:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True


@dataclass(frozen=True, slots=True)
class CertificateSheet:
    """Everything CR-5 prints on a certificate."""

    number: str
    holder_name: str
    id_number: str
    occupation_name: str
    work_type: str | None
    level: int
    issue_date: date
    body_name: str
    query_address: str
    verify_url: str
    revoked: bool = False


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def render_pdf(sheet: CertificateSheet) -> bytes:
    """One A4 landscape page; the left half carries title, text and address, the right half photo, QR, facts."""
    _register_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=True)
    canvas.setTitle(f"职业技能等级证书 {sheet.number}")
    left = (PAGE_WIDTH - BORDER_WIDTH_MM * mm) / 2
    bottom = (PAGE_HEIGHT - BORDER_HEIGHT_MM * mm) / 2
    canvas.setLineWidth(BORDER_LINE_PT)
    canvas.rect(left, bottom, BORDER_WIDTH_MM * mm, BORDER_HEIGHT_MM * mm)
    half = BORDER_WIDTH_MM * mm / 2
    left_centre = left + half / 2
    right_x = left + half + 20 * mm
    top = bottom + BORDER_HEIGHT_MM * mm

    canvas.setFont(FONT, TITLE_PT)
    canvas.drawCentredString(left_centre, top - 45 * mm, "职业技能等级证书")
    canvas.setFont(FONT, BODY_PT)
    work_type = sheet.work_type or NO_WORK_TYPE
    lines = [
        f"{sheet.holder_name}同志：",
        f"经评价，你已达到{sheet.occupation_name}（{work_type}）",
        f"{LEVEL_NAMES[sheet.level]}职业技能等级要求，",
        "特发此证。",
    ]
    y = top - 75 * mm
    for line in lines:
        canvas.drawString(left + 20 * mm, y, line)
        y -= BODY_PT * 1.6
    canvas.drawString(left + 20 * mm, bottom + 40 * mm, sheet.body_name)
    canvas.drawString(left + 20 * mm, bottom + 40 * mm - BODY_PT * 1.6, _chinese_date(sheet.issue_date))
    canvas.setFont(FONT, ADDRESS_PT)
    canvas.drawString(left + 20 * mm, bottom + 12 * mm, f"查询网址：{sheet.query_address}")

    photo_y = top - 20 * mm - PHOTO_HEIGHT_MM * mm
    canvas.setLineWidth(0.5)
    canvas.rect(right_x, photo_y, PHOTO_WIDTH_MM * mm, PHOTO_HEIGHT_MM * mm)
    canvas.setFont(FONT, 10)
    canvas.drawCentredString(right_x + PHOTO_WIDTH_MM * mm / 2, photo_y + PHOTO_HEIGHT_MM * mm / 2, "照片")
    qr_x = left + BORDER_WIDTH_MM * mm - 20 * mm - QR_SIZE_MM * mm
    renderPDF.draw(qr_drawing(sheet.verify_url, QR_SIZE_MM * mm), canvas, qr_x, photo_y)

    facts = [
        ("姓名", sheet.holder_name),
        ("证件号码", sheet.id_number),
        ("职业名称", sheet.occupation_name),
        ("工种", work_type),
        ("职业技能等级", LEVEL_NAMES[sheet.level]),
        ("证书编号", sheet.number),
        ("发证日期", _chinese_date(sheet.issue_date)),
        ("评价机构", sheet.body_name),
    ]
    canvas.setFont(FONT, BODY_PT)
    y = photo_y - 14 * mm
    for label, value in facts:
        canvas.drawString(right_x, y, f"{label}：{value}")
        y -= BODY_PT * 1.5
    if sheet.revoked:
        canvas.setFont(FONT, TITLE_PT)
        canvas.setFillColorRGB(0.8, 0, 0)
        canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT / 2, "已撤销")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
