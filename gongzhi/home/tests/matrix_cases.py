"""Permission-matrix cases for the stairwell notices (楼道公告): printed by whoever opens the object's
office page — a decision's like voting:detail (a draft is never announced: 404 for its readers), an
estate's disclosure book like book:edit."""

from __future__ import annotations

from django.urls import reverse

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
