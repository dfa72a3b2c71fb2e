"""Permission-matrix cases for training (used by tests/test_permission_matrix.py). Expected answers by
hand from the role model (training/permissions.py):

- Question bank and exams: the street admin writes, the leadership group reads (other_admin reads its own
  street's, so this street's question and exam are 404 to them); everyone else 403.
- The exam targets owners'-committee members and residents'-committee heads: oc_a1 has passed (result and
  certificate), secretary_a has an attempt open. An attempt is taken only by its participant (street
  readers 403, everyone else 404); its result and certificate are read by the participant and the street.
- "My exams" is open to every logged-in user (it lists only their own).
"""

from __future__ import annotations

from django.urls import reverse

from gongzhi.core.testing import PERSONAS

EVERYONE = set(PERSONAS)
STREET = {"admin", "leader", "other_admin"}
ADMINS = {"admin", "other_admin"}


def _page(allowed: set[str]) -> dict[str, int]:
    return {p: (200 if p in allowed else 403) for p in EVERYONE}


def _street_object(allowed: set[str], ok: int = 200) -> dict[str, int]:
    """An object of this street: non-readers 403, other_admin 404, ``allowed`` ok, other readers 403."""
    result = {}
    for p in EVERYONE:
        if p not in STREET:
            result[p] = 403
        elif p == "other_admin":
            result[p] = 404
        else:
            result[p] = ok if p in allowed else 403
    return result


def cases(world):
    from gongzhi.training.tests.helpers import exam_world

    ex = exam_world(world)
    yield "training:my", reverse("training:my"), "get", {p: 200 for p in EVERYONE}
    yield "training:questions", reverse("training:questions"), "get", _page(STREET)
    yield "training:question_create", reverse("training:question_create"), "get", _page(ADMINS)
    yield "training:question_import", reverse("training:question_import"), "get", _page(ADMINS)
    # An empty POST: the admin gets the page back with "choose a file" (200, nothing written).
    yield "training:question_import", reverse("training:question_import"), "post", _page(ADMINS)
    yield "training:question_template", reverse("training:question_template"), "get", _page(ADMINS)
    url = reverse("training:question_edit", args=[ex.questions[0].pk])
    yield "training:question_edit", url, "get", {**_street_object({"admin"}), "other_admin": 404}
    yield "training:exams", reverse("training:exams"), "get", _page(STREET)
    yield "training:exam_create", reverse("training:exam_create"), "get", _page(ADMINS)
    yield (
        "training:exam",
        reverse("training:exam", args=[ex.exam.pk]),
        "get",
        _street_object({"admin", "leader"}),
    )
    url = reverse("training:exam_export", args=[ex.exam.pk])
    yield "training:exam_export", url, "get", _street_object({"admin", "leader"})
    # Every certificate as one PDF (a background job): asked for by the exam's readers (302 to the job).
    url = reverse("training:certificates_batch", args=[ex.exam.pk])
    yield "training:certificates_batch", url, "post", _street_object({"admin", "leader"}, ok=302)
    yield "training:certificates_batch", url, "get", {p: 405 for p in EVERYONE}
    url = reverse("training:take", args=[ex.open_attempt.pk])
    yield (
        "training:take",
        url,
        "get",
        {p: (200 if p == "secretary_a" else 403 if p in {"admin", "leader"} else 404) for p in EVERYONE},
    )
    seers = {"oc_a1", "admin", "leader"}
    url = reverse("training:result", args=[ex.passed_attempt.pk])
    yield "training:result", url, "get", {p: (200 if p in seers else 404) for p in EVERYONE}
    url = reverse("training:certificate", args=[ex.passed_attempt.pk])
    yield "training:certificate", url, "get", {p: (200 if p in seers else 404) for p in EVERYONE}
    url = reverse("training:start", args=[ex.oc_participant.pk])
    yield "training:start", url, "get", {p: 405 for p in EVERYONE}
    # oc_a1 has passed: the start is refused with a message and a redirect; nobody else may start it.
    yield "training:start", url, "post", {p: (302 if p == "oc_a1" else 404) for p in EVERYONE}
    url = reverse("training:exam_act", args=[ex.exam.pk, "close"])
    yield "training:exam_act", url, "get", {p: 405 for p in EVERYONE}
    yield "training:exam_act", url, "post", _street_object({"admin"}, 302)
