"""Object-level access: which officer may act for which filing place ("谁受理、谁评估", "谁备案、谁监管")."""

from __future__ import annotations

from org_filing.applications.rules import CITY_PLACE
from skills_shared.auth import Principal, Role
from skills_shared.problems import forbidden


def require_place_officer(principal: Principal, place: str) -> None:
    """The city centre acts for place 00 and oversees every district; a district officer only for their own.

    Seed 001 三(一): districts select, file and supervise bodies evaluating within the district; the city centre
    does so for city-wide bodies and supervises quality everywhere.
    """
    if principal.role == Role.CITY_OFFICER:
        return
    if principal.role == Role.DISTRICT_OFFICER and place != CITY_PLACE and principal.district == place:
        return
    raise forbidden("无权处理其他受理地的业务", code="forbidden_place")


def officer_places(principal: Principal) -> set[str] | None:
    """Places an officer may see: None for the city centre (all), their district for a district officer."""
    if principal.role == Role.CITY_OFFICER:
        return None
    if principal.role == Role.DISTRICT_OFFICER and principal.district:
        return {principal.district}
    return set()
