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

from gongzhi.core.scopes import get_for_user as get_for_user  # the one getter, for the views
from gongzhi.core.scopes import scope_for, serves_as_company


def secretary_area_ids(user) -> frozenset[int]:
    """Areas whose secretary this user is."""
    return scope_for(user).secretary_area_ids


def member_area_ids(user) -> frozenset[int]:
    """Areas whose branch this user sits on (secretary or member): the rows they may act on."""
    return scope_for(user).area_ids


def reader_areas(user):
    """The areas whose branch work this user reads: the street's (admin, leadership) or their own."""
    from django.db.models import Q

    from gongzhi.registry.models import Area

    scope = scope_for(user)
    q = Q(pk__in=scope.area_ids)
    if scope.street_ids:
        q |= Q(street_id__in=scope.street_ids)
    return Area.objects.filter(q)


def is_branch_reader(user) -> bool:
    scope = scope_for(user)
    return scope.is_street_wide() or scope.in_branch()


def require_branch_reader(user) -> None:
    if not is_branch_reader(user):
        raise PermissionDenied


def is_secretary_of(user, area_id: int) -> bool:
    return scope_for(user).is_secretary(area_id)


def is_branch_member_of(user, area_id: int) -> bool:
    """Secretary or member of the area's branch."""
    return scope_for(user).in_branch(area_id)


def require_secretary(user, area_id: int) -> None:
    if not is_secretary_of(user, area_id):
        raise PermissionDenied


def require_branch_member(user, area_id: int) -> None:
    if not is_branch_member_of(user, area_id):
        raise PermissionDenied


def is_street_admin_of(user, street_id: int) -> bool:
    return scope_for(user).is_street_admin(street_id)


def may_schedule(user) -> bool:
    return scope_for(user).is_secretary()


def may_patrol(user) -> bool:
    return scope_for(user).in_branch()


def is_company_staff(user) -> bool:
    return scope_for(user).is_company_staff()


def may_write_security_log(user, estate) -> bool:
    return serves_as_company(user, estate)


def may_read_security_log(user) -> bool:
    return is_branch_reader(user) or is_company_staff(user)


# ---- street bodies, their meetings and the plan (issue 13) ------------------------------------------


def sits_on_a_body(user) -> bool:
    """A member (with an account) of any street body: reads that body's meetings."""
    from gongzhi.branchwork.models import BodyMember

    scope = scope_for(user)
    return scope.user_id is not None and BodyMember.objects.filter(user_id=scope.user_id).exists()


def is_meeting_reader(user) -> bool:
    """The meeting pages: branch readers and the members of street bodies (rows by the door)."""
    return is_branch_reader(user) or sits_on_a_body(user)


def require_meeting_reader(user) -> None:
    if not is_meeting_reader(user):
        raise PermissionDenied


def may_hold_body_meetings(user, street_id=None) -> bool:
    """The street admin and the leadership convene the street's bodies."""
    scope = scope_for(user)
    return scope.is_street_wide() if street_id is None else scope.is_street_wide(street_id)


def may_manage_bodies(user, street_id) -> bool:
    """Creating bodies and keeping their members: the street admin."""
    return scope_for(user).is_street_admin(street_id)


def may_manage_meeting(user, meeting) -> bool:
    """Record attendance, minutes, resolutions, sign off: the branch's secretary for a branch
    meeting; the street admin or leadership for a body meeting."""
    if meeting.body_id is None:
        return is_secretary_of(user, meeting.branch.area_id)
    return may_hold_body_meetings(user, meeting.street_id)


def require_meeting_manager(user, meeting) -> None:
    if not may_manage_meeting(user, meeting):
        raise PermissionDenied


def may_close_action(user, action) -> bool:
    """The meeting's managers, or the action's owner (an account)."""
    scope = scope_for(user)
    if action.owner_id is not None and action.owner_id == scope.user_id:
        return True
    return may_manage_meeting(user, action.resolution.meeting)


def is_plan_reader(user) -> bool:
    """The plan: the street (admin, leadership) and the area secretaries."""
    scope = scope_for(user)
    return scope.is_street_wide() or scope.is_secretary()


def require_plan_reader(user) -> None:
    if not is_plan_reader(user):
        raise PermissionDenied


def may_edit_plan(user, street_id) -> bool:
    """Milestones and pilots, ticking manual milestones: the street admin."""
    return scope_for(user).is_street_admin(street_id)
