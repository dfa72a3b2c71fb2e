"""数据体检 plug-in of the registry (registry/health.py): known answers on the persona world, whose estates
each have one contract of two years and estate A1 one committee of about three years."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gongzhi.core.dates import plain_date
from gongzhi.core.health import ERROR, WARNING, run_health
from gongzhi.registry.models import Contract, OwnersCommittee, Unit


def _findings(world, code):
    (result,) = run_health(street=world.street, only=[code]).results
    return [(f.severity, f.message) for f in result.findings]


def test_overlapping_contracts_of_one_estate_are_an_error(world):
    code = "registry.one_company_at_a_time"
    end = world.contract_a1.end_date
    handover = Contract.objects.create(
        company=world.company_y,
        estate=world.estate_a1,
        start_date=end + dt.timedelta(days=1),
        end_date=end + dt.timedelta(days=700),
        fee_standard=Decimal("0.90"),
    )
    assert _findings(world, code) == []
    Contract.objects.filter(pk=handover.pk).update(start_date=end)
    ((severity, message),) = _findings(world, code)
    assert severity == ERROR
    assert message == (
        f"甲一小区：物业服务合同（星河物业，至{plain_date(end)}）与（月湾物业，自{plain_date(end)}）期间重叠。"
    )


def test_committee_terms_of_a_lawful_length_one_at_a_time(world):
    code = "registry.committee_terms"
    OwnersCommittee.objects.filter(pk=world.committee_a1.pk).update(
        term_start=dt.date(2023, 3, 1), term_end=dt.date(2026, 3, 1)
    )
    OwnersCommittee.objects.create(
        estate=world.estate_a1, term_start=dt.date(2026, 3, 1), term_end=dt.date(2031, 3, 1)
    )
    assert _findings(world, code) == []  # 3 years, then 5 years, back to back
    OwnersCommittee.objects.create(
        estate=world.estate_b1, term_start=dt.date(2024, 5, 1), term_end=dt.date(2031, 5, 1)
    )
    OwnersCommittee.objects.filter(pk=world.committee_a1.pk).update(term_end=dt.date(2026, 6, 1))
    assert sorted(_findings(world, code)) == [
        (WARNING, "乙一小区：业委会任期2024年5月1日至2031年5月1日，不在三至五年之间。"),
        (
            WARNING,
            "甲一小区：新一届业委会任期自2026年3月1日开始，上一届任期（至2026年6月1日）未记录提前结束。",
        ),
    ]


def test_a_unit_whose_owner_is_registered_in_another_street_is_an_error(world):
    """The street admin reads its owners by their street (registry/scoping.py): an owner registered in
    another street would be missing from the list, so the data check names the unit."""
    code = "registry.owners_in_their_street"
    assert _findings(world, code) == []
    stray = world.other_unit.owner  # 丙一小区's owner, registered in 另一街道
    Unit.objects.filter(pk=world.unit_b1.pk).update(owner=stray)
    assert _findings(world, code) == [
        (ERROR, f"{world.unit_b1}：业主{stray.ref}登记在另一街道，不在本街道的业主名册中。")
    ]


def test_owners_are_read_by_street_and_by_the_estates_beyond_it(world):
    """A street read whole reads its owners by their street; an OC member and a company read the owners
    of their estates' units; an owner reads their own record only."""
    from gongzhi.core.scopes import scope_for, visible
    from gongzhi.registry.models import Owner

    street_owners = set(Owner.objects.filter(street=world.street).values_list("pk", flat=True))
    assert set(visible(world.users["admin"], Owner).values_list("pk", flat=True)) == street_owners
    assert scope_for(world.users["admin"]).estate_ids_beyond_streets == frozenset()
    a1_owners = set(Unit.objects.filter(building__estate=world.estate_a1).values_list("owner_id", flat=True))
    assert set(visible(world.users["oc_a1"], Owner).values_list("pk", flat=True)) == a1_owners
    assert scope_for(world.users["oc_a1"]).estate_ids_beyond_streets == frozenset({world.estate_a1.pk})
    assert set(visible(world.users["owner_a1"], Owner).values_list("pk", flat=True)) == {
        world.unit_a1.owner_id
    }
    assert not visible(world.users["other_admin"], Owner).filter(pk__in=street_owners).exists()
