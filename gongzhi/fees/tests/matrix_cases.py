"""Permission-matrix cases for the fee pages (used by tests/test_permission_matrix.py). Expected answers by
hand from the role model (docs/DESIGN.md §3, §4.4):

- Fee pages are read by office users who see an estate in full: the street (admin, leader; other_admin for
  their own street), the area branches (secretary_a, secretary_b, member_a), the owners' committee (oc_a1)
  and the managing company (staff_x). The evaluator, residents and the role-less get 403.
- Estate A1 is read by admin, leader, secretary_a, member_a, oc_a1, staff_x; secretary_b and other_admin
  get 404.
- Collections of A1 are kept by company X's staff (it manages A1) and the street admin; other readers of A1
  get 403. Standards of A1 are set by its owners' committee (oc_a1) and the street admin on a checked basis;
  company X's staff may open the standard form (the service tells them they may only propose) and propose;
  other readers of A1 get 403. An empty POST by an allowed user gets the form back with its errors (200).
- The import and its template: street admins and company staff (their own estates), 403 for others.
- Government price documents: the street admins (each of their own street); 403 for everyone else. An empty
  POST gets the form back with its errors (200).
"""

from __future__ import annotations

from django.urls import reverse

from gongzhi.core.testing import PERSONAS

EVERYONE = set(PERSONAS)
RESIDENTS = {"owner_a1", "outsider"}
READERS = EVERYONE - RESIDENTS - {"evaluator_b1"}
SEES_A1 = {"admin", "leader", "secretary_a", "member_a", "oc_a1", "staff_x"}
KEEPERS_A1 = {"admin", "staff_x"}
PROPOSERS_A1 = {"admin", "oc_a1", "staff_x"}
IMPORTERS = {"admin", "other_admin", "staff_x"}


def a1_page(allowed: set[str]) -> dict[str, int]:
    result = {}
    for p in EVERYONE:
        if p not in READERS:
            result[p] = 403
        elif p not in SEES_A1:
            result[p] = 404
        else:
            result[p] = 200 if p in allowed else 403
    return result


def cases(world):
    a1 = world.estate_a1.pk
    readers = {p: (200 if p in READERS else 403) for p in EVERYONE}
    yield "fees:overview", reverse("fees:overview"), "get", readers
    yield "fees:overview", reverse("fees:overview") + "?sort=-rate&area=999999", "get", readers
    yield "fees:export", reverse("fees:export"), "get", readers
    importers = {p: (200 if p in IMPORTERS else 403) for p in EVERYONE}
    yield "fees:import", reverse("fees:import"), "get", importers
    yield (
        "fees:import",
        reverse("fees:import"),
        "post",
        importers,
    )  # no file: the form's error, nothing written
    yield "fees:template", reverse("fees:template"), "get", importers
    admins = {p: (200 if p in {"admin", "other_admin"} else 403) for p in EVERYONE}
    yield "fees:price_documents", reverse("fees:price_documents"), "get", admins
    yield "fees:price_documents", reverse("fees:price_documents"), "post", admins
    yield "fees:estate", reverse("fees:estate", args=[a1]), "get", a1_page(SEES_A1)
    for name, allowed in (
        ("fees:standard_new", PROPOSERS_A1),
        ("fees:proposal_new", PROPOSERS_A1),
        ("fees:collection_new", KEEPERS_A1),
    ):
        url = reverse(name, args=[a1])
        yield name, url, "get", a1_page(allowed)
        yield name, url, "post", a1_page(allowed)
    yield (
        "fees:standard_new",
        reverse("fees:standard_new", args=[a1]) + "?proposal=1e30",
        "get",
        a1_page(PROPOSERS_A1),
    )
    missing = reverse("fees:estate", args=[999999])
    yield "fees:estate", missing, "get", {p: (404 if p in READERS else 403) for p in EVERYONE}
