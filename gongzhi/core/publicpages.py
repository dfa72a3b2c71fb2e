"""Public pages that a reverse proxy, a CDN and Django's cache can serve (issue 17).

A public page (the disclosure book, the ledger page, the problem board, the duty board, the vote
pages) is the same for everyone who asks: ``public_page`` makes it so and says so in HTTP.

- **No cookie, no ``Vary: Cookie``.** The view sees an anonymous user (so the session is never
  read), the page holds no CSRF token (``base.html`` leaves out the htmx header and the language
  switch is a GET form on these pages), and its language comes from the address (``?lang=en``),
  not from the language cookie: a cache keyed by the address then never serves the wrong language.
- **Served from a cache keyed by the data's version.** Before the view runs, one cheap query asks
  for the page's *change mark* (``mark`` below): the street's newest audit events (every service
  writes its audit event in the same transaction as its change, docs/ARCHITECTURE.md) plus whatever
  the page shows that is not audited (ballots, by design). A write in the street changes the mark,
  so the next request renders afresh: no service has to remember to invalidate anything, and bulk
  paths that record themselves as one audit event are covered too. The mark sums the ids of the
  street's newest ``RECENT_EVENTS`` events rather than taking the maximum, so a transaction that
  commits after a later one (its event id is lower) still changes the mark.
- **Correct HTTP caching.** ``Cache-Control: public, max-age=…`` (short: a proxy may serve a page
  that old), an ``ETag`` derived from the same key, and ``304 Not Modified`` for ``If-None-Match``.

Its reads go to the read replica when one is configured (``core/dbrouter.reads_from_replica``). The
cache is Django's (locmem per process by default, Redis when ``GONGZHI_REDIS_URL`` is set); entries
also expire after ``GONGZHI_PUBLIC_CACHE_SECONDS`` whatever the mark says, so a write that escapes
the audit trail (raw SQL by hand) is shown within that time at the latest.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connections
from django.db.models import Subquery, Sum
from django.db.models.expressions import OuterRef
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, QueryDict
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from gongzhi.core.dbrouter import read_alias, reads_from_replica
from gongzhi.core.models import AuditEvent

LANG_PARAM = "lang"
RECENT_EVENTS = 64  # longer than any run of commits that can overtake one open write transaction
_VERSION = "1"  # bump when the cached form of a page changes shape


def street_changes(street_ref: str) -> Coalesce:
    """An annotation: the sum of the ids of the newest ``RECENT_EVENTS`` audit events of the street
    that ``street_ref`` (an outer field, e.g. ``"area__street_id"``) names. Index-only with
    ``audit_street_recent_idx``; 0 for a street without events."""
    # The floor refers to the outer row's street (not to the summed row's): one lookup, then an index range.
    newest = AuditEvent.objects.filter(street_id=OuterRef(OuterRef(street_ref))).order_by("-pk")
    floor = Subquery(newest.values("pk")[RECENT_EVENTS - 1 : RECENT_EVENTS])
    recent = (
        AuditEvent.objects.filter(street_id=OuterRef(street_ref), pk__gte=Coalesce(floor, 0))
        .order_by()
        .values("street_id")
        .annotate(total=Sum("pk"))
        .values("total")
    )
    return Coalesce(Subquery(recent), 0)


def public_language(request: HttpRequest) -> str:
    """The page's language: ``?lang=`` when it names a supported one, else the product's default."""
    chosen = request.GET.get(LANG_PARAM, "")
    return chosen if chosen in {code for code, _name in settings.LANGUAGES} else settings.LANGUAGE_CODE


def _only(query: QueryDict, params: tuple[str, ...]) -> QueryDict:
    kept = QueryDict(mutable=True)
    for name in params:
        if name in query:
            kept.setlist(name, query.getlist(name)[:1])
    kept._mutable = False
    return kept


def _matches(header: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


def public_page(
    *,
    mark: Callable[..., tuple | None],
    params: tuple[str, ...] = (),
    store: bool = True,
    htmx: bool = False,
):
    """Decorate a public view. ``mark(**view_kwargs)`` returns a tuple that changes whenever the
    page's data does (one query), or None when the object does not exist (the view then answers its
    404). Only the query parameters in ``params`` reach the view and the key, so random parameters
    can neither fill the cache nor change the page. ``store=False``: cookie-free but not cached
    (a look-up whose answer is the asker's own). ``htmx``: the view answers htmx with a fragment."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request: HttpRequest, **kwargs):
            language = public_language(request)
            request.GET = _only(request.GET, params)
            request.user = AnonymousUser()  # the same page for everyone: the session is never read
            request.public_page = True  # type: ignore[attr-defined]  # read by base.html and the middleware
            request.LANGUAGE_CODE = language
            # The same page for everyone, so it may come from a replica (core/dbrouter.py); a reader who
            # has just written reads from the primary.
            with translation.override(language), reads_from_replica():
                response = _respond(request, view, kwargs, language, mark, store, htmx)
            response.public_page = True  # type: ignore[attr-defined]
            response.headers["Content-Language"] = language
            return response

        return wrapped

    return decorate


def _respond(request, view, kwargs, language, mark, store, htmx) -> HttpResponse:
    if not store or request.method not in {"GET", "HEAD"}:
        response = view(request, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response
    version = mark(**kwargs)
    if version is None:
        return view(request, **kwargs)
    fragment = bool(htmx and request.headers.get("HX-Request"))
    parts = (
        _VERSION,
        view.__module__,
        view.__qualname__,
        sorted(kwargs.items()),
        request.GET.urlencode(),
        language,
        fragment,
        timezone.localdate().isoformat(),  # "today" is part of every public page (deadlines, duty)
        version,
    )
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    etag = f'"{digest[:32]}"'
    if _matches(request.headers.get("If-None-Match", ""), etag):
        response = HttpResponseNotModified()
    else:
        cached = cache.get(f"public-page:{digest}")
        if cached is not None:
            response = HttpResponse(cached["content"], content_type=cached["content_type"])
        else:
            response = view(request, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            cache.set(
                f"public-page:{digest}",
                {"content": response.content, "content_type": response["Content-Type"]},
                settings.GONGZHI_PUBLIC_CACHE_SECONDS,
            )
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=settings.GONGZHI_PUBLIC_MAX_AGE)
    if htmx:
        patch_vary_headers(response, ("HX-Request",))
    return response


# The same mark as ``street_changes`` as one plain statement for the hottest path (every request for an
# estate's or an area's page, cached or not): the ORM would spend longer compiling the nested subqueries
# than the database spends answering them. Table names come from the models; the id is a parameter.
_STREET_SUM = """
    SELECT COALESCE(SUM(v.id), 0) FROM {audit} v
    WHERE v.street_id = {street} AND v.id >= COALESCE(
        (SELECT u.id FROM {audit} u WHERE u.street_id = {street} ORDER BY u.id DESC LIMIT 1 OFFSET {skip}), 0)
"""


def street_sum_sql(street_column: str) -> str:
    """``street_changes`` as SQL text for a mark written as one plain statement; ``street_column`` names
    the outer row's street id column (e.g. ``a.street_id``)."""
    return _STREET_SUM.format(audit=AuditEvent._meta.db_table, street=street_column, skip=RECENT_EVENTS - 1)


def mark_row(sql: str, params: list) -> tuple | None:
    """The one row of a mark statement as a tuple, or None when its object does not exist."""
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else tuple(row)


def _mark(sql: str, pk: int) -> tuple | None:
    row = mark_row(sql, [pk])
    return None if row is None else (int(row[0]),)


@functools.cache
def _estate_sql() -> str:
    from gongzhi.registry.models import Area, Estate

    changes = street_sum_sql("a.street_id")
    tables = f"{Estate._meta.db_table} e JOIN {Area._meta.db_table} a ON a.id = e.area_id"
    return f"SELECT ({changes}) FROM {tables} WHERE e.id = %s"  # noqa: S608 (names from the models; id a parameter)


@functools.cache
def _area_sql() -> str:
    from gongzhi.registry.models import Area

    changes = street_sum_sql("a.street_id")
    return f"SELECT ({changes}) FROM {Area._meta.db_table} a WHERE a.id = %s"  # noqa: S608 (as above)


def estate_mark(estate_id: int) -> tuple | None:
    """The change mark of an estate's public pages: its street's recent changes; None: no such estate."""
    return _mark(_estate_sql(), estate_id)


def area_mark(area_id: int) -> tuple | None:
    """The change mark of an area's public pages (the duty board); None: no such area."""
    return _mark(_area_sql(), area_id)
