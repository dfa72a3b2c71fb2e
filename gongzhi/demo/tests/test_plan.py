"""Facts about the planned demo street at full scale (pure data, no database)."""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from gongzhi.demo import names
from gongzhi.demo.plan import REELECTIONS, SMALL_COMMITTEE_AREA, SMALL_SCALE, add_years, plan_street

TODAY = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def full():
    return plan_street(2019, today=TODAY)


def test_full_street_has_the_seed_shape(full):
    estates = list(full.estates())
    assert len(full.areas) == 32
    assert len(estates) == 76
    assert sum(e.is_old for e in estates) == 51
    assert len(full.companies) == 28
    assert [c.ownership for c in full.companies].count("state") == 1


def test_full_street_loads_30_to_40_thousand_units(full):
    assert 30_000 <= full.unit_count <= 40_000
    sizes = [e.full_units for e in full.estates()]
    assert min(sizes) >= 80
    assert max(sizes) <= 1000
    assert sum(200 <= s <= 900 for s in sizes) >= 70


def test_old_estates_are_walk_ups_with_small_flats(full):
    for estate in full.estates():
        for building in estate.buildings:
            areas = [u.area for u in building.units]
            if estate.is_old:
                assert 5 <= building.floors <= 7
                assert all(Decimal("35") <= a <= Decimal("80") for a in areas)
            else:
                assert all(Decimal("70") <= a <= Decimal("150") for a in areas)
            assert all(a == a.quantize(Decimal("0.01")) for a in areas)


def test_state_company_holds_26_old_estates_and_benchmarks_hold_several(full):
    active = Counter(e.active_contract.company for e in full.estates())
    state = next(i for i, c in enumerate(full.companies) if c.ownership == "state")
    assert active[state] == 26
    assert all(e.is_old for e in full.estates() if e.active_contract.company == state)
    assert set(active) == set(range(28))  # every company manages at least one estate
    benchmarks = [i for i, c in enumerate(full.companies) if c.benchmark]
    assert len(benchmarks) == 4
    assert all(active[i] >= 4 for i in benchmarks)


def test_contracts_are_in_force_today_and_never_overlap(full):
    for estate in full.estates():
        *earlier, active = estate.contracts
        assert active.start_date <= TODAY < active.end_date
        for previous in earlier:
            assert previous.end_date < active.start_date
            assert previous.start_date < previous.end_date


def test_three_member_committees_only_under_10000_m2(full):
    committees = [(e, e.committee) for e in full.estates() if e.committee]
    assert 68 <= len(committees) <= 71  # a few estates have no owners' committee
    for estate, committee in committees:
        size = len(committee.members)
        assert size % 2 == 1
        assert size >= 5 or estate.full_area < SMALL_COMMITTEE_AREA
        assert [m.position for m in committee.members].count("director") == 1
        assert add_years(committee.term_start, 3) <= committee.term_end <= add_years(committee.term_start, 5)
        if (
            committee.term_end < TODAY
        ):  # a term that ended this past year; elections/demo_data.py re-elects it
            assert TODAY - dt.timedelta(days=310) <= committee.term_end <= TODAY - dt.timedelta(days=10)
            assert committee.term_end == add_years(committee.term_start, 5) - dt.timedelta(days=1)
        else:
            assert committee.term_start <= TODAY < committee.term_end
    ended = [e for e, c in committees if c.term_end < TODAY]
    assert len(ended) == REELECTIONS
    target = full.areas[full.targets.area].estates[full.targets.estate]
    assert target not in ended  # demo_oc directs the sitting committee of the demo estate
    assert any(e in full.areas[full.targets.area].estates for e in ended)  # the demo secretary's slate


def test_about_three_percent_of_owners_hold_two_units(full):
    persons = [o for o in full.owners if o.kind == "person"]
    two = sum(o.units == 2 for o in persons)
    assert 0.02 <= two / len(persons) <= 0.04
    assert max(o.units for o in persons) == 2
    developers = [o for o in full.owners if o.kind == "developer"]
    assert developers
    assert all(o.units >= 2 for o in developers)
    assert len({o.ref for o in full.owners}) == len(full.owners)


def test_small_scale_keeps_the_street_and_cuts_the_units(full):
    small = plan_street(2019, scale=SMALL_SCALE, today=TODAY)
    assert small.unit_count < full.unit_count / 10

    def shape(plan):
        return [
            (e.name, e.build_year, e.full_area, e.contracts, e.committee and e.committee.members)
            for e in plan.estates()
        ]

    assert shape(small) == shape(full)
    assert [a.branch_members for a in small.areas] == [a.branch_members for a in full.areas]


def test_seed_decides_the_street():
    one = plan_street(2019, scale=SMALL_SCALE, today=TODAY)
    same = plan_street(2019, scale=SMALL_SCALE, today=TODAY)
    other = plan_street(7, scale=SMALL_SCALE, today=TODAY)
    assert [e.name for e in one.estates()] == [e.name for e in same.estates()]
    assert one.owners == same.owners
    assert [e.name for e in one.estates()] != [e.name for e in other.estates()]


def test_scale_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError):
        plan_street(2019, scale=0, today=TODAY)
    with pytest.raises(ValueError):
        plan_street(2019, scale=1.5, today=TODAY)


def test_name_pools_are_unique_and_large_enough():
    for pool, needed in [
        (names.AREA_BASES, 32),
        (names.OLD_ESTATE_PREFIXES, 51),
        (names.NEW_ESTATE_PREFIXES, 25),
        (names.COMPANY_BRANDS, 27),
    ]:
        assert len(set(pool)) == len(pool) >= needed
    assert not set(names.OLD_ESTATE_PREFIXES) & set(names.NEW_ESTATE_PREFIXES)
