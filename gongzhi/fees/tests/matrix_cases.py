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
    yield from intent_cases(world)


def a1_answer(allowed: set[str], ok: int) -> dict[str, int]:
    """As ``a1_page``, with ``ok`` (e.g. 302 after a refused step) for the allowed personas."""
    return {p: (ok if v == 200 else v) for p, v in a1_page(allowed).items()}


def intent_cases(world):
    """Quality before price: an intent of A1 opened by company X (a draft), its pages and steps. The steps
    posted here change nothing: an empty reason is a form error (200), the gate of a draft is refused by
    the service (a message and 302)."""
    import datetime as dt

    from django.utils import timezone

    from gongzhi.fees.services import fee_intent_create

    a1 = world.estate_a1.pk
    intent = fee_intent_create(
        actor=world.user("staff_x"),
        estate=world.estate_a1,
        proposed_amount="1.00",
        effective_from=timezone.localdate() + dt.timedelta(days=60),
        reasons="成本上涨",
        area="195.80",
        income_basis="1879.68",
        collection_basis="85",
        energy="100",
    )
    readers = {p: (200 if p in READERS else 403) for p in EVERYONE}
    admins = {p: (200 if p in {"admin", "other_admin"} else 403) for p in EVERYONE}
    yield "fees:intents", reverse("fees:intents"), "get", readers
    yield "fees:price_rhythm", reverse("fees:price_rhythm"), "get", readers
    yield "fees:price_rhythm", reverse("fees:price_rhythm") + "?area=1e30", "get", readers
    yield "fees:quality", reverse("fees:quality"), "get", readers
    yield "fees:quality", reverse("fees:quality") + "?band=overpriced&company=1e30&area=x", "get", readers
    from gongzhi.fees.models import StandardItem
    from gongzhi.fees.services import service_standard_load_defaults

    service_standard_load_defaults(actor=world.user("admin"), street=world.street)
    item = StandardItem.objects.filter(street=world.street).order_by("pk").first()
    yield "fees:service_standard", reverse("fees:service_standard"), "get", readers
    loaders = {p: (302 if p in {"admin", "other_admin"} else 403) for p in EVERYONE}
    yield "fees:service_standard", reverse("fees:service_standard"), "post", loaders
    url = reverse("fees:service_standard_item", args=[item.pk])
    yield "fees:service_standard_item", url, "get", {p: 405 for p in EVERYONE}
    keeper = {p: 403 for p in EVERYONE} | {"admin": 302, "other_admin": 404}
    yield "fees:service_standard_item", url, "post", keeper
    url = reverse("fees:estate_services", args=[a1])
    yield "fees:estate_services", url, "get", a1_page(SEES_A1)
    yield "fees:estate_services", url, "post", a1_answer(KEEPERS_A1, 302)
    yield "fees:initiative", reverse("fees:initiative"), "get", readers
    yield "fees:initiative", reverse("fees:initiative"), "post", admins
    yield "fees:gate_rule", reverse("fees:gate_rule"), "get", admins
    yield "fees:gate_rule", reverse("fees:gate_rule"), "post", admins
    yield "fees:gate", reverse("fees:gate", args=[a1]), "get", a1_page(SEES_A1)
    yield "fees:intent_new", reverse("fees:intent_new", args=[a1]), "get", a1_page(PROPOSERS_A1)
    yield "fees:intent_new", reverse("fees:intent_new", args=[a1]), "post", a1_page(PROPOSERS_A1)
    yield "fees:intent", reverse("fees:intent", args=[intent.pk]), "get", a1_page(SEES_A1)
    yield "fees:intent_pdf", reverse("fees:intent_pdf", args=[intent.pk]), "get", a1_page(SEES_A1)
    yield "fees:intent_edit", reverse("fees:intent_edit", args=[intent.pk]), "get", a1_page({"staff_x"})
    yield "fees:intent_edit", reverse("fees:intent_edit", args=[intent.pk]), "post", a1_page({"staff_x"})
    act = lambda step: reverse("fees:intent_act", args=[intent.pk, step])  # noqa: E731
    yield "fees:intent_act", act("withdraw"), "post", a1_page({"staff_x"})
    yield "fees:intent_act", act("reject"), "post", a1_page({"admin", "oc_a1"})
    yield "fees:intent_act", act("gate"), "post", a1_answer(PROPOSERS_A1, 302)
    yield "fees:intent_act", act("gate"), "get", {p: 405 for p in EVERYONE}
    yield "fees:intent_act", act("nothing"), "post", a1_page(set()) | {p: 404 for p in SEES_A1}
    missing = reverse("fees:intent", args=[999999])
    yield "fees:intent", missing, "get", {p: (404 if p in READERS else 403) for p in EVERYONE}
