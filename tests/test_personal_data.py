"""Personal data stays masked on every page a persona can open (issue 11, hole 6).

Owners' full names and phones, and owners'-committee members' phones, are shown only to the street
admin, the area's branch and the estate's owners' committee (``Scope.sees_personal_data``). Each
persona opens every page of the permission matrix it may open, every list of the JSON API and
every owner's API record, and from there every link those pages lead to (breadth first, bounded);
the HTML, JSON, Excel exports and PDFs it receives must not contain the full name or phone of an
owner outside that persona's personal-data scope. Every owner's phone is changed through the
registry service first, so the audit trail (/audit/) holds a change of each of them.

The scope of each persona is written out by hand from the persona world (docs/DESIGN.md §3, §7), not
derived from the code under test.
"""

from __future__ import annotations

import io
import re
from collections import Counter, deque
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.test import Client

from gongzhi.core.testing import PERSONAS
from gongzhi.registry import models as r
from gongzhi.registry.services import record_update
from tests.test_permission_matrix import all_cases

# Estates whose owners each persona may see in full (known answers from the persona world).
FULL_NAMES = {
    "admin": {"A1", "A2", "B1"},
    "secretary_a": {"A1", "A2"},
    "member_a": {"A1", "A2"},
    "secretary_b": {"B1"},
    "oc_a1": {"A1"},
    "other_admin": {"C1"},
}
MAX_PAGES = 400  # per persona; the persona world has far fewer distinct pages
MAX_VARIANTS = 3  # query-string variants followed per path
SKIP_PATHS = ("/static/", "/i18n/", "/logout/", "/jsi18n/")
_HREF = re.compile(r"""(?:href|hx-get|data-href)="([^"#]*)""")


def _secrets(world) -> dict[str, dict[str, str]]:
    """Estate code → {full name or phone: whose}; phones are made unique so a hit is unambiguous."""
    codes = {
        world.estate_a1.pk: "A1",
        world.estate_a2.pk: "A2",
        world.estate_b1.pk: "B1",
        world.other_estate.pk: "C1",
    }
    secrets: dict[str, dict[str, str]] = {code: {} for code in codes.values()}
    for n, unit in enumerate(
        r.Unit.objects.select_related("owner", "building").filter(owner__isnull=False).order_by("pk"),
        start=1,
    ):
        code = codes.get(unit.building.estate_id)
        if code is None:
            continue
        owner = unit.owner
        phone = f"1376{n:07d}"
        # Through the service, so the audit trail holds a change of every owner's phone.
        admin = world.user("other_admin" if code == "C1" else "admin")
        record_update(actor=admin, obj=owner, data={"phone": phone})
        secrets[code][owner.name] = f"{owner.ref} 的姓名"
        secrets[code][phone] = f"{owner.ref} 的电话"
    for n, member in enumerate(r.CommitteeMember.objects.select_related("committee").order_by("pk"), start=1):
        code = codes.get(member.committee.estate_id)
        if code is None:
            continue
        phone = f"1375{n:07d}"
        r.CommitteeMember.objects.filter(pk=member.pk).update(phone=phone)
        secrets[code][phone] = f"业委会委员 {member.name} 的电话"
    return secrets


def _text(response) -> tuple[str, str]:
    """(kind, text) of a response: HTML/JSON as is, Excel cell values, PDF text."""
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(body), read_only=True)
        cells = [
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        workbook.close()
        return "xlsx", "\n".join(cells)
    if "pdf" in content_type:
        import subprocess

        from gongzhi.core.pdf import pdf_text

        try:
            return "pdf", pdf_text(body)
        except subprocess.CalledProcessError:  # an uploaded attachment that is not a real PDF
            return "pdf", body.decode("latin-1")
    if content_type.startswith(("text/", "application/json")):
        return "html", body.decode("utf-8", "replace")
    return "other", ""


def _links(base: str, html: str) -> list[str]:
    found = []
    for href in _HREF.findall(html):
        href = href.replace("&amp;", "&")
        if not href or href.startswith(("mailto:", "tel:", "javascript:", "//")):
            continue
        parts = urlsplit(urljoin(base, href))
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        if parts.path.startswith(SKIP_PATHS):
            continue
        # Sorting shows the same rows in another order: one order per page is enough.
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "o"])
        found.append(parts.path + (f"?{query}" if query else ""))
    return found


def _api_urls() -> list[str]:
    """Every list of the JSON API (session login reads it too) and every owner's record."""
    from gongzhi.api.urls import api

    paths = api.get_openapi_schema()["paths"]
    lists = [path for path, methods in paths.items() if "get" in methods and "{" not in path]
    return lists + [f"/api/v1/owners/{pk}" for pk in r.Owner.objects.values_list("pk", flat=True)]


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_shows_personal_data_outside_the_scope(world, persona):
    user = world.user(persona)
    if persona == "owner_a1":
        # An activated owner account carries the owner's own name (portal activation does this).
        user.display_name = world.unit_a1.owner.name
        user.save(update_fields=["display_name"])
    start = ["/"] + [
        url
        for _name, url, method, expected in all_cases(world)
        if method == "get" and expected[persona] == 200
    ]
    start += _api_urls()
    secrets = _secrets(world)
    allowed = FULL_NAMES.get(persona, set())
    forbidden = {
        secret: whose
        for code, items in secrets.items()
        if code not in allowed
        for secret, whose in items.items()
    }
    if persona == "owner_a1":
        own = world.unit_a1.owner
        forbidden = {s: w for s, w in forbidden.items() if not w.startswith(own.ref + " ")}
    assert forbidden  # every persona has someone else's data it must not see

    # A server error shows no data; tests/test_hostile_input.py is the test that refuses them.
    client = Client(raise_request_exception=False)
    client.force_login(user)
    queue, seen, leaks, opened = deque(start), set(start), [], 0
    variants: Counter[str] = Counter()  # filter and page variants of one path: a few are enough
    files: set[str] = set()  # paths that answered with a file (one variant of an export is enough)
    while queue and opened < MAX_PAGES:
        url = queue.popleft()
        path = url.split("?")[0]
        if path in files and url not in start:
            continue
        response = client.get(url)
        opened += 1
        if response.status_code != 200:
            continue
        kind, text = _text(response)
        leaks.extend(f"{url} ({kind}): {whose}" for secret, whose in forbidden.items() if secret in text)
        if kind != "html":
            files.add(path)
            continue
        for link in _links(url, text):
            link_path = link.split("?")[0]
            if link in seen or (link != link_path and variants[link_path] >= MAX_VARIANTS):
                continue
            seen.add(link)
            variants[link_path] += link != link_path
            queue.append(link)
    assert opened > 20  # the crawl really walked the site
    assert leaks == []
