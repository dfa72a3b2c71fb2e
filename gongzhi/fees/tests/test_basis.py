"""A fee standard changes only on a basis the platform can check, set by the owners' committee or the street
admin; the company may only propose (docs/FEES.md §1). Through the services, on the persona world."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.fees.models import FeeProposal, FeeStandard, PriceDocument
from gongzhi.fees.rules import FeeError
from gongzhi.fees.services import fee_proposal_create, fee_standard_create, price_document_create

pytestmark = pytest.mark.django_db
D = Decimal


def test_the_company_cannot_raise_its_own_fee_on_typed_text(world):
    """Regression: staff of the managing company raised the fee from 0.71 to 1.80 with the basis
    '业主大会决定' and the reference '无', and it was accepted."""
    with pytest.raises(FeeError, match="物业服务企业不能自行设定或调整收费标准"):
        fee_standard_create(
            actor=world.user("staff_x"),
            estate=world.estate_a1,
            kind="property_residential",
            amount="1.80",
            unit="yuan_m2_month",
            effective_from=timezone.localdate(),
            basis="owners_assembly",
            basis_reference="无",
        )
    assert not FeeStandard.objects.exists()


def test_the_committee_is_refused_without_a_linked_decision(world):
    with pytest.raises(FeeError, match="必须选择本小区已通过的业主表决事项"):
        fee_standard_create(
            actor=world.user("oc_a1"),
            estate=world.estate_a1,
            kind="property_residential",
            amount="1.80",
            unit="yuan_m2_month",
            effective_from=timezone.localdate(),
            basis="owners_assembly",
            basis_reference="无",
        )
    assert not FeeStandard.objects.exists()


@pytest.mark.parametrize("user", ["secretary_a", "member_a", "leader", "other_admin", "owner_a1", "outsider"])
def test_others_may_neither_set_nor_propose(world, user):
    with pytest.raises(PermissionDenied):
        fee_standard_create(
            actor=world.user(user),
            estate=world.estate_a1,
            kind="property_residential",
            amount="0.80",
            unit="yuan_m2_month",
            effective_from=timezone.localdate(),
            basis="contract",
            basis_contract=world.contract_a1,
        )
    with pytest.raises(PermissionDenied):
        fee_proposal_create(
            actor=world.user(user),
            estate=world.estate_a1,
            kind="property_residential",
            amount="0.90",
            unit="yuan_m2_month",
            effective_from=timezone.localdate(),
            reasons="成本上涨",
        )


def test_a_passed_decision_of_matter_4_sets_the_fee_and_the_proposal_is_adopted(world, decision_factory):
    proposal = fee_proposal_create(
        actor=world.user("staff_x"),
        estate=world.estate_a1,
        kind="property_residential",
        amount="1.10",
        unit="yuan_m2_month",
        effective_from=timezone.localdate() + dt.timedelta(days=30),
        reasons="四保服务提升,人工成本上涨。",
    )
    assert proposal.status == "proposed" and not FeeStandard.objects.exists()
    decision = decision_factory(matter=4)
    assert decision.passed is True
    day = timezone.localdate(decision.closed_at)
    standard = fee_standard_create(
        actor=world.user("oc_a1"),
        estate=world.estate_a1,
        kind="property_residential",
        amount="1.10",
        unit="yuan_m2_month",
        effective_from=day,
        basis="owners_assembly",
        basis_decision=decision,
        proposal=proposal,
    )
    assert standard.basis_decision == decision and standard.basis_checked
    proposal.refresh_from_db()
    assert (proposal.status, proposal.standard) == ("adopted", standard)
    assert AuditEvent.objects.filter(object_type="fees.FeeProposal", action="update").count() == 1
    with pytest.raises(FeeError, match="已经处理过"):
        fee_standard_create(
            actor=world.user("admin"),
            estate=world.estate_a1,
            kind="property_residential",
            amount="1.10",
            unit="yuan_m2_month",
            effective_from=day + dt.timedelta(days=1),
            basis="owners_assembly",
            basis_decision=decision,
            proposal=proposal,
        )


def test_a_failed_decision_or_one_of_the_wrong_matter_is_refused(world, decision_factory):
    failed = decision_factory(matter=4, choice="no")
    day = timezone.localdate(failed.closed_at)
    args = {
        "actor": world.user("oc_a1"),
        "estate": world.estate_a1,
        "kind": "property_residential",
        "amount": "1.10",
        "unit": "yuan_m2_month",
        "effective_from": day,
        "basis": "owners_assembly",
    }
    with pytest.raises(FeeError, match="未获通过"):
        fee_standard_create(**args, basis_decision=failed)
    fund = decision_factory(matter=5)
    with pytest.raises(FeeError, match="第（五）项"):
        fee_standard_create(**args, basis_decision=fund)
    assert not FeeStandard.objects.exists()


def test_an_open_decision_is_no_basis(world):
    from gongzhi.voting.tests.helpers import published

    decision = published(world, matter=4)
    with pytest.raises(FeeError, match="尚未截止计票"):
        fee_standard_create(
            actor=world.user("oc_a1"),
            estate=world.estate_a1,
            kind="property_residential",
            amount="1.10",
            unit="yuan_m2_month",
            effective_from=timezone.localdate() + dt.timedelta(days=30),
            basis="owners_assembly",
            basis_decision=decision,
        )


def test_the_contract_the_committee_signed_sets_its_own_fee_only(world):
    args = {
        "actor": world.user("oc_a1"),
        "estate": world.estate_a1,
        "kind": "property_residential",
        "unit": "yuan_m2_month",
        "effective_from": world.contract_a1.start_date,
        "basis": "contract",
        "basis_contract": world.contract_a1,
    }
    with pytest.raises(FeeError, match="合同约定的物业费是 0.80"):
        fee_standard_create(**args, amount="1.80")
    with pytest.raises(FeeError, match="不是本小区"):
        fee_standard_create(**{**args, "basis_contract": world.contract_b1}, amount="0.65")
    standard = fee_standard_create(**args, amount="0.80")
    assert standard.basis_contract == world.contract_a1
    # Estate B1 has no owners' committee: its contract is not one the committee signed for the owners.
    with pytest.raises(FeeError, match="没有在任的业委会"):
        fee_standard_create(
            **{
                **args,
                "actor": world.user("admin"),
                "estate": world.estate_b1,
                "basis_contract": world.contract_b1,
            },
            amount="0.65",
        )


def test_a_price_document_sets_a_fee_inside_its_range_for_the_estates_it_lists(world):
    with pytest.raises(PermissionDenied):
        price_document_create(
            actor=world.user("oc_a1"),
            street=world.street,
            issuer="区发展改革委",
            number="浦价〔2020〕7号",
            title="售后公房小区物业服务收费标准",
            issued_on=dt.date(2020, 3, 1),
            kind="property_residential",
            unit="yuan_m2_month",
            level="二级",
            low="0.55",
            high="0.90",
            estates=[world.estate_a1],
        )
    document = price_document_create(
        actor=world.user("admin"),
        street=world.street,
        issuer="区发展改革委",
        number="浦价〔2020〕7号",
        title="售后公房小区物业服务收费标准",
        issued_on=dt.date(2020, 3, 1),
        kind="property_residential",
        unit="yuan_m2_month",
        level="二级",
        low="0.55",
        high="0.90",
        estates=[world.estate_b1],
    )
    assert PriceDocument.objects.get().range_text == "0.55–0.90 元/m²/月"
    args = {
        "actor": world.user("admin"),
        "kind": "property_residential",
        "unit": "yuan_m2_month",
        "effective_from": dt.date(2024, 1, 1),
        "basis": "price_bureau",
        "basis_document": document,
    }
    with pytest.raises(FeeError, match="不在价格文件"):
        fee_standard_create(**args, estate=world.estate_b1, amount="0.91")
    with pytest.raises(FeeError, match="未将本小区列为政府指导价小区"):
        fee_standard_create(**args, estate=world.estate_a1, amount="0.80")
    standard = fee_standard_create(**args, estate=world.estate_b1, amount="0.90")
    assert standard.basis_document == document and standard.amount == D("0.90")


def test_a_proposal_needs_reasons_and_changes_nothing(world):
    with pytest.raises(FeeError, match="理由"):
        fee_proposal_create(
            actor=world.user("staff_x"),
            estate=world.estate_a1,
            kind="property_residential",
            amount="1.80",
            unit="yuan_m2_month",
            effective_from=timezone.localdate(),
            reasons=" ",
        )
    assert not FeeProposal.objects.exists() and not FeeStandard.objects.exists()
