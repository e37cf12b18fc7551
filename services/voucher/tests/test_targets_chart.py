"""The targets chart (V-8) as an office reads it: Chinese throughout, districts by name, the campaign year by
default, and no label hidden under a legend or cut off at the figure's edge."""

from __future__ import annotations

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text
from PIL import Image

from skills_shared.clock import FixedClock
from skills_shared.reference import CQ_DISTRICTS, VOUCHER_DISTRICT_TARGETS
from skills_shared.testing import auth_headers
from voucher.targets.chart import build_figure, chinese_text, render_png
from voucher.targets.rules import Counts, Dashboard, build_dashboard

SHANGHAI = ZoneInfo("Asia/Shanghai")


def dashboard(*, only: str | None = None) -> Dashboard:
    targets = {
        code: (CQ_DISTRICTS[code], n) for code, n in VOUCHER_DISTRICT_TARGETS.items() if only in (None, code)
    }
    counts = {
        code: Counts(issued=n * 3 // 2 + i * 37, claimed=n + i * 11, used=(n * (i % 7 + 3)) // 8)
        for i, (code, n) in enumerate(VOUCHER_DISTRICT_TARGETS.items())
    }
    # The city's issued total close to its goal: the label that the legend used to hide.
    return build_dashboard(targets, counts, 300_000, 120_000)


def texts(fig: object) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]  # type: ignore[attr-defined]


def test_labels_are_chinese_district_names_and_nothing_is_hidden_or_cut() -> None:
    dash = dashboard()
    with chinese_text():
        fig = build_figure(dash, 2027)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
    district_axes, city_axes = fig.axes
    ticks = [t.get_text() for t in district_axes.get_yticklabels()]
    assert ticks == [CQ_DISTRICTS[code] for code in VOUCHER_DISTRICT_TARGETS], (
        "names, in 表2 order, not codes"
    )
    assert not any(re.fullmatch(r"\d{2}", t) for t in ticks)
    assert fig.get_suptitle() == "2027年度职业培训券使用目标完成情况"
    assert [t.get_text() for t in city_axes.get_yticklabels()] == ["发放", "使用"]

    all_texts = texts(fig)
    for text in all_texts:
        assert not re.search(r"[A-Za-z]", text.get_text()), f"English on the chart: {text.get_text()!r}"
        assert "LXGW WenKai" in text.get_fontname(), f"{text.get_text()!r} set in {text.get_fontname()}"

    drawn = fig.get_tightbbox(renderer)  # everything drawn, in inches
    page = fig.bbox_inches
    assert page.x0 <= drawn.x0 and drawn.x1 <= page.x1 and page.y0 <= drawn.y0 and drawn.y1 <= page.y1, (
        f"something is drawn outside the image: {drawn} vs {page}"
    )
    legends = [ax.get_legend().get_window_extent(renderer) for ax in fig.axes]
    labels = [*district_axes.texts, *city_axes.texts, *district_axes.get_yticklabels(), fig._suptitle]
    labels += [district_axes.title, city_axes.title]
    for text in labels:
        box = text.get_window_extent(renderer)
        for legend in legends:
            assert not box.overlaps(legend), f"{text.get_text()!r} lies under a legend"

    values = [t for t in city_axes.texts]
    assert [t.get_text() for t in values] == [
        f"{dash.issued:,} / 300,000（{100 * dash.issued / 300_000:.1f}%）",
        f"{dash.used:,} / 120,000（{100 * dash.used / 120_000:.1f}%）",
    ]
    city_box = city_axes.get_window_extent(renderer)
    for value in values:
        box = value.get_window_extent(renderer)
        assert city_box.x0 <= box.x0 and box.x1 <= city_box.x1, f"{value.get_text()!r} runs out of its axes"


def test_a_district_officer_gets_one_named_row_and_a_png() -> None:
    png = render_png(dashboard(only="05"), 2026)
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.width > 600
    with chinese_text():
        fig = build_figure(dashboard(only="05"), 2026)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["大渡口区"]


async def test_the_chart_and_the_dashboard_default_to_the_open_campaign_year(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    city = auth_headers("city_officer", "city-1")
    clock.at = datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)
    assert (await client.get("/v1/targets", headers=city)).json()["year"] == 2027, "V-4: December opens 2027"
    clock.at = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
    assert (await client.get("/v1/targets", headers=city)).json()["year"] == 2026
    chart = await client.get("/v1/targets/chart.png", headers=city)
    assert chart.status_code == 200 and chart.content.startswith(b"\x89PNG")
