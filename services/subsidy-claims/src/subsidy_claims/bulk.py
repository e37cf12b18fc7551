"""Bulk writes refuse a repeated key in their input, naming both rows (before any SQL runs).

A table load is one upsert; two rows with one key would either make PostgreSQL refuse the whole statement ("ON
CONFLICT DO UPDATE command cannot affect row a second time", a 500) or let the later row silently win. Neither
tells the operator which rows disagree, so the load is refused with the suite's one 422 ``duplicate_rows``
(``skills_shared.duplicates``), listing every repeated row and the row it repeats.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

from skills_shared.duplicates import refuse_repeats

T = TypeVar("T")


def refuse_duplicates(
    rows: Sequence[T],
    key: Callable[[T], Hashable],
    *,
    field: str,
    what_zh: str,
    rule: str | None = None,
) -> None:
    """Raise a 422 ``duplicate_rows`` naming both rows of each repeated key; nothing otherwise.

    ``field`` is the body member holding the rows (``entries``, ``amounts``…), ``what_zh`` what the key is in
    Chinese (“职业（工种）”), so the detail reads “第3项与第1项的职业（工种）重复”.
    """
    refuse_repeats(rows, key, field=field, member=None, what_zh=what_zh, list_zh="", rule=rule)
