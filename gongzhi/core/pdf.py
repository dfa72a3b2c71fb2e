"""Printable documents: HTML templates rendered to A4 PDF by WeasyPrint, with Chinese typography.

Every PDF of the product (disclosure books, activation letters, certificates, minutes, reports) goes
through ``render_pdf`` so that they share one page style: Noto Sans/Serif CJK (installed by ``./run``
as ``fonts-noto-cjk``), A4 with margins, page numbers in the footer. The font is set inside ``@page``
too, because margin boxes do not inherit the body's font (docs/STACK.md).

Templates extend ``core/pdf/base.html`` and fill ``title`` and ``content``.

A PDF anyone may ask for without logging in (the disclosure book) is rendered once per content and then
served from a cache: WeasyPrint costs about a CPU-second per book, so an anonymous visitor must not be
able to make the server render at will (issue 11, hole 9; issue 16). The rendered file is kept on disk
under the hash of the HTML it was made from — the HTML is built from the book's data, so any change in the
data (a new ledger entry, a new chain head, a new day) is a new key and an old copy is never served for new
data. ``gongzhi/jobs/pdf.py`` is the public door: a cached copy is served; otherwise an anonymous request
stages the HTML here (``stage_render``), enqueues ONE render job whose idempotency key is the hash, and
answers "being prepared" (``pdf_preparing_response``, 202); the worker renders it (``render_staged``). A
logged-in office user may still render on demand through ``cached_pdf``, within the host's bound of
``GONGZHI_PDF_RENDER_SLOTS`` concurrent renders whatever the number of gunicorn workers and threads. The
bound is a set of lock files (``flock``: held per open file, so it separates threads as well as processes,
and the kernel releases it if a worker dies). A request that would exceed the bound, or that asks for a
document already being rendered, gets ``RenderBusy`` at once instead of waiting in a worker thread. The
render itself runs in a process of the worker's own (kept warm), so its seconds of CPU never hold the
interpreter lock of the web worker."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import multiprocessing
import os
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

CACHE_MAX_FILES = 2000  # about 76 estates × 3 periods × 2 languages, several days over
PREPARING_REFRESH_SECONDS = 5  # the "being prepared" page reloads itself this often
WAIT_SLOT_SECONDS = 0.5  # the worker waits for a render slot (a web request never does)
WAIT_GIVE_UP_SECONDS = 300
STAGED_MAX_AGE_SECONDS = 24 * 3600  # HTML waiting for its render longer than this was abandoned
KEY = re.compile(r"[0-9a-f]{64}")
RENDER_TIMEOUT_SECONDS = 170  # below `gongzhi serve`'s 180 s request timeout


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """The PDF bytes of a template (rendered with ``context``)."""
    return html_to_pdf(render_to_string(template_name, context, request=request))


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint's PDF of a complete HTML document (the expensive step)."""
    import weasyprint  # imported here: loading Pango costs ~0.3 s, only PDF work pays it

    return weasyprint.HTML(string=html, base_url=None).write_pdf()


_renderer: ProcessPoolExecutor | None = None
_renderer_lock = threading.Lock()


def _render_elsewhere(html: str) -> bytes:
    """``html_to_pdf`` in this worker's own render process (started on first use, then kept warm).
    A render holds the interpreter lock for seconds; in a thread of the web worker it would hold up
    every other request of that worker (/healthz included), in a process of its own it costs a core."""
    global _renderer
    for attempt in (1, 2):
        with _renderer_lock:
            if _renderer is None:
                _renderer = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn")
                )
            pool = _renderer
        try:
            return pool.submit(html_to_pdf, html).result(timeout=RENDER_TIMEOUT_SECONDS)
        except BrokenProcessPool:  # the render process died (killed, out of memory): start a new one once
            with _renderer_lock:
                if _renderer is pool:
                    _renderer = None
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


class RenderBusy(Exception):
    """Every render slot is taken, or this very document is being rendered: ask again shortly."""


def _cache_dir() -> Path:
    folder = getattr(settings, "GONGZHI_PDF_CACHE_DIR", None) or Path(settings.VAR_DIR) / "cache" / "pdf"
    folder = Path(folder)
    (folder / "locks").mkdir(parents=True, exist_ok=True)
    return folder


@contextlib.contextmanager
def _try_lock(path: Path) -> Iterator[bool]:
    """An exclusive ``flock`` on ``path`` if it is free now (True), else False; released on exit."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _render_slot(folder: Path) -> Iterator[bool]:
    """One of the host's ``GONGZHI_PDF_RENDER_SLOTS`` render slots, if one is free now."""
    slots = max(1, int(getattr(settings, "GONGZHI_PDF_RENDER_SLOTS", 1)))
    for number in range(slots):
        with _try_lock(folder / "locks" / f"slot-{number}.lock") as got:
            if got:
                yield True
                return
    yield False


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _prune(folder: Path) -> None:
    files = sorted(folder.glob("*.pdf"), key=lambda p: p.stat().st_mtime)
    for old in files[: max(0, len(files) - CACHE_MAX_FILES)]:
        old.unlink(missing_ok=True)
    abandoned = time.time() - STAGED_MAX_AGE_SECONDS
    for staged in folder.glob("*.html"):
        with contextlib.suppress(FileNotFoundError):
            if staged.stat().st_mtime < abandoned:
                staged.unlink()


def pdf_key(html: str) -> str:
    """The cache key of a document: the SHA-256 of its HTML (the content, not the URL that asked)."""
    return hashlib.sha256(html.encode()).hexdigest()


def cached_copy(key: str) -> bytes | None:
    """The rendered PDF of this key if it is in the cache (a file read: never a render)."""
    if not KEY.fullmatch(key):
        return None
    return _read(_cache_dir() / f"{key}.pdf")


def cached_pdf(html: str) -> bytes:
    """The PDF of ``html``: from the cache when this exact document was rendered before, else rendered
    within the host's bound on concurrent renders. Raises ``RenderBusy`` rather than wait or exceed it."""
    key = pdf_key(html)
    folder = _cache_dir()
    path = folder / f"{key}.pdf"
    if (content := _read(path)) is not None:
        return content
    with _try_lock(folder / "locks" / f"key-{key[:2]}.lock") as mine:
        if not mine:
            raise RenderBusy
        if (content := _read(path)) is not None:  # finished by another request meanwhile
            return content
        with _render_slot(folder) as slot:
            if not slot:
                raise RenderBusy
            in_process = not getattr(settings, "GONGZHI_PDF_RENDER_PROCESS", True)
            content = html_to_pdf(html) if in_process else _render_elsewhere(html)
        partial = folder / f".{key}.{os.getpid()}.part"
        partial.write_bytes(content)
        partial.replace(path)  # atomic: a reader sees the whole file or none
    (folder / f"{key}.html").unlink(missing_ok=True)  # a staged copy is done with
    _prune(folder)
    return content


def cached_pdf_wait(html: str, *, give_up: float = WAIT_GIVE_UP_SECONDS) -> bytes:
    """``cached_pdf``, waiting for a render slot instead of answering "busy": the worker may wait, a web
    request may not."""
    deadline = time.monotonic() + give_up
    while True:
        try:
            return cached_pdf(html)
        except RenderBusy:
            if time.monotonic() > deadline:
                raise
            time.sleep(WAIT_SLOT_SECONDS)


def stage_render(html: str) -> str:
    """Keep ``html`` beside the cache for the worker to render (``render_staged``) and return its key. The
    job carries only the key: the HTML of a book is tens of kilobytes and is the very content hashed."""
    key = pdf_key(html)
    path = _cache_dir() / f"{key}.html"
    if not path.exists():
        partial = path.with_name(f".{key}.{os.getpid()}.{threading.get_ident()}.html.part")
        partial.write_text(html, encoding="utf-8")
        partial.replace(path)  # atomic: the worker reads the whole document or none
    return key


@contextlib.contextmanager
def waiting_lock(name: str) -> Iterator[None]:
    """An exclusive ``flock`` on ``locks/<name>.lock``, waited for (a few milliseconds: held only around
    cheap steps, never around a render). The waiting thread sleeps in the kernel, not on the GIL."""
    fd = os.open(_cache_dir() / "locks" / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def enqueue_lock(key: str):
    """Held while a request looks for the render job of ``key`` and adds it if missing: a rush of visitors
    on this host then makes one database write between them, not one each (across hosts the job's unique
    key still makes one job)."""
    return waiting_lock(f"enqueue-{key[:2]}")


def staged_html(key: str) -> str | None:
    """The HTML staged for ``key`` (waiting for its render), or None."""
    if not KEY.fullmatch(key):
        return None
    try:
        return (_cache_dir() / f"{key}.html").read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


class StagedMissing(Exception):
    """The staged HTML of a render job is gone (pruned): the next request for the document stages it again."""


def render_staged(key: str) -> dict:
    """The worker's half: render the staged document ``key`` into the cache (once: a copy already there is
    kept). Idempotent, so a job run twice renders nothing the second time."""
    if not KEY.fullmatch(key):
        raise ValueError("not a document key")
    folder = _cache_dir()
    if (content := _read(folder / f"{key}.pdf")) is not None:
        return {"key": key, "bytes": len(content), "rendered": False}
    try:
        html = (folder / f"{key}.html").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StagedMissing(key) from None
    if pdf_key(html) != key:  # a damaged file must not be cached under a key it does not hash to
        (folder / f"{key}.html").unlink(missing_ok=True)
        raise StagedMissing(key)
    content = cached_pdf_wait(html)
    return {"key": key, "bytes": len(content), "rendered": True}


def pdf_response(content: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    """An HTTP answer carrying a PDF; ``filename`` may be Chinese (RFC 6266 encoding)."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response


def pdf_preparing_response(request) -> HttpResponse:
    """202 "being prepared": the document is queued for the worker; the small page reloads itself every few
    seconds (meta refresh and the Refresh header) until the file is there, and is never cached on the way."""
    retry = PREPARING_REFRESH_SECONDS
    response = render(request, "core/pdf_preparing.html", {"retry": retry}, status=202)
    response["Refresh"] = str(retry)
    response["Retry-After"] = str(retry)
    response["Cache-Control"] = "no-store"
    return response


def qr_svg(data: str, *, scale: int = 4) -> str:
    """An inline SVG QR code (for letters that a phone scans); error correction M, no border fuss."""
    import segno

    buffer = io.BytesIO()
    segno.make(data, error="m", micro=False).save(buffer, kind="svg", scale=scale, border=2, xmldecl=False)
    return buffer.getvalue().decode()


def pdf_text(content: bytes) -> str:
    """The text of a PDF as ``pdftotext`` extracts it (poppler-utils, installed by ``./run``); used by
    tests to check that Chinese headings really are in the document."""
    import shutil
    import subprocess

    executable = shutil.which("pdftotext") or "/usr/bin/pdftotext"
    result = subprocess.run(  # noqa: S603 — a fixed program and fixed arguments; the PDF goes to stdin
        [executable, "-layout", "-", "-"], input=content, capture_output=True, check=True, timeout=60
    )
    return result.stdout.decode()
