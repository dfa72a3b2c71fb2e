"""数据体检 plug-in (core/health.py): owners'-decision numbers as the disclosure book and the ledgers cite
them (``rules.parse_decision_number``), against the decisions the owners actually took."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.core.dates import plain_date
from gongzhi.core.health import ERROR, WARNING, Finding, Invariant
from gongzhi.voting import rules
from gongzhi.voting.models import Decision, DecisionStatus


@dataclass(frozen=True)
class Citation:
    estate_id: int
    estate: str
    year: int
    number: int
    reference: str
    what: str  # the title of the major matter, or the project of the ledger entry
    day: dt.date
    kind: str  # "matter" or "ledger"
    link: str


def citations(street) -> list[Citation]:
    """Every decision number cited on the street's disclosure books (major matters) and fund ledgers."""
    from gongzhi.disclosure.models import MajorMatter
    from gongzhi.finance.models import Direction, LedgerEntry

    found = []
    for estate_id, estate, reference, title, day in (
        MajorMatter.objects.filter(estate__area__street=street)
        .exclude(reference="")
        .order_by("estate_id", "date", "pk")
        .values_list("estate_id", "estate__name", "reference", "title", "date")
    ):
        parsed = rules.parse_decision_number(reference)
        if parsed:
            link = reverse("book:edit", args=[estate_id])
            found.append(Citation(estate_id, estate, *parsed, reference, title, day, "matter", link))
    # Payments for a job (a project); a standing decision to transfer public income every quarter is
    # cited by many transfers, which name no project.
    for estate_id, estate, reference, project, day in (
        LedgerEntry.objects.filter(estate__area__street=street, direction=Direction.OUT, reverses=None)
        .exclude(reference="")
        .exclude(project="")
        .order_by("estate_id", "date", "seq")
        .values_list("estate_id", "estate__name", "reference", "project", "date")
    ):
        parsed = rules.parse_decision_number(reference)
        if parsed:
            link = reverse("finance:estate", args=[estate_id])
            found.append(Citation(estate_id, estate, *parsed, reference, project, day, "ledger", link))
    return found


def decision_numbers_unique(street, today: dt.date):
    """One number names one decision of one estate: two different major matters (or two different ledger
    projects) citing the same number of the same estate and year contradict each other."""
    groups: dict[tuple[int, int, int, str], list[Citation]] = defaultdict(list)
    for citation in citations(street):
        groups[(citation.estate_id, citation.year, citation.number, citation.kind)].append(citation)
    for (_estate_id, year, number, kind), cited in sorted(
        groups.items(), key=lambda g: (g[1][0].estate, g[0])
    ):
        things = sorted({c.what for c in cited})
        if len(things) < 2:
            continue
        template = (
            gettext(
                "%(estate)s：决定文号%(year)d年第%(number)d号在公示本中用于%(count)d个不同事项：%(things)s。"
            )
            if kind == "matter"
            else gettext(
                "%(estate)s：决定文号%(year)d年第%(number)d号在账本中用于%(count)d个不同项目：%(things)s。"
            )
        )
        yield Finding(
            ERROR,
            template
            % {
                "estate": cited[0].estate,
                "year": year,
                "number": number,
                "count": len(things),
                "things": "、".join(f"“{t}”" for t in things),
            },
            cited[0].link,
        )


def decision_numbers_are_decisions(street, today: dt.date):
    """A decision number is given only to an owners' decision. Three checks: no record cites a decision of a
    later year than its own date; in the years after the street's first vote on the platform (when every
    owners' vote is held there; the first year may mix paper and platform votes), a number must fit the
    estate's passed decisions of that year; and a disclosure-book matter that is a meeting or an activity
    (a hearing, the annual price meeting, a board put up) carries no decision number (a warning: read by its
    title)."""
    passed: dict[tuple[int, int], int] = defaultdict(int)
    first_year: int | None = None
    for estate_id, closes_at, was_passed in (
        Decision.objects.filter(estate__area__street=street)
        .exclude(closed_at=None)
        .values_list("estate_id", "closes_at", "passed")
    ):
        year = timezone.localdate(closes_at).year
        first_year = year if first_year is None else min(first_year, year)
        if was_passed:
            passed[(estate_id, year)] += 1
    for c in citations(street):
        where = (gettext("公示本事项“%(what)s”") if c.kind == "matter" else gettext("账本支出“%(what)s”")) % {
            "what": c.what
        }
        values = {"estate": c.estate, "where": where, "reference": c.reference, "year": c.year}
        if c.year > c.day.year:
            yield Finding(
                ERROR,
                gettext(
                    "%(estate)s：%(where)s日期为%(day)s，却引用%(year)d年的业主大会决定（%(reference)s）。"
                )
                % {**values, "day": plain_date(c.day)},
                c.link,
            )
            continue
        if first_year is not None and c.year > first_year and c.number > passed[(c.estate_id, c.year)]:
            yield Finding(
                ERROR,
                gettext(
                    "%(estate)s：%(where)s引用%(reference)s，但本小区%(year)d年经平台表决通过的业主大会决定只有%(count)d项。"
                )
                % {**values, "count": passed[(c.estate_id, c.year)]},
                c.link,
            )
            continue
        if c.kind == "matter" and rules.is_activity(c.what):
            yield Finding(
                WARNING,
                gettext(
                    "%(estate)s：%(where)s是会议或活动，不是业主大会决定，却使用了决定文号%(reference)s。"
                )
                % values,
                c.link,
            )


def closed_decisions_are_finished(street, today: dt.date):
    """A decision whose voting closed more than a month ago has its result counted and published."""
    late = (
        Decision.objects.filter(
            estate__area__street=street, closes_at__date__lt=today - dt.timedelta(days=30)
        )
        .exclude(status=DecisionStatus.DRAFT)
        .filter(finalised_at=None)
        .select_related("estate")
        .order_by("estate__name", "closes_at")
    )
    for decision in late:
        yield Finding(
            WARNING,
            gettext("%(estate)s：业主表决“%(title)s”已于%(day)s截止，一个月后仍未公布最终结果。")
            % {
                "estate": decision.estate.name,
                "title": decision.title,
                "day": plain_date(timezone.localdate(decision.closes_at)),
            },
            reverse("voting:detail", args=[decision.pk]),
        )


BUILDING = re.compile(r"(\d+)\s*号楼")


def decision_citations_agree(street, today: dt.date):
    """One decision number names one job: where the disclosure book and the fund ledger both cite a decision
    of the estate and year and both name buildings (号楼), they name the same buildings (a roof repair of
    2号楼 in the book is not the 27号楼 repair in the ledger)."""
    from gongzhi.disclosure.models import MajorMatter
    from gongzhi.finance.models import Direction, LedgerEntry

    named: dict[tuple[int, int, int], dict[str, set[str]]] = defaultdict(
        lambda: {"matter": set(), "ledger": set()}
    )
    estates: dict[int, str] = {}
    rows = [
        ("matter", row)
        for row in MajorMatter.objects.filter(estate__area__street=street)
        .exclude(reference="")
        .values_list("estate_id", "estate__name", "reference", "title", "body")
    ] + [
        ("ledger", row)
        for row in LedgerEntry.objects.filter(
            estate__area__street=street, direction=Direction.OUT, reverses=None
        )
        .exclude(reference="")
        .values_list("estate_id", "estate__name", "reference", "project", "summary")
    ]
    for kind, (estate_id, estate, reference, what, text) in rows:
        parsed = rules.parse_decision_number(reference)
        if parsed is None:
            continue
        estates[estate_id] = estate
        named[(estate_id, *parsed)][kind] |= set(BUILDING.findall(f"{what} {text}"))
    for (estate_id, year, number), found in sorted(
        named.items(), key=lambda item: (estates[item[0][0]], item[0])
    ):
        book, ledger = found["matter"], found["ledger"]
        if book and ledger and book != ledger:
            yield Finding(
                ERROR,
                gettext(
                    "%(estate)s：决定文号%(year)d年第%(number)d号在公示本中是%(book)s，在账本中却是%(ledger)s。"
                )
                % {
                    "estate": estates[estate_id],
                    "year": year,
                    "number": number,
                    "book": "、".join(f"{b}号楼" for b in sorted(book, key=int)),
                    "ledger": "、".join(f"{b}号楼" for b in sorted(ledger, key=int)),
                },
                reverse("finance:estate", args=[estate_id]),
            )


INVARIANTS = [
    Invariant(
        "voting.decision_numbers_unique",
        _("业主大会决定文号不重复"),
        decision_numbers_unique,
        _("同一小区同一年度的一个决定文号只对应一项业主大会决定。"),
    ),
    Invariant(
        "voting.decision_numbers_are_decisions",
        _("决定文号只用于业主大会决定"),
        decision_numbers_are_decisions,
        _("听证会、支部活动等不是业主共同决定，不得使用业主大会决定文号。"),
    ),
    Invariant(
        "voting.closed_decisions_are_finished",
        _("截止的表决已公布结果"),
        closed_decisions_are_finished,
        _("表决截止后应及时计票并公布结果。"),
    ),
    Invariant(
        "voting.decision_citations_agree",
        _("公示本与账本引用同一决定时楼号一致"),
        decision_citations_agree,
        _("一个决定文号对应一项工程：公示本与维修资金账本对同一决定所涉楼栋的记载应当一致。"),
    ),
]
