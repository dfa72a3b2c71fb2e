"""Result files of jobs that produce documents per building (the owners' activation letters, the survey's
household letters): one PDF, or a zip of PDFs when there are several — written beside, then renamed, so a
rerun replaces the result whole and a download never sees half a file."""

from __future__ import annotations

import zipfile
from pathlib import Path


def safe_name(name: str) -> str:
    """A building or estate name as part of a file name (no path separators or characters Windows refuses)."""
    return "".join("-" if c in '/\\:*?"<>|' else c for c in name).strip() or "-"


def write_pdfs(folder: Path, files: list[tuple[str, bytes]], base: str) -> tuple[str, str]:
    """``files`` (name, PDF bytes) into ``folder`` as ``letters.pdf`` (one) or ``letters.zip`` (several);
    returns the stored file's name and the name the person downloads it under (``base`` + extension)."""
    if len(files) == 1:
        partial = folder / "letters.pdf.part"
        partial.write_bytes(files[0][1])
        partial.replace(folder / "letters.pdf")
        return "letters.pdf", f"{base}.pdf"
    partial = folder / "letters.zip.part"
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, content in files:
            archive.writestr(name, content)
    partial.replace(folder / "letters.zip")
    return "letters.zip", f"{base}.zip"
