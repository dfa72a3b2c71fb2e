"""Permission-matrix cases for the disclosure book (used by tests/test_permission_matrix.py). By hand from
docs/DESIGN.md §3, §4.4:

- The public book of any estate needs no login: 200 for everyone (a missing estate's 404 is tested in
  gongzhi/disclosure/tests/test_book.py). Its PDF too, but only an office user renders it on demand (200);
  a resident or a role-less account gets 202 "being prepared" while the worker renders it
  (gongzhi/jobs/pdf.py; each matrix test starts with an empty PDF cache).
- The office pages (/disclosure/office/…) are read like the fee pages: office users who see the estate in
  full; evaluator, residents and role-less 403; readers outside A1 404.
- Major matters and the owners' rules of A1 are kept by A1's owners' committee (oc_a1) and the street admin;
  the four services by the managing company (staff_x) and the street admin. Other readers of A1: 403.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from gongzhi.core.testing import PERSONAS
from gongzhi.fees.tests.matrix_cases import READERS, a1_page

EVERYONE = set(PERSONAS)
BOOK_KEEPERS = {"admin", "oc_a1"}
SERVICE_KEEPERS = {"admin", "staff_x"}


def cases(world):
    from gongzhi.disclosure.services import major_matter_create

    matter = major_matter_create(
        actor=world.user("oc_a1"),
        estate=world.estate_a1,
        date=timezone.localdate() - dt.timedelta(days=3),
        title="屋面防水维修",
    )
    a1 = world.estate_a1.pk
    everyone = {p: 200 for p in EVERYONE}
    yield "book:estate", reverse("book:estate", args=[a1]), "get", everyone
    yield "book:estate", reverse("book:estate", args=[a1]) + "?months=6", "get", everyone
    renders = {p: (202 if p in {"owner_a1", "outsider"} else 200) for p in EVERYONE}
    yield "book:pdf", reverse("book:pdf", args=[a1]), "get", renders
    yield "book:office", reverse("book:office"), "get", {p: (200 if p in READERS else 403) for p in EVERYONE}
    # the zip of every book the user reads, made by the worker (disclosure/jobs.py): readers start it (302 to
    # the job's page), others 403; it is started by POST only (405).
    url = reverse("book:books_zip")
    yield "book:books_zip", url, "post", {p: (302 if p in READERS else 403) for p in EVERYONE}
    yield "book:books_zip", url, "get", {p: 405 for p in EVERYONE}
    yield "book:edit", reverse("book:edit", args=[a1]), "get", a1_page(EVERYONE)
    for name, keepers in (("book:matter_new", BOOK_KEEPERS), ("book:rules_new", BOOK_KEEPERS)):
        url = reverse(name, args=[a1])
        yield name, url, "get", a1_page(keepers)
        yield name, url, "post", a1_page(keepers)
    url = reverse("book:matter_edit", args=[matter.pk])
    yield "book:matter_edit", url, "get", a1_page(BOOK_KEEPERS)
    yield "book:matter_edit", url, "post", a1_page(BOOK_KEEPERS)
    url = reverse("book:service_edit", args=[a1, "cleaning"])
    yield "book:service_edit", url, "get", a1_page(SERVICE_KEEPERS)
    yield "book:service_edit", url, "post", a1_page(SERVICE_KEEPERS)
    url = reverse("book:service_edit", args=[a1, "no_such_service"])
    yield "book:service_edit", url, "get", {p: (404 if p in READERS else 403) for p in EVERYONE}
