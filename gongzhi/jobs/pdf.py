"""The public door of a PDF anyone may fetch (the disclosure book): rendered once per content, by the worker.

A visitor is served the cached file of the current content, or — when that file is not there yet — a small
"being prepared" page (202) while ONE render job per content waits in the queue: the job's idempotency key is
the hash of the document's HTML, so a rush of a hundred visitors inserts one row and the worker renders once
(core/pdf.py keeps the file under the same hash). A visitor's request never renders (issue 16). A logged-in
office user may render on demand, within the host's render slots; when every slot is busy they are queued
like a visitor.

A finished job whose file is gone (the cache was pruned) frees its key at once; a failed one after
``RETRY_FAILED_SECONDS``, so a document that cannot be rendered costs the worker one attempt per minute at
most, however many visitors reload the page.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone, translation

from gongzhi.core.pdf import (
    RenderBusy,
    cached_copy,
    cached_pdf,
    enqueue_lock,
    pdf_key,
    pdf_preparing_response,
    pdf_response,
    stage_render,
    staged_html,
    waiting_lock,
)
from gongzhi.core.scopes import scope_for
from gongzhi.jobs.models import Job, JobStatus
from gongzhi.jobs.services import job_enqueue

RENDER_TASK = "core.render_pdf"  # core/jobs.py
RETRY_FAILED_SECONDS = 60


def job_key(key: str) -> str:
    return f"pdf:{key}"


def may_render(user) -> bool:
    """Office users are known and few; a visitor (or a resident's account) is anyone."""
    return bool(user.is_authenticated and scope_for(user).is_office)


def public_pdf_response(
    request, build_html: Callable[[], str], filename: str, *, memo: tuple | None = None, inline: bool = True
) -> HttpResponse:
    """The PDF of ``build_html()`` from the cache, else (an office user) rendered now within the slots, else
    the "being prepared" page with one render job queued.

    ``memo``: a tuple that changes whenever the document's data does (a public page's change mark, see
    core/publicpages.py, with the document's parameters). It remembers which content the data gave last
    time, so a request for a book already rendered — or already staged for the worker — costs one small
    query and a file read, not the book's twenty queries and its HTML. In a rush for a new book one request
    builds the HTML while the others wait for it on a lock (``waiting_lock``: they sleep in the kernel, so
    /healthz and other pages keep their threads). The content hash stays the key of the file itself."""
    html = None
    if memo is None:
        html = build_html()
    else:
        parts = (memo, translation.get_language(), timezone.localdate().isoformat())
        memo_key = hashlib.sha256(repr(parts).encode()).hexdigest()
        with waiting_lock(f"build-{memo_key[:2]}"):
            known = cache.get(f"public-pdf:{memo_key}")
            if known is not None:
                if (content := cached_copy(known)) is not None:
                    return pdf_response(content, filename, inline=inline)
                html = staged_html(known)
            if html is None:
                html = build_html()
                stage_render(html)  # the rush behind this request reads it instead of building it again
                cache.set(f"public-pdf:{memo_key}", pdf_key(html), settings.GONGZHI_PUBLIC_CACHE_SECONDS)
    content = None
    if may_render(request.user):
        with contextlib.suppress(RenderBusy):  # every slot busy: queued like a visitor's
            content = cached_pdf(html)
    else:
        content = cached_copy(pdf_key(html))
    if content is not None:
        return pdf_response(content, filename, inline=inline)
    pdf_render_enqueue(stage_render(html))
    return pdf_preparing_response(request)


def pdf_render_enqueue(key: str, *, now: dt.datetime | None = None) -> Job:
    """The render job of the staged document ``key``: the one queued or running, else a new one. A done job
    whose file has gone, or a job that failed over a minute ago, is replaced (its row deleted, as
    ``jobs_prune`` deletes finished rows), so that the key can be enqueued again. Only the request that
    finds no usable job writes; the others of a rush only read (``enqueue_lock``)."""
    now = now or timezone.now()
    with enqueue_lock(key):
        found = Job.objects.filter(key=job_key(key)).first()
        if found is not None and not found.finished:
            return found
        if found is not None:
            retry = found.status == JobStatus.DONE or found.finished_at < now - dt.timedelta(
                seconds=RETRY_FAILED_SECONDS
            )
            if not retry or cached_copy(key) is not None:
                return found
        with transaction.atomic():
            if found is not None:
                Job.objects.filter(pk=found.pk, status=found.status).delete()
            return job_enqueue(task=RENDER_TASK, args={"key": key}, key=job_key(key))
