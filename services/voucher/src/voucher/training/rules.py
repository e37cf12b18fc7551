"""V-7: check-in at a configured training site, accepted only within a radius of one of the class's sites."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from skills_shared.refusals import Refusal

RULE_CHECK_IN = "V-7"

# Mean Earth radius (IUGG), metres. Haversine on a sphere errs by < 0.5 %, far below any sensible radius.
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True, slots=True)
class Site:
    """A training site as registered by the institution (附件2 培训机构经纬度)."""

    id: int
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class SiteMatch:
    site_id: int
    distance_m: float


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def nearest_site(latitude: float, longitude: float, sites: Sequence[Site]) -> SiteMatch | None:
    """The class site closest to the trainee, or None when the class has no site."""
    best: SiteMatch | None = None
    for site in sites:
        d = haversine_m(latitude, longitude, site.latitude, site.longitude)
        if best is None or d < best.distance_m:
            best = SiteMatch(site.id, d)
    return best


def check_in_site(latitude: float, longitude: float, sites: Sequence[Site], radius_m: float) -> SiteMatch:
    """V-7: accept a check-in only within `radius_m` of one of the class's sites; name the site used."""
    match = nearest_site(latitude, longitude, sites)
    if match is None:
        raise Refusal(
            RULE_CHECK_IN, "class_has_no_site", "该培训班未配置签到地点，无法打卡签到。", status=409
        )
    if match.distance_m > radius_m:
        raise Refusal(
            RULE_CHECK_IN,
            "check_in_out_of_range",
            f"当前位置距最近的培训地点约{round(match.distance_m)}米，超出{round(radius_m)}米签到范围。",
            field=("body", "latitude"),
        )
    return match


def check_class_in_session(starts_on: date, ends_on: date, today: date) -> None:
    """V-7: check-in is for training that is running: between the class's first and last day."""
    if today < starts_on or today > ends_on:
        raise Refusal(
            RULE_CHECK_IN,
            "class_not_in_session",
            f"该培训班的培训时间为{starts_on.isoformat()}至{ends_on.isoformat()}，今日不可签到。",
            status=409,
        )


def check_class_dates(starts_on: date, ends_on: date) -> None:
    """A class ends on or after the day it starts."""
    if ends_on < starts_on:
        raise Refusal(
            None, "class_dates_inverted", "培训结束日期不能早于开始日期。", field=("body", "ends_on")
        )
