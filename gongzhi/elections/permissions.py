"""Who may do what with a slate — the one door for slates.

- Read: the street (admin, leadership group) and the estate's area branch (secretary, members).
  Owners' committees, companies, evaluators and residents do not see slates (vetting is internal).
- Enter and edit (draft or returned), submit: the area's secretary (AREA_SECRETARY) or the street admin.
- Approve or return: the leadership group of the estate's street (LEADERSHIP).
Outsiders get 404 through ``get_visible_or_404``; readers without the right get 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from gongzhi.core.models import Role, RoleGrant
from gongzhi.core.scopes import get_visible_or_404, scope_for
from gongzhi.elections.models import Slate, SlateStatus
from gongzhi.registry.models import Estate

EDITABLE = (SlateStatus.DRAFT, SlateStatus.RETURNED)


def reads_slates(user) -> bool:
    scope = scope_for(user)
    return bool(scope.street_ids) or bool(scope.roles & {Role.AREA_SECRETARY, Role.BRANCH_MEMBER})


def require_reader(user) -> None:
    if not reads_slates(user):
        raise PermissionDenied


def secretary_area_ids(user) -> set[int]:
    scope = scope_for(user)
    if Role.AREA_SECRETARY not in scope.roles:
        return set()
    return set(
        RoleGrant.objects.filter(user=user, role=Role.AREA_SECRETARY).values_list("area_id", flat=True)
    )


def may_enter_for(user, estate: Estate) -> bool:
    scope = scope_for(user)
    if estate.area.street_id in scope.admin_street_ids:
        return True
    return estate.area_id in secretary_area_ids(user)


def enter_estates(user):
    """Estates for which this user may enter a slate."""
    scope = scope_for(user)
    condition = Q(area__street_id__in=scope.admin_street_ids) | Q(area_id__in=secretary_area_ids(user))
    return Estate.objects.filter(condition).select_related("area").order_by("area__name", "name")


def may_enter_any(user) -> bool:
    scope = scope_for(user)
    return bool(scope.admin_street_ids) or bool(secretary_area_ids(user))


def may_edit(user, slate: Slate) -> bool:
    return slate.status in EDITABLE and may_enter_for(user, slate.estate)


def may_decide(user, slate: Slate) -> bool:
    scope = scope_for(user)
    return (
        Role.LEADERSHIP in scope.roles
        and slate.status == SlateStatus.SUBMITTED
        and RoleGrant.objects.filter(
            user=user, role=Role.LEADERSHIP, street_id=slate.estate.area.street_id
        ).exists()
    )


def get_slate_for_user(user, pk, *, edit: bool = False) -> Slate:
    """Outsider → 404; a reader who may not edit it (now) → 403."""
    require_reader(user)
    slate = get_visible_or_404(
        user, Slate.objects.select_related("estate__area", "created_by", "decided_by"), pk
    )
    if edit and not may_enter_for(user, slate.estate):
        raise PermissionDenied
    return slate
