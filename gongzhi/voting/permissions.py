"""Who may do what with an owners' decision — one condition per line (DESIGN.md §3, §4.5).

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
from django.utils import timezone

from gongzhi.core.models import Role
from gongzhi.core.scopes import get_visible_or_404, scope_for
from gongzhi.registry.models import Estate, OwnersCommittee
from gongzhi.voting.models import Decision, ElectorateOwner


def has_sitting_committee(estate: Estate, on=None) -> bool:
    """An owners' committee whose term covers the day (default today)."""
    day = on or timezone.localdate()
    return OwnersCommittee.objects.filter(estate=estate, term_start__lte=day, term_end__gte=day).exists()


def can_manage(user, estate: Estate) -> bool:
    """The estate's owners' committee; the street admin only where no committee sits."""
    scope = scope_for(user)
    if estate.pk in scope.oc_estate_ids:
        return True
    if estate.area.street_id not in scope.admin_street_ids:
        return False
    return not has_sitting_committee(estate)


def can_read_office(user, decision: Decision) -> bool:
    """Office reading of a decision (participation, gaps): the estate is in the user's full scope."""
    scope = scope_for(user)
    if decision.estate.area.street_id in scope.street_ids:
        return True
    if decision.estate_id in scope.oc_estate_ids:
        return True
    return decision.estate.area_id in scope.area_ids


def can_see_roll(user, decision: Decision) -> bool:
    """The roll (who voted, by channel) exists only after close, for managers and personal-data readers."""
    if not decision.has_result:
        return False
    if can_manage(user, decision.estate):
        return True
    return scope_for(user).sees_personal_data(decision.estate_id)


def voters_for_user(user, decision: Decision) -> list[ElectorateOwner]:
    """The electorate owners this user votes for: the owners of the units they hold the OWNER role on."""
    scope = scope_for(user)
    if Role.OWNER not in scope.roles or not scope.unit_ids:
        return []
    return list(
        ElectorateOwner.objects.filter(decision=decision, units__unit_id__in=scope.unit_ids)
        .distinct()
        .order_by("pk")
    )


def get_decision_for_user(user, pk, *, manage: bool = False) -> Decision:
    """Office door: outsider → 404; visible but not a manager (when ``manage``) → 403."""
    queryset = Decision.objects.select_related("estate__area")
    decision = get_visible_or_404(user, queryset, pk)
    if not can_read_office(user, decision) and not can_manage(user, decision.estate):
        raise PermissionDenied
    if manage and not can_manage(user, decision.estate):
        raise PermissionDenied
    return decision
