"""Uploaded photos: accepted only if Pillow decodes them as a real image (by content, not by
name), bounded in bytes and pixels, then re-encoded as a fresh JPEG — which drops EXIF
(GPS location included), ICC tricks and anything appended to the file."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; larger is refused (decompression bombs)
MAX_SIDE = 2048  # stored images are scaled down to this longest side
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}


class ImageRejected(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    width: int
    height: int


def clean_image(upload, *, name: str = "") -> CleanImage:
    """Validate and re-encode one uploaded image, or raise ImageRejected with a Chinese reason."""
    label = name or getattr(upload, "name", "") or _("图片")
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ImageRejected(
            _("“%(name)s”超过 %(mb)d MB，请压缩后再上传。") % {"name": label, "mb": MAX_BYTES // 2**20}
        )
    data = upload.read(MAX_BYTES + 1) if hasattr(upload, "read") else bytes(upload)
    if len(data) > MAX_BYTES:
        raise ImageRejected(
            _("“%(name)s”超过 %(mb)d MB，请压缩后再上传。") % {"name": label, "mb": MAX_BYTES // 2**20}
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ImageRejected(
            _("“%(name)s”不是有效的图片文件（只接受 JPEG、PNG、WebP 等照片）。") % {"name": label}
        ) from None
    if fmt not in ACCEPTED_FORMATS:
        raise ImageRejected(
            _("“%(name)s”的格式 %(fmt)s 不受支持，请上传 JPEG 或 PNG 照片。") % {"name": label, "fmt": fmt}
        )
    if width * height > MAX_PIXELS:
        raise ImageRejected(_("“%(name)s”分辨率过大，请缩小后再上传。") % {"name": label})
    try:
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)  # keep the photo upright once EXIF is gone
            image = image.convert("RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85, optimize=True)  # no exif= → no metadata
            return CleanImage(out.getvalue(), image.width, image.height)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ImageRejected(_("“%(name)s”无法读取，文件可能已损坏。") % {"name": label}) from None
