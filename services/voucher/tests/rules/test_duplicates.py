"""Issue 20 item 4: a repeated row in a bulk input is refused with both rows named (pure part)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skills_shared.refusals import Refusal
from voucher.duplicates import find_repeats, refuse_repeats


@pytest.mark.parametrize(
    ("rows", "pairs"),
    [
        ([], []),
        (["a"], []),
        (["a", "b", "c"], []),
        (["a", "a"], [(0, 1)]),
        (["a", "b", "a", "b", "a"], [(0, 2), (1, 3), (0, 4)]),
    ],
)
def test_find_repeats_names_the_earlier_and_the_later_row(
    rows: list[str], pairs: list[tuple[int, int]]
) -> None:
    assert find_repeats(rows, lambda r: r) == pairs


def test_refusal_points_at_the_later_row_and_names_both() -> None:
    rows = [{"id": "x"}, {"id": "y"}, {"id": "x"}]
    with pytest.raises(Refusal) as err:
        refuse_repeats(
            rows, lambda r: r["id"], field="holders", member="id_number", what_zh="身份证号", list_zh="名单"
        )
    refusal = err.value
    assert (refusal.status, refusal.code, refusal.rule) == (422, "duplicate_rows", None)
    assert [e.loc for e in refusal.errors] == [["body", "holders", 2, "id_number"]]
    assert "第3项与第1项" in refusal.errors[0].msg and "第3项与第1项" in refusal.detail
    assert refusal.extra["duplicates"] == [{"rows": [0, 2], "field": "holders", "member": "id_number"}]


@given(st.lists(st.integers(min_value=0, max_value=20), max_size=40))
def test_refused_exactly_when_a_key_repeats(rows: list[int]) -> None:
    if len(set(rows)) == len(rows):
        refuse_repeats(rows, lambda r: r, field="ids", member=None, what_zh="编号", list_zh="列表")
        return
    with pytest.raises(Refusal) as err:
        refuse_repeats(rows, lambda r: r, field="ids", member=None, what_zh="编号", list_zh="列表")
    named = {tuple(d["rows"]) for d in err.value.extra["duplicates"]}
    assert len(named) == len(rows) - len(set(rows))
    for earlier, later in named:
        assert earlier < later and rows[earlier] == rows[later]
        assert rows.index(rows[later]) == earlier  # the earlier row named is the first with that key
