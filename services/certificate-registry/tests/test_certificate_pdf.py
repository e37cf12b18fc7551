"""The CR-5 certificate PDF as a reader gets it: every glyph read back with pdfplumber must sit inside its column,
inside the border, clear of the photo and the QR code and of every other glyph, in the embedded CJK face."""

from __future__ import annotations

import io
import itertools
import re
from datetime import date

import pdfplumber
import pytest
from PIL import Image

from certificate_registry.documents import pdf as layout_pdf
from certificate_registry.documents.pdf import CertificateSheet, render_pdf
from certificate_registry.photos.images import normalise

LONG_BODY = "重庆市渝北区两江新区智能制造产业职业技能等级评价服务中心有限公司"
LONG_OCCUPATION = "工业机器人系统运维员（智能制造装备与产线集成方向）"
LONG_WORK_TYPE = "工业机器人装调与系统集成维护运行及智能产线数字化运维"
LONG_NAME = "阿卜杜热合曼·艾则孜·买买提依明"
EPS = 0.5
"""Half a point of tolerance for glyph boxes read back from the file."""


def _photo() -> bytes:
    image = Image.new("RGB", (600, 800), (200, 220, 255))
    for x in range(200, 400):
        for y in range(150, 450):
            image.putpixel((x, y), (120, 80, 60))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return normalise(out.getvalue())


def sheet(*, work_type: str | None, photo: bool, revoked: bool = False) -> CertificateSheet:
    return CertificateSheet(
        number="S000050110001263000123",
        holder_name=LONG_NAME,
        id_number="65010219900307123X",
        occupation_name=LONG_OCCUPATION,
        work_type=work_type,
        level=1,
        issue_date=date(2026, 12, 28),
        body_name=LONG_BODY,
        query_address="https://zhengshu.rlsbj.cq.gov.cn/verify",
        verify_url="https://zhengshu.rlsbj.cq.gov.cn/verify?n=S000050110001263000123&t=" + "A" * 86,
        revoked=revoked,
        photo_jpeg=_photo() if photo else None,
        authority="重庆市渝北区人力社保部门",
    )


def _boxes(page: pdfplumber.page.Page) -> list[dict[str, float | str]]:
    """Glyph boxes in PDF points with the origin bottom-left (as the layout is written)."""
    height = float(page.height)
    return [
        {"text": c["text"], "x0": c["x0"], "x1": c["x1"], "y0": height - c["bottom"], "y1": height - c["top"]}
        | {"font": c["fontname"]}
        for c in page.chars
        if c["text"].strip()
    ]


def _inside(box: dict[str, float | str], area: layout_pdf.Box) -> bool:
    return (
        float(box["x0"]) >= area.x0 - EPS
        and float(box["x1"]) <= area.x1 + EPS
        and float(box["y0"]) >= area.y0 - EPS
        and float(box["y1"]) <= area.y1 + EPS
    )


def _hits(box: dict[str, float | str], area: layout_pdf.Box) -> bool:
    return (
        min(float(box["x1"]), area.x1) - max(float(box["x0"]), area.x0) > EPS
        and min(float(box["y1"]), area.y1) - max(float(box["y0"]), area.y0) > EPS
    )


def _glyphs_overlap(a: dict[str, float | str], b: dict[str, float | str]) -> bool:
    # pdfplumber's glyph boxes span the font's full ascent to descent; lines set at 1.3× touch by design.
    return (
        min(float(a["x1"]), float(b["x1"])) - max(float(a["x0"]), float(b["x0"])) > 1.0
        and min(float(a["y1"]), float(b["y1"])) - max(float(a["y0"]), float(b["y0"])) > 3.0
    )


CASES = {
    "long texts with 工种 and photo": {"work_type": LONG_WORK_TYPE, "photo": True},
    "long texts without 工种 or photo": {"work_type": None, "photo": False},
    "revoked": {"work_type": "维修电工", "photo": True, "revoked": True},
}


@pytest.mark.parametrize("case", CASES)
def test_every_text_stays_in_its_column_and_nothing_overlaps(case: str) -> None:
    given = sheet(**CASES[case])  # type: ignore[arg-type]
    assert len(LONG_BODY) >= 27
    data = render_pdf(given)
    with pdfplumber.open(io.BytesIO(data)) as document:
        assert len(document.pages) == 1
        page = document.pages[0]
        assert (round(page.width), round(page.height)) == (842, 595), "A4 landscape"
        boxes = _boxes(page)
        inner = layout_pdf.Box(
            layout_pdf.BORDER.x0 + layout_pdf.BORDER_LINE_PT,
            layout_pdf.BORDER.y0 + layout_pdf.BORDER_LINE_PT,
            layout_pdf.BORDER.x1 - layout_pdf.BORDER_LINE_PT,
            layout_pdf.BORDER.y1 - layout_pdf.BORDER_LINE_PT,
        )
        for box in boxes:
            assert _inside(box, inner), f"{box['text']} crosses the border"
            column = layout_pdf.LEFT_COLUMN if float(box["x0"]) < layout_pdf.FOLD else layout_pdf.RIGHT_COLUMN
            assert _inside(box, column), f"{box['text']} at {box['x0']:.1f}–{box['x1']:.1f} leaves its column"
            if given.photo_jpeg is not None:
                assert not _hits(box, layout_pdf.PHOTO), f"{box['text']} is printed over the photo"
            assert not _hits(box, layout_pdf.QR), f"{box['text']} is printed over the QR code"
        for a, b in itertools.combinations(boxes, 2):
            assert not _glyphs_overlap(a, b), f"{a['text']} and {b['text']} overlap"

        def read(column: layout_pdf.Box) -> str:
            area = (
                column.x0 - EPS,
                page.height - column.y1 - EPS,
                column.x1 + EPS,
                page.height - column.y0 + EPS,
            )
            return re.sub(r"\s+", "", page.crop(area).extract_text())

        left, right = read(layout_pdf.LEFT_COLUMN), read(layout_pdf.RIGHT_COLUMN)
        assert LONG_BODY in left, "the issuing body's name under its seal area"
        text = left + right
        for expected in (
            LONG_BODY,
            LONG_NAME,
            given.number,
            given.id_number,
            "一级/高级技师",
            "2026年12月28日",
        ):
            assert expected in right, f"{expected} is not printed whole"
        assert f"工种：{given.work_type or '——'}" in right
        assert "职业技能等级证书" in text and "评价机构（印章）" in text and "证书查询网址" in text
        assert ("本证书已撤销" in text) is given.revoked
        assert len(page.images) == (1 if given.photo_jpeg is not None else 0)
        assert not re.search(r"[A-Za-z]{3,}", re.sub(r"https://\S+?verify", "", text)), "no English words"

        fonts = {str(box["font"]) for box in boxes}
        assert fonts and all(re.fullmatch(r"[A-Z]{6}\+LXGWWenKai(-Regular)?", f) for f in fonts), fonts
        meta = document.metadata
        assert meta["Title"] == f"职业技能等级证书（{given.number}）"
        assert meta["Author"] == LONG_BODY
        assert LONG_NAME in meta["Subject"] and "重庆市渝北区人力社保部门" in meta["Subject"]
        assert meta["Creator"] == "职业技能等级认定管理系统"
    assert b"/FontFile2" in data, "the face itself is embedded"
    assert len(data) < 400_000, "a subset, not the 15 MB face"


def test_missing_work_type_prints_the_dash_of_the_layout() -> None:
    rows = dict(layout_pdf.particulars(sheet(work_type=None, photo=False)))
    assert rows["工种"] == "——"


def test_a_missing_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from skills_shared.fonts import CjkFontMissing, cjk_font_path

    monkeypatch.setenv("SKILLS_CJK_FONT", "/nonexistent/font.ttf")
    with pytest.raises(CjkFontMissing, match="apt-get install fonts-lxgw-wenkai"):
        cjk_font_path()


def test_wrapping_keeps_runs_whole_and_leaves_no_orphan() -> None:
    from certificate_registry.documents import layout

    def width(text: str, size: float) -> float:
        return len(text) * size

    assert layout.wrap("阿卜杜热合曼艾则孜买买提依明", 13 * 10, 10, width) == [
        "阿卜杜热合曼艾则孜买买提",
        "依明",
    ]
    assert layout.wrap("职业技能，等级", 4 * 10, 10, width) == ["职业技", "能，等级"], "，never opens a line"
    assert layout.wrap("网址：https://a.cn/v", 5 * 10, 10, width) is None, "a web address is never split"
    fitted = layout.fit("网址：https://a.cn/v", 5 * 10, size=10, min_size=2, max_lines=2, measure=width)
    assert fitted.size < 10 and fitted.lines == ("网址：", "https://a.cn/v")
