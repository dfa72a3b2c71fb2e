"""Permission-matrix cases for this app's office URLs and the inbox (used by
tests/test_permission_matrix.py). Expected answers are written by hand from the role model:

- The office pages are for office roles. A resident — even the problem's reporter — follows
  it on the portal page (portal:problem), so owner_a1 and outsider get 403 here, as on the
  registry lists. Photos are the one exception: whoever may read the problem gets them.
- The problem is in estate A1 (area A), reported by owner_a1 and accepted by secretary_a, so
  it is assigned to company X: readers are the street (admin, leader), area A's branch
  (secretary_a, member_a), A1's owners' committee (oc_a1) and company X (staff_x).
  secretary_b, evaluator_b1 (estate B1 only) and other_admin (another street) get 404.
- Acting: the branch (admin, secretary_a, member_a) accepts, rejects, sends back and closes;
  the assignee (staff_x) records progress and submits; leader and oc_a1 read only (403).
"""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.testing import PERSONAS

EVERYONE = set(PERSONAS)
OFFICE = EVERYONE - {"owner_a1", "outsider"}
ADMINS = {"admin", "other_admin"}
READERS = {"admin", "leader", "secretary_a", "member_a", "oc_a1", "staff_x"}
BRANCH = {"admin", "secretary_a", "member_a"}
ASSIGNEE = {"staff_x"}
# May file an office finding somewhere: the street admins and area branches (patrol …), the
# evaluator at its estate (inspection). Leadership, OC members and company staff do not file.
FILERS = {"admin", "other_admin", "secretary_a", "secretary_b", "member_a", "evaluator_b1"}


def _office(allowed: set[str], *, others: int = 403) -> dict[str, int]:
    """200 for ``allowed``, 403 for residents and the role-less, ``others`` for the rest."""
    return {p: (200 if p in allowed else 403 if p not in OFFICE else others) for p in EVERYONE}


def _problem_page(allowed: set[str]) -> dict[str, int]:
    """One problem's page: residents 403; office readers outside its scope 404; readers who are
    not the acting party 403; ``allowed`` 200."""
    result = {}
    for p in EVERYONE:
        if p not in OFFICE:
            result[p] = 403
        elif p not in READERS:
            result[p] = 404
        else:
            result[p] = 200 if p in allowed else 403
    return result


def _png() -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), "red").save(buffer, format="PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")


def cases(world):
    from gongzhi.problems import services

    categories = {c.code: c for c in services.category_defaults_ensure(street=world.street)}
    # Filed three days ago, so it does not count against owner_a1's hourly report limit that
    # other apps' cases use.
    problem = services.problem_report(
        actor=world.user("owner_a1"),
        estate=world.estate_a1,
        category=categories["parking"],
        description="消防通道被私家车占用",
        photos=[_png()],
        now=timezone.now() - dt.timedelta(days=3),
    )
    problem = services.problem_accept(actor=world.user("secretary_a"), problem=problem)
    photo = problem.photos.get()
    yield "problems:list", reverse("problems:list"), "get", _office(OFFICE)
    yield "problems:export", reverse("problems:export"), "get", _office(OFFICE)
    yield "problems:stats", reverse("problems:stats"), "get", _office(OFFICE)
    yield "problems:create", reverse("problems:create"), "get", _office(FILERS)
    yield "problems:categories", reverse("problems:categories"), "get", _office(ADMINS)
    yield "problems:detail", reverse("problems:detail", args=[problem.pk]), "get", _problem_page(READERS)
    for action in ("accept", "reject", "progress", "submit", "send_back", "close"):
        url = reverse("problems:act", args=[problem.pk, action])
        yield "problems:act", url, "get", {p: 405 for p in EVERYONE}
    # An empty POST: the acting party gets the form back with what is missing (200, nothing
    # changes); everyone else is refused before any form is read.
    url = reverse("problems:act", args=[problem.pk, "reject"])
    yield "problems:act", url, "post", _problem_page(BRANCH)
    url = reverse("problems:act", args=[problem.pk, "progress"])
    yield "problems:act", url, "post", _problem_page(ASSIGNEE)
    url = reverse("problems:act", args=[problem.pk, "no-such-step"])
    yield "problems:act", url, "post", {p: (404 if p in OFFICE else 403) for p in EVERYONE}
    yield (
        "problems:photo",
        reverse("problems:photo", args=[photo.pk]),
        "get",
        {p: (200 if p in READERS | {"owner_a1"} else 404) for p in EVERYONE},
    )
    yield "inbox", reverse("inbox"), "get", {p: 200 for p in EVERYONE}
    yield "inbox_read", reverse("inbox_read"), "get", {p: 405 for p in EVERYONE}
    yield "inbox_read", reverse("inbox_read"), "post", {p: 302 for p in EVERYONE}
