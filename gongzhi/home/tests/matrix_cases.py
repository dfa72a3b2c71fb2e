"""Permission-matrix cases for the stairwell notices (楼道公告): printed by whoever opens the object's
office page — a decision's like voting:detail (a draft is never announced: 404 for its readers), an
estate's disclosure book like book:edit.

A survey's notice (the open campaign O of evaluation's matrix world, estate A1) and a fault-finding window's
(elimination E, whose bottom-N company X serves A1 and B1) are printed, of those who open the campaign or the
elimination page, by whoever posts paper in the estate: the street admin, the area office (secretary_a,
member_a) and A1's committee (oc_a1). leader (reads, does not post) and staff_x (the company rated) 403;
readers who do not see A1 (secretary_b, evaluator_b1) or the object (other_admin; the area offices and the
committee for an elimination, street-wide only) 404; residents 403 (office pages). A closed campaign and
an estate the candidates do not serve (A2) are announced to nobody: 404."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from gongzhi.fees.tests.matrix_cases import a1_page
from gongzhi.voting.tests.matrix_cases import EVERYONE, SEES_A1, _a1, world_decisions


def cases(world):
    d = world_decisions(world)
    yield "stairwell_vote", reverse("stairwell_vote", args=[d["open"].pk]), "get", _a1(SEES_A1)
    draft = {p: (404 if status == 200 else status) for p, status in _a1(SEES_A1).items()}
    yield "stairwell_vote", reverse("stairwell_vote", args=[d["draft"].pk]), "get", draft
    yield (
        "stairwell_disclosure",
        reverse("stairwell_disclosure", args=[world.estate_a1.pk]),
        "get",
        a1_page(EVERYONE),
    )
    yield from evaluation_cases(world)


RESIDENTS = {"owner_a1", "outsider"}


def _notice(allowed: set[str], forbidden: set[str]) -> dict[str, int]:
    """Residents 403; ``allowed`` 200; ``forbidden`` (see the object, may not post) 403; others 404."""
    result = {}
    for p in EVERYONE:
        if p in RESIDENTS or p in forbidden:
            result[p] = 403
        else:
            result[p] = 200 if p in allowed else 404
    return result


def evaluation_cases(world):
    from gongzhi.evaluation import services
    from gongzhi.evaluation.tests import factories

    closed = factories.closed_and_recomputed(world)
    running = factories.open_campaign(world, name="2026年第四季度测评", template=closed.template)
    today = timezone.localdate()
    elimination = services.elimination_create(
        actor=world.user("admin"),
        basis_campaign=closed,
        name="末尾淘汰",
        fault_opens_on=today - dt.timedelta(days=1),
        fault_closes_on=today + dt.timedelta(days=10),
        bottom_n=1,
        final_m=1,
    )
    a1, a2 = world.estate_a1.pk, world.estate_a2.pk
    posters = {"admin", "secretary_a", "member_a", "oc_a1"}
    url = reverse("stairwell_survey", args=[running.pk, a1])
    yield "stairwell_survey", url, "get", _notice(posters, {"leader", "staff_x"})
    url = reverse("stairwell_survey", args=[closed.pk, a1])
    yield "stairwell_survey", url, "get", _notice(set(), set())
    url = reverse("stairwell_fault", args=[elimination.pk, a1])
    yield "stairwell_fault", url, "get", _notice({"admin"}, {"leader", "staff_x"})
    url = reverse("stairwell_fault", args=[elimination.pk, a2])
    yield "stairwell_fault", url, "get", _notice(set(), set())
