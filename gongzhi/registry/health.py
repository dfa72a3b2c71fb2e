"""数据体检 plug-in (core/health.py): the registry's own periods — one company and one owners' committee at a
time per estate, terms of a lawful length."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.core.dates import plain_date
from gongzhi.core.health import ERROR, WARNING, Finding, Invariant
from gongzhi.registry.models import Contract, OwnersCommittee, Unit

TERM_YEARS = (3, 5)  # Shanghai 住宅物业管理规定 (2020) art. 28: a committee's term is 3 to 5 years


def one_company_at_a_time(street, today: dt.date):
    """An estate is managed by one company at a time (Civil Code art. 939–940: the owners hire one manager;
    a new contract starts when the old one ends): two contracts whose periods overlap contradict each other."""
    contracts: dict[int, list[Contract]] = defaultdict(list)
    for contract in (
        Contract.objects.filter(estate__area__street=street)
        .select_related("estate", "company")
        .order_by("estate__name", "start_date", "pk")
    ):
        contracts[contract.estate_id].append(contract)
    for rows in contracts.values():
        for earlier, later in zip(rows, rows[1:], strict=False):
            if later.start_date <= earlier.end_date:
                yield Finding(
                    ERROR,
                    gettext(
                        "%(estate)s：物业服务合同（%(first)s，至%(end)s）与（%(second)s，自%(start)s）期间重叠。"
                    )
                    % {
                        "estate": earlier.estate.name,
                        "first": earlier.company.name,
                        "end": plain_date(earlier.end_date),
                        "second": later.company.name,
                        "start": plain_date(later.start_date),
                    },
                    reverse("registry:detail", args=["contracts", later.pk]),
                )


def committee_terms(street, today: dt.date):
    """One owners' committee at a time, for a term of 3 to 5 years (art. 28); a term cut short by an early
    election shows as an overlap, a warning to record the end of the old term."""
    committees: dict[int, list[OwnersCommittee]] = defaultdict(list)
    for committee in (
        OwnersCommittee.objects.filter(estate__area__street=street)
        .select_related("estate")
        .order_by("estate__name", "term_start", "pk")
    ):
        committees[committee.estate_id].append(committee)
    low, high = TERM_YEARS
    for rows in committees.values():
        for committee in rows:
            length = committee.term_end.year - committee.term_start.year
            if (committee.term_end.month, committee.term_end.day) < (
                committee.term_start.month,
                committee.term_start.day,
            ):
                length -= 1
            late = (committee.term_end.month, committee.term_end.day) > (
                committee.term_start.month,
                committee.term_start.day,
            )
            if length < low or length > high or (length == high and late):
                yield Finding(
                    WARNING,
                    gettext("%(estate)s：业委会任期%(start)s至%(end)s，不在三至五年之间。")
                    % {
                        "estate": committee.estate.name,
                        "start": plain_date(committee.term_start),
                        "end": plain_date(committee.term_end),
                    },
                    reverse("registry:detail", args=["committees", committee.pk]),
                )
        for earlier, later in zip(rows, rows[1:], strict=False):
            if later.term_start < earlier.term_end:
                yield Finding(
                    WARNING,
                    gettext(
                        "%(estate)s：新一届业委会任期自%(start)s开始，上一届任期（至%(end)s）未记录提前结束。"
                    )
                    % {
                        "estate": earlier.estate.name,
                        "start": plain_date(later.term_start),
                        "end": plain_date(earlier.term_end),
                    },
                    reverse("registry:detail", args=["committees", earlier.pk]),
                )


def owners_in_their_street(street, today: dt.date):
    """An owner is registered in the street where their unit lies: the owners' register is kept per street
    (owner numbers are unique in a street), the unit form and the import look owners up there, and whoever
    reads a street whole reads its owners by that street (registry/scoping.py). A unit whose owner is
    registered in another street would be missing from its own street's owner list."""
    strays = (
        Unit.objects.filter(building__estate__area__street=street, owner__isnull=False)
        .exclude(owner__street=street)
        .select_related("building__estate", "owner__street")
        .order_by("building__estate__name", "pk")
    )
    for unit in strays[:50]:
        yield Finding(
            ERROR,
            gettext("%(unit)s：业主%(ref)s登记在%(other)s，不在本街道的业主名册中。")
            % {
                "unit": str(unit),
                "ref": unit.owner.ref,
                "other": unit.owner.street.name,
            },
            reverse("registry:detail", args=["units", unit.pk]),
        )


INVARIANTS = [
    Invariant(
        "registry.one_company_at_a_time",
        _("每个小区同一时间只有一家物业企业"),
        one_company_at_a_time,
        _("同一小区的物业服务合同期间不得重叠。"),
    ),
    Invariant(
        "registry.committee_terms",
        _("业委会任期连续且合规"),
        committee_terms,
        _("业委会任期三至五年，同一时间只有一届业委会。"),
    ),
    Invariant(
        "registry.owners_in_their_street",
        _("业主登记在房屋所在街道"),
        owners_in_their_street,
        _("房屋的业主须登记在房屋所在街道的业主名册中。"),
    ),
]
