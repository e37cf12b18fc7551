"""The certificate PDF laid out per CR-5 (seed 001 附件4).

A4 landscape with a 188×269 mm border at 2.25 pt, read as two facing pages. Left page: the title (30 pt), the
statement (16 pt), the issuing body's name and date of issue under its seal area, and the query address (14 pt).
Right page: the 2-inch photo and the 30×30 mm QR code on top, the holder's particulars (16 pt) below.

The face is LXGW WenKai (an open 楷体, see ``skills_shared.fonts``), embedded as a subset in each file, so the
certificate prints the same on any machine. Every text is fitted into its column by ``layout``: it wraps, then
shrinks, and never crosses a column, the photo, the QR code or the border.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from datetime import date
from functools import cache

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from certificate_registry.documents import layout
from certificate_registry.documents.qr_drawing import draw_qr
from skills_shared.fonts import CJK_FONT_NAME, cjk_font_path
from skills_shared.reference import SkillLevel

RULE_LAYOUT = "CR-5"
PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
BORDER_WIDTH = 269 * mm
BORDER_HEIGHT = 188 * mm
BORDER_LINE_PT = 2.25
TITLE_PT = 30
BODY_PT = 16
ADDRESS_PT = 14
MIN_PT = 10
LEADING = 1.3
"""单倍行距 of a 楷体 face: about 1.3 times the size."""
ROW_GAP = 0.35
"""Extra space between two particulars, as a fraction of the size."""
QR_SIZE = 30 * mm
PHOTO_WIDTH = 35 * mm
PHOTO_HEIGHT = 49 * mm
"""二寸 photo: 35×49 mm."""
SEAL_DIAMETER = 42 * mm
MARGIN = 16 * mm
"""Space between the border (or the fold) and a column."""
NO_WORK_TYPE = "——"
"""附件4 注3: 工种名称如无，请填写"——"."""
TITLE = "职业技能等级证书"
STATEMENT = (
    "本证书由经人力资源社会保障部门备案的评价机构颁发，表明持证人通过该机构组织的职业技能等级认定，"
    "具备该职业（工种）相应技能等级水平。"
)
CREATOR = "职业技能等级认定管理系统"


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
    photo_jpeg: bytes | None = None
    authority: str = ""
    """The HR-and-social-security office that filed the issuing body (the PDF's author alongside the body)."""


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in points, origin bottom-left."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0


BORDER = Box(
    (PAGE_WIDTH - BORDER_WIDTH) / 2,
    (PAGE_HEIGHT - BORDER_HEIGHT) / 2,
    (PAGE_WIDTH + BORDER_WIDTH) / 2,
    (PAGE_HEIGHT + BORDER_HEIGHT) / 2,
)
FOLD = PAGE_WIDTH / 2
LEFT_COLUMN = Box(BORDER.x0 + MARGIN, BORDER.y0 + 8 * mm, FOLD - MARGIN, BORDER.y1 - 14 * mm)
RIGHT_COLUMN = Box(FOLD + MARGIN, BORDER.y0 + 8 * mm, BORDER.x1 - MARGIN, BORDER.y1 - 14 * mm)
PHOTO = Box(RIGHT_COLUMN.x0, RIGHT_COLUMN.y1 - PHOTO_HEIGHT, RIGHT_COLUMN.x0 + PHOTO_WIDTH, RIGHT_COLUMN.y1)
QR = Box(RIGHT_COLUMN.x1 - QR_SIZE, RIGHT_COLUMN.y1 - QR_SIZE, RIGHT_COLUMN.x1, RIGHT_COLUMN.y1)
FACTS = Box(RIGHT_COLUMN.x0, RIGHT_COLUMN.y0, RIGHT_COLUMN.x1, PHOTO.y0 - 10 * mm)
"""The particulars: under the photo, across the right column."""
STATEMENT_BOX = Box(LEFT_COLUMN.x0, BORDER.y0 + 100 * mm, LEFT_COLUMN.x1, LEFT_COLUMN.y1 - 30 * mm)
SIGNATURE_BOX = Box(LEFT_COLUMN.x0, BORDER.y0 + 26 * mm, LEFT_COLUMN.x1, BORDER.y0 + 92 * mm)
"""The issuing body's name and the date, centred under the seal area."""
ADDRESS_BOX = Box(LEFT_COLUMN.x0, LEFT_COLUMN.y0, LEFT_COLUMN.x1, BORDER.y0 + 20 * mm)


@cache
def font_name() -> str:
    """Register the CJK face once per process (about 0.3 s); reportlab embeds only the glyphs a page uses."""
    pdfmetrics.registerFont(TTFont(CJK_FONT_NAME, str(cjk_font_path())))
    return CJK_FONT_NAME


def _measure(text: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, font_name(), size))


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def level_name(level: int) -> str:
    return SkillLevel(level).zh


def particulars(sheet: CertificateSheet) -> list[tuple[str, str]]:
    """The right page's rows in 附件4's order; a missing 工种 is "——"."""
    return [
        ("姓名", sheet.holder_name),
        ("证件号码", sheet.id_number),
        ("职业名称", sheet.occupation_name),
        ("工种", sheet.work_type or NO_WORK_TYPE),
        ("职业技能等级", level_name(sheet.level)),
        ("证书编号", sheet.number),
        ("评价机构", sheet.body_name),
        ("发证日期", chinese_date(sheet.issue_date)),
    ]


def _draw_lines(
    canvas: Canvas, fitted: layout.Fitted, box: Box, top: float, *, centred: bool = False
) -> float:
    """Draw fitted lines from `top` (first baseline one size below it); returns the y under the last line."""
    canvas.setFont(font_name(), fitted.size)
    y = top
    for line in fitted.lines:
        y -= fitted.size * LEADING
        baseline = y + fitted.size * (LEADING - 1) / 2 + fitted.size * 0.12
        if centred:
            canvas.drawCentredString((box.x0 + box.x1) / 2, baseline, line)
        else:
            canvas.drawString(box.x0, baseline, line)
    return y


def _left_page(canvas: Canvas, sheet: CertificateSheet) -> None:
    title = layout.fit(
        TITLE, LEFT_COLUMN.width, size=TITLE_PT, min_size=TITLE_PT, max_lines=1, measure=_measure
    )
    _draw_lines(canvas, title, LEFT_COLUMN, LEFT_COLUMN.y1 - 4 * mm, centred=True)
    if sheet.revoked:
        canvas.setFillColorRGB(0.75, 0, 0)
        mark = layout.fit(
            "本证书已撤销", LEFT_COLUMN.width, size=20, min_size=20, max_lines=1, measure=_measure
        )
        _draw_lines(canvas, mark, LEFT_COLUMN, LEFT_COLUMN.y1 - 20 * mm, centred=True)
        canvas.setFillColorRGB(0, 0, 0)
    statement = layout.fit(
        "　　" + STATEMENT, STATEMENT_BOX.width, size=BODY_PT, min_size=MIN_PT, max_lines=6, measure=_measure
    )
    _draw_lines(canvas, statement, STATEMENT_BOX, STATEMENT_BOX.y1)

    # The seal area: where the body's seal is stamped over its name and the date, as 附件4 shows.
    centre_x = (SIGNATURE_BOX.x0 + SIGNATURE_BOX.x1) / 2
    centre_y = (SIGNATURE_BOX.y0 + SIGNATURE_BOX.y1) / 2
    canvas.saveState()
    canvas.setStrokeColorRGB(0.8, 0.2, 0.2)
    canvas.setLineWidth(0.8)
    canvas.setDash(3, 2)
    canvas.circle(centre_x, centre_y, SEAL_DIAMETER / 2)
    canvas.restoreState()
    base, (label, body, day) = layout.fit_rows(
        ["评价机构（印章）", sheet.body_name, chinese_date(sheet.issue_date)],
        SIGNATURE_BOX.width,
        SIGNATURE_BOX.y1 - SIGNATURE_BOX.y0,
        size=BODY_PT,
        min_size=MIN_PT,
        leading=LEADING,
        gap=ROW_GAP,
        max_lines=3,
        measure=_measure,
    )
    block = sum(f.height(LEADING) for f in (label, body, day)) + 2 * ROW_GAP * base
    y = centre_y + block / 2
    for fitted in (label, body, day):
        y = _draw_lines(canvas, fitted, SIGNATURE_BOX, y, centred=True) - ROW_GAP * base

    address = layout.fit(
        f"证书查询网址：{sheet.query_address}",
        ADDRESS_BOX.width,
        size=ADDRESS_PT,
        min_size=MIN_PT,
        max_lines=2,
        measure=_measure,
    )
    _draw_lines(canvas, address, ADDRESS_BOX, ADDRESS_BOX.y0 + address.height(LEADING))


def _right_page(canvas: Canvas, sheet: CertificateSheet) -> None:
    canvas.setLineWidth(0.5)
    canvas.rect(PHOTO.x0, PHOTO.y0, PHOTO_WIDTH, PHOTO_HEIGHT)
    if sheet.photo_jpeg is not None:
        canvas.drawImage(
            ImageReader(io.BytesIO(sheet.photo_jpeg)), PHOTO.x0, PHOTO.y0, PHOTO_WIDTH, PHOTO_HEIGHT
        )
    else:
        hint = layout.fit("照片", PHOTO_WIDTH, size=12, min_size=12, max_lines=1, measure=_measure)
        _draw_lines(canvas, hint, PHOTO, (PHOTO.y0 + PHOTO.y1 + hint.height(LEADING)) / 2, centred=True)
    draw_qr(canvas, sheet.verify_url, QR.x0, QR.y0, QR_SIZE)

    rows = particulars(sheet)
    labels = [f"{label}：" for label, _ in rows]
    base, _ = layout.fit_rows(
        [v for _, v in rows],
        FACTS.width - max(_measure(lbl, BODY_PT) for lbl in labels),
        FACTS.y1 - FACTS.y0,
        size=BODY_PT,
        min_size=MIN_PT,
        leading=LEADING,
        gap=ROW_GAP,
        max_lines=3,
        measure=_measure,
    )
    # Labels at the block's size, values in the column that remains beside the widest label.
    label_width = max(_measure(lbl, base) for lbl in labels)
    values = Box(FACTS.x0 + label_width, FACTS.y0, FACTS.x1, FACTS.y1)
    y = FACTS.y1
    for label, (_, value) in zip(labels, rows, strict=True):
        fitted = layout.fit(value, values.width, size=base, min_size=MIN_PT, max_lines=3, measure=_measure)
        _draw_lines(canvas, layout.Fitted(base, (label,)), FACTS, y)
        bottom = _draw_lines(canvas, fitted, values, y - (base - fitted.size) * LEADING / 2)
        y = min(bottom, y - base * LEADING) - ROW_GAP * base


_RENDER_LOCK = threading.Lock()
"""reportlab subsets a TrueType face through one read cursor per font file: one render at a time."""


def render_pdf(sheet: CertificateSheet) -> bytes:
    """One A4 landscape page per CR-5, with the CJK face embedded and real document metadata.

    Some 0.3 s of CPU: routes call it in a worker thread (it holds a lock, so renders queue, never interleave)."""
    with _RENDER_LOCK:
        return _render(sheet)


def _render(sheet: CertificateSheet) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=True, pageCompression=1)
    canvas.setTitle(f"{TITLE}（{sheet.number}）")
    canvas.setAuthor(sheet.body_name)
    canvas.setSubject(
        f"{sheet.holder_name} {sheet.occupation_name} {level_name(sheet.level)}"
        + (f"，评价机构备案部门：{sheet.authority}" if sheet.authority else "")
    )
    canvas.setCreator(CREATOR)
    canvas.setKeywords(f"{TITLE},{sheet.number}")
    canvas.setLineWidth(BORDER_LINE_PT)
    canvas.rect(BORDER.x0, BORDER.y0, BORDER_WIDTH, BORDER_HEIGHT)
    _left_page(canvas, sheet)
    _right_page(canvas, sheet)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
