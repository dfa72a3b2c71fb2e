"""The branch's rhythm in the "today" list (``core/today.py``): this week's gaps of the user's own
branch — patrol days that can no longer be made up, branch meetings still to hold, owners'
committees overdue for a meeting, decisions not posted in time. ``selectors.compliance`` reads the
week in a fixed number of queries for any number of branches."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongzhi.branchwork import rules
from gongzhi.branchwork.selectors import compliance
from gongzhi.core.scopes import Scope, branch_areas
from gongzhi.core.today import TodayItem
from gongzhi.registry.models import Branch


def items(user, scope: Scope, today: dt.date) -> list[TodayItem]:
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
