"""V-7: haversine distance and the check-in radius."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skills_shared.refusals import Refusal
from voucher.training.rules import (
    Site,
    check_class_dates,
    check_class_in_session,
    check_in_site,
    haversine_m,
    nearest_site,
)

JIEFANGBEI = (29.5576, 106.5770)
CHAOTIANMEN = (29.5653, 106.5878)

lat = st.floats(min_value=-89.0, max_value=89.0, allow_nan=False)
lon = st.floats(min_value=-180.0, max_value=180.0, allow_nan=False)


def test_known_distances() -> None:
    # One degree of latitude is ~111.2 km on the mean sphere.
    assert haversine_m(0, 0, 1, 0) == pytest.approx(111_195, rel=1e-3)
    # 解放碑 → 朝天门 is about 1.4 km.
    assert haversine_m(*JIEFANGBEI, *CHAOTIANMEN) == pytest.approx(1_380, rel=0.05)
    assert haversine_m(*JIEFANGBEI, *JIEFANGBEI) == 0


@given(lat, lon, lat, lon)
def test_distance_is_symmetric_and_bounded(a: float, b: float, c: float, d: float) -> None:
    ab = haversine_m(a, b, c, d)
    assert ab == pytest.approx(haversine_m(c, d, a, b), abs=1e-6)
    assert 0 <= ab <= 20_038_000


def test_nearest_site_picks_the_closest() -> None:
    sites = [Site(1, *CHAOTIANMEN), Site(2, *JIEFANGBEI)]
    match = nearest_site(29.5577, 106.5771, sites)
    assert match is not None and match.site_id == 2
    assert nearest_site(0, 0, []) is None


@pytest.mark.parametrize(
    ("radius", "ok"),
    [(10_000, True), (1_500, True), (1_300, False), (0, False)],
)
def test_check_in_radius(radius: float, ok: bool) -> None:
    sites = [Site(7, *CHAOTIANMEN)]
    if ok:
        assert check_in_site(*JIEFANGBEI, sites, radius).site_id == 7
    else:
        with pytest.raises(Refusal) as err:
            check_in_site(*JIEFANGBEI, sites, radius)
        assert err.value.code == "check_in_out_of_range" and err.value.rule == "V-7"


def test_check_in_at_any_of_several_sites() -> None:
    sites = [Site(1, 30.0, 107.0), Site(2, *JIEFANGBEI)]
    assert check_in_site(JIEFANGBEI[0] + 0.001, JIEFANGBEI[1], sites, 200).site_id == 2


def test_class_without_site() -> None:
    with pytest.raises(Refusal) as err:
        check_in_site(0, 0, [], 100)
    assert err.value.code == "class_has_no_site"


@given(lat, lon, st.floats(min_value=1, max_value=5000))
def test_at_a_site_is_always_accepted(a: float, b: float, radius: float) -> None:
    assert check_in_site(a, b, [Site(1, a, b)], radius).distance_m == pytest.approx(0, abs=1e-6)


def test_session_dates() -> None:
    check_class_in_session(date(2026, 6, 1), date(2026, 6, 30), date(2026, 6, 1))
    check_class_in_session(date(2026, 6, 1), date(2026, 6, 30), date(2026, 6, 30))
    for day in (date(2026, 5, 31), date(2026, 7, 1)):
        with pytest.raises(Refusal):
            check_class_in_session(date(2026, 6, 1), date(2026, 6, 30), day)
    check_class_dates(date(2026, 6, 1), date(2026, 6, 1))
    with pytest.raises(Refusal):
        check_class_dates(date(2026, 6, 2), date(2026, 6, 1))
