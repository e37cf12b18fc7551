"""Voucher's bulk routes refuse repeated rows with the suite's one helper (``skills_shared.duplicates``)."""

from skills_shared.duplicates import CODE, find_repeats, refuse_repeats

__all__ = ["CODE", "find_repeats", "refuse_repeats"]
