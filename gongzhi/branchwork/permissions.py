"""Who may do what in the branch's work — one condition per line.

Reading: the street (admin, leadership) and the area's branch (secretary and members), through
``gongzhi.core.scopes.visible`` (outsider → 404). Residents, owners' committees and evaluators
have no office pages here (403); company staff only the security log of the estates their
company manages. Writing: the area secretary schedules, records and signs off meetings and keeps
the duty roster; every branch member patrols (their own patrol) and records receptions; the
street admin sets the rhythm rules; leadership reads only (403 on writes).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from gongzhi.core.models import Role, RoleGrant
from gongzhi.core.scopes import get_visible_or_404, scope_for


def secretary_area_ids(user) -> frozenset[int]:
    """Areas whose secretary this user is (cached on the user for the request)."""
    cached = getattr(user, "_branchwork_secretary_areas", None)
    if cached is None:
        cached = frozenset(
            RoleGrant.objects.filter(user_id=user.pk, role=Role.AREA_SECRETARY).values_list(
                "area_id", flat=True
            )
        )
        user._branchwork_secretary_areas = cached
    return cached


def is_branch_reader(user) -> bool:
    scope = scope_for(user)
    return bool(scope.street_ids or scope.area_ids)


def require_branch_reader(user) -> None:
    if not is_branch_reader(user):
        raise PermissionDenied


def is_secretary_of(user, area_id: int) -> bool:
    return area_id in secretary_area_ids(user)


def is_branch_member_of(user, area_id: int) -> bool:
    """Secretary or member of the area's branch."""
    return area_id in scope_for(user).area_ids


def require_secretary(user, area_id: int) -> None:
    if not is_secretary_of(user, area_id):
        raise PermissionDenied


def require_branch_member(user, area_id: int) -> None:
    if not is_branch_member_of(user, area_id):
        raise PermissionDenied


def is_street_admin_of(user, street_id: int) -> bool:
    return street_id in scope_for(user).admin_street_ids


def may_schedule(user) -> bool:
    return bool(secretary_area_ids(user))


def may_patrol(user) -> bool:
    return bool(scope_for(user).area_ids)


def is_company_staff(user) -> bool:
    return bool(scope_for(user).company_ids)


def may_write_security_log(user, estate) -> bool:
    from gongzhi.registry.models import Contract

    company_ids = scope_for(user).company_ids
    if not company_ids:
        return False
    return Contract.objects.active().filter(estate=estate, company_id__in=company_ids).exists()


def may_read_security_log(user) -> bool:
    return is_branch_reader(user) or is_company_staff(user)


def get_for_user(user, model_or_qs, pk, *, require=None):
    """The door to one row: outsider → 404; ``require(user, obj)`` False → 403."""
    obj = get_visible_or_404(user, model_or_qs, pk)
    if require is not None and not require(user, obj):
        raise PermissionDenied
    return obj
