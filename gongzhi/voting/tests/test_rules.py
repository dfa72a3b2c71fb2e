"""The tally rules at every boundary (Civil Code art. 278; SPC interpretation arts. 8–9; docs/DESIGN.md §5)."""

import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.voting.rules import (
    TallyInputError,
    anonymised_ballot_file,
    electorate_groups,
    parse_tally_document,
    quorum_gap,
    tally,
)


def equal_units(n: int, area: str = "10.00") -> list[dict]:
    """n owners with one unit of the same area each: area shares equal owner shares."""
    return [{"id": f"u{i}", "area": area, "owner": f"o{i}"} for i in range(n)]


def votes(*choices: str) -> list[dict]:
    return [{"owner": f"o{i}", "choice": c} for i, c in enumerate(choices)]


# ---- quorum: ≥ 2/3 of area AND ≥ 2/3 of owners take part (以上 includes the bound) ----------------


def test_exactly_two_thirds_participation_meets_quorum():
    result = tally(4, equal_units(3), votes("yes", "yes"))
    assert result["participation_area_ratio"] == "2/3"
    assert result["participation_owners_ratio"] == "2/3"
    assert result["quorum_met"] is True
    assert result["passed"] is True


def test_just_below_two_thirds_area_misses_quorum():
    # 3 owners; the two voters hold 199.99 of 300.00 m²: owners 2/3 reached, area just short.
    units = [
        {"id": "a", "area": "100.00", "owner": "o0"},
        {"id": "b", "area": "99.99", "owner": "o1"},
        {"id": "c", "area": "100.01", "owner": "o2"},
    ]
    result = tally(4, units, votes("yes", "yes"))
    assert result["quorum_owners_met"] is True
    assert result["quorum_area_met"] is False
    assert result["quorum_met"] is False
    assert result["approved"] is True
    assert result["passed"] is False


def test_just_below_two_thirds_owners_misses_quorum():
    # 100 owners, 66 vote (66/100 < 2/3) although they hold nearly all the area.
    units = [{"id": f"u{i}", "area": "100.00" if i < 66 else "1.00", "owner": f"o{i}"} for i in range(100)]
    result = tally(1, units, votes(*["yes"] * 66))
    assert result["quorum_area_met"] is True
    assert result["quorum_owners_met"] is False
    assert result["passed"] is False
    # One more owner (67/100 ≥ 2/3) and the quorum is met.
    assert tally(1, units, votes(*["yes"] * 67))["quorum_met"] is True


def test_exactly_two_thirds_area_with_odd_decimals():
    # 2/3 of 100.00 is not a finite decimal: 66.67 meets, 66.66 does not.
    units = [{"id": "a", "area": "66.67", "owner": "o0"}, {"id": "b", "area": "33.33", "owner": "o1"}]
    units3 = units + [{"id": "c", "area": "0.01", "owner": "o2"}]
    assert tally(4, units, votes("yes"))["quorum_area_met"] is True
    units_short = [{"id": "a", "area": "66.66", "owner": "o0"}, {"id": "b", "area": "33.34", "owner": "o1"}]
    assert tally(4, units_short, votes("yes"))["quorum_area_met"] is False
    assert tally(4, units3, votes("yes", "no"))["quorum_area_met"] is True


# ---- approval, matters 6–8: ≥ 3/4 of the participants (以上) -------------------------------------


@pytest.mark.parametrize("matter", [6, 7, 8])
def test_exactly_three_quarters_approves_matters_six_to_eight(matter):
    result = tally(matter, equal_units(4), votes("yes", "yes", "yes", "no"))
    assert result["agreement_area_ratio"] == "3/4"
    assert result["agreement_owners_ratio"] == "3/4"
    assert result["approval"] == "3/4"
    assert result["approved"] is True
    assert result["passed"] is True


@pytest.mark.parametrize("matter", [6, 7, 8])
def test_just_below_three_quarters_fails_matters_six_to_eight(matter):
    # Owners exactly 3/4, area a hair below: both are needed.
    units = [
        {"id": "a", "area": "25.00", "owner": "o0"},
        {"id": "b", "area": "25.00", "owner": "o1"},
        {"id": "c", "area": "24.99", "owner": "o2"},
        {"id": "d", "area": "25.01", "owner": "o3"},
    ]
    result = tally(matter, units, votes("yes", "yes", "yes", "no"))
    assert result["approval_owners_met"] is True
    assert result["approval_area_met"] is False
    assert result["approved"] is False
    # Owner count below 3/4 (5 of 7) with ample area also fails.
    units7 = [{"id": f"u{i}", "area": "50.00" if i < 5 else "1.00", "owner": f"o{i}"} for i in range(7)]
    result7 = tally(matter, units7, votes("yes", "yes", "yes", "yes", "yes", "no", "no"))
    assert result7["approval_area_met"] is True
    assert result7["approval_owners_met"] is False
    assert result7["passed"] is False


def test_three_quarters_is_not_enough_language_for_other_matters_but_passes_them():
    # For matters other than 6–8, 3/4 is well over half.
    assert tally(4, equal_units(4), votes("yes", "yes", "yes", "no"))["passed"] is True


# ---- approval, other matters: more than 1/2 (过半数 excludes the bound) -------------------------


@pytest.mark.parametrize("matter", [1, 2, 3, 4, 5, 9])
def test_exactly_half_fails_other_matters(matter):
    result = tally(matter, equal_units(4), votes("yes", "yes", "no", "no"))
    assert result["agreement_area_ratio"] == "1/2"
    assert result["agreement_owners_ratio"] == "1/2"
    assert result["approval"] == "1/2"
    assert result["approval_rule"] == "more_than"
    assert result["approved"] is False
    assert result["passed"] is False


@pytest.mark.parametrize("matter", [1, 2, 3, 4, 5, 9])
def test_just_above_half_passes_other_matters(matter):
    units = [
        {"id": "a", "area": "50.01", "owner": "o0"},
        {"id": "b", "area": "49.99", "owner": "o1"},
        {"id": "c", "area": "50.00", "owner": "o2"},
    ]
    # 2 of 3 owners (> 1/2) holding 100.01 of 150.00 (> 1/2).
    assert tally(matter, units, votes("yes", "no", "yes"))["passed"] is True


def test_half_of_area_exactly_fails_even_with_owner_majority():
    units = [
        {"id": "a", "area": "30.00", "owner": "o0"},
        {"id": "b", "area": "30.00", "owner": "o1"},
        {"id": "c", "area": "60.00", "owner": "o2"},
    ]
    result = tally(4, units, votes("yes", "yes", "no"))  # owners 2/3 agree, area exactly 60/120
    assert result["approval_owners_met"] is True
    assert result["approval_area_met"] is False
    assert result["passed"] is False


# ---- counting: abstentions, non-voters, multi-unit owners, the developer ------------------------


def test_abstentions_participate_and_do_not_agree():
    result = tally(4, equal_units(4), votes("yes", "yes", "abstain", "no"))
    assert result["participating_owners"] == 4
    assert result["participating_area"] == "40.00"
    assert result["abstaining_owners"] == 1
    assert result["agreeing_owners"] == 2
    assert result["approved"] is False  # 2 of 4 is exactly half: not more than half


def test_abstentions_alone_make_the_quorum_but_never_approve():
    result = tally(4, equal_units(3), votes("abstain", "abstain", "abstain"))
    assert result["quorum_met"] is True
    assert result["agreeing_area"] == "0.00"
    assert result["passed"] is False


def test_non_voters_are_never_counted_as_agreeing():
    result = tally(4, equal_units(9), votes("yes", "yes", "yes", "yes", "yes", "yes"))
    assert result["participating_owners"] == 6
    assert result["agreeing_owners"] == 6
    assert result["agreeing_area"] == "60.00"
    assert result["total_owners"] == 9
    assert result["quorum_met"] is True
    # Nobody voted: no quorum, no approval, nothing agreed.
    empty = tally(4, equal_units(9), [])
    assert (empty["agreeing_owners"], empty["quorum_met"], empty["approved"], empty["passed"]) == (
        0,
        False,
        False,
        False,
    )


def test_one_buyer_with_several_units_counts_as_one_owner_with_all_their_area():
    units = [
        {"id": "101", "area": "50.00", "owner": "buyer"},
        {"id": "102", "area": "50.00", "owner": "buyer"},
        {"id": "201", "area": "50.00", "owner": "b"},
        {"id": "202", "area": "50.00", "owner": "c"},
    ]
    result = tally(4, units, [{"owner": "buyer", "choice": "yes"}, {"owner": "b", "choice": "no"}])
    assert result["total_owners"] == 3
    assert result["total_units"] == 4
    assert result["participating_area"] == "150.00"  # the buyer's two units both count
    assert result["participating_owners"] == 2
    assert result["quorum_met"] is True  # area 150/200 ≥ 2/3, owners 2/3
    assert result["agreement_area_ratio"] == "2/3"
    assert result["agreement_owners_ratio"] == "1/2"
    assert result["approved"] is False  # owners exactly half


def test_the_developer_is_one_owner_however_many_unsold_units():
    units = [{"id": f"dev{i}", "area": "80.00", "owner": "developer"} for i in range(10)]
    units += [{"id": f"p{i}", "area": "80.00", "owner": f"p{i}"} for i in range(5)]
    # Five buyers vote yes: 5/6 owners, but only 400/1200 of the area → no quorum.
    buyers = [{"owner": f"p{i}", "choice": "yes"} for i in range(5)]
    result = tally(4, units, buyers)
    assert result["total_owners"] == 6
    assert result["total_area"] == "1200.00"
    assert result["quorum_owners_met"] is True
    assert result["quorum_area_met"] is False
    # With the developer voting no: quorum met; agreeing area 400/1200 fails, owners 5/6 agree.
    result2 = tally(4, units, [*buyers, {"owner": "developer", "choice": "no"}])
    assert result2["quorum_met"] is True
    assert result2["approval_owners_met"] is True
    assert result2["approval_area_met"] is False
    assert result2["passed"] is False


def test_a_subset_of_buildings_uses_the_subset_totals():
    # The caller passes only the subset's units (Shanghai art. 69): thresholds apply to those totals.
    estate = [{"id": f"b1-{i}", "area": "60.00", "owner": f"x{i}"} for i in range(3)]
    estate += [{"id": f"b2-{i}", "area": "60.00", "owner": f"y{i}"} for i in range(6)]
    subset = estate[:3]
    ballots = [{"owner": "x0", "choice": "yes"}, {"owner": "x1", "choice": "yes"}]
    assert tally(7, subset, ballots)["passed"] is True
    whole = tally(7, estate, ballots)
    assert whole["quorum_met"] is False
    assert whole["passed"] is False


def test_figures_are_exact_strings_and_totals_are_reported():
    units = [{"id": "a", "area": "68.50", "owner": "o0"}, {"id": "b", "area": "72.35", "owner": "o1"}]
    result = tally(5, units, votes("yes", "no"))
    assert result["total_area"] == "140.85"
    assert result["agreeing_area"] == "68.50"
    assert result["participation_area_ratio"] == "1"
    assert result["agreement_area_ratio"] == "1370/2817"


# ---- bad input names the offending item --------------------------------------------------------


@pytest.mark.parametrize(
    ("units", "ballots", "item"),
    [
        (equal_units(2), [{"owner": "ghost", "choice": "yes"}], "ghost"),
        (equal_units(2), [{"owner": "o1", "choice": "yes"}, {"owner": "o1", "choice": "no"}], "o1"),
        ([{"id": "u7", "area": "-3.00", "owner": "o"}], [], "u7"),
        ([{"id": "u7", "area": "0", "owner": "o"}], [], "u7"),
        ([{"id": "u8", "area": "abc", "owner": "o"}], [], "u8"),
        ([{"id": "u9", "area": 12.5, "owner": "o"}], [], "u9"),
        ([{"id": "u9", "area": "NaN", "owner": "o"}], [], "u9"),
        (equal_units(1) + [{"id": "u0", "area": "1", "owner": "z"}], [], "u0"),
        ([{"id": "u1", "area": "1.00"}], [], "u1"),
        (equal_units(2), [{"owner": "o0", "choice": "maybe"}], "o0"),
        ([], [], "units"),
    ],
)
def test_bad_input_is_refused_naming_the_item(units, ballots, item):
    with pytest.raises(TallyInputError) as caught:
        tally(4, units, ballots)
    assert caught.value.item == item
    assert item in caught.value.message or item == "units"


@pytest.mark.parametrize("matter", [0, 10, -1, "4", True, None, 4.0])
def test_unknown_matter_is_refused(matter):
    with pytest.raises(TallyInputError) as caught:
        tally(matter, equal_units(1), [])
    assert caught.value.item == "matter"


def test_document_shape_is_checked():
    with pytest.raises(TallyInputError):
        parse_tally_document([])
    with pytest.raises(TallyInputError) as caught:
        parse_tally_document({"matter": 1, "units": []})
    assert caught.value.item == "ballots"
    with pytest.raises(TallyInputError) as caught:
        parse_tally_document({"matter": 1, "units": ["x"], "ballots": []})
    assert caught.value.item == "units[0]"


def test_quorum_gap_rounds_the_missing_area_up():
    gap = quorum_gap(
        total_area=Decimal("100.00"),
        total_owners=10,
        participating_area=Decimal("50.00"),
        participating_owners=6,
    )
    assert gap["area_needed"] == "66.67"
    assert gap["area_missing"] == "16.67"  # 16.666… rounded up: reaching it is always enough
    assert gap["owners_needed"] == 7
    assert gap["owners_missing"] == 1
    assert gap["area_met"] is False
    met = quorum_gap(
        total_area=Decimal("3.00"), total_owners=3, participating_area=Decimal("2.00"), participating_owners=2
    )
    assert (met["area_met"], met["owners_met"], met["area_missing"], met["owners_missing"]) == (
        True,
        True,
        "0.00",
        0,
    )


# ---- properties ----------------------------------------------------------------------------------

areas = st.integers(min_value=1, max_value=50_000).map(lambda cents: f"{cents // 100}.{cents % 100:02d}")
choice = st.sampled_from(["yes", "no", "abstain", None])  # None: did not vote


@st.composite
def elections(draw):
    owners = draw(st.integers(min_value=1, max_value=12))
    units = []
    for o in range(owners):
        for k in range(draw(st.integers(min_value=1, max_value=3))):
            units.append({"id": f"u{o}-{k}", "area": draw(areas), "owner": f"o{o}"})
    picks = [draw(choice) for _ in range(owners)]
    return draw(st.integers(min_value=1, max_value=9)), units, picks


def as_ballots(picks):
    return [{"owner": f"o{i}", "choice": c} for i, c in enumerate(picks) if c is not None]


@settings(max_examples=300, deadline=None)
@given(elections(), st.data())
def test_turning_a_vote_into_yes_never_turns_passed_into_failed(election, data):
    matter, units, picks = election
    before = tally(matter, units, as_ballots(picks))
    i = data.draw(st.integers(min_value=0, max_value=len(picks) - 1))
    if picks[i] == "yes":
        return
    after_picks = list(picks)
    after_picks[i] = "yes"
    after = tally(matter, units, as_ballots(after_picks))
    if before["passed"]:
        assert after["passed"]


@settings(max_examples=300, deadline=None)
@given(elections())
def test_figures_are_consistent(election):
    matter, units, picks = election
    result = tally(matter, units, as_ballots(picks))
    total = sum(Decimal(u["area"]) for u in units)
    assert Decimal(result["total_area"]) == total
    assert Decimal(result["participating_area"]) == (
        Decimal(result["agreeing_area"])
        + Decimal(result["disagreeing_area"])
        + Decimal(result["abstaining_area"])
    )
    assert result["participating_owners"] == sum(1 for c in picks if c is not None)
    assert result["agreeing_owners"] == sum(1 for c in picks if c == "yes")
    assert result["passed"] == (result["quorum_met"] and result["approved"])
    if result["agreeing_owners"] == 0:
        assert not result["approved"]


@settings(max_examples=200, deadline=None)
@given(elections())
def test_everybody_agreeing_passes_and_nobody_voting_fails(election):
    matter, units, picks = election
    assert tally(matter, units, as_ballots(["yes"] * len(picks)))["passed"] is True
    assert tally(matter, units, [])["passed"] is False


# ---- the anonymised ballot file: the result and nothing more (docs/VOTING_RULES.md §3a) -------------

owners_strategy = st.lists(
    st.tuples(
        st.lists(st.integers(min_value=1, max_value=99_999_999), min_size=1, max_size=3),  # unit areas, cents
        st.sampled_from(["yes", "no", "abstain", None]),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(owners=owners_strategy, matter=st.integers(min_value=1, max_value=9), seed=st.integers())
def test_the_anonymised_file_recounts_to_the_result_and_holds_no_registry_area(owners, matter, seed):
    units, ballots = [], []
    for n, (areas, choice) in enumerate(owners):
        units += [{"id": f"{n}-{k}", "area": Decimal(c) / 100, "owner": str(n)} for k, c in enumerate(areas)]
        if choice:
            ballots.append({"owner": str(n), "choice": choice})
    result = tally(matter, units, ballots)
    document = anonymised_ballot_file(result, rng=random.Random(seed))
    assert tally(document["matter"], document["units"], document["ballots"]) == result
    # An option chosen by two or more owners: every area of the file has 3 or 4 places, so it equals
    # no area of the registry (2 places). An option of one owner: its area is in the result anyway.
    counts = {c: sum(1 for _a, ch in owners if ch == c) for c in ("yes", "no", "abstain", None)}
    owner_of = {b["owner"]: b["choice"] for b in document["ballots"]}
    for unit in document["units"]:
        choice = owner_of.get(unit["owner"])
        if counts[choice] >= 2:
            assert Decimal(unit["area"]) != Decimal(unit["area"]).quantize(Decimal("0.01")), unit
    ids = [u["id"] for u in document["units"]] + [b["owner"] for b in document["ballots"]]
    assert not any(i in {u["id"] for u in units} | {u["owner"] for u in units} for i in ids)


# ---- who counts as one owner (SPC interpretation art. 9) -----------------------------------------


def test_electorate_groups_one_buyer_one_developer_and_unowned_units():
    units = [
        (1, "A-1", False),
        (2, "A-1", False),  # one buyer, two units: one owner
        (3, "KF-2", True),
        (4, "KF-1", True),  # two developer records: ONE owner, under the first ref
        (5, None, False),  # no recorded owner: an owner on its own
        (6, "B-7", False),
    ]
    assert electorate_groups(units) == {"A-1": [1, 2], "KF-1": [3, 4], "U5": [5], "B-7": [6]}


def test_electorate_groups_of_nothing_is_empty():
    assert electorate_groups([]) == {}
