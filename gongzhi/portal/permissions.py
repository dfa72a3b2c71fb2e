"""Who may do what with owner activation letters — the one door.

A letter makes whoever holds it an owner of the units it names (and so a voter in the estate's
decisions), so issuing one is a scoped capability, audited each time:

- the estate's owners' committee (its members know the owners; Shanghai 住宅物业管理规定 art. 20);
- the area secretary of the estate's residents' area (the residents' committee keeps the roll of
  households), not every joint-branch member: the branch seats company managers as attendees;
- the street admin of the estate's street (estates without a committee).

Which account a letter may reach is decided here too: never an office account.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from gongzhi.core.scopes import (
    admin_estates,
    committee_estates,
    get_for_user,
    holds_office_role,
    scope_for,
    secretary_areas,
    visible,
)
from gongzhi.registry.models import Estate

# The audit trail records in which capacity each batch was issued.
CAPACITY_COMMITTEE = "owners_committee"
CAPACITY_AREA = "area_secretary"
CAPACITY_STREET = "street_admin"


def issuing_capacity(user, estate: Estate) -> str | None:
    """In which capacity ``user`` issues letters for ``estate``, or None if they may not."""
    scope = scope_for(user)
    if scope.on_committee(estate.pk):
        return CAPACITY_COMMITTEE
    if scope.is_secretary(estate.area_id):
        return CAPACITY_AREA
    if scope.is_street_admin(estate.area.street_id):
        return CAPACITY_STREET
    return None


def may_issue_letters(user, estate: Estate) -> bool:
    return issuing_capacity(user, estate) is not None


def issuing_estates(user) -> QuerySet[Estate]:
    """The estates whose letters ``user`` prints (through the door: never outside their scope)."""
    condition = (
        Q(pk__in=committee_estates(user).values("pk"))
        | Q(area__in=secretary_areas(user))
        | Q(pk__in=admin_estates(user).values("pk"))
    )
    return visible(user, Estate).filter(condition)


def issues_any_letters(user) -> bool:
    """For the menu: does this user print letters anywhere?"""
    scope = scope_for(user)
    return scope.on_committee() or scope.is_street_admin() or scope.is_secretary()


def get_estate_for_letters(user, pk) -> Estate:
    """Outside the user's scope → 404; visible but not theirs to issue → 403."""
    estate = get_for_user(user, Estate.objects.select_related("area__street"), pk)
    if not may_issue_letters(user, estate):
        raise PermissionDenied
    return estate


def is_office_account(user) -> bool:
    """Staff, superusers and anyone holding a role other than owner. A letter never reaches such an
    account: not its password, not its grants."""
    if user.is_staff or user.is_superuser:
        return True
    return holds_office_role(user)


def letter_may_reach(user) -> bool:
    """An existing account a letter may complete without a login: an active owner-only account that
    has never had a usable password (set up by the office, never used). Any other account is left
    alone — its owner logs in and redeems the code while logged in, or the letter makes a new one."""
    if not user.is_active or user.has_usable_password() or user.last_login is not None:
        return False
    return not is_office_account(user)
