"""Figures with their targets, printed as they arrive and written as JSON, a Markdown table and a PNG chart.

Every figure carries its own verdict so the outputs never disagree with the console; a measurement that could
not run is still a row ("not measured: <reason>"), so a partial suite yields a complete, honest table.
"""

from __future__ import annotations

import json
import operator
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}
SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}


@dataclass
class Figure:
    """One reported number: the headline ``value`` (a ratio where one applies) and its absolute context."""

    key: str
    section: str
    label: str
    value: float | None = None
    unit: str = ""
    op: str | None = None
    threshold: float | None = None
    absolute: str = ""
    note: str = ""
    not_measured: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def target(self) -> str:
        if self.op is None or self.threshold is None:
            return "—"
        return f"{SYMBOLS[self.op]} {fmt(self.threshold)}{(' ' + self.unit) if self.unit else ''}"

    @property
    def status(self) -> str:
        if self.not_measured is not None:
            return "not measured"
        if self.op is None or self.threshold is None or self.value is None:
            return "info"
        return "met" if OPS[self.op](self.value, self.threshold) else "missed"

    @property
    def shown_value(self) -> str:
        if self.not_measured is not None:
            return f"not measured: {self.not_measured}"
        if self.value is None:
            return "—"
        return f"{fmt(self.value)}{(' ' + self.unit) if self.unit else ''}"

    def headroom(self) -> float | None:
        """How far past the target (> 1 met, < 1 missed), for the chart; None when there is no target."""
        if self.status not in {"met", "missed"} or self.value is None or self.threshold is None:
            return None
        if self.op in {">=", ">"}:
            return self.value / self.threshold if self.threshold else None
        if self.op in {"<=", "<"}:
            if self.value <= 0:
                return 10.0
            return self.threshold / self.value
        # "== 0" targets (duplicates, gaps): met is shown as 2× and missed as 0.5× so they stay visible.
        return 2.0 if self.status == "met" else 0.5


def fmt(x: float) -> str:
    """Readable numbers: thousands separators for big ones, three significant digits for small ones."""
    if isinstance(x, bool):
        return str(x)
    if x == 0:
        return "0"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if float(x).is_integer():
        return f"{x:.0f}"
    return f"{x:.3g}" if abs(x) < 1 else f"{x:.2f}"


class Results:
    """Collects figures in order; prints each one the moment it is known."""

    def __init__(self, meta: dict[str, Any]) -> None:
        self.meta = meta
        self.figures: list[Figure] = []
        self.started = time.monotonic()

    def add(self, figure: Figure) -> Figure:
        self.figures = [f for f in self.figures if f.key != figure.key]
        self.figures.append(figure)
        line = f"  [{figure.status:>12}] {figure.label}: {figure.shown_value}"
        if figure.target != "—" and figure.not_measured is None:
            line += f"  (target {figure.target})"
        if figure.absolute and figure.not_measured is None:
            line += f"  — {figure.absolute}"
        if figure.note:
            line += f"  [{figure.note}]"
        print(line, flush=True)
        return figure

    def missing(
        self,
        key: str,
        section: str,
        label: str,
        reason: str,
        *,
        op: str | None = None,
        threshold: float | None = None,
        unit: str = "",
    ) -> Figure:
        reason = " ".join(reason.split())[:300]
        return self.add(
            Figure(key, section, label, unit=unit, op=op, threshold=threshold, not_measured=reason)
        )

    def ordered(self) -> list[Figure]:
        """Figures by section (1. Floor … 7. Memory), in arrival order within a section."""
        return sorted(self.figures, key=lambda f: f.section.split(".", 1)[0].zfill(3))

    def get(self, key: str) -> Figure | None:
        return next((f for f in self.figures if f.key == key), None)

    # ---- outputs -------------------------------------------------------------------------------------------

    def write(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.meta["elapsed_s"] = round(time.monotonic() - self.started, 1)
        payload = {
            "meta": self.meta,
            "figures": [{**asdict(f), "target": f.target, "status": f.status} for f in self.ordered()],
        }
        (directory / "latest.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        (directory / "latest.md").write_text(self.markdown())
        try:
            self.chart(directory / "latest.png")
        except Exception as exc:  # the chart is a convenience; the table and JSON must still be written
            print(f"chart not drawn: {type(exc).__name__}: {exc}", file=sys.stderr)

    def update_readme(self, readme: Path) -> None:
        """Put the latest table into the README between its results markers, so the README never lags."""
        start, end = "<!-- results:start -->", "<!-- results:end -->"
        if not readme.exists():
            return
        text = readme.read_text()
        if start not in text or end not in text:
            return
        body = self.markdown().replace("# Bench results", "## Latest results", 1)
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        readme.write_text(f"{head}{start}\n{body}\n{end}{tail}")

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for f in self.figures:
            counts[f.status] = counts.get(f.status, 0) + 1
        return ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))

    def markdown(self) -> str:
        m = self.meta
        lines = [
            "# Bench results",
            "",
            f"Run {m.get('finished_at', '')} on {m.get('machine', '')}; mode: {m.get('mode', '')}; "
            f"{m.get('elapsed_s', '')} s in all. Load tool: {m.get('load_tool', '')}.",
            "",
            f"Load average of the machine (1/5/15 min) at start {m.get('load_average_at_start')}, at end "
            f"{m.get('load_average_at_end')}: on 2 cores anything above 2 means other work competed with the bench.",
            "",
            "| # | figure | value | target | status | absolute numbers |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for f in self.ordered():
            section = f.section.split(".", 1)[0]
            absolute = f.absolute if f.not_measured is None else ""
            note = f" *{f.note}*" if f.note else ""
            value = f.shown_value.replace("|", "/")
            lines.append(
                f"| {section} | {f.label} | {value} | {f.target} | {f.status} | {absolute.replace('|', '/')}{note} |"
            )
        lines += ["", "Summary: " + self.summary(), ""]
        notes = m.get("notes") or []
        if notes:
            lines += ["Notes:", ""] + [f"- {n}" for n in notes] + [""]
        return "\n".join(lines)

    def chart(self, path: Path) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        lookups = [
            (label, self.get(key))
            for label, key in (
                ("floor: Starlette+asyncpg", "floor.http"),
                ("registry direct", "registry.lookup.direct"),
                ("via gateway", "registry.lookup.gateway"),
            )
        ]
        bars = [
            (label, f.data.get("rps", 0.0)) for label, f in lookups if f is not None and f.data.get("rps")
        ]
        scored = [(f.label, f.headroom(), f.status) for f in self.ordered() if f.headroom() is not None]

        fig, axes = plt.subplots(
            1, 2, figsize=(15, max(4.5, 0.42 * len(scored) + 1.5)), gridspec_kw={"width_ratios": [1, 1.5]}
        )
        left, right = axes
        if bars:
            floor = self.get("floor.http")
            floor_rps = floor.data.get("rps") if floor is not None else None
            names = [b[0] for b in bars]
            values = [b[1] for b in bars]
            left.barh(names, values, color=["#777777"] + ["#3a76af"] * (len(values) - 1))
            for i, v in enumerate(values):
                left.text(v, i, f" {v:,.0f}", va="center", fontsize=9)
            if floor_rps:
                for share, style in ((0.65, "--"), (0.45, ":")):
                    left.axvline(floor_rps * share, color="#aa3333", linestyle=style, linewidth=1)
                    left.text(
                        floor_rps * share,
                        -0.45,
                        f" {share}× floor",
                        color="#aa3333",
                        fontsize=8,
                        rotation=90,
                        va="top",
                    )
            pg = self.get("floor.pgbench")
            if pg is not None and pg.data.get("tps"):
                left.set_title(
                    f"Look-up req/s, wrk {self.meta.get('connections', '')} conns\n"
                    f"(pgbench -S: {pg.data['tps']:,.0f} tps)",
                    fontsize=10,
                )
            else:
                left.set_title("Look-up req/s (wrk)", fontsize=10)
            left.invert_yaxis()
        else:
            left.text(0.5, 0.5, "look-ups not measured", ha="center", va="center")
            left.set_axis_off()
        if scored:
            labels = [s[0] for s in scored]
            values = [max(0.01, min(100.0, float(s[1] or 0))) for s in scored]
            colours = ["#3c9a4a" if s[2] == "met" else "#c0392b" for s in scored]
            right.barh(labels, values, color=colours)
            shown = [f.shown_value for f in self.ordered() if f.headroom() is not None]
            for i, (v, text) in enumerate(zip(values, shown, strict=True)):
                right.text(v, i, f" {text}", va="center", fontsize=7)
            right.axvline(1.0, color="black", linewidth=1)
            right.set_xscale("log")
            from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

            ticks = [
                t
                for t in (0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100)
                if min(values) / 3 <= t <= max(values) * 3
            ]
            right.xaxis.set_major_locator(FixedLocator(ticks))
            right.set_xticklabels([f"{t:g}×" for t in ticks])
            right.xaxis.set_minor_locator(NullLocator())
            right.xaxis.set_minor_formatter(NullFormatter())
            right.set_title("Each figure against its target (> 1 = met; log scale)", fontsize=10)
            right.invert_yaxis()
            right.tick_params(axis="y", labelsize=8)
        else:
            right.text(0.5, 0.5, "no figure with a target yet", ha="center", va="center")
            right.set_axis_off()
        unmeasured = [f.label for f in self.figures if f.status == "not measured"]
        if unmeasured:
            text = "not measured (see latest.md for why): " + "; ".join(unmeasured)
            fig.text(0.01, 0.005, text[:260], fontsize=7, color="#666666", va="bottom")
        fig.suptitle(
            f"make bench — {self.meta.get('finished_at', '')} — {self.meta.get('mode', '')}", fontsize=11
        )
        fig.tight_layout(rect=(0, 0.03, 1, 1))
        fig.savefig(path, dpi=110)
        plt.close(fig)


def machine() -> str:
    import os

    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
