"""The wall's pure rules with known answers: number → colour, the overall state, thresholds the street may
set, and each indicator's measure of its facts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongzhi.wall import indicators as ind

D = Decimal


@pytest.mark.parametrize(
    ("value", "expected"), [(None, "none"), (D(0), "green"), (D(1), "amber"), (D(2), "amber"), (D(3), "red")]
)
def test_higher_is_worse(value, expected):
    assert ind.colour_for(value, ind.Bands(D(1), D(3)), higher_is_worse=True) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(D(90), "green"), (D("89.9"), "amber"), (D(75), "amber"), (D("74.9"), "red"), (None, "none")],
)
def test_lower_is_worse(value, expected):
    assert ind.colour_for(value, ind.Bands(D(90), D(75)), higher_is_worse=False) == expected


@pytest.mark.parametrize(
    ("colours", "expected"),
    [
        ({"a": "red", "b": "red", "c": "green"}, (D(2), "red")),
        ({"a": "red", "b": "green"}, (D(1), "amber")),
        ({"a": "amber", "b": "green", "c": "none"}, (D(0), "amber")),
        ({"a": "green", "b": "none"}, (D(0), "green")),
        ({"a": "none"}, (D(0), "none")),
    ],
)
def test_overall(colours, expected):
    assert ind.overall(colours) == expected


def test_thresholds_are_checked():
    overdue = ind.REGISTRY["problems_overdue"]
    rate = ind.REGISTRY["fee_collection"]
    assert ind.bands_error(overdue, ind.Bands(D(1), D(3))) is None
    assert "不能高于" in ind.bands_error(overdue, ind.Bands(D(5), D(3)))
    assert ind.bands_error(rate, ind.Bands(D(85), D(70))) is None
    assert "不能低于" in ind.bands_error(rate, ind.Bands(D(60), D(70)))
    assert "之间" in ind.bands_error(rate, ind.Bands(D(101), D(70)))


def test_measures_of_known_facts():
    r = ind.REGISTRY
    assert r["problems_overdue"].measure({"open": 7, "overdue": 2}) == 2
    assert r["problems_open"].measure({"open": 7, "overdue": 2}) == 7
    assert r["closure_on_time"].measure({"closed": 3, "on_time": 2}) == D("66.7")
    assert r["closure_on_time"].measure({"closed": 0, "on_time": 0}) is None
    fund = {"low_fund": 1, "use_no_decision": 2, "use_no_audit": 0, "transfer_short": 1}
    assert r["fund_health"].measure(fund) == 4
    committee = {
        "has_committee": True,
        "members": 7,
        "party": 4,
        "cross": 2,
        "days_left": -3,
        "term_end": "x",
    }
    assert r["party_share"].measure(committee) == D("57.1")
    assert r["cross_share"].measure(committee) == D("28.6")
    assert r["committee_term"].measure(committee) == -3
    assert r["committee_vacancies"].measure({**committee, "members": 3}) == 2
    assert r["party_share"].measure({"has_committee": False, "members": 0, "party": 0, "cross": 0}) is None
    fees = {"billed": "1000.00", "collected": "876.54", "months": 12, "contract_rate": "50"}
    assert r["fee_collection"].measure(fees) == D("87.7")
    assert r["fee_collection"].measure({**fees, "billed": "0"}) == D("50.0")
    ranking = {
        "class": "keep",
        "rank": 3,
        "of": 76,
        "campaign": "c",
        "elimination": "",
        "elimination_stage": "",
    }
    assert r["ranking"].measure(ranking) == 2
    assert r["ranking"].measure({**ranking, "elimination": "proposed", "elimination_stage": "proposed"}) == 4
    assert (
        r["ranking"].measure({**ranking, "elimination": "fault_finding", "elimination_stage": "selected"})
        == 2
    )


def test_every_indicator_explains_itself_and_its_defaults_stand():
    for spec in ind.REGISTRY.values():
        assert str(spec.explanation).endswith("。")
        assert ind.bands_error(spec, spec.default) is None
