"""Permission-matrix cases for the ledger pages (used by tests/test_permission_matrix.py). Expected
answers are written by hand from the role model (docs/DESIGN.md §3, §4.4):

- Office ledger pages are read by office users who see an estate in full: the street (admin, leader,
  other_admin for their own street), the area branches (secretary_a, secretary_b, member_a), the owners'
  committee (oc_a1) and the managing company (staff_x). The evaluator's role reads no ledgers (403), nor
  do residents and the role-less (403).
- Estate A1 is read by admin, leader, secretary_a, member_a, oc_a1 and staff_x; secretary_b (area B)
  and other_admin (another street) get 404.
- The owners' ledgers (maintenance fund, public income) are posted to by A1's owners' committee and the
  street admin; the fee account by company X (it manages A1). Other readers of A1 get 403.
- An empty POST by someone who may post gets the page back with the form's errors (200), nothing written.
- The public ledger page and downloads (ledgers:*) need no login: 200 for everyone.
- 公示进度 and 资金预警 (lists and their Excel exports) are read by every ledger reader (their own estates).
- A disclosure is recorded by whoever posts to that ledger, and by the street admin for every ledger: A1's
  owners' ledgers by admin and oc_a1, its fee account by admin and staff_x (an empty POST gets the page back
  with the errors, 200). Only the street admin tightens an interval; the street admin and A1's OC set the
  finance profile; whoever posts to the fund attaches evidence (these three answer an empty POST with a
  redirect back to the estate page, 302).
- Evidence files and disclosure attachments are read like the estate's ledgers.
- The import page and its template: whoever may post somewhere (admin, other_admin, oc_a1, staff_x).
- The hash-chain check of the ledger list (loaded after the list) is the street admins' (each their own
  street's chains); every other role 403.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from gongzhi.core.testing import PERSONAS

EVERYONE = set(PERSONAS)
RESIDENTS = {"owner_a1", "outsider"}
READERS = EVERYONE - RESIDENTS - {"evaluator_b1"}  # office roles that read ledgers somewhere
SEES_A1 = {"admin", "leader", "secretary_a", "member_a", "oc_a1", "staff_x"}
OWNERS_LEDGER_POSTERS = {"admin", "oc_a1"}
FEE_POSTERS = {"staff_x"}
IMPORTERS = {"admin", "other_admin", "oc_a1", "staff_x"}
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _a1_page(allowed: set[str], ok: int = 200) -> dict[str, int]:
    """A page about estate A1: not a ledger reader → 403; a reader outside A1 → 404; readers of A1
    not in ``allowed`` → 403; ``allowed`` → ``ok``."""
    result = {}
    for p in EVERYONE:
        if p not in READERS:
            result[p] = 403
        elif p not in SEES_A1:
            result[p] = 404
        else:
            result[p] = ok if p in allowed else 403
    return result


def cases(world):
    from gongzhi.finance.services import ledger_post

    entry = ledger_post(
        actor=world.user("oc_a1"),
        estate=world.estate_a1,
        ledger="maintenance_fund",
        date=timezone.localdate() - dt.timedelta(days=10),
        direction="in",
        amount="1000.00",
        summary="维修资金续筹",
    )
    a1 = world.estate_a1.pk
    yield (
        "finance:index",
        reverse("finance:index"),
        "get",
        {p: (200 if p in READERS else 403) for p in EVERYONE},
    )
    yield (
        "finance:chain_check",
        reverse("finance:chain_check"),
        "get",
        {p: (200 if p in {"admin", "other_admin"} else 403) for p in EVERYONE},
    )
    yield "finance:estate", reverse("finance:estate", args=[a1]), "get", _a1_page(SEES_A1)
    url = reverse("finance:estate", args=[a1]) + "?ledger=property_fee&page=9"
    yield "finance:estate", url, "get", _a1_page(SEES_A1)
    for ledger, posters in (
        ("maintenance_fund", OWNERS_LEDGER_POSTERS),
        ("public_income", OWNERS_LEDGER_POSTERS),
        ("property_fee", FEE_POSTERS),
    ):
        url = reverse("finance:post", args=[a1, ledger])
        yield "finance:post", url, "get", {p: 405 for p in EVERYONE}
        yield "finance:post", url, "post", _a1_page(posters)
    url = reverse("finance:post", args=[a1, "no_such_ledger"])
    unknown = {
        p: (404 if status == 403 and p in READERS else status) for p, status in _a1_page(set()).items()
    }
    yield "finance:post", url, "post", unknown
    url = reverse("finance:reverse", args=[entry.pk])
    yield "finance:reverse", url, "get", {p: 405 for p in EVERYONE}
    yield "finance:reverse", url, "post", _a1_page(OWNERS_LEDGER_POSTERS)
    yield "ledgers:estate", reverse("ledgers:estate", args=[a1]), "get", {p: 200 for p in EVERYONE}
    for ledger in ("maintenance_fund", "public_income", "property_fee"):
        url = reverse("ledgers:download", args=[a1, ledger])
        yield "ledgers:download", url, "get", {p: 200 for p in EVERYONE}

    yield from _rule_cases(world, a1)


def _rule_cases(world, a1):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongzhi.finance.services import disclosure_record, evidence_attach, ledger_post

    day = timezone.localdate() - dt.timedelta(days=5)
    use = ledger_post(
        actor=world.user("oc_a1"),
        estate=world.estate_a1,
        ledger="maintenance_fund",
        date=day,
        direction="out",
        amount="200.00",
        summary="屋面防水维修工程款",
    )
    evidence = evidence_attach(
        actor=world.user("oc_a1"),
        entry=use,
        kind="price_audit",
        upload=SimpleUploadedFile("审价.pdf", PDF, content_type="application/pdf"),
    )
    disclosure = disclosure_record(
        actor=world.user("oc_a1"),
        estate=world.estate_a1,
        ledger="maintenance_fund",
        period_start=day - dt.timedelta(days=180),
        period_end=day - dt.timedelta(days=1),
        posted_on=day,
        place="board",
        attachment=SimpleUploadedFile("公示.pdf", PDF, content_type="application/pdf"),
    )
    readers = {p: (200 if p in READERS else 403) for p in EVERYONE}
    for name in (
        "finance:disclosures",
        "finance:disclosures_export",
        "finance:alerts",
        "finance:alerts_export",
    ):
        yield name, reverse(name), "get", readers
    yield (
        "finance:disclosures",
        reverse("finance:disclosures") + "?overdue=yes&ledger=public_income",
        "get",
        readers,
    )
    yield "finance:alerts", reverse("finance:alerts") + "?kind=low_fund&area=999999", "get", readers
    importers = {p: (200 if p in IMPORTERS else 403) for p in EVERYONE}
    yield "finance:import", reverse("finance:import"), "get", importers
    yield "finance:import", reverse("finance:import"), "post", importers  # no file: the page with an error
    yield "finance:import_template", reverse("finance:import_template"), "get", importers
    for ledger, posters in (
        ("maintenance_fund", OWNERS_LEDGER_POSTERS),
        ("public_income", OWNERS_LEDGER_POSTERS),
        ("property_fee", FEE_POSTERS | {"admin"}),
    ):
        url = reverse("finance:disclose", args=[a1, ledger])
        yield "finance:disclose", url, "get", {p: 405 for p in EVERYONE}
        yield "finance:disclose", url, "post", _a1_page(posters)
        url = reverse("finance:schedule", args=[a1, ledger])
        yield "finance:schedule", url, "get", {p: 405 for p in EVERYONE}
        yield "finance:schedule", url, "post", _a1_page({"admin"}, ok=302)
    url = reverse("finance:profile", args=[a1])
    yield "finance:profile", url, "get", {p: 405 for p in EVERYONE}
    yield "finance:profile", url, "post", _a1_page({"admin", "oc_a1"}, ok=302)
    url = reverse("finance:evidence_add", args=[use.pk])
    yield "finance:evidence_add", url, "get", {p: 405 for p in EVERYONE}
    yield "finance:evidence_add", url, "post", _a1_page(OWNERS_LEDGER_POSTERS, ok=302)
    yield (
        "finance:evidence_file",
        reverse("finance:evidence_file", args=[evidence.pk]),
        "get",
        _a1_page(SEES_A1),
    )
    url = reverse("finance:disclosure_file", args=[disclosure.pk])
    yield "finance:disclosure_file", url, "get", _a1_page(SEES_A1)
