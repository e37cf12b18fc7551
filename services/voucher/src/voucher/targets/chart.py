"""PNG chart of the targets dashboard (V-8), in Chinese: use against target per district, by district name, and the
city's issued and used totals against the year's goals.

The face is LXGW WenKai (``skills_shared.fonts``), the same open 楷体 the certificates print in. Legends sit outside
the plotting area and every value label has room inside its axes, so nothing is hidden or cut off. The figure is
built by `build_figure` (a test reads its texts before rendering) with matplotlib's object API: no pyplot state,
so concurrent renders in the thread pool do not share a figure.
"""

from __future__ import annotations

import io
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from skills_shared.fonts import cjk_font_path
from voucher.targets.rules import Dashboard

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TITLE = "{year}年度职业培训券使用目标完成情况"
DISTRICT_TITLE = "各区县使用情况（对照市下达的使用目标）"
CITY_TITLE = "全市发放与使用（对照全年目标）"
SERIES = {"target": "使用目标", "used": "已使用", "claimed": "已领取"}
CITY_SERIES = {"goal": "全年目标", "actual": "实际完成"}
CITY_ROWS = ("发放", "使用")
COUNT_AXIS = "张数"


def _font_name() -> str:
    """Register the CJK face with matplotlib once per process and return its family name.

    matplotlib is imported here, on the first chart, not at start-up: it alone is some 60 MB of resident memory
    that a voucher process serving scans never needs.
    """
    from matplotlib import font_manager

    path = str(cjk_font_path())
    if path not in {f.fname for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(path)
    name: str = font_manager.FontProperties(fname=path).get_name()
    return name


def _thousands(value: float, _position: object = None) -> str:
    return f"{int(value):,}"


def chinese_text() -> AbstractContextManager[None]:
    """matplotlib settings under which every text of the chart, ticks included, is set in the CJK face."""
    from matplotlib import rc_context

    return rc_context({"font.family": _font_name(), "axes.unicode_minus": False})


def build_figure(dash: Dashboard, year: int) -> Figure:
    """The whole chart as a matplotlib figure, not yet rendered."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    rows = dash.districts
    height = 3.2 + 0.28 * max(len(rows), 1) + 2.4
    with chinese_text():
        fig = Figure(figsize=(11, height), layout="constrained")
        ax, ax_city = fig.subplots(2, 1, gridspec_kw={"height_ratios": [max(len(rows), 1) * 0.28 + 1.2, 1.9]})
        fig.suptitle(TITLE.format(year=year), fontsize=16)

        names = [d.name for d in rows]
        y = list(range(len(rows)))
        ax.barh(y, [d.target_used for d in rows], height=0.8, color="#c8d6e5", label=SERIES["target"])
        ax.barh(y, [d.used for d in rows], height=0.45, color="#2e86de", label=SERIES["used"])
        ax.plot([d.claimed for d in rows], y, "o", color="#ee5253", markersize=4, label=SERIES["claimed"])
        ax.set_yticks(y, names, fontsize=10)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_title(DISTRICT_TITLE, fontsize=12)
        ax.set_xlabel(COUNT_AXIS)
        ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
        widest = max([d.target_used for d in rows] + [d.used for d in rows] + [d.claimed for d in rows] + [1])
        ax.set_xlim(0, widest * 1.25)
        for i, d in enumerate(rows):
            ax.text(
                max(d.target_used, d.used, d.claimed) + widest * 0.01,
                i,
                f"完成{d.used_percent:g}%",
                va="center",
                fontsize=8,
            )
        ax.legend(
            loc="lower center", bbox_to_anchor=(0.5, 1.02 + 0.6 / (len(rows) + 4)), ncols=3, frameon=False
        )

        goals = [dash.issue_goal, dash.use_goal]
        actual = [dash.issued, dash.used]
        ax_city.barh(CITY_ROWS, goals, color="#c8d6e5", height=0.7, label=CITY_SERIES["goal"])
        ax_city.barh(CITY_ROWS, actual, color="#10ac84", height=0.4, label=CITY_SERIES["actual"])
        ax_city.invert_yaxis()
        longest = max(*goals, *actual, 1)
        ax_city.set_xlim(0, longest * 1.45)
        for i, (a, g) in enumerate(zip(actual, goals, strict=True)):
            share = f"{100 * a / g:.1f}%" if g else "—"
            ax_city.text(max(a, g) + longest * 0.02, i, f"{a:,} / {g:,}（{share}）", va="center", fontsize=10)
        ax_city.set_title(CITY_TITLE, fontsize=12)
        ax_city.set_xlabel(COUNT_AXIS)
        ax_city.xaxis.set_major_formatter(FuncFormatter(_thousands))
        ax_city.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncols=2, frameon=False)
    return fig


def render_png(dash: Dashboard, year: int) -> bytes:
    """The chart as PNG bytes."""
    buf = io.BytesIO()
    with chinese_text():
        build_figure(dash, year).savefig(buf, format="png", dpi=90)
    return buf.getvalue()
