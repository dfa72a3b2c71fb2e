"""Printable documents: HTML templates rendered to A4 PDF by WeasyPrint, with Chinese typography.

Every PDF of the product (disclosure books, activation letters, certificates, minutes, reports) goes
through ``render_pdf`` so that they share one page style: Noto Sans/Serif CJK (installed by ``./run``
as ``fonts-noto-cjk``), A4 with margins, page numbers in the footer. The font is set inside ``@page``
too, because margin boxes do not inherit the body's font (STACK.md).

Templates extend ``core/pdf/base.html`` and fill ``title`` and ``content``."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """The PDF bytes of a template (rendered with ``context``)."""
    import weasyprint  # imported here: loading Pango costs ~0.3 s, only PDF work pays it

    html = render_to_string(template_name, context, request=request)
    return weasyprint.HTML(string=html, base_url=None).write_pdf()


def pdf_response(content: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    """An HTTP answer carrying a PDF; ``filename`` may be Chinese (RFC 6266 encoding)."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
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
