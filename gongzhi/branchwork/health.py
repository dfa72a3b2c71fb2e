"""数据体检 plug-in (core/health.py): who signs the branch's and the company's daily records."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.branchwork import rules
from gongzhi.branchwork.models import Meeting, MeetingKind, Patrol, SecurityLog
from gongzhi.core.dates import long_date, plain_date
from gongzhi.core.health import (
    ERROR,
    WARNING,
    Finding,
    Invariant,
    manages_on,
    managing_companies,
    staff_companies,
)


def guard_logs_signed_by_managing_company(street, today: dt.date):
    """A guard log (保安工作日志) is written by staff of the company that manages the estate that day
    (its contract in the registry), never by another company's staff."""
    staff = staff_companies(street)
    contracts = managing_companies(street)
    wrong: dict[tuple[str, str], list[dt.date]] = {}
    links: dict[tuple[str, str], str] = {}
    for log in (
        SecurityLog.objects.filter(estate__area__street=street)
        .exclude(author=None)
        .select_related("estate", "author")
        .order_by("estate__name", "day", "shift")
    ):
        companies = staff.get(log.author_id, set())
        if manages_on(contracts.get(log.estate_id, []), companies, log.day):
            continue
        key = (log.estate.name, log.author_label or str(log.author))
        wrong.setdefault(key, []).append(log.day)
        links[key] = reverse("branchwork:security")
    for (estate, author), days in wrong.items():
        yield Finding(
            ERROR,
            gettext(
                "%(estate)s：%(count)d份保安工作日志（%(first)s至%(last)s）由“%(author)s”填写，其所在企业当日并不管理本小区。"
            )
            % {
                "estate": estate,
                "count": len(days),
                "first": plain_date(min(days)),
                "last": plain_date(max(days)),
                "author": author,
            },
            links[(estate, author)],
        )


def patrols_in_their_area(street, today: dt.date):
    """A patrol is walked by a member of its own branch, through estates of the branch's area, and ends
    after it starts."""
    patrols = Patrol.objects.filter(branch__area__street=street)
    wrong: dict[int, list[str]] = {}
    for patrol_id, estate in (
        Patrol.estates.through.objects.filter(patrol__in=patrols)
        .exclude(estate__area_id=F("patrol__branch__area_id"))
        .values_list("patrol_id", "estate__name")
    ):
        wrong.setdefault(patrol_id, []).append(estate)
    outsiders = set(patrols.exclude(member__branch_id=F("branch_id")).values_list("pk", flat=True))
    backwards = set(patrols.filter(ended_at__lt=F("started_at")).values_list("pk", flat=True))
    for patrol in (
        patrols.filter(pk__in=set(wrong) | outsiders | backwards)
        .select_related("branch", "member")
        .order_by("day", "pk")
    ):
        link = reverse("branchwork:patrol", args=[patrol.pk])
        values = {"day": plain_date(patrol.day), "branch": patrol.branch.name, "member": patrol.member.name}
        if patrol.pk in outsiders:
            yield Finding(
                ERROR, gettext("%(branch)s %(day)s的日巡由非本支部成员“%(member)s”记录。") % values, link
            )
        if patrol.pk in wrong:
            yield Finding(
                ERROR,
                gettext("%(branch)s %(day)s的日巡包括不属于本居民区的小区：%(estates)s。")
                % {**values, "estates": "、".join(sorted(wrong[patrol.pk]))},
                link,
            )
        if patrol.pk in backwards:
            yield Finding(ERROR, gettext("%(branch)s %(day)s的日巡结束时间早于开始时间。") % values, link)


def minutes_fit_meetings(street, today: dt.date):
    """Minutes record one meeting: a meeting signed off (its minutes approved) has minutes, and no two
    meetings carry the same minutes word for word — a hearing's record is not a branch meeting's, and a
    weekly meeting's record differs from last week's at least in its day, attendance and resolutions. The
    same text under meetings of different kinds is an error; under meetings of one kind, a warning (a form
    pasted instead of a record)."""
    from django.db.models import Q

    held = Meeting.objects.filter(street=street, cancelled=False).exclude(
        Q(minutes="") & Q(signed_off_at=None)
    )
    same: dict[str, list[tuple[int, str, str, dt.datetime]]] = {}
    labels = dict(MeetingKind.choices)
    for pk, kind, title, starts_at, minutes, signed in held.values_list(
        "pk", "kind", "title", "starts_at", "minutes", "signed_off_at"
    ).order_by("starts_at", "pk"):
        text = "".join((minutes or "").split())
        day = timezone.localtime(starts_at).date()
        if not text:
            if signed is not None:
                yield Finding(
                    ERROR,
                    gettext("%(day)s的“%(title)s”已签发，却没有会议纪要。")
                    % {"day": long_date(day), "title": title},
                    reverse("branchwork:meeting", args=[pk]),
                )
            continue
        same.setdefault(text, []).append((pk, kind, title, starts_at))
    for meetings in same.values():
        if len(meetings) < 2:
            continue
        kinds = sorted({kind for _pk, kind, _t, _s in meetings})
        first, last = (timezone.localtime(meetings[i][3]).date() for i in (0, -1))
        yield Finding(
            ERROR if len(kinds) > 1 else WARNING,
            gettext(
                "%(count)d次会议（%(kinds)s，%(first)s至%(last)s）的会议纪要一字不差，"
                "纪要应记录每次会议自己的议程、出席和决议。"
            )
            % {
                "count": len(meetings),
                "kinds": "、".join(str(labels.get(k, k)) for k in kinds),
                "first": long_date(first),
                "last": long_date(last),
            },
            reverse("branchwork:meeting", args=[meetings[0][0]]),
        )


def patrol_summaries_fit_findings(street, today: dt.date):
    """A patrol's summary (巡查小结) does not say nothing was found when the patrol recorded findings: the
    summary is what the branch reads, the findings are what was handed to the problem tracker
    (``services.patrol_end`` refuses such a summary since issue 15; older records may still carry one)."""
    from django.db.models import Count

    for patrol in (
        Patrol.objects.filter(branch__area__street=street)
        .exclude(summary="")
        .annotate(found=Count("findings"))
        .filter(found__gt=0)
        .select_related("branch", "member")
        .order_by("day", "pk")
    ):
        if rules.says_nothing_found(patrol.summary):
            yield Finding(
                ERROR,
                gettext("%(branch)s %(day)s %(member)s的日巡小结写“%(summary)s”，却登记了%(count)d项发现。")
                % {
                    "branch": patrol.branch.name,
                    "day": long_date(patrol.day),
                    "member": patrol.member.name,
                    "summary": patrol.summary,
                    "count": patrol.found,
                },
                reverse("branchwork:patrol", args=[patrol.pk]),
            )


INVARIANTS = [
    Invariant(
        "branchwork.guard_logs_signed_by_managing_company",
        _("保安工作日志由管理本小区的物业企业填写"),
        guard_logs_signed_by_managing_company,
        _("物业企业员工只为本企业按合同管理的小区签署记录。"),
    ),
    Invariant(
        "branchwork.patrols_in_their_area",
        _("日巡记录与支部、居民区相符"),
        patrols_in_their_area,
        _("日巡由本支部成员在本居民区内进行，时间先后有序。"),
    ),
    Invariant(
        "branchwork.minutes_fit_meetings",
        _("会议纪要是本次会议的记录"),
        minutes_fit_meetings,
        _("签发的会议应有纪要；纪要记录本次会议的议程、出席和决议，不同会议的纪要不会一字不差。"),
    ),
    Invariant(
        "branchwork.patrol_summaries_fit_findings",
        _("日巡小结与发现的问题相符"),
        patrol_summaries_fit_findings,
        _("登记了发现问题的日巡，小结不能写未发现问题。"),
    ),
]
