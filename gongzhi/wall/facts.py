"""The facts behind the wall's indicators: one gatherer per fact source, each a fixed number of set-based
queries for any number of estates (never a query per estate), reusing the apps' own selectors where they
exist (finance's money alerts and disclosure schedule, voting's participation, branchwork's compliance).

``gather(source, estate_ids, today)`` → {estate id: facts}; every estate gets a facts dict (zeros when it
has nothing). Facts are plain JSON values: they are kept as the status row's detail and shown on the
health card.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Min, Q, Sum
from django.utils import timezone

Facts = dict[str, Any]


def _problems(estate_ids: list[int], today: dt.date) -> dict[int, Facts]:
    """Today: by status (what the problem list shows). A past day (the trends): from the dates — reported
    by then and not yet closed; overdue when past its deadline and not yet submitted for acceptance."""
    from gongzhi.problems.models import ACTIVE_STATUSES, OPEN_STATUSES, Problem, Status

    if today >= timezone.localdate():
        rows = (
            Problem.objects.filter(estate_id__any_of=estate_ids, status__in=ACTIVE_STATUSES)
            .order_by()
            .values("estate_id")
            .annotate(
                open=Count("pk"),
                overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, deadline__lt=today)),
            )
        )
    else:
        not_closed = Q(closed_at__isnull=True) | Q(closed_at__date__gt=today)
        not_submitted = Q(submitted_at__isnull=True) | Q(submitted_at__date__gt=today)
        rows = (
            Problem.objects.filter(estate_id__any_of=estate_ids, created_at__date__lte=today)
            .exclude(status=Status.REJECTED)
            .filter(not_closed)
            .order_by()
            .values("estate_id")
            .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(deadline__lt=today) & not_submitted))
        )
    found = {row["estate_id"]: {"open": row["open"], "overdue": row["overdue"]} for row in rows}
    return {e: found.get(e, {"open": 0, "overdue": 0}) for e in estate_ids}


def _closure(estate_ids: list[int], today: dt.date) -> dict[int, Facts]:
    """Problems closed in the 365 days up to ``today``; on time = submitted for acceptance by the deadline
    (the deadline binds the assignee's work, not the branch's acceptance)."""
    from gongzhi.problems.models import Problem, Status

    since = today - dt.timedelta(days=365)
    rows = (
        Problem.objects.filter(
            estate_id__any_of=estate_ids,
            status=Status.CLOSED,
            closed_at__date__gt=since,
            closed_at__date__lte=today,
            deadline__isnull=False,
        )
        .order_by()
        .values("estate_id")
        .annotate(closed=Count("pk"), on_time=Count("pk", filter=Q(submitted_at__date__lte=F("deadline"))))
    )
    found = {row["estate_id"]: {"closed": row["closed"], "on_time": row["on_time"]} for row in rows}
    # Days from report to close of every problem closed in the window (with or without a deadline),
    # local calendar days; the median is taken here so that the kept detail stays one number.
    days: dict[int, list[int]] = defaultdict(list)
    for estate_id, created_at, closed_at in Problem.objects.filter(
        estate_id__any_of=estate_ids,
        status=Status.CLOSED,
        closed_at__date__gt=since,
        closed_at__date__lte=today,
    ).values_list("estate_id", "created_at", "closed_at"):
        days[estate_id].append(
            (timezone.localtime(closed_at).date() - timezone.localtime(created_at).date()).days
        )
    result: dict[int, Facts] = {}
    for e in estate_ids:
        facts = dict(found.get(e, {"closed": 0, "on_time": 0}))
        facts["closed_all"] = len(days[e])
        facts["median_days"] = median_text(days[e])
        result[e] = facts
    return result


def median_text(values: list[int]) -> str | None:
    """The median of whole days as a plain decimal string (``"4"``, ``"4.5"``), None for no values.
    Known answers: [] → None; [3] → "3"; [1, 9, 4] → "4"; [1, 4, 5, 30] → "4.5"."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return str(ordered[middle])
    return str((Decimal(ordered[middle - 1]) + Decimal(ordered[middle])) / 2)


def _finance(estate_ids: list[int], today: dt.date) -> dict[int, Facts]:
    from gongzhi.finance.selectors import money_alerts

    result: dict[int, Facts] = {
        e: {"low_fund": 0, "use_no_decision": 0, "use_no_audit": 0, "transfer_short": 0} for e in estate_ids
    }
    for alert in money_alerts(estate_ids=estate_ids, today=today):
        if alert.day > today:  # as of a past day (the trends): not yet arisen
            continue
        result[alert.estate_id][alert.kind] += 1
    for estate_id, (initial, balance) in _fund_balances(estate_ids, today).items():
        result[estate_id]["fund_initial"] = None if initial is None else str(initial)
        result[estate_id]["fund_balance"] = None if balance is None else str(balance)
    return result


def _fund_balances(estate_ids: list[int], today: dt.date) -> dict[int, tuple[Decimal | None, Decimal | None]]:
    """Estate → (the maintenance fund's initial amount, its balance at the end of ``today``), three
    queries for any number of estates: the initial amount as finance's money alerts take it (the finance
    profile's, else the net of the 首期归集 entries), the balance of the last entry dated by ``today``."""
    from django.db.models import OuterRef, Subquery

    from gongzhi.finance.models import Direction, FinanceProfile, LedgerEntry, LedgerKind
    from gongzhi.finance.rules import CATEGORY_INITIAL
    from gongzhi.registry.models import Estate

    fund = LedgerEntry.objects.filter(ledger=LedgerKind.MAINTENANCE_FUND, date__lte=today)
    explicit = dict(
        FinanceProfile.objects.filter(
            estate_id__any_of=estate_ids, initial_fund_amount__isnull=False
        ).values_list("estate_id", "initial_fund_amount")
    )
    derived = {
        row["estate_id"]: (row["came_in"] or Decimal(0)) - (row["went_out"] or Decimal(0))
        for row in fund.filter(estate_id__any_of=estate_ids, category=CATEGORY_INITIAL)
        .order_by()
        .values("estate_id")
        .annotate(
            came_in=Sum("amount", filter=Q(direction=Direction.IN)),
            went_out=Sum("amount", filter=Q(direction=Direction.OUT)),
        )
    }
    last = fund.filter(estate_id=OuterRef("pk")).order_by("-seq").values("balance")[:1]
    balances = dict(
        Estate.objects.filter(pk__any_of=estate_ids).annotate(b=Subquery(last)).values_list("pk", "b")
    )
    result: dict[int, tuple[Decimal | None, Decimal | None]] = {}
    for e in estate_ids:
        initial = explicit.get(e, derived.get(e))
        if initial is not None:  # SQLite sums decimals as floats: back to exact cents
            initial = Decimal(str(initial)).quantize(Decimal("0.01"))
        balance = balances.get(e)
        result[e] = (initial, None if balance is None else Decimal(str(balance)).quantize(Decimal("0.01")))
    return result


def _disclosure(estate_ids: list[int], today: dt.date) -> dict[int, Facts]:
    from gongzhi.finance.selectors import disclosure_status

    result: dict[int, Facts] = {e: {"ledgers": 0, "max_days": 0} for e in estate_ids}
    for (estate_id, _ledger), state in disclosure_status(estate_ids=estate_ids, today=today).items():
        if state.overdue:
            facts = result[estate_id]
            facts["ledgers"] += 1
            facts["max_days"] = max(facts["max_days"], state.days_overdue)
    return result


def _evaluation(estate_ids: list[int], today: dt.date) -> dict[int, Facts]:
    """In the latest recomputed campaign of the estate's street (period ended by ``today``): the class of
    the company that manages the estate (classes are given to companies) and the estate's own rank; and
    whether that company is a candidate of an open bottom elimination."""
    from gongzhi.evaluation.models import (
        Campaign,
        CandidateStage,
        EliminationCandidate,
        EliminationStatus,
        ScoreKind,
        ScoreSnapshot,
    )
    from gongzhi.registry.models import Contract, Estate

    street_of = dict(Estate.objects.filter(pk__any_of=estate_ids).values_list("pk", "area__street_id"))
    campaign_of: dict[int, tuple[int, str]] = {}
    for pk, street_id, name in (
        Campaign.objects.filter(
            street_id__in=set(street_of.values()), recomputed_at__isnull=False, period_end__lte=today
        )
        .order_by("street_id", "-period_end", "-pk")
        .values_list("pk", "street_id", "name")
    ):
        campaign_of.setdefault(street_id, (pk, name))
    campaign_ids = [pk for pk, _name in campaign_of.values()]
    company_of = dict(
        Contract.objects.active(today)
        .filter(estate_id__any_of=estate_ids)
        .values_list("estate_id", "company_id")
    )
    ranks: dict[tuple[int, int], int] = {}
    counts: dict[int, int] = defaultdict(int)
    classes: dict[tuple[int, int], str] = {}
    surveys: dict[tuple[int, int], tuple[Decimal | None, int]] = {}
    for (
        campaign_id,
        kind,
        estate_id,
        company_id,
        rank,
        klass,
        mean,
        responses,
    ) in ScoreSnapshot.objects.filter(campaign_id__any_of=campaign_ids).values_list(
        "campaign_id", "kind", "estate_id", "company_id", "rank", "score_class", "survey_mean", "responses"
    ):
        if kind == ScoreKind.ESTATE:
            counts[campaign_id] += 1
            ranks[campaign_id, estate_id] = rank
            surveys[campaign_id, estate_id] = (mean, responses)
        else:
            classes[campaign_id, company_id] = klass
    stages: dict[int, tuple[str, str]] = {}
    for company_id, status, stage in (
        EliminationCandidate.objects.filter(company_id__any_of=set(company_of.values()))
        .exclude(elimination__status=EliminationStatus.CLOSED)
        .exclude(stage=CandidateStage.CLEARED)
        .values_list("company_id", "elimination__status", "stage")
    ):
        stages[company_id] = (status, stage)
    result: dict[int, Facts] = {}
    for e in estate_ids:
        company_id = company_of.get(e, 0)
        status, stage = stages.get(company_id, ("", ""))
        facts: Facts = {"class": "", "elimination": status, "elimination_stage": stage}
        campaign = campaign_of.get(street_of.get(e, 0))
        if campaign is not None:
            facts["campaign"] = campaign[1]
            facts["class"] = classes.get((campaign[0], company_id), "")
            facts["rank"] = ranks.get((campaign[0], e))
            facts["of"] = counts.get(campaign[0], 0)
            mean, responses = surveys.get((campaign[0], e), (None, 0))
            facts["satisfaction"] = None if mean is None else str(mean)
            facts["responses"] = responses
        result[e] = facts
    return result


def _committee(estate_ids: list[int], today: dt.date) -> dict[int, Facts]:
    """The committee in office on ``today`` (else the latest one whose term has ended: its term is
    overdue) and its members."""
    from gongzhi.registry.models import CommitteeMember, OwnersCommittee

    latest: dict[int, OwnersCommittee] = {}
    for committee in OwnersCommittee.objects.filter(
        estate_id__any_of=estate_ids, term_start__lte=today
    ).order_by("estate_id", "-term_start"):
        latest.setdefault(committee.estate_id, committee)
    members = {
        row["committee_id"]: row
        for row in CommitteeMember.objects.filter(committee_id__any_of=[c.pk for c in latest.values()])
        .order_by()
        .values("committee_id")
        .annotate(
            n=Count("pk"),
            party=Count("pk", filter=Q(is_party_member=True)),
            cross=Count("pk", filter=Q(is_cross_appointed=True)),
        )
    }
    result: dict[int, Facts] = {}
    for e in estate_ids:
        committee = latest.get(e)
        if committee is None:
            result[e] = {"has_committee": False, "members": 0, "party": 0, "cross": 0}
            continue
        row = members.get(committee.pk, {"n": 0, "party": 0, "cross": 0})
        result[e] = {
            "has_committee": True,
            "term_end": committee.term_end.isoformat(),
            "days_left": (committee.term_end - today).days,
            "members": row["n"],
            "party": row["party"],
            "cross": row["cross"],
        }
    return result


def _voting(estate_ids: list[int], today: dt.date) -> dict[int, Facts]:
    from gongzhi.voting.models import Decision, DecisionStatus
    from gongzhi.voting.selectors import participation_many

    now = timezone.now()
    if today != timezone.localdate():  # as of the end of that day
        now = dt.datetime.combine(today, dt.time.max, tzinfo=timezone.get_current_timezone())
    decisions = list(
        Decision.objects.filter(
            estate_id__any_of=estate_ids,
            status=DecisionStatus.PUBLISHED,
            opens_at__lte=now,
            closes_at__gt=now,
        ).order_by("closes_at", "pk")
    )
    figures = participation_many(decisions)
    result: dict[int, Facts] = {e: {"live": 0, "short": []} for e in estate_ids}
    for decision in decisions:
        facts = result[decision.estate_id]
        facts["live"] += 1
        figure = figures[decision.pk]
        if not figure["quorum_met"]:
            facts["short"].append(
                {
                    "title": decision.title,
                    "owners_missing": figure["owners_missing"],
                    "days_left": (timezone.localtime(decision.closes_at).date() - today).days,
                }
            )
    return result


def _branch(estate_ids: list[int], today: dt.date) -> dict[int, Facts]:
    """The last full week (Monday–Sunday before ``today``'s week) of the area's joint party branch."""
    from gongzhi.branchwork.selectors import compliance
    from gongzhi.registry.models import Branch, Estate

    monday = today - dt.timedelta(days=today.weekday() + 7)
    estates = list(Estate.objects.filter(pk__any_of=estate_ids).values_list("pk", "area_id", "name"))
    area_of = {pk: area_id for pk, area_id, _name in estates}
    names = {pk: name for pk, _area_id, name in estates}
    branches = Branch.objects.filter(area_id__any_of=set(area_of.values())).select_related("area")
    weeks = {week.branch.area_id: week for week in compliance(branches, monday, today)}
    result: dict[int, Facts] = {}
    for e in estate_ids:
        week = weeks.get(area_of.get(e, 0))
        facts: Facts = {
            "week": monday.isoformat(),
            "patrol_gap": 0,
            "meeting_gap": 0,
            "committee_overdue": 0,
            "postings_bad": 0,
        }
        if week is not None:
            facts["patrol_gap"] = week.patrols.gap
            facts["meeting_gap"] = week.meetings.gap
            mine = [c for c in week.committees if c.estate_name == names.get(e)]
            facts["committee_overdue"] = sum(1 for c in mine if c.rhythm.overdue)
            facts["postings_bad"] = sum(c.bad_postings for c in mine)
        result[e] = facts
    return result


def _fees(estate_ids: list[int], today: dt.date) -> dict[int, Facts]:
    """The 12 calendar months up to ``today``'s month, summed; the contract's recorded rate beside it."""
    from gongzhi.fees.models import MonthlyCollection
    from gongzhi.fees.rules import month_add, month_start
    from gongzhi.registry.models import Contract

    first = month_add(month_start(today), -11)
    rows = {
        row["estate_id"]: row
        for row in MonthlyCollection.objects.filter(
            estate_id__any_of=estate_ids, month__gte=first, month__lte=today
        )
        .order_by()
        .values("estate_id")
        .annotate(billed=Sum("amount_billed"), collected=Sum("amount_collected"), months=Count("pk"))
    }
    rates = dict(
        Contract.objects.active(today)
        .filter(estate_id__any_of=estate_ids, collection_rate__isnull=False)
        .values_list("estate_id", "collection_rate")
    )
    result: dict[int, Facts] = {}
    for e in estate_ids:
        row = rows.get(e)
        rate = rates.get(e)
        result[e] = {
            # SQLite sums decimals as floats: back to exact cents
            "billed": str(Decimal(str(row["billed"])).quantize(Decimal("0.01"))) if row else "0",
            "collected": str(Decimal(str(row["collected"])).quantize(Decimal("0.01"))) if row else "0",
            "months": row["months"] if row else 0,
            "contract_rate": str(rate) if rate is not None else None,
        }
    return result


SOURCES: dict[str, Callable[[list[int], dt.date], dict[int, Facts]]] = {
    "problems": _problems,
    "closure": _closure,
    "finance": _finance,
    "disclosure": _disclosure,
    "evaluation": _evaluation,
    "committee": _committee,
    "voting": _voting,
    "branch": _branch,
    "fees": _fees,
}


def gather(source: str, estate_ids: list[int], today: dt.date) -> dict[int, Facts]:
    return SOURCES[source](list(estate_ids), today)


# ---- since when a source has records (the trends' honest start) ------------------------------------------------


def _first_day(rows) -> dict[int, dt.date]:
    """(street id, first moment) rows → street id → local date."""
    result: dict[int, dt.date] = {}
    for street_id, first in rows:
        if first is None:
            continue
        day = timezone.localtime(first).date() if isinstance(first, dt.datetime) else first
        result[street_id] = min(day, result.get(street_id, day))
    return result


def _problems_since(street_ids: list[int]) -> dict[int, dt.date]:
    from gongzhi.problems.models import Problem

    return _first_day(
        Problem.objects.filter(estate__area__street_id__in=street_ids)
        .order_by()
        .values("estate__area__street_id")
        .annotate(first=Min("created_at"))
        .values_list("estate__area__street_id", "first")
    )


def _branch_since(street_ids: list[int]) -> dict[int, dt.date]:
    """The first patrol or branch meeting on record: before it the platform knows nothing of the
    branches' rhythm, so an empty week then is unknown, not a gap."""
    from gongzhi.branchwork.models import Meeting, MeetingKind, Patrol

    patrols = (
        Patrol.objects.filter(branch__area__street_id__in=street_ids)
        .order_by()
        .values("branch__area__street_id")
        .annotate(first=Min("day"))
        .values_list("branch__area__street_id", "first")
    )
    meetings = (
        Meeting.objects.filter(street_id__in=street_ids, kind=MeetingKind.BRANCH, cancelled=False)
        .order_by()
        .values("street_id")
        .annotate(first=Min("starts_at"))
        .values_list("street_id", "first")
    )
    return _first_day([*patrols, *meetings])


# Sources whose zero means "nothing recorded yet" before the street started recording them on the platform.
# The others read dated facts that exist from their own start (contracts, committees' terms, ledgers,
# monthly collections, campaigns, votes) and need no such bound.
RECORDS_SINCE: dict[str, Callable[[list[int]], dict[int, dt.date]]] = {
    "problems": _problems_since,
    "closure": _problems_since,
    "branch": _branch_since,
}


def records_since(street_ids: list[int]) -> dict[tuple[int, str], dt.date | None]:
    """(street id, source) → the first day the street has records of that source (None: none at all),
    for the sources of ``RECORDS_SINCE``; the trends leave a month before it without a number."""
    result: dict[tuple[int, str], dt.date | None] = {}
    found: dict[Callable, dict[int, dt.date]] = {}
    for source, first_of in RECORDS_SINCE.items():
        if first_of not in found:
            found[first_of] = first_of(list(street_ids))
        for street_id in street_ids:
            result[street_id, source] = found[first_of].get(street_id)
    return result
