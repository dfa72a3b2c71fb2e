"""The fee-basis rule (rules.check_fee_basis) with known answers at its bounds: which basis stands, which is
refused and why (docs/FEES.md §1)."""

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.fees.rules import (
    ContractFacts,
    DecisionFacts,
    DocumentFacts,
    FeeError,
    check_fee_basis,
    fee_matter,
)

D = Decimal
DAY = dt.date(2026, 7, 1)


def decision(**kw):
    facts = {
        "estate_id": 1,
        "title": "调整物业费",
        "matter": 4,
        "counted": True,
        "passed": True,
        "whole_estate": True,
        "closed_on": dt.date(2026, 6, 1),
    }
    facts.update(kw)
    return DecisionFacts(**facts)


def contract(**kw):
    facts = {
        "estate_id": 1,
        "start": dt.date(2025, 1, 1),
        "end": dt.date(2027, 12, 31),
        "fee_standard": D("0.80"),
        "committee_in_office": True,
    }
    facts.update(kw)
    return ContractFacts(**facts)


def document(**kw):
    facts = {
        "number": "沪价〔2020〕1号",
        "covers_estate": True,
        "kind": "property_residential",
        "unit": "yuan_m2_month",
        "issued_on": dt.date(2020, 1, 1),
        "low": D("0.55"),
        "high": D("0.90"),
    }
    facts.update(kw)
    return DocumentFacts(**facts)


def check(basis, *, kind="property_residential", unit="yuan_m2_month", amount="0.80", day=DAY, **links):
    check_fee_basis(
        estate_id=1, kind=kind, unit=unit, amount=D(amount), effective_from=day, basis=basis, **links
    )


def test_each_kind_of_fee_has_its_art_278_matter():
    assert fee_matter("property_residential") == 4
    assert fee_matter("property_non_residential") == 4
    assert fee_matter("parking_monthly") == 8
    assert fee_matter("parking_hourly") == 8
    assert fee_matter("other") == 9


def test_typed_text_is_no_basis():
    """The hole: '业主大会决定' with reference '无' named no decision, and was accepted."""
    for basis in ("owners_assembly", "contract", "price_bureau"):
        with pytest.raises(FeeError, match="必须选择"):
            check(basis)
    with pytest.raises(FeeError, match="未知的依据"):
        check("typed")


def test_a_passed_decision_of_the_right_matter_stands_and_a_wrong_one_does_not():
    check("owners_assembly", decision=decision())
    check(
        "owners_assembly",
        kind="parking_monthly",
        unit="yuan_month",
        amount="150",
        decision=decision(matter=8),
    )
    with pytest.raises(FeeError, match="第（五）项.*第（四）项"):
        check("owners_assembly", decision=decision(matter=5))
    with pytest.raises(FeeError, match="第（四）项.*第（八）项"):
        check("owners_assembly", kind="parking_monthly", unit="yuan_month", amount="150", decision=decision())
    with pytest.raises(FeeError, match="未获通过"):
        check("owners_assembly", decision=decision(passed=False))
    with pytest.raises(FeeError, match="未获通过"):
        check("owners_assembly", decision=decision(passed=None))
    with pytest.raises(FeeError, match="尚未截止计票"):
        check("owners_assembly", decision=decision(counted=False))
    with pytest.raises(FeeError, match="不是本小区"):
        check("owners_assembly", decision=decision(estate_id=2))
    with pytest.raises(FeeError, match="部分楼栋"):
        check("owners_assembly", decision=decision(whole_estate=False))


def test_a_decision_takes_effect_on_or_after_its_count():
    check("owners_assembly", decision=decision(closed_on=DAY))  # the same day: bound included
    with pytest.raises(FeeError, match="不能早于表决截止计票"):
        check("owners_assembly", decision=decision(closed_on=DAY + dt.timedelta(days=1)))


def test_only_one_link():
    with pytest.raises(FeeError, match="只能有一种依据"):
        check("owners_assembly", decision=decision(), contract=contract())


def test_the_contract_stands_for_its_own_fee_within_its_term():
    check("contract", contract=contract(), day=dt.date(2025, 1, 1))  # first day of the term
    check("contract", contract=contract(), day=dt.date(2027, 12, 31))  # last day
    with pytest.raises(FeeError, match="不在合同期"):
        check("contract", contract=contract(), day=dt.date(2024, 12, 31))
    with pytest.raises(FeeError, match="不在合同期"):
        check("contract", contract=contract(), day=dt.date(2028, 1, 1))
    with pytest.raises(FeeError, match="与填写的标准 1.80 不符"):
        check("contract", contract=contract(), amount="1.80")
    with pytest.raises(FeeError, match="没有在任的业委会"):
        check("contract", contract=contract(committee_in_office=False))
    with pytest.raises(FeeError, match="只载明住宅物业费"):
        check("contract", kind="parking_monthly", unit="yuan_month", amount="0.80", contract=contract())
    with pytest.raises(FeeError, match="不是本小区"):
        check("contract", contract=contract(estate_id=2))


def test_a_price_document_bounds_are_inclusive():
    check("price_bureau", document=document(), amount="0.55")
    check("price_bureau", document=document(), amount="0.90")
    with pytest.raises(FeeError, match="不在价格文件.*0.55–0.90"):
        check("price_bureau", document=document(), amount="0.5499")
    with pytest.raises(FeeError, match="不在价格文件"):
        check("price_bureau", document=document(), amount="0.9001")
    with pytest.raises(FeeError, match="未将本小区列为政府指导价小区"):
        check("price_bureau", document=document(covers_estate=False))
    with pytest.raises(FeeError, match="规定的不是这项收费"):
        check("price_bureau", document=document(kind="parking_monthly"))
    with pytest.raises(FeeError, match="规定的不是这项收费"):
        check("price_bureau", document=document(unit="yuan_month"))
    check("price_bureau", document=document(issued_on=DAY))
    with pytest.raises(FeeError, match="不能早于价格文件的发布日期"):
        check("price_bureau", document=document(issued_on=DAY + dt.timedelta(days=1)))
