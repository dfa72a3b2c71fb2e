"""The tally's short paths for JSON rows (issue 17) accept nothing the general path would refuse and give
the same figures: a plain area string, a row given as a dict or as an object."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.voting.rules import TallyInputError, _plain_area, parse_area, tally

AREA_TEXT = st.text(alphabet="0123456789.-+eE _１٣", max_size=14) | st.decimals(
    min_value=Decimal("-1"), max_value=Decimal("10000001"), places=4
).map(str)


@settings(max_examples=500, deadline=None)
@given(AREA_TEXT)
def test_a_plain_area_is_read_as_parse_area_reads_it(text):
    fast = _plain_area(text)
    if fast is None:
        return  # the general path decides
    slow = parse_area(text, item="x")
    assert (str(fast), fast) == (str(slow), slow)


@pytest.mark.parametrize("text", ["68.50", "0000068.5", "9999999.99", "0.0001", "1"])
def test_common_areas_take_the_short_path(text):
    assert _plain_area(text) == Decimal(text)


@pytest.mark.parametrize("text", ["0.00", "9999999.991", "10000000", "68.12345", " 68.50", "1e3", "-1"])
def test_other_areas_are_left_to_parse_area(text):
    assert _plain_area(text) is None


ROWS = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.sampled_from(["1", "2", "3", "4", "5", 6, "", None, True]),
            "area": st.sampled_from(["10.00", "0.5", Decimal("7.25"), 3, "x", "0.00", 2.5]),
            "owner": st.sampled_from(["a", "b", "c", 7, "", None]),
            "developer": st.sampled_from([False, True, None]),
        }
    ),
    min_size=1,
    max_size=6,
)
BALLOTS = st.lists(
    st.fixed_dictionaries(
        {
            "owner": st.sampled_from(["a", "b", "c", "7", 7, None]),
            "choice": st.sampled_from(["yes", "no", "x"]),
        }
    ),
    max_size=4,
)


def outcome(matter, units, ballots):
    try:
        return tally(matter, units, ballots)
    except TallyInputError as error:
        return ("refused", error.item, error.message)


@settings(max_examples=300, deadline=None)
@given(ROWS, BALLOTS)
def test_dict_rows_and_object_rows_count_alike(units, ballots):
    as_objects = [SimpleNamespace(**row) for row in units], [SimpleNamespace(**row) for row in ballots]
    assert outcome(5, units, ballots) == outcome(5, *as_objects)
