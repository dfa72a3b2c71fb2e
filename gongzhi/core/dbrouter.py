"""Reads that may go to a PostgreSQL streaming replica (issue 17, docs/SCALING.md).

When ``GONGZHI_REPLICA_DATABASE_URL`` is set, settings.py adds a second database alias, ``replica``,
and this router. Nothing goes to the replica by default: a read goes there only inside
``reads_from_replica()``, which the read-heavy pages and reports open explicitly (the anonymous
public pages through ``core/publicpages.public_page``, the office's Excel exports, the evaluation's
league tables). Everything else — every write, every read inside a transaction, every migration —
uses the primary, so a service never decides on data the replica has not replayed yet.

**A reader never misses their own write.** A replica lags the primary by a little (milliseconds on a
LAN, longer under load). So:

- a request that changed something (any POST, PUT, PATCH or DELETE answered below 500) gets a short
  cookie, ``gongzhi_primary``, for ``GONGZHI_REPLICA_PIN_SECONDS`` (default 10 s); while it is valid,
  ``reads_from_replica()`` reads from the primary for that browser (``ReplicaPinMiddleware``). A
  reader who never writes never gets the cookie, so the public pages stay cookie-free;
- inside an open transaction on the primary (``transaction.atomic``), reads stay on the primary.

A forged or replayed cookie can only make its own reader read from the primary: it grants nothing.
"""

from __future__ import annotations

import contextvars
import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
REPLICA = "replica"
PIN_COOKIE = "gongzhi_primary"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("gongzhi_use_replica", default=False)
_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("gongzhi_pinned_to_primary", default=False)


def replica_configured() -> bool:
    """Whether this deployment has a replica alias at all."""
    return REPLICA in connections.settings


@contextmanager
def reads_from_replica() -> Iterator[None]:
    """Reads inside this block (or a view decorated with ``@reads_from_replica()``) go to the replica
    when one is configured and the reader is not pinned to the primary; otherwise nothing changes."""
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


def replica_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An office page or report whose reads may come from the replica. Who the user is and what they
    may reach (``scope_for``) are decided on the primary first, so a role just revoked is not honoured
    for the replica's lag; then the view runs inside ``reads_from_replica()``. A streaming response's
    body is read after the view returns, and so from the primary."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from gongzhi.core.scopes import scope_for

        scope_for(request.user)  # resolves the lazy user and caches the scope on it for this request
        with reads_from_replica():
            return view(request, *args, **kwargs)

    return wrapped


@contextmanager
def pinned_to_primary() -> Iterator[None]:
    """Reads inside this block use the primary even within ``reads_from_replica()``."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


def read_alias() -> str:
    """The alias a read issued now would use: ``replica`` or ``default``."""
    if not _use_replica.get() or _pinned.get() or not replica_configured():
        return PRIMARY
    if connections[PRIMARY].in_atomic_block:
        return PRIMARY  # a read that belongs to a transaction on the primary sees that transaction
    return REPLICA


class ReplicaRouter:
    """Django's database router (settings.DATABASE_ROUTERS): reads as ``read_alias()`` says, writes and
    migrations always on the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: type, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica is a copy of the same database

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == PRIMARY


def pin_seconds() -> int:
    return int(getattr(settings, "GONGZHI_REPLICA_PIN_SECONDS", 10))


def _pin_valid(request: HttpRequest, now: float) -> bool:
    raw = request.COOKIES.get(PIN_COOKIE, "")
    return raw.isdigit() and int(raw) > now


def ReplicaPinMiddleware(get_response: Callable[[HttpRequest], HttpResponse]):  # noqa: N802 (middleware factory)
    """Pins a browser that just wrote to the primary for a few seconds (see the module's docstring).
    Reads only ``request.COOKIES``, never the session: a public page gains no ``Vary: Cookie``."""

    def middleware(request: HttpRequest) -> HttpResponse:
        now = time.time()
        token = _pinned.set(_pin_valid(request, now))
        try:
            response = get_response(request)
        finally:
            _pinned.reset(token)
        if request.method in UNSAFE_METHODS and response.status_code < 500 and replica_configured():
            seconds = pin_seconds()
            response.set_cookie(
                PIN_COOKIE,
                str(int(now) + seconds + 1),
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    return middleware
