"""Test helpers for decisions on the persona world (plain functions, so any test file can use them).

Estate A1 (owners' committee: oc_a1) has one building with units 101 (68.50 m², owner A1-1 held by
the persona owner_a1), 201 (72.30, A1-2) and 301 (55.00, A1-3): 195.80 m², 3 owners.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.core.models import Role, RoleGrant, User
from gongzhi.voting.models import ElectorateOwner
from gongzhi.voting.services import decision_create, decision_publish

HOUR = dt.timedelta(hours=1)


def window(start: dt.datetime | None = None, *, days: int = 7) -> tuple[dt.datetime, dt.datetime]:
    opens = (start or timezone.now()).replace(microsecond=0)
    return opens, opens + dt.timedelta(days=days)


def draft(
    world, *, matter: int = 4, estate=None, actor="oc_a1", buildings=None, opens_at=None, closes_at=None
):
    opens, closes = window()
    return decision_create(
        actor=world.user(actor) if isinstance(actor, str) else actor,
        estate=estate or world.estate_a1,
        title="续聘星河物业",
        matter=matter,
        text="是否续聘星河物业为本小区物业服务企业,合同期三年。",
        opens_at=opens_at or opens,
        closes_at=closes_at or closes,
        buildings=buildings,
    )


def published(world, **kwargs):
    """A decision of estate A1 published at its opening moment: the window runs from now for 7 days."""
    decision = draft(world, **kwargs)
    return decision_publish(
        actor=world.user(kwargs.get("actor", "oc_a1")), decision=decision, now=decision.opens_at
    )


def voter_of(decision, ref: str) -> ElectorateOwner:
    return ElectorateOwner.objects.get(decision=decision, key=ref)


def owner_user(username: str, *units) -> User:
    """A user holding the OWNER role on the given units."""
    user = User.objects.create_user(username=username, password="x-unused-9", display_name=username)
    for unit in units:
        RoleGrant.objects.create(user=user, role=Role.OWNER, unit=unit)
    return user
