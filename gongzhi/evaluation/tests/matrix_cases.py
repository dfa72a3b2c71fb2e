"""Permission-matrix cases for the evaluation and survey URLs (used by tests/test_permission_matrix.py).
Expected answers are written by hand from the role model (docs/DESIGN.md §3, §4.3) and the persona world:

- Campaign C (closed, recomputed) and campaign O (open) run over estates A1, A2 (area A) and B1 (area B).
  Company X serves A1 and B1 and ranks last, so it is the candidate of elimination E (bottom N = 1).
- Office pages need an office role (owner_a1 and outsider → 403). A campaign is seen by the street
  (admin, leader) and by everyone whose estates take part (both secretaries, member_a, oc_a1, staff_x,
  evaluator_b1); other_admin (another street) gets 404.
- Managing (templates, new campaigns, bottom-N) is the street admin's: other readers 403, other_admin 404.
- Score rows: the street sees all; area offices the company rows of their street and the estate rows of
  their area; the OC the rows of its estate; a company its own company row and its estates. The ranking report PDF is for the street and area offices.
- Benchmarks (标杆企业): street-wide roles only (the leader names and revokes, the admin reads).
- The replacement after elimination (选聘更换) of X at A1: admin, leader and A1's committee (oc_a1).
- Evaluators open only the inspection pages (their assignments); the branch (both secretaries, member_a)
  and the street admin open the assessment page.
- Survey pages with a code, the code entry and the thank-you page need no login (200 for everyone);
  answering for a unit is owner_a1's own unit only; the fault-finding form is for residents of an
  estate served by a candidate (owner_a1); everyone else 404.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from gongzhi.core.testing import PERSONAS

EVERYONE = set(PERSONAS)
RESIDENTS = {"owner_a1", "outsider"}
OFFICE = EVERYONE - RESIDENTS
ADMINS = {"admin", "other_admin"}
SEES_CAMPAIGN = {
    "admin",
    "leader",
    "secretary_a",
    "secretary_b",
    "member_a",
    "oc_a1",
    "staff_x",
    "evaluator_b1",
}
AREA_OFFICES = {"secretary_a", "secretary_b", "member_a"}


def _office_page(seers: set[str], allowed: set[str] | None = None) -> dict[str, int]:
    """Residents 403; office users outside ``seers`` 404; seers outside ``allowed`` 403."""
    allowed = seers if allowed is None else allowed
    result = {}
    for p in EVERYONE:
        if p in RESIDENTS:
            result[p] = 403
        elif p not in seers:
            result[p] = 404
        else:
            result[p] = 200 if p in allowed else 403
    return result


def _only(allowed: set[str], other: int = 403) -> dict[str, int]:
    return {p: (200 if p in allowed else other) for p in EVERYONE}


def cases(world):
    from gongzhi.evaluation import services
    from gongzhi.evaluation.models import ScoreKind, ScoreSnapshot
    from gongzhi.evaluation.tests import factories

    closed = factories.closed_and_recomputed(world)
    running = factories.open_campaign(world, name="2026年第四季度测评", template=closed.template)
    code = services.codes_issue(actor=world.user("admin"), campaign=running, estate=world.estate_a2)[
        0
    ].printed
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
    estate_row = ScoreSnapshot.objects.get(campaign=closed, kind=ScoreKind.ESTATE, estate=world.estate_a1)
    company_row = ScoreSnapshot.objects.get(campaign=closed, kind=ScoreKind.COMPANY, company=world.company_x)
    benchmark = services.benchmark_name(
        actor=world.user("leader"),
        street=world.street,
        company=world.company_y,
        reason="测评第一",
        starts_on=today,
        ends_on=today + dt.timedelta(days=364),
    )
    c, o, e = closed.pk, running.pk, elimination.pk
    link_a1 = running.campaign_estates.get(estate=world.estate_a1).pk

    yield "evaluation:index", reverse("evaluation:index"), "get", _only(OFFICE)
    yield "evaluation:templates", reverse("evaluation:templates"), "get", _only(ADMINS)
    yield "evaluation:template_create", reverse("evaluation:template_create"), "get", _only(ADMINS)
    edit = {p: 403 for p in EVERYONE} | {"admin": 200, "other_admin": 404}
    yield (
        "evaluation:template_edit",
        reverse("evaluation:template_edit", args=[closed.template_id]),
        "get",
        edit,
    )
    # other_admin's street has no template yet: sent to the template page first (302).
    create = {p: 403 for p in EVERYONE} | {"admin": 200, "other_admin": 302}
    yield "evaluation:campaign_create", reverse("evaluation:campaign_create"), "get", create
    yield "evaluation:campaign", reverse("evaluation:campaign", args=[c]), "get", _office_page(SEES_CAMPAIGN)
    yield (
        "evaluation:campaign_act",
        reverse("evaluation:campaign_act", args=[c, "close"]),
        "get",
        _only(set(), 405),
    )
    yield "evaluation:letters", reverse("evaluation:letters", args=[o, link_a1]), "get", _only(set(), 405)
    yield "evaluation:ranking", reverse("evaluation:ranking", args=[c]), "get", _office_page(SEES_CAMPAIGN)
    url = reverse("evaluation:ranking", args=[c]) + "?of=estates&flag=small&area=x"
    yield "evaluation:ranking", url, "get", _office_page(SEES_CAMPAIGN)
    yield (
        "evaluation:ranking_export",
        reverse("evaluation:ranking_export", args=[c]),
        "get",
        _office_page(SEES_CAMPAIGN),
    )
    yield (
        "evaluation:ranking_pdf",
        reverse("evaluation:ranking_pdf", args=[c]),
        "get",
        _office_page(SEES_CAMPAIGN, {"admin", "leader"} | AREA_OFFICES),
    )
    yield (
        "evaluation:elimination_create",
        reverse("evaluation:elimination_create", args=[c]),
        "get",
        _office_page(SEES_CAMPAIGN, {"admin"}),
    )
    sees_a1_row = {"admin", "leader", "secretary_a", "member_a", "oc_a1", "staff_x"}
    yield (
        "evaluation:score",
        reverse("evaluation:score", args=[estate_row.pk]),
        "get",
        _office_page(sees_a1_row),
    )
    sees_x_row = {
        "admin",
        "leader",
        "staff_x",
    } | AREA_OFFICES  # the branches see the street's company ranking
    yield (
        "evaluation:score",
        reverse("evaluation:score", args=[company_row.pk]),
        "get",
        _office_page(sees_x_row),
    )
    sees_x = SEES_CAMPAIGN
    yield (
        "evaluation:company",
        reverse("evaluation:company", args=[world.company_x.pk]),
        "get",
        _office_page(sees_x),
    )
    yield "evaluation:awards", reverse("evaluation:awards"), "get", _only(OFFICE)
    # A street-wide page: the leadership group names, the street admin reads (another street's admin
    # reads their own street's, empty), everyone else 403.
    yield (
        "evaluation:benchmarks",
        reverse("evaluation:benchmarks"),
        "get",
        _only({"admin", "leader", "other_admin"}),
    )
    url = reverse("evaluation:benchmark_revoke", args=[benchmark.pk])
    yield "evaluation:benchmark_revoke", url, "get", _only(set(), 405)
    yield "evaluation:inspections", reverse("evaluation:inspections"), "get", _only({"evaluator_b1"})
    url = reverse("evaluation:inspection_create", args=[o, world.estate_b1.pk])
    yield "evaluation:inspection_create", url, "get", _only({"evaluator_b1"})
    url = reverse("evaluation:inspection_create", args=[o, world.estate_a1.pk])  # not assigned → 404
    yield "evaluation:inspection_create", url, "get", {p: 403 for p in EVERYONE} | {"evaluator_b1": 404}
    yield "evaluation:assessments", reverse("evaluation:assessments"), "get", _only(ADMINS | AREA_OFFICES)
    url = reverse("evaluation:assessment_save", args=[o, world.estate_a1.pk])
    yield "evaluation:assessment_save", url, "get", _only(set(), 405)
    yield (
        "evaluation:eliminations",
        reverse("evaluation:eliminations"),
        "get",
        _only({"admin", "leader", "other_admin", "staff_x"}),
    )
    sees_e = {"admin", "leader", "staff_x"}
    yield "evaluation:elimination", reverse("evaluation:elimination", args=[e]), "get", _office_page(sees_e)
    url = reverse("evaluation:elimination_act", args=[e, "start_rectification"])
    yield "evaluation:elimination_act", url, "get", _only(set(), 405)
    url = reverse("evaluation:elimination_export", args=[e])
    yield "evaluation:elimination_export", url, "get", _office_page(sees_e)
    # The replacement of company X at A1 (referred to the owners): the street's whole-street roles and A1's
    # committee; every other office user 404 (the company too), residents 403.
    from gongzhi.evaluation.models import OwnersDecisionReferral

    referral = OwnersDecisionReferral.objects.create(
        elimination=elimination, company=world.company_x, estate=world.estate_a1
    )
    rep = services.replacement_for(referral).pk
    url = reverse("evaluation:replacement", args=[rep])
    yield "evaluation:replacement", url, "get", _office_page({"admin", "leader", "oc_a1"})
    url = reverse("evaluation:replacement_act", args=[rep, "choose"])
    yield "evaluation:replacement_act", url, "get", _only(set(), 405)

    yield "survey:start", reverse("survey:start"), "get", _only(EVERYONE)
    yield "survey:thanks", reverse("survey:thanks"), "get", _only(EVERYONE)
    yield "survey:answer", reverse("survey:answer", args=[code]), "get", _only(EVERYONE)
    yield "survey:mine", reverse("survey:mine"), "get", _only(EVERYONE)
    url = reverse("survey:answer_unit", args=[o, world.unit_a1.pk])
    yield (
        "survey:answer_unit",
        url,
        "get",
        {p: (404 if p in {"outsider", "other_admin"} else 403) for p in EVERYONE} | {"owner_a1": 200},
    )
    yield "survey:fault", reverse("survey:fault", args=[e]), "get", _only({"owner_a1"}, 404)
