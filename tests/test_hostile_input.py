"""Hostile input never crashes the site (issue 11, hole 8).

Every page of the permission matrix that a persona may open is read for its forms and links: each
query parameter a page knows (its filter forms and the query strings of its own links) gets hostile
values — integers beyond the database's range, exponent numbers, NaN, unicode digits, days at the
ends of the calendar or that do not exist, markup, NUL and very long text — and each field of each
POST form is sent the same way. The answer is never a server error, and a refused POST writes nothing
(no audit event, no row in the main tables).

Personas: the street admin reaches most pages; company staff and an owner reach their own (fees,
the portal); the owners' committee posts its own forms. The run stays within a few minutes: files
(PDF, Excel) are not crawled, POST fields get a shorter list of values.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.apps import apps
from django.test import Client

from gongzhi.core.models import AuditEvent
from tests.test_permission_matrix import all_cases

HOSTILE = [
    "99999999999999999999",  # beyond a 64-bit column
    "1e30",  # an exponent: Decimal reads it, quantize overflows
    "NaN",  # a Decimal that raises on every comparison
    "²",  # str.isdigit() is True, int() refuses it
    "0001-01-01",  # the first day: the day before overflows
    "2024-02-30",  # well formed, no such day
    "0001-W01",
    "9999-12-31T23:59",
    "a\x00b",  # PostgreSQL text cannot hold NUL
    "<script>alert(1)</script>" * 200,  # markup, and longer than any field
]
# POST fields get a shorter list (a POST costs more than a GET): an id or count beyond the database's
# range, an amount whose rounding overflows, a unicode digit, a date at the start of the calendar, and
# overlong markup. NUL is refused for every request by core.middleware.refuse_nul (GETs above prove it).
HOSTILE_POST = [
    "99999999999999999999",
    "1e30",
    "²",
    "0001-01-01T00:00",
    "<b>x</b>" * 700,
]
SKIP_FIELDS = {"csrfmiddlewaretoken"}
# At least this many distinct inputs (parameter of a page, field of a form) per persona and test.
MIN_TRIED = {"admin": 200, "staff_x": 120, "owner_a1": 24, "oc_a1": 70}


class _Forms(HTMLParser):
    """The forms of a page (method, action, fields with their current values) and its links."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action") or "",
                "fields": {},
                "files": set(),
            }
            self.forms.append(self._form)
        elif tag == "option":
            self._option(a)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset"}:
                return
            if kind == "file":
                self._form["files"].add(a["name"])
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                self._form["fields"].setdefault(a["name"], None)
                return
            self._form["fields"][a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a["name"]
            self._form["fields"].setdefault(a["name"], None)
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form["fields"][a["name"]] = ""

    def _option(self, a):
        if self._form is None or self._select is None:
            return
        current = self._form["fields"].get(self._select)
        if current is None or "selected" in a:
            self._form["fields"][self._select] = a.get("value", "")

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _parse(html: str) -> _Forms:
    parser = _Forms()
    parser.feed(html)
    return parser


def _pages(world, persona, shard: tuple[int, int] = (0, 1)):
    """(name, url) of every GET page of the matrix this persona may open; with ``shard=(k, n)`` only
    every n-th of them, starting at the k-th (the crawls are split so that pytest-xdist spreads them
    over its workers instead of one worker crawling for minutes while the others wait)."""
    seen = set()
    k, n = shard
    # The cases are built first: some set up their own rows, which the crawl's POSTs must not disturb.
    for name, url, method, expected in list(all_cases(world)):
        if method != "get" or expected.get(persona) != 200 or url in seen:
            continue
        if url.endswith((".pdf", ".xlsx", ".jsonl", ".json")) or "export" in name or "pdf" in name:
            continue  # files, not pages: no forms or filter links to read
        seen.add(url)
        if (len(seen) - 1) % n == k:
            yield name, url


def _client(world, persona) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(world.user(persona))
    return client


def _failure(response, what: str) -> str | None:
    if response.status_code < 500:
        return None
    exc = getattr(response, "exc_info", None)
    reason = f"{exc[0].__name__}: {str(exc[1])[:120]}" if exc else ""
    return f"{what} → {response.status_code} {reason}"


def _html(response) -> str | None:
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return None
    return response.content.decode("utf-8", "replace")


def _query_params(path: str, page: _Forms) -> set[str]:
    params = {"page"}
    for form in page.forms:
        if form["method"] == "get" and urlsplit(form["action"]).path in {"", path}:
            params |= set(form["fields"]) - SKIP_FIELDS
    for href in page.links:
        parts = urlsplit(href)
        if parts.path in {"", path} and parts.query:
            params |= {k for k, _v in parse_qsl(parts.query, keep_blank_values=True)}
    return params


# The main tables a form writes to; every write is also audited in the same transaction.
WATCHED = (
    "registry.Estate",
    "registry.Unit",
    "registry.Owner",
    "registry.Contract",
    "problems.Problem",
    "finance.LedgerEntry",
    "fees.MonthlyCollection",
    "fees.FeeStandard",
    "voting.Decision",
    "evaluation.Campaign",
    "branchwork.Meeting",
    "training.Exam",
)


@pytest.fixture(scope="module", autouse=True)
def _vacuumed_tables(django_db_setup, django_db_blocker):
    """On PostgreSQL, every earlier test's rolled-back copy of the demo street leaves dead rows behind
    (about a million in the ledger and survey tables by the time this module runs) that autovacuum has
    not reached; counting rows after every hostile request then scans them all, and the crawl took
    over twenty minutes. The crawl starts from vacuumed tables (VACUUM runs outside a transaction,
    before the first test of the module opens one)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("VACUUM")
    yield


def _row_counts() -> tuple[int, ...]:
    models = [apps.get_model(label) for label in WATCHED]
    return (AuditEvent.objects.count(), *(m._default_manager.count() for m in models))


# Each crawl runs in SHARDS parts (persona, k): a part may find no input at all, so coverage is checked
# once per persona by the inventory tests below, which read every page's inputs without attacking them.
SHARDS = {"admin": 4, "staff_x": 3, "owner_a1": 1, "oc_a1": 2}
QUERY_CRAWLS = [(p, k) for p in ("admin", "staff_x", "owner_a1") for k in range(SHARDS[p])]
FORM_CRAWLS = [(p, k) for p in ("admin", "oc_a1") for k in range(SHARDS[p])]


def _query_inputs(world, persona) -> set[str]:
    client = _client(world, persona)
    found = set()
    for _name, url in _pages(world, persona):
        html = _html(client.get(url))
        if html is not None:
            path = urlsplit(url).path
            found |= {f"{path}?{param}" for param in _query_params(path, _parse(html))}
    return found


def _form_inputs(world, persona) -> set[str]:
    client = _client(world, persona)
    found = set()
    for _name, url in _pages(world, persona):
        html = _html(client.get(url))
        if html is None:
            continue
        for form in _parse(html).forms:
            action = form["action"] or url
            if form["method"] == "post" and urlsplit(action).path not in {"/logout/", "/i18n/setlang/"}:
                found |= {f"{action} {field}" for field in set(form["fields"]) - SKIP_FIELDS}
    return found


@pytest.mark.parametrize("persona", ["admin", "staff_x", "owner_a1"])
def test_the_query_crawl_finds_the_pages_inputs(world, persona):
    found = _query_inputs(world, persona)
    assert len(found) >= MIN_TRIED[persona], sorted(found)


@pytest.mark.parametrize("persona", ["admin", "oc_a1"])
def test_the_form_crawl_finds_the_forms_fields(world, persona):
    found = _form_inputs(world, persona)
    assert len(found) >= MIN_TRIED[persona], sorted(found)


@pytest.mark.parametrize(("persona", "shard"), QUERY_CRAWLS)
def test_hostile_query_parameters_never_crash(world, persona, shard):
    client = _client(world, persona)
    failures = []
    tried = set()
    for name, url in _pages(world, persona, (shard, SHARDS[persona])):
        response = client.get(url)
        html = _html(response)
        if html is None:
            continue
        path = urlsplit(url).path
        for param in sorted(_query_params(path, _parse(html))):
            tried.add(f"{path}?{param}")
            for value in HOSTILE:
                query = urlencode({param: value})
                got = client.get(f"{path}?{query}")
                failure = _failure(got, f"{name} GET {path}?{param}={value[:30]!r}")
                if failure:
                    failures.append(failure)
    assert tried, "this part of the crawl found no input to try"
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(("persona", "shard"), FORM_CRAWLS)
def test_hostile_form_fields_never_crash_and_a_refusal_writes_nothing(world, persona, shard):
    client = _client(world, persona)
    failures = []
    tried = set()
    for name, url in _pages(world, persona, (shard, SHARDS[persona])):
        html = _html(client.get(url))
        if html is None:
            continue
        path = urlsplit(url).path
        for form in _parse(html).forms:
            if form["method"] != "post":
                continue
            action = form["action"] or url
            if urlsplit(action).path in {"/logout/", "/i18n/setlang/"}:
                continue
            base = {k: v for k, v in form["fields"].items() if v is not None and k not in SKIP_FIELDS}
            for field in sorted(set(form["fields"]) - SKIP_FIELDS):
                tried.add(f"{action} {field}")
                for value in HOSTILE_POST:
                    before = _row_counts()
                    got = client.post(action, {**base, field: value})
                    what = f"{name} POST {action} {field}={value[:30]!r} (from {path})"
                    failure = _failure(got, what)
                    if failure:
                        failures.append(failure)
                    elif got.status_code not in {301, 302, 303} and _row_counts() != before:
                        failures.append(f"{what} → {got.status_code} but rows changed")
    assert tried, "this part of the crawl found no input to try"
    assert not failures, "\n".join(failures)
