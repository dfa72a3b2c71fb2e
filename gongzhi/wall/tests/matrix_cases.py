"""Permission-matrix cases for the wall (used by tests/test_permission_matrix.py). Expected answers by hand
from the role model (docs/DESIGN.md §3, docs/WALL.md):

- The wall is read by the street (admin, leader; other_admin for their own street), the area branches
  (secretary_a, secretary_b, member_a) and the companies (staff_x); the owners' committee (oc_a1), the
  evaluator, residents and the role-less get 403.
- Area A's wall: its street and its branch (secretary_a, member_a); company X's staff see area A (the
  door lets a company read the areas of its estates); secretary_b and other_admin get 404.
- Estate A1's card: its street, area A's branch and company X (which manages A1); secretary_b and
  other_admin get 404.
- Company X across its estates: the street and company X's staff, and the branches (a company working
  in their area is readable to them); other_admin gets 404.
- The colour rules: street admins only (each of their own street); an empty POST gets the page back with
  the error (200).
- The map and the big screen (/wall/map/, /wall/screen/): every wall reader, over their own estates.
- The estates' geometry (import page, export) and the display links (list, create, revoke) and the
  public wall's switch: street admins only; another street's link answers 404 to other_admin; an empty
  POST gets the page back with the error (200), a revoke or a switch redirects (302).
- A display link opened by anyone (no login needed): a live link 200, an unknown one 404.
- The public wall of a street that has not turned it on: 404 for everyone.
"""

from __future__ import annotations

from django.urls import reverse

from gongzhi.core.testing import PERSONAS
from gongzhi.wall.geometry import token_hash
from gongzhi.wall.models import DisplayLink

LIVE_TOKEN = "L" * 43  # a well-formed token (43 URL-safe characters) made live below

EVERYONE = set(PERSONAS)
READERS = {"admin", "leader", "secretary_a", "secretary_b", "member_a", "staff_x", "other_admin"}


def page(seers: set[str]) -> dict[str, int]:
    return {p: (403 if p not in READERS else 200 if p in seers else 404) for p in EVERYONE}


def cases(world):
    readers = {p: (200 if p in READERS else 403) for p in EVERYONE}
    yield "wall:street", reverse("wall:street"), "get", readers
    yield "wall:street", reverse("wall:street") + "?i=party_share", "get", readers
    yield "wall:street", reverse("wall:street") + "?i=%3Cscript%3E", "get", readers
    area_seers = {"admin", "leader", "secretary_a", "member_a", "staff_x"}
    yield "wall:area", reverse("wall:area", args=[world.area_a.pk]), "get", page(area_seers)
    a1_seers = {"admin", "leader", "secretary_a", "member_a", "staff_x"}
    yield "wall:estate", reverse("wall:estate", args=[world.estate_a1.pk]), "get", page(a1_seers)
    yield "wall:card", reverse("wall:card", args=[world.estate_a1.pk]), "get", page(a1_seers)
    yield "wall:estate", reverse("wall:estate", args=[999999]), "get", page(set())
    company_seers = {"admin", "leader", "secretary_a", "secretary_b", "member_a", "staff_x"}
    yield "wall:company", reverse("wall:company", args=[world.company_x.pk]), "get", page(company_seers)
    admins = {p: (200 if p in {"admin", "other_admin"} else 403) for p in EVERYONE}
    yield "wall:rules", reverse("wall:rules"), "get", admins
    yield "wall:rules", reverse("wall:rules"), "post", admins
    yield "wall:map", reverse("wall:map"), "get", readers
    yield "wall:map", reverse("wall:map") + "?i=fund_health", "get", readers
    yield "wall:screen", reverse("wall:screen"), "get", readers
    yield "wall:geometry", reverse("wall:geometry"), "get", admins
    yield "wall:geometry", reverse("wall:geometry"), "post", admins
    yield "wall:geometry_export", reverse("wall:geometry_export"), "get", admins
    yield "wall:display_links", reverse("wall:display_links"), "get", admins
    yield "wall:display_links", reverse("wall:display_links"), "post", admins
    link, _created = DisplayLink.objects.get_or_create(
        token_hash=token_hash(LIVE_TOKEN), defaults={"street": world.street, "label": "指挥室大屏"}
    )
    revoke = {
        p: (403 if p not in {"admin", "other_admin"} else 302 if p == "admin" else 404) for p in EVERYONE
    }
    other, _created = DisplayLink.objects.get_or_create(
        token_hash=token_hash("R" * 43), defaults={"street": world.street, "label": "会议室"}
    )
    yield "wall:display_link_revoke", reverse("wall:display_link_revoke", args=[other.pk]), "post", revoke
    switch = {p: (302 if p in {"admin", "other_admin"} else 403) for p in EVERYONE}
    yield "wall:public_switch", reverse("wall:public_switch"), "post", switch
    everyone = {p: 200 for p in EVERYONE}
    yield "wall:screen_display", reverse("wall:screen_display", args=[LIVE_TOKEN]), "get", everyone
    nobody = {p: 404 for p in EVERYONE}
    yield "wall:screen_display", reverse("wall:screen_display", args=["M" * 43]), "get", nobody
    yield "wall:screen_display", reverse("wall:screen_display", args=["short"]), "get", nobody
    yield "wall:public", reverse("wall:public", args=[world.street.pk]), "get", nobody
    yield from trend_cases(world)


def trend_cases(world):
    """Trends, the recompute button and the monthly briefing (views_trends.py): the trends are read by the
    wall's readers, each within the wall's estates — an area, company or estate out of scope is 404; the
    recompute is started by a street admin (302 to the job's page), by POST only; the briefing PDF is for
    the street admin and the leadership group (other_admin: of their own street)."""
    readers = {p: (200 if p in READERS else 403) for p in EVERYONE}
    url = reverse("wall:trends")
    yield "wall:trends", url, "get", readers
    yield "wall:trends", url + "?of=%3Cscript%3E", "get", readers
    area_seers = {"admin", "leader", "secretary_a", "member_a", "staff_x"}
    yield "wall:trends", url + f"?of=area-{world.area_a.pk}", "get", page(area_seers)
    yield "wall:trends", url + f"?of=estate-{world.estate_a1.pk}", "get", page(area_seers)
    company_seers = {"admin", "leader", "secretary_a", "secretary_b", "member_a", "staff_x"}
    yield "wall:trends", url + f"?of=company-{world.company_x.pk}", "get", page(company_seers)
    admins = {p: (302 if p in {"admin", "other_admin"} else 403) for p in EVERYONE}
    yield "wall:recompute", reverse("wall:recompute"), "post", admins
    yield "wall:recompute", reverse("wall:recompute"), "get", {p: 405 for p in EVERYONE}
    street_wide = {p: (200 if p in {"admin", "leader", "other_admin"} else 403) for p in EVERYONE}
    yield "wall:briefing", reverse("wall:briefing"), "get", street_wide
