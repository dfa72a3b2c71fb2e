"""Large list exports as background jobs (issue 16): the helpers every app's export task shares.

A list export (the registry's units or owners, 40,000 rows; the problems) answers at once while the list
is small; above ``GONGZHI_EXPORT_DIRECT_MAX_ROWS`` rows the request enqueues a job of the app's own export
task instead, with the list's query string (the same filters, search and order), and the person is sent to
the job's page. The task builds the very same sheets through the app's own export function — the same
scope and the same masking of personal data as the direct download — and writes the workbook into the
job's folder, reporting rows written / total. The file is the job owner's only (``views.download``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.conf import settings

DEFAULT_DIRECT_MAX_ROWS = 5_000


def export_direct_max() -> int:
    """The largest list exported inside the request (a setting, so a test can lower it)."""
    return int(getattr(settings, "GONGZHI_EXPORT_DIRECT_MAX_ROWS", DEFAULT_DIRECT_MAX_ROWS))


def export_enqueue(*, task: str, user, query: str, **args: Any):
    """The person's export job for this list and query string (a second click follows the first)."""
    from gongzhi.jobs.services import job_start_once

    return job_start_once(task=task, user=user, args={**args, "query": query})


def counting(rows: Iterable[Sequence[Any]], job, total: int) -> Iterator[Sequence[Any]]:
    """The rows, unchanged, telling the job's progress bar how many have been written."""
    job.progress(0, total, force=True)
    for done, row in enumerate(rows, start=1):
        yield row
        job.progress(min(done, total), total)


def write_xlsx_result(job, sheets, filename: str, *, rows: int) -> dict:
    """The workbook into the job's folder (written beside, then renamed: a rerun replaces it whole)."""
    from gongzhi.core.excel import write_workbook
    from gongzhi.jobs.services import result_dir

    folder = result_dir(job.pk)
    partial = folder / "export.xlsx.part"
    with partial.open("wb") as handle:
        write_workbook(handle, sheets)
    partial.replace(folder / "export.xlsx")
    return {"file": "export.xlsx", "filename": filename, "rows": rows}
