"""Who reads the wall (挂图作战) and who sets its colours — asking the door (core/scopes.py)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from gongzhi.core.scopes import admin_street, estates_in_full, scope_for


def may_see_wall(user) -> bool:
    """The street (admin, leadership group), the area branches and the companies; not the residents,
    the owners' committees or the evaluators."""
    scope = scope_for(user)
    return scope.is_street_wide() or scope.in_branch() or scope.is_company_staff()


def require_wall(user) -> None:
    if not may_see_wall(user):
        raise PermissionDenied


def wall_estates(user) -> QuerySet:
    """The estates on this user's wall: the street's, the area's or the company's (through the door)."""
    return estates_in_full(user)


def rules_street(user):
    """The street whose colour rules this user sets (street admin), else 403."""
    street = admin_street(user)
    if street is None:
        raise PermissionDenied
    return street
