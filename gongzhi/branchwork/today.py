"""The branch's work in the "today" list (``core/today.py``): the street admin's and the leadership's
plan milestones overdue or due within two weeks; tracked actions of meeting resolutions due within
a week or overdue, for whoever closes them; and this week's gaps of the user's own
branch — patrol days that can no longer be made up, branch meetings still to hold, owners'
committees overdue for a meeting, decisions not posted in time. ``selectors.compliance`` reads the
week in a fixed number of queries for any number of branches."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongzhi.branchwork import permissions, rules
from gongzhi.branchwork.models import WorkPlan
from gongzhi.branchwork.selectors import compliance
from gongzhi.branchwork.selectors_plan import open_actions_due, street_milestones
from gongzhi.core.scopes import Scope, branch_areas, visible
from gongzhi.core.today import LIMIT, TodayItem, more
from gongzhi.registry.models import Branch


def items(user, scope: Scope, today: dt.date) -> list[TodayItem]:
    return (
        _plan_items(user, scope, today)
        + _action_items(user, scope, today)
        + _rhythm_items(user, scope, today)
    )


def _plan_items(user, scope: Scope, today: dt.date) -> list[TodayItem]:
    """The street admin's and the leadership's milestones of the work plan that are overdue or due
    within two weeks (measurable ones judged from the data), a few queries per street."""
    if not scope.is_street_wide():
        return []
    result: list[TodayItem] = []
    url = reverse("branchwork_plan:plan")
    for street_id in visible(user, WorkPlan).values_list("street_id", flat=True):
        if not scope.is_street_wide(street_id):
            continue  # an area secretary reads the plan; the milestones await the street
        rows = [r for r in street_milestones(street_id, today) if r.state in (rules.OVERDUE, rules.DUE)]
        shown = [
            TodayItem(
                kind="branchwork.milestones",
                label=_("计划节点"),
                title=r.milestone.title,
                url=f"{url}?state={r.state}",
                due=r.milestone.due_on,
                detail=_("%(stage)s · 责任人 %(owner)s%(measure)s")
                % {
                    "stage": r.milestone.stage.title,
                    "owner": r.milestone.owner_label,
                    "measure": (
                        _("：现为 %(value)s，目标 %(target)s")
                        % {"value": r.measure.value, "target": r.measure.target}
                        if r.measure
                        else ""
                    ),
                },
            )
            for r in rows[:LIMIT]
        ]
        result += more(shown, len(rows), kind="branchwork.milestones", label=_("计划节点"), url=url)
    return result


def _action_items(user, scope: Scope, today: dt.date) -> list[TodayItem]:
    """Tracked actions of resolutions, open and due within a week or overdue, that this user closes
    (the meeting's managers or the action's owner)."""
    if not (scope.is_street_wide() or scope.is_secretary()):
        return []
    rows = [a for a in open_actions_due(user, today)[:50] if permissions.may_close_action(user, a)]
    url = reverse("branchwork:actions")
    shown = [
        TodayItem(
            kind="branchwork.actions",
            label=_("决议落实"),
            title=a.resolution.text[:60],
            url=reverse("branchwork:meeting", args=[a.resolution.meeting_id]),
            due=a.due_on,
            detail=_("%(organiser)s · 责任人 %(owner)s")
            % {"organiser": a.resolution.meeting.organiser.name, "owner": a.owner_label},
        )
        for a in rows[:LIMIT]
    ]
    return more(shown, len(rows), kind="branchwork.actions", label=_("决议落实"), url=url + "?state=open")


def _rhythm_items(user, scope: Scope, today: dt.date) -> list[TodayItem]:
    if not scope.in_branch():
        return []
    monday = rules.week_start(today)
    sunday = monday + dt.timedelta(days=6)
    branches = (
        Branch.objects.filter(area__in=branch_areas(user))
        .select_related("area__street")
        .order_by("area__name")
    )
    result: list[TodayItem] = []
    for week in compliance(branches, monday, today):
        name = week.branch.name
        compliance_url = reverse("branchwork:compliance") + f"?week={rules.week_label(monday)}"
        if week.patrols.gap:
            result.append(
                TodayItem(
                    kind="branchwork.patrols",
                    label=_("巡查缺口"),
                    title=ngettext(
                        "%(branch)s本周巡查已缺 %(n)s 人天",
                        "%(branch)s本周巡查已缺 %(n)s 人天",
                        week.patrols.gap,
                    )
                    % {"branch": name, "n": week.patrols.gap},
                    url=reverse("branchwork:patrol_start"),
                    due=sunday,
                    detail=_("本周已巡查 %(done)s / %(required)s 人天")
                    % {"done": week.patrols.done, "required": week.patrols.required},
                )
            )
        missing = max(0, week.meetings.required - week.meetings.done)
        if missing:
            result.append(
                TodayItem(
                    kind="branchwork.meetings",
                    label=_("支部例会"),
                    title=ngettext(
                        "%(branch)s本周还需召开 %(n)s 次支部例会",
                        "%(branch)s本周还需召开 %(n)s 次支部例会",
                        missing,
                    )
                    % {"branch": name, "n": missing},
                    url=reverse("branchwork:meeting_new"),
                    due=sunday,
                )
            )
        late = [c.rhythm for c in week.committees if c.rhythm.overdue]
        if late:
            n = len(late)
            result.append(
                TodayItem(
                    kind="branchwork.committees",
                    label=_("业委会例会"),
                    title=ngettext("%(n)s 个业委会已超期未开会", "%(n)s 个业委会已超期未开会", n) % {"n": n},
                    url=compliance_url,
                    # The earliest missed date; a committee that never met has none (an open item).
                    due=min((r.next_due for r in late if r.next_due), default=None),
                    detail=_("每 %(months)s 个月至少召开一次业委会会议")
                    % {"months": week.rule.oc_meeting_interval_months},
                    count=n,
                )
            )
        # Decisions posted late are history; the ones still missing can be posted today.
        missing_posts = sum(c.postings.count("missing") for c in week.committees)
        if missing_posts:
            n = missing_posts
            result.append(
                TodayItem(
                    kind="branchwork.postings",
                    label=_("决定公示"),
                    title=ngettext(
                        "%(n)s 项业委会会议决定超过期限仍未公示", "%(n)s 项业委会会议决定超过期限仍未公示", n
                    )
                    % {"n": n},
                    url=compliance_url,
                    count=n,
                )
            )
    return result
