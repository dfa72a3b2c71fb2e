"""Reads of the street's bodies, tracked actions and work plan (issue 13).

The plan's measurable milestones are judged here from the live data by the pure rules of
``rules.py`` (``share_meets``, ``count_meets``, ``milestone_state``):

- ``branches_formed`` — joint party branches on the registry founded by today (a branch without a
  founding date counts as formed) against the target, default: every area of the street (the
  seed's “32 个居民区建立物业治理联合党支部”);
- ``pilot_branches`` — pilot joint branches flagged on the plan (seed: 已试点组建 10 个大联合党支部);
- ``oc_party_share`` / ``oc_cross_share`` — street-wide, the members of the owners' committees in
  office today (term_start ≤ today ≤ term_end) who are party members / cross-appointed with the
  residents' committee, against the target, default: the street's election targets (55 % / 40 %,
  ``elections.selectors.targets_for``).

Everything is read in a fixed number of queries, whatever the size of the street.
``overdue_milestones(street)`` is the wall's entry point (another app may read it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Func, IntegerField, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.branchwork import rules
from gongzhi.branchwork.models import ActionStatus, Metric, Milestone, Pilot, TrackedAction, WorkPlan
from gongzhi.core.scopes import visible
from gongzhi.registry.models import Area, Branch, CommitteeMember, Street


@dataclass(frozen=True)
class PlanFacts:
    areas: int
    branches_formed: int
    pilot_branches: int
    oc_members: int
    oc_party: int
    oc_cross: int
    party_target: Decimal
    cross_target: Decimal


def _count(queryset) -> Coalesce:
    """``SELECT COUNT(*)`` of ``queryset`` as a scalar sub-select, 0 when it holds no row: several counts
    are read in one statement."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
    return Coalesce(Subquery(counted.values("n")[:1]), 0)


def plan_facts(street_id: int, today: dt.date) -> PlanFacts:
    """The figures the measurable milestones are judged by, in one statement."""
    from gongzhi.elections.models import ElectionTargets
    from gongzhi.elections.rules import DEFAULT_CROSS_TARGET, DEFAULT_PARTY_TARGET

    members = CommitteeMember.objects.filter(
        committee__estate__area__street_id=street_id,
        committee__term_start__lte=today,
        committee__term_end__gte=today,
    )
    targets = ElectionTargets.objects.filter(street_id=street_id)
    row = (
        Street.objects.filter(pk=street_id)
        .annotate(
            n_areas=_count(Area.objects.filter(street_id=street_id)),
            formed=_count(
                Branch.objects.filter(
                    Q(founded_on__isnull=True) | Q(founded_on__lte=today), area__street_id=street_id
                )
            ),
            pilots=_count(Pilot.objects.filter(street_id=street_id, branch__isnull=False)),
            oc_members=_count(members),
            oc_party=_count(members.filter(is_party_member=True)),
            oc_cross=_count(members.filter(is_cross_appointed=True)),
            party_target=Subquery(targets.values("party_share")[:1]),
            cross_target=Subquery(targets.values("cross_share")[:1]),
        )
        .values(
            "n_areas",
            "formed",
            "pilots",
            "oc_members",
            "oc_party",
            "oc_cross",
            "party_target",
            "cross_target",
        )
        .first()
    ) or {"n_areas": 0, "formed": 0, "pilots": 0, "oc_members": 0, "oc_party": 0, "oc_cross": 0}
    # A street without targets of its own follows the platform's defaults (elections.selectors.targets_for).
    party_target = row.get("party_target")
    cross_target = row.get("cross_target")
    return PlanFacts(
        areas=row["n_areas"],
        branches_formed=row["formed"],
        pilot_branches=row["pilots"],
        oc_members=row["oc_members"],
        oc_party=row["oc_party"],
        oc_cross=row["oc_cross"],
        party_target=DEFAULT_PARTY_TARGET if party_target is None else party_target,
        cross_target=DEFAULT_CROSS_TARGET if cross_target is None else cross_target,
    )


def _percent(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Measure:
    met: bool
    value: str  # what the data says now, for the page (“32 / 32”, “52.3 %”)
    target: str


def measure(milestone: Milestone, facts: PlanFacts) -> Measure | None:
    """The data's verdict on a measurable milestone (None for a manual one)."""
    metric, target = milestone.metric, milestone.target
    if metric == Metric.BRANCHES_FORMED:
        goal = int(target) if target is not None else facts.areas
        return Measure(rules.count_meets(facts.branches_formed, goal), f"{facts.branches_formed}", f"{goal}")
    if metric == Metric.PILOT_BRANCHES:
        goal = int(target) if target is not None else 10
        return Measure(rules.count_meets(facts.pilot_branches, goal), f"{facts.pilot_branches}", f"{goal}")
    if metric in (Metric.OC_PARTY_SHARE, Metric.OC_CROSS_SHARE):
        part = facts.oc_party if metric == Metric.OC_PARTY_SHARE else facts.oc_cross
        default = facts.party_target if metric == Metric.OC_PARTY_SHARE else facts.cross_target
        goal_percent = target if target is not None else default
        shown = _percent(part, facts.oc_members)
        return Measure(
            rules.share_meets(part, facts.oc_members, goal_percent),
            "—" if shown is None else f"{shown} %",
            f"≥ {goal_percent.normalize():f} %",
        )
    return None


@dataclass(frozen=True)
class MilestoneRow:
    milestone: Milestone
    state: str
    measure: Measure | None

    @property
    def state_label(self) -> str:
        return state_labels()[self.state]


def state_labels() -> dict[str, str]:
    return {
        rules.DONE: _("已完成"),
        rules.OVERDUE: _("已超期"),
        rules.DUE: _("即将到期"),
        rules.OPEN: _("进行中"),
    }


def milestone_rows(milestones, facts: PlanFacts, today: dt.date) -> list[MilestoneRow]:
    rows = []
    for milestone in milestones:
        m = measure(milestone, facts)
        met = m.met if m is not None else milestone.done_on is not None
        rows.append(
            MilestoneRow(milestone, rules.milestone_state(met=met, due_on=milestone.due_on, today=today), m)
        )
    return rows


def plan_for_street(street_id: int) -> WorkPlan | None:
    return WorkPlan.objects.filter(street_id=street_id).first()


def street_milestones(street_id: int, today: dt.date | None = None) -> list[MilestoneRow]:
    """Every milestone of the street's plan with its state (a fixed number of queries)."""
    today = today or timezone.localdate()
    milestones = list(
        Milestone.objects.filter(stage__plan__street_id=street_id)
        .select_related("stage", "ticked_by")
        .order_by("stage__number", "due_on", "pk")
    )
    if not milestones:
        return []
    return milestone_rows(milestones, plan_facts(street_id, today), today)


def overdue_milestones(street, today: dt.date | None = None) -> list[MilestoneRow]:
    """The wall's list: milestones of the street's plan past their due day and not done, oldest
    first. ``street`` is a Street or its id; the caller has passed the door for the street."""
    street_id = getattr(street, "pk", street)
    rows = [r for r in street_milestones(street_id, today) if r.state == rules.OVERDUE]
    return sorted(rows, key=lambda r: (r.milestone.due_on, r.milestone.pk))


def visible_actions(user):
    """Tracked actions the user reads (the door), with what the list shows."""
    return visible(user, TrackedAction).select_related(
        "resolution__meeting__body", "resolution__meeting__branch__area"
    )


def open_actions_due(user, today: dt.date, *, within_days: int = 7):
    """Open tracked actions due within a week or overdue, of the meetings this user manages or
    owns: for the today list."""
    horizon = today + dt.timedelta(days=within_days)
    return (
        visible_actions(user).filter(status=ActionStatus.OPEN, due_on__lte=horizon).order_by("due_on", "pk")
    )
