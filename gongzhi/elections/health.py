"""数据体检 plug-in (core/health.py): the registry's owners' committees against the election records."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.core.dates import plain_date
from gongzhi.core.health import ERROR, WARNING, Finding, Invariant
from gongzhi.elections import rules
from gongzhi.elections.models import Slate, SlateStatus
from gongzhi.registry.models import Estate, OwnersCommittee
from gongzhi.voting.models import Decision, Matter


def _terms(street) -> dict[int, list[OwnersCommittee]]:
    terms: dict[int, list[OwnersCommittee]] = defaultdict(list)
    for committee in OwnersCommittee.objects.filter(estate__area__street=street).order_by("term_start"):
        terms[committee.estate_id].append(committee)
    return terms


def _estate_link(estate_id: int) -> str:
    return reverse("registry:detail", args=["estates", estate_id])


def elections_in_registry(street, today: dt.date):
    """An approved slate whose election day has passed, and a passed owners' vote electing the committee
    (art. 278 (3)), must each be followed by that committee's term in the registry."""
    terms = _terms(street)
    slates = (
        Slate.objects.filter(
            estate__area__street=street, status=SlateStatus.APPROVED, election_date__lte=today
        )
        .select_related("estate")
        .order_by("estate__name", "election_date")
    )
    for slate in slates:
        starts = [c.term_start for c in terms.get(slate.estate_id, [])]
        if not rules.elected_term_found(slate.election_date, starts):
            yield Finding(
                ERROR,
                gettext(
                    "%(estate)s：换届人选已审核通过，选举日为%(date)s，但台账中没有此后%(days)d天内开始任期的业委会。"
                )
                % {
                    "estate": slate.estate.name,
                    "date": plain_date(slate.election_date),
                    "days": rules.ELECTED_TERM_STARTS_WITHIN_DAYS,
                },
                reverse("elections:detail", args=[slate.pk]),
            )
    votes = (
        Decision.objects.filter(estate__area__street=street, matter=Matter.COMMITTEE, passed=True)
        .exclude(finalised_at=None)
        .select_related("estate")
        .order_by("estate__name", "closes_at")
    )
    for decision in votes:
        day = timezone.localdate(decision.closes_at)
        if day > today:
            continue
        starts = [c.term_start for c in terms.get(decision.estate_id, [])]
        if not rules.elected_term_found(day, starts):
            yield Finding(
                ERROR,
                gettext(
                    "%(estate)s：业主大会于%(date)s表决通过选举业委会（“%(title)s”），台账中没有这一届业委会。"
                )
                % {"estate": decision.estate.name, "date": plain_date(day), "title": decision.title},
                reverse("voting:detail", args=[decision.pk]),
            )


def election_timing(street, today: dt.date):
    """A re-election comes near the end of the sitting committee's term (3–5 years, art. 28), not months
    after a new term began."""
    terms = _terms(street)
    slates = (
        Slate.objects.filter(estate__area__street=street)
        .exclude(status=SlateStatus.RETURNED)
        .select_related("estate")
        .order_by("estate__name", "election_date")
    )
    for slate in slates:
        sitting = [c for c in terms.get(slate.estate_id, []) if c.term_start < slate.election_date]
        if not sitting:
            continue
        committee = sitting[-1]
        if rules.election_is_early(slate.election_date, committee.term_end):
            yield Finding(
                WARNING,
                gettext(
                    "%(estate)s：换届选举日%(date)s距现任业委会任期开始（%(start)s）仅%(months)d个月，任期至%(end)s。"
                )
                % {
                    "estate": slate.estate.name,
                    "date": plain_date(slate.election_date),
                    "start": plain_date(committee.term_start),
                    "end": plain_date(committee.term_end),
                    "months": _months_between(committee.term_start, slate.election_date),
                },
                reverse("elections:detail", args=[slate.pk]),
            )


def _months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def due_committees_have_slate(street, today: dt.date):
    """A committee within 5 months of its term end must report to the street (art. 28) and a slate be
    prepared; an ended term without a successor is an error."""
    terms = _terms(street)
    slate_days: dict[int, list[dt.date]] = defaultdict(list)
    for estate_id, day in Slate.objects.filter(estate__area__street=street).values_list(
        "estate_id", "election_date"
    ):
        slate_days[estate_id].append(day)
    names = dict(Estate.objects.filter(area__street=street).values_list("pk", "name"))
    for estate_id, committees in sorted(terms.items(), key=lambda item: names.get(item[0], "")):
        latest = committees[-1]
        state = rules.term_state(latest.term_end, today)
        if state == rules.TERM_OK:
            continue
        warn_from = rules.add_months(latest.term_end, -rules.TERM_WARNING_MONTHS)
        # A slate counts once the sitting term is in its last year (an earlier one belongs to this term).
        if any(
            day >= rules.add_months(latest.term_end, -rules.EARLY_ELECTION_MONTHS)
            for day in slate_days[estate_id]
        ):
            continue
        if state == rules.TERM_OVERDUE:
            message = gettext("%(estate)s：业委会任期已于%(end)s届满，没有换届人选，也没有新一届业委会。")
        else:
            message = gettext(
                "%(estate)s：业委会任期%(end)s届满，自%(from)s起应向街道报告并准备换届，尚无换届人选。"
            )
        yield Finding(
            ERROR if state == rules.TERM_OVERDUE else WARNING,
            message
            % {"estate": names[estate_id], "end": plain_date(latest.term_end), "from": plain_date(warn_from)},
            _estate_link(estate_id),
        )


INVARIANTS = [
    Invariant(
        "elections.elections_in_registry",
        _("业委会台账与换届记录一致"),
        elections_in_registry,
        _("审核通过的换届人选和业主大会选举表决应体现在业委会台账中。"),
    ),
    Invariant(
        "elections.election_timing",
        _("换届时间与任期相符"),
        election_timing,
        _("业委会任期三至五年，换届应在任期届满前进行，而非新一届任期开始后数月。"),
    ),
    Invariant(
        "elections.due_committees_have_slate",
        _("任期将满的业委会已有换届人选"),
        due_committees_have_slate,
        _("任期届满前五个月业委会应向街道报告，街道把关换届人选。"),
    ),
]
