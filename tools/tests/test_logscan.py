"""The CI log scan finds real ID numbers and mobile numbers, and nothing else."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from skills_shared.logging import mask_text
from skills_shared.validators import make_resident_id
from skills_tools.logscan import findings, main

ID = make_resident_id("500104", date(1995, 3, 15), 679)


def test_a_full_id_number_and_a_mobile_are_found() -> None:
    lines = [f"GET /v1/certificates/X?id_number={ID}", "call 13812345678 now", "ok"]
    assert [n for n, _ in findings(lines)] == [1, 2]


def test_masked_values_serials_and_timestamps_pass() -> None:
    lines = [
        mask_text(f"id_number={ID} phone 13812345678"),
        "Y500104202600123456789",  # a certificate number: letter + 21 digits
        "1733568000123456789",  # 19 digits, not an ID
        "500104199503156790",  # 18 digits with a wrong check digit
        "order 113812345678 and 23812345678",
        '"request_id": "1330e53f8a2d4a2ea14708662862"',  # hex ids hold digit runs
    ]
    assert findings(lines) == []


def test_the_command_exits_1_on_a_finding(tmp_path: Path) -> None:
    (tmp_path / "clean.log").write_text("all good\n", "utf-8")
    assert main([str(tmp_path)]) == 0
    (tmp_path / "leak.log").write_text(f"holder {ID}\n", "utf-8")
    assert main([str(tmp_path)]) == 1
