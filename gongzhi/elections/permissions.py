"""Who may do what with a slate — the one door for slates.

- Read: the street (admin, leadership group) and the estate's area branch (secretary, members).
  Owners' committees, companies, evaluators and residents do not see slates (vetting is internal).
- Enter and edit (draft or returned), submit: the area's secretary (AREA_SECRETARY) or the street admin.
- Approve or return: the leadership group of the estate's street (LEADERSHIP).
Outsiders get 404 through ``get_for_user``; readers without the right get 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from gongzhi.core.ordering import pinyin_order
from gongzhi.core.scopes import admin_estates, get_for_user, scope_for, secretary_areas
from gongzhi.elections.models import Slate, SlateStatus
from gongzhi.registry.models import Estate

EDITABLE = (SlateStatus.DRAFT, SlateStatus.RETURNED)


def reads_slates(user) -> bool:
    scope = scope_for(user)
    return scope.is_street_wide() or scope.in_branch()


def require_reader(user) -> None:
    if not reads_slates(user):
        raise PermissionDenied


def may_enter_for(user, estate: Estate) -> bool:
    scope = scope_for(user)
    if scope.is_street_admin(estate.area.street_id):
        return True
    return scope.is_secretary(estate.area_id)


def enter_estates(user):
    """Estates for which this user may enter a slate."""
    condition = Q(pk__in=admin_estates(user).values("pk")) | Q(area__in=secretary_areas(user))
    return (
        Estate.objects.filter(condition)
        .select_related("area")
        .order_by(*pinyin_order(Estate, "area__name", "name"))
    )


def may_enter_any(user) -> bool:
    scope = scope_for(user)
    return scope.is_street_admin() or scope.is_secretary()


def may_edit(user, slate: Slate) -> bool:
    return slate.status in EDITABLE and may_enter_for(user, slate.estate)


def may_decide(user, slate: Slate) -> bool:
    if slate.status != SlateStatus.SUBMITTED:
        return False
    return scope_for(user).is_leadership_of(slate.estate.area.street_id)


def may_install(user, slate: Slate) -> bool:
    """Filing the elected committee (备案) is done at the street office: the street admin records it once the
    approved slate's election vote has passed (指导规则第三十三条; 上海市住宅物业管理规定: 向街道办事处办理换届备案)."""
    if slate.status != SlateStatus.APPROVED or slate.committee_id is not None:
        return False
    return scope_for(user).is_street_admin(slate.estate.area.street_id)


def get_slate_for_user(user, pk, *, edit: bool = False) -> Slate:
    """Outsider → 404; a reader who may not edit it (now) → 403."""
    require_reader(user)
    slate = get_for_user(user, Slate.objects.select_related("estate__area", "created_by", "decided_by"), pk)
    if edit and not may_enter_for(user, slate.estate):
        raise PermissionDenied
    return slate
