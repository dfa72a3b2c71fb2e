"""Who may do what with an owners' decision — one condition per line (docs/DESIGN.md §3, §4.5).

- Manage (draft, publish, enter paper/proxy ballots, close, publish results): the estate's
  owners'-committee members; for an estate without a sitting committee, the street admin.
- Read the office pages (participation, gaps, door-to-door list): anyone whose scope covers the
  estate in full (street, area, the estate's committee, the managing company sees nothing more).
- Read the roll (who voted, by channel) after close: managers and whoever sees the estate's
  personal data (street admin, the area's branch, the estate's committee).
- Vote: a user holding the OWNER role on a unit of the frozen electorate (portal).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from gongzhi.core.scopes import get_for_user, scope_for, visible
from gongzhi.registry.models import Estate, OwnersCommittee
from gongzhi.voting.models import Decision, ElectorateOwner, ElectorateUnit


def has_sitting_committee(estate: Estate, on=None) -> bool:
    """An owners' committee whose term covers the day (default today)."""
    day = on or timezone.localdate()
    return OwnersCommittee.objects.filter(estate=estate, term_start__lte=day, term_end__gte=day).exists()


def can_manage(user, estate: Estate, *, sitting: bool | None = None) -> bool:
    """The estate's owners' committee; the street admin only where no committee sits. ``sitting``: whether a
    committee sits today, when the caller read it already for many estates at once (a list's one query)."""
    scope = scope_for(user)
    if scope.on_committee(estate.pk):
        return True
    if not scope.is_street_admin(estate.area.street_id):
        return False
    return not (has_sitting_committee(estate) if sitting is None else sitting)


def can_read_office(user, decision: Decision) -> bool:
    """Office reading of a decision (participation, gaps): the estate is in the user's full scope."""
    scope = scope_for(user)
    if scope.is_street_wide(decision.estate.area.street_id):
        return True
    if scope.on_committee(decision.estate_id):
        return True
    return scope.in_branch(decision.estate.area_id)


def can_see_roll(user, decision: Decision) -> bool:
    """The roll (who voted, by channel) exists only after close, for managers and personal-data readers."""
    if not decision.has_result:
        return False
    if can_manage(user, decision.estate):
        return True
    return scope_for(user).sees_personal_data(decision.estate_id)


def voters_for_user(user, decision: Decision) -> list[ElectorateOwner]:
    """The electorate owners this user votes for: the owners of the units they hold the OWNER role on.

    One statement whose plan does not depend on the planner's statistics: the user's own units come
    from the scope (computed once per request) and each is looked up through the unique (decision,
    unit) index of the electorate, then its owner by primary key. (Joining the owners to their units
    made the planner of a freshly published decision guess one owner and loop over all of them.)"""
    unit_ids = scope_for(user).unit_ids
    if not unit_ids:
        return []
    rows = (
        ElectorateUnit.objects.filter(decision_id=decision.pk, unit_id__in=sorted(unit_ids))
        .select_related("voter")
        .order_by()  # the model's ordering would join the decision, building, estate and area
    )
    voters = {row.voter_id: row.voter for row in rows}
    return [voters[pk] for pk in sorted(voters)]


def voter_ids_for_user(user, decision: Decision) -> list[int]:
    """The ids of ``voters_for_user`` in one lean statement, for the cast (no model is built: the
    ORM's compiling and instantiating cost a ballot more than its database work). Same index, same
    plan: each of the user's own units through the unique (decision, unit) index."""
    unit_ids = sorted(scope_for(user).unit_ids)
    if not unit_ids:
        return []
    placeholders = ", ".join(["%s"] * len(unit_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT voter_id FROM voting_electorateunit"  # noqa: S608 — placeholders only
            f" WHERE decision_id = %s AND unit_id IN ({placeholders})",
            [decision.pk, *unit_ids],
        )
        return sorted(row[0] for row in cursor.fetchall())


def reads_votes(user) -> bool:
    """Office pages of decisions: the street, the area branches and the owners' committees (the
    managing company and evaluators have no part in an owners' vote)."""
    scope = scope_for(user)
    return scope.is_street_wide() or scope.in_branch() or scope.on_committee()


def office_estates(user) -> QuerySet[Estate]:
    """Estates whose decisions this user reads in the office."""
    scope = scope_for(user)
    condition = Q(pk__in=scope.oc_estate_ids) | Q(area_id__in=scope.area_ids)
    if scope.street_ids:
        condition |= Q(area__street_id__in=scope.street_ids)
    return visible(user, Estate).filter(condition)


def managed_estate_ids(user, estate_ids=None) -> set[int]:
    """Estates where the user drafts and runs decisions (``permissions.can_manage`` for many estates in
    two queries): their owners' committee, or the street admin where no committee sits today."""
    scope = scope_for(user)
    managed = set(scope.oc_estate_ids)
    if scope.admin_street_ids:
        street = Estate.objects.filter(area__street_id__in=scope.admin_street_ids)
        if estate_ids is not None:
            street = street.filter(pk__in=estate_ids)
        today = timezone.localdate()
        sitting = OwnersCommittee.objects.filter(term_start__lte=today, term_end__gte=today).values(
            "estate_id"
        )
        managed |= set(street.exclude(pk__in=sitting).values_list("pk", flat=True))
    return managed if estate_ids is None else managed & set(estate_ids)


def office_decisions(user) -> QuerySet[Decision]:
    scope = scope_for(user)
    condition = Q(estate_id__in=scope.oc_estate_ids) | Q(estate__area_id__in=scope.area_ids)
    if scope.street_ids:
        condition |= Q(estate__area__street_id__in=scope.street_ids)
    return visible(user, Decision).filter(condition).select_related("estate__area")


def get_decision_for_user(user, pk, *, manage: bool = False) -> Decision:
    """Office door: outsider → 404; visible but not a manager (when ``manage``) → 403."""
    queryset = Decision.objects.select_related("estate__area")
    decision = get_for_user(user, queryset, pk)
    if not can_read_office(user, decision) and not can_manage(user, decision.estate):
        raise PermissionDenied
    if manage and not can_manage(user, decision.estate):
        raise PermissionDenied
    return decision
