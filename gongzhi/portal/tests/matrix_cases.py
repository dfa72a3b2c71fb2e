"""Permission-matrix cases for the resident portal (portal:*) and the public problem board
(board:*), used by tests/test_permission_matrix.py. Expected answers are written by hand from
the persona world (gongzhi/core/testing.py): owner_a1 owns a unit in estate A1 and reported the
problem below; nobody else owns a home.
"""

from django.urls import reverse

from gongzhi.core.testing import PERSONAS

EVERYONE = set(PERSONAS)
# Who may read estate A1's basic record (its office people, and the resident who lives there).
SEES_ESTATE_A1 = {"admin", "leader", "secretary_a", "member_a", "oc_a1", "staff_x", "owner_a1"}
HOME_OWNERS = {"owner_a1"}  # the only persona with a home, so the only one who may report


def _only(who: set[str], yes: int, no: int) -> dict[str, int]:
    return {p: (yes if p in who else no) for p in EVERYONE}


def cases(world):
    from gongzhi.portal.tests.helpers import walk
    from gongzhi.problems.models import ProblemPhoto
    from gongzhi.problems.services import category_defaults_ensure

    parking = next(c for c in category_defaults_ensure(street=world.street) if c.code == "parking")
    problem = walk(world, parking, to="closed")  # reported by owner_a1, closed with an evidence photo
    evidence = problem.photos.get(kind=ProblemPhoto.Kind.EVIDENCE)

    yield "portal:home", reverse("portal:home"), "get", {p: 200 for p in EVERYONE}
    yield (
        "portal:estate",
        reverse("portal:estate", args=[world.estate_a1.pk]),
        "get",
        _only(SEES_ESTATE_A1, 200, 404),
    )
    # Reporting is for residents, at home: office roles have no home estate.
    yield "portal:report", reverse("portal:report"), "get", _only(HOME_OWNERS, 200, 403)
    # Everyone's own list (empty for all but the reporter).
    yield "portal:problems", reverse("portal:problems"), "get", {p: 200 for p in EVERYONE}
    # Someone else's report is 404 in the portal, even for office users who may read it elsewhere.
    yield "portal:problem", reverse("portal:problem", args=[problem.pk]), "get", _only({"owner_a1"}, 200, 404)
    yield (
        "portal:problem_rate",
        reverse("portal:problem_rate", args=[problem.pk]),
        "get",
        {p: 405 for p in EVERYONE},
    )
    yield (
        "portal:problem_reopen",
        reverse("portal:problem_reopen", args=[problem.pk]),
        "get",
        {p: 405 for p in EVERYONE},
    )
    # The public board and its evidence photos: the same for every persona (and for the anonymous).
    yield (
        "board:estate",
        reverse("board:estate", args=[world.estate_a1.pk]),
        "get",
        {p: 200 for p in EVERYONE},
    )
    yield "board:photo", reverse("board:photo", args=[evidence.pk]), "get", {p: 200 for p in EVERYONE}
