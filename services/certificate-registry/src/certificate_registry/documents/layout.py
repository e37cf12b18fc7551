"""Fitting text into the certificate's columns (CR-5): wrap first, then shrink, never past the column's edge.

Pure functions over a width measure, so the rules can be tested without drawing. Chinese text wraps between any two
characters, except that closing punctuation never starts a line and a run of Latin letters or digits (an address,
a number) is never split: such a run shrinks instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

Measure = Callable[[str, float], float]
"""Width in points of a text at a font size."""

NO_LINE_START = frozenset("，。、；：！？）》」』”’…—·")
"""Characters that may not open a line (they stay with the character before them)."""
NO_LINE_END = frozenset("（《「『“‘")
"""Characters that may not close a line (they move down with the character after them)."""
_TOKEN = re.compile(r"[A-Za-z0-9./:\-_?=&%#@+]+|\s|.", re.DOTALL)
SIZE_STEP = 0.5


class DoesNotFit(ValueError):
    """The text cannot be set even at the smallest size allowed: the caller must give it more room."""


@dataclass(frozen=True, slots=True)
class Fitted:
    """A text set at one size over one or more lines."""

    size: float
    lines: tuple[str, ...]

    def height(self, leading: float) -> float:
        return self.size * leading * len(self.lines)


def tokens(text: str) -> list[str]:
    """Units that may not be split: one CJK character, one space, or one Latin/digit run."""
    return _TOKEN.findall(text)


def wrap(text: str, width: float, size: float, measure: Measure) -> list[str] | None:
    """Greedy line breaking at `size`; None when a single unsplittable run is wider than `width`."""
    lines: list[str] = []
    line = ""
    for token in tokens(text):
        if measure(token, size) > width:
            return None
        candidate = line + token
        if measure(candidate, size) <= width or not line:
            line = candidate
            continue
        if token in NO_LINE_START:
            # Carry the last character down with the punctuation rather than start a line with it.
            carried = line[-1] + token
            if len(line) > 1 and measure(carried, size) <= width:
                lines.append(line[:-1].rstrip())
                line = carried
                continue
        if len(line) > 1 and line[-1] in NO_LINE_END and measure(line[-1] + token, size) <= width:
            lines.append(line[:-1].rstrip())
            line = line[-1] + token
            continue
        lines.append(line.rstrip())
        line = token.lstrip()
    if line:
        lines.append(line)
    return _no_orphan(lines)


def _no_orphan(lines: list[str]) -> list[str]:
    """A last line of one character takes one more from the line above (名 alone on a line reads as a typo)."""
    if len(lines) < 2 or len(lines[-1]) != 1 or len(lines[-2]) < 3:
        return lines
    above, moved = lines[-2][:-1], lines[-2][-1]
    if moved.isascii() or moved in NO_LINE_START or above[-1] in NO_LINE_END:
        return lines
    return [*lines[:-2], above, moved + lines[-1]]


def fit(text: str, width: float, *, size: float, min_size: float, max_lines: int, measure: Measure) -> Fitted:
    """The largest size from `size` down to `min_size` at which `text` wraps into at most `max_lines` lines."""
    current = size
    while current >= min_size - 1e-9:
        lines = wrap(text, width, current, measure)
        if lines is not None and len(lines) <= max_lines:
            return Fitted(current, tuple(lines))
        current -= SIZE_STEP
    raise DoesNotFit(f"{text!r} does not fit {width:.1f} pt in {max_lines} lines at {min_size} pt")


def fit_rows(
    values: list[str],
    width: float,
    height: float,
    *,
    size: float,
    min_size: float,
    leading: float,
    gap: float,
    max_lines: int,
    measure: Measure,
) -> tuple[float, list[Fitted]]:
    """A block of rows sharing one base size, lowered until the whole block fits `height`.

    Each row may still shrink on its own below the base (a long certificate number), never below `min_size`.
    Returns the base size and each row's setting.
    """
    base = size
    while base >= min_size - 1e-9:
        rows = [
            fit(v, width, size=base, min_size=min_size, max_lines=max_lines, measure=measure) for v in values
        ]
        total = sum(max(r.height(leading), base * leading) for r in rows) + gap * base * (len(rows) - 1)
        if total <= height:
            return base, rows
        base -= SIZE_STEP
    raise DoesNotFit(f"{len(values)} rows do not fit {height:.1f} pt at {min_size} pt")
