"""Deprecated: the registry takes the business date from ``skills_shared.clock`` (``TodayDep``; tests pin
``app.state.clock``). ``Today`` remains only until the certificate documents' routes move to ``TodayDep``; it is
the same dependency, so one clock governs every route."""

from __future__ import annotations

from skills_shared.clock import TodayDep

Today = TodayDep
