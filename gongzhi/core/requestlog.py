"""Every request gets an id, and every log line written while it runs carries that id (issue 16,
docs/OPERATIONS.md "Logs").

nginx names each request (``$request_id``) and passes it as ``X-Request-ID``; the id comes back on the
response header, so a person who reports "the page failed" can give the id and the IT team finds every
line of that request in the logs — nginx's, the application's, the database errors'. A missing id, or
one that is not a short run of ``[A-Za-z0-9-]`` (a client can send any header through a proxy that
does not overwrite it), is replaced by one made here: the id goes into log lines, and a header value
must never be able to forge a log line or carry a payload into the log store.

The id lives in a context variable (per thread, per asyncio task): gunicorn serves with threads, and a
module-level global would mix the ids of parallel requests. ``RequestContextFilter`` copies it onto each
log record; ``JsonFormatter`` writes one JSON object per line, with stdlib ``json`` only.

The same middleware times the request and counts it for ``/metrics`` (core/metrics.py), and with
``GONGZHI_LOG_FORMAT=json`` writes one access line per request (logger ``gongzhi.request``): method,
path (never the query string, which may hold a search for a name or a phone number), status,
duration and the user's id — no names, no phone numbers.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import time
import traceback
import uuid

from django.core.signals import request_finished
from django.utils.functional import empty

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9-]{8,64}")
NO_REQUEST = "-"

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("gongzhi_request_id", default=NO_REQUEST)
access_log = logging.getLogger("gongzhi.request")

# A mainland mobile number in free text (a message that quotes a form value): masked in JSON lines.
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def valid_request_id(value: str | None) -> str | None:
    """The proxy's id when it is one we accept, else ``None``: 8–64 letters, digits and hyphens (nginx's
    ``$request_id`` is 32 hex digits; a UUID has 36 characters)."""
    if value and REQUEST_ID_PATTERN.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str:
    return request_id_var.get()


def _user_id(request) -> int | None:
    """The logged-in user's id, without loading the user for a request that never asked who it is (an
    extra session and user query would change the page's query count and cost every static file)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


def request_context(get_response):
    """Outermost middleware: the request's id, its access line and its metrics."""
    from gongzhi.core import metrics

    def middleware(request):
        request_id = valid_request_id(request.headers.get(REQUEST_ID_HEADER)) or new_request_id()
        request.request_id = request_id
        # Kept until the response is closed (request_finished below), not reset on the way out: Django
        # writes its "Not Found" and "Internal Server Error" lines after the middleware has returned.
        request_id_var.set(request_id)
        started = time.perf_counter()
        response = get_response(request)
        seconds = time.perf_counter() - started
        response.headers[REQUEST_ID_HEADER] = request_id
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None else metrics.UNMATCHED
        metrics.observe_request(view, response.status_code, seconds)
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
                "user_id": _user_id(request),
            },
        )
        return response

    return middleware


def _forget_request_id(**kwargs) -> None:
    # The thread serves other requests (or nothing) next: no line may carry this request's id.
    request_id_var.set(NO_REQUEST)


request_finished.connect(_forget_request_id, dispatch_uid="gongzhi.requestlog.forget_request_id")


class RequestContextFilter(logging.Filter):
    """Puts the current request's id on every record (``-`` outside a request: the worker, commands)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get()
        return True


# The request fields a record may carry (set by request_context's access line); nothing else of a
# record's extras is written: Django's own records carry the request object, which is no log field.
REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "user_id")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts (UTC, ISO 8601, milliseconds), level, logger, message, request_id,
    the request fields when the record has them, and the traceback as ``exc`` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": _PHONE.sub(r"\1****\2", record.getMessage()),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        for field in REQUEST_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info:
            entry["exc"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)
