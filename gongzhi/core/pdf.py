"""Printable documents: HTML templates rendered to A4 PDF by WeasyPrint, with Chinese typography.

Every PDF of the product (disclosure books, activation letters, certificates, minutes, reports) goes
through ``render_pdf`` so that they share one page style: Noto Sans/Serif CJK (installed by ``./run``
as ``fonts-noto-cjk``), A4 with margins, page numbers in the footer. The font is set inside ``@page``
too, because margin boxes do not inherit the body's font (docs/STACK.md).

Templates extend ``core/pdf/base.html`` and fill ``title`` and ``content``.

A PDF anyone may ask for without logging in (the disclosure book) goes through ``cached_pdf``: WeasyPrint
costs about a CPU-second per book, so an anonymous visitor must not be able to make the server render
at will (issue 11, hole 9). The rendered file is kept on disk under the hash of the HTML it was made
from — the HTML is built from the book's data, so any change in the data (a new ledger entry, a new
chain head, a new day) is a new key and an old copy is never served for new data — and at most
``GONGZHI_PDF_RENDER_SLOTS`` renders run at once on a host, whatever the number of gunicorn workers and
threads. The bound is a set of lock files (``flock``: held per open file, so it separates threads as
well as processes, and the kernel releases it if a worker dies). A request that would exceed the bound,
or that asks for a document already being rendered, gets ``RenderBusy`` at once (the view answers 503
with Retry-After) instead of waiting in a worker thread. The render itself runs in a process of the
worker's own (kept warm), so its seconds of CPU never hold the interpreter lock of the web worker."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import multiprocessing
import os
import threading
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
BUSY_RETRY_SECONDS = 10
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


def cached_pdf(html: str) -> bytes:
    """The PDF of ``html``: from the cache when this exact document was rendered before, else rendered
    within the host's bound on concurrent renders. Raises ``RenderBusy`` rather than wait or exceed it."""
    key = hashlib.sha256(html.encode()).hexdigest()
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
    _prune(folder)
    return content


def pdf_response(content: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    """An HTTP answer carrying a PDF; ``filename`` may be Chinese (RFC 6266 encoding)."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response


def pdf_busy_response(request) -> HttpResponse:
    """503 with Retry-After: the document is being made; the page reloads itself after a while."""
    response = render(request, "core/pdf_busy.html", {"retry": BUSY_RETRY_SECONDS}, status=503)
    response["Retry-After"] = str(BUSY_RETRY_SECONDS)
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
