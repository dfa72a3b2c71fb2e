"""Permission-matrix cases for slate review (used by tests/test_permission_matrix.py). Expected answers
by hand from the role model (docs/DESIGN.md §3, elections/permissions.py):

- Slates are read by the street (admin, leader; other_admin for their own street) and the area branches
  (secretary_a, secretary_b, member_a); oc_a1, staff_x, evaluator_b1, owner_a1 and outsider get 403.
- The slate is in estate A1 (area A): secretary_b and other_admin get 404 on it.
- Entering and editing: the street admin and the area secretary (admin, secretary_a); leader and member_a
  read only (403). Deciding: the leadership group, and only a submitted slate — this one is a draft, so
  approve is 403 even for the leader.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from gongzhi.core.testing import PERSONAS

EVERYONE = set(PERSONAS)
READERS = {"admin", "leader", "secretary_a", "secretary_b", "member_a", "other_admin"}
SEES_SLATE = {"admin", "leader", "secretary_a", "member_a"}
ENTER = {"admin", "other_admin", "secretary_a", "secretary_b"}
EDIT = {"admin", "secretary_a"}


def _page(allowed: set[str]) -> dict[str, int]:
    return {p: (200 if p in allowed else 403) for p in EVERYONE}


def _slate_page(allowed: set[str], ok: int = 200) -> dict[str, int]:
    result = {}
    for p in EVERYONE:
        if p not in READERS:
            result[p] = 403
        elif p not in SEES_SLATE:
            result[p] = 404
        else:
            result[p] = ok if p in allowed else 403
    return result


def cases(world):
    from gongzhi.elections import services

    slate = services.slate_create(
        actor=world.user("secretary_a"),
        estate=world.estate_a1,
        election_date=timezone.localdate() + dt.timedelta(days=30),
        planned_size=5,
    )
    candidate = services.candidate_save(actor=world.user("secretary_a"), slate=slate, name="张三")
    yield "elections:list", reverse("elections:list"), "get", _page(READERS)
    yield "elections:export", reverse("elections:export"), "get", _page(READERS)
    yield "elections:terms", reverse("elections:terms"), "get", _page(READERS)
    yield "elections:targets", reverse("elections:targets"), "get", _page({"admin", "other_admin"})
    yield "elections:create", reverse("elections:create"), "get", _page(ENTER)
    yield "elections:detail", reverse("elections:detail", args=[slate.pk]), "get", _slate_page(SEES_SLATE)
    yield "elections:edit", reverse("elections:edit", args=[slate.pk]), "get", _slate_page(EDIT)
    yield (
        "elections:candidate_add",
        reverse("elections:candidate_add", args=[slate.pk]),
        "get",
        _slate_page(EDIT),
    )
    url = reverse("elections:candidate_edit", args=[slate.pk, candidate.pk])
    yield "elections:candidate_edit", url, "get", _slate_page(EDIT)
    for action in ("submit", "approve", "return"):
        yield (
            "elections:act",
            reverse("elections:act", args=[slate.pk, action]),
            "get",
            {p: 405 for p in EVERYONE},
        )
    # Submitting a slate with missing checks: the editors are sent back to the page with the reason.
    yield "elections:act", reverse("elections:act", args=[slate.pk, "submit"]), "post", _slate_page(EDIT, 302)
    yield "elections:act", reverse("elections:act", args=[slate.pk, "approve"]), "post", _slate_page(set())
    yield (
        "elections:act",
        reverse("elections:act", args=[slate.pk, "nope"]),
        "post",
        {p: 404 for p in EVERYONE},
    )
    url = reverse("elections:candidate_delete", args=[slate.pk, candidate.pk])
    yield "elections:candidate_delete", url, "get", {p: 405 for p in EVERYONE}
    yield "elections:candidate_delete", url, "post", _slate_page(EDIT, 302)
    # Filing the elected committee: POST only; this slate is a draft, so nobody may file it yet.
    url = reverse("elections:install", args=[slate.pk])
    yield "elections:install", url, "get", {p: 405 for p in EVERYONE}
    yield "elections:install", url, "post", _slate_page(set())
