"""Partner feedback: how many reports led to a referral, per site, never a count under 5 and
never a total that gives one away."""

from __future__ import annotations

import pytest

from reporter.services.partnerships.feedback import SUPPRESS_UNDER, shown, total_shown


@pytest.mark.parametrize(("count", "expected"), [(0, None), (1, None), (4, None), (5, 5), (12, 12)])
def test_a_count_under_five_is_never_shown(count, expected):
    assert SUPPRESS_UNDER == 5
    assert shown(count) == expected


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([7, 6], 13),  # nothing suppressed
        ([7, 3], None),  # 10 less 7 would give away the 3
        ([7, 0], None),  # and a 0 too
        ([3, 4], 7),  # two suppressed: only their sum, 7, which is shown
        ([2, 1], None),  # under 5 in all
        ([8, 2, 1], 11),  # two suppressed: 11 less 8 is their sum, not either
    ],
)
def test_a_partners_total_never_gives_a_suppressed_site_away(parts, expected):
    assert total_shown(parts) == expected
