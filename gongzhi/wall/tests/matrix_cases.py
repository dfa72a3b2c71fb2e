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
"""

from __future__ import annotations

from django.urls import reverse

from gongzhi.core.testing import PERSONAS

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
