"""Uploaded documents: one check for PDFs on every upload path and one way to serve any stored upload.

A PDF is accepted by content only if it carries nothing a reader would run (issue 11, hole 10): no
JavaScript, automatic or additional actions, launch actions, embedded files, rich media, XFA forms,
form submissions, and no HTML markers that make the file a polyglot a browser could render as a page.
PDF names are compared after their ``#xx`` escapes are decoded (``/J#61vaScript`` is ``/JavaScript``),
in the file as stored and inside every Flate/ASCII-hex/ASCII-85 stream (object streams hold
dictionaries too). An encrypted PDF cannot be read through, so it is refused. Photos are handled by
``core/images.py`` (re-encoded, so nothing survives in them); ``clean_document`` takes either.

Whatever was accepted is served as a download (``Content-Disposition: attachment``), never sniffed
(``nosniff``), and under a ``sandbox`` Content-Security-Policy, so even a file that slipped through
cannot run in the site's origin. Every view that returns a stored upload answers through
``serve_upload`` after its own permission door."""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from dataclasses import dataclass

from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from gongzhi.core.errors import UserError
from gongzhi.core.images import ImageRejected, clean_image

# Name tokens of active content (PDF 32000-1 §§12.6 actions, 12.6.3 trigger events, 7.11.4 embedded
# files, 12.7.8 XFA; Adobe's RichMedia extension). /OpenAction alone may just set the first view; the
# action it names is caught by its own /S (/JavaScript, /Launch, …).
ACTIVE_NAMES = frozenset(
    {
        b"JavaScript",
        b"JS",
        b"AA",
        b"Launch",
        b"EmbeddedFile",
        b"EmbeddedFiles",
        b"RichMedia",
        b"XFA",
        b"SubmitForm",
        b"ImportData",
        b"GoToE",
        b"Sound",
        b"Movie",
    }
)
HTML_MARKERS = (b"<html", b"<script", b"<body", b"<iframe", b"<svg", b"<!doctype html", b"<object", b"<embed")
HEAD_BYTES = 4096  # browsers sniff the start of a file: there a marker counts even inside a stream
STREAM_OUTPUT_LIMIT = 4 * 1024 * 1024  # per stream: dictionaries sit early; image data is not needed
TOTAL_OUTPUT_LIMIT = 64 * 1024 * 1024  # per file: a decompression bomb stops the scan, not the server

_REGULAR = rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]"  # a character of a PDF name (PDF 32000-1 §7.2.2)
_ACTIVE = re.compile(
    rb"/(?:" + rb"|".join(sorted(ACTIVE_NAMES, key=len, reverse=True)) + rb")(?!" + _REGULAR + rb")"
)
_ESCAPED_NAME = re.compile(rb"/(" + _REGULAR + rb"*#" + _REGULAR + rb"*)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(  # a stream's dictionary (nested two deep, at most 4,000 tokens) and the keyword
    rb"<<((?:[^<>]|<<(?:[^<>]|<<[^<>]{0,4000}>>){0,4000}>>|<[0-9A-Fa-f\s]{0,4000}>){0,4000})>>\s*stream\r?\n",
    re.S,
)
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/\w+)")
_ENCRYPT = re.compile(rb"/Encrypt\b")


PDF_TYPE, JPEG_TYPE = "application/pdf", "image/jpeg"


class UploadRejected(UserError):
    """An upload refused by its content or size; ``message`` names the file."""


def _has_active_name(data: bytes) -> bool:
    """Whether ``data`` holds one of ``ACTIVE_NAMES`` as a PDF name, spelled plainly or with ``#xx``."""
    if _ACTIVE.search(data):
        return True
    if b"#" not in data:
        return False
    return any(
        _ESCAPE.sub(lambda e: bytes([int(e.group(1), 16)]), m.group(1)) in ACTIVE_NAMES
        for m in _ESCAPED_NAME.finditer(data)
    )


def _decode(raw: bytes, filters: list[bytes], budget: int) -> bytes | None:
    """The stream's bytes through its filters, or None for image codecs (pixels, not dictionaries).
    A filter that fails to decode gives the raw bytes back: a stream that claims Flate but is not is
    scanned as it stands, so a fake stream cannot hide names."""
    data = raw
    for name in filters:
        try:
            if name in (b"FlateDecode", b"Fl"):
                data = zlib.decompressobj().decompress(data, min(STREAM_OUTPUT_LIMIT, budget))
            elif name in (b"ASCIIHexDecode", b"AHx"):
                digits = re.sub(rb"\s", b"", data.split(b">")[0])
                data = binascii.unhexlify(digits + b"0" * (len(digits) % 2))
            elif name in (b"ASCII85Decode", b"A85"):
                body = data.split(b"~>")[0].removeprefix(b"<~")
                data = base64.a85decode(body, ignorechars=b" \t\n\r\x0b")[:STREAM_OUTPUT_LIMIT]
            else:
                return None  # DCT, CCITT, JBIG2, JPX, LZW, RunLength: image data
        except (zlib.error, binascii.Error, ValueError):
            return raw
    return data


def _split(data: bytes) -> tuple[bytes, list[tuple[bytes, list[bytes]]]]:
    """The file without its stream bodies, and each stream body with its filter names."""
    outside, streams, position = [], [], 0
    for match in _STREAM.finditer(data):
        if match.start() < position:
            continue
        start = match.end()
        end = data.find(b"endstream", start)
        end = len(data) if end == -1 else end
        filters = _FILTER.search(match.group(1))
        streams.append((data[start:end], re.findall(rb"/(\w+)", filters.group(1)) if filters else []))
        outside.append(data[position:start])
        position = end
    outside.append(data[position:])
    return b"".join(outside), streams


def check_pdf(data: bytes, *, name: str) -> None:
    """Raise ``UploadRejected`` (naming the file) if the PDF ``data`` carries active content."""
    refused = UploadRejected(
        _(
            "“%(name)s”含有脚本、自动动作、嵌入文件或网页内容，出于安全原因不能上传。请重新导出为普通 PDF 后再上传。"
        )
        % {"name": name}
    )
    outside, streams = _split(data)
    if any(marker in data[:HEAD_BYTES].lower() or marker in outside.lower() for marker in HTML_MARKERS):
        raise refused
    if _ENCRYPT.search(outside):
        raise UploadRejected(
            _("“%(name)s”是加密的 PDF，无法检查其内容。请上传未加密的 PDF。") % {"name": name}
        )
    if _has_active_name(outside):
        raise refused
    budget = TOTAL_OUTPUT_LIMIT
    for raw, filters in streams:
        if budget <= 0:
            break  # what a bomb hides stays inert: files are only ever served as sandboxed downloads
        decoded = _decode(raw, filters, budget)
        if decoded is None:
            continue
        budget -= len(decoded)
        if _has_active_name(decoded):
            raise refused


@dataclass(frozen=True)
class CleanDocument:
    content: bytes
    content_type: str
    extension: str


def clean_document(upload, *, name: str, max_bytes: int, require_eof: bool = True) -> CleanDocument:
    """A PDF or a photo, judged by content (never by name), or ``UploadRejected`` naming ``name``.

    A PDF must start with ``%PDF-``, end with ``%%EOF`` (unless ``require_eof`` is off) and pass
    ``check_pdf``; anything else must decode as an image and is re-encoded without metadata
    (core/images.py). Refused by size before it is read in full."""
    too_big = _("“%(name)s”超过 %(mb)d MB，请压缩后再上传。") % {"name": name, "mb": max_bytes // 2**20}
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise UploadRejected(too_big)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes + 1) if hasattr(upload, "read") else bytes(upload)
    if len(data) > max_bytes:
        raise UploadRejected(too_big)
    if not data:
        raise UploadRejected(_("“%(name)s”是空文件。") % {"name": name})
    if data.startswith(b"%PDF-"):
        if require_eof and b"%%EOF" not in data[-2048:]:
            raise UploadRejected(
                _("“%(name)s”不是完整的 PDF 文件（文件可能已损坏或未上传完）。") % {"name": name}
            )
        check_pdf(data, name=name)
        return CleanDocument(data, PDF_TYPE, "pdf")
    try:
        image = clean_image(data, name=name)
    except ImageRejected:
        raise UploadRejected(
            _("“%(name)s”既不是 PDF，也不是可识别的照片（只接受 PDF、JPEG、PNG 等）。") % {"name": name}
        ) from None
    return CleanDocument(image.content, JPEG_TYPE, "jpg")


def serve_upload(
    field,
    *,
    content_type: str,
    filename: str,
    cache_control: str = "private, max-age=3600",
    streaming: bool = True,
):
    """A stored upload as a sandboxed download; a missing file is a 404 like a missing record.
    ``streaming=False`` reads the (size-bounded) file into an ordinary response."""
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    if streaming:
        response = FileResponse(handle, content_type=content_type)
    else:
        with handle:
            response = HttpResponse(handle.read(), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = cache_control
    return response
