"""The disclosure app's background task: every disclosure book the user reads, as one zip (issue 16).

The books are the public A4 PDFs (``views/public.py``), each through the PDF cache (``core/pdf.py``): a
book whose data has not changed since it was last rendered is taken from the cache, not rendered again.
The zip is kept in the job's own folder and served to the job's owner only (``jobs/views.py``).
Running the job again rewrites the same file: it is idempotent.
"""

from __future__ import annotations

import zipfile

from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def _pdf(html: str) -> bytes:
    """The book through the PDF cache, waiting for a render slot (the worker may wait, a web request may not)."""
    from gongzhi.core.pdf import cached_pdf_wait

    return cached_pdf_wait(html)


def books_zip(job, *, months: int | None = None) -> dict:
    from gongzhi.disclosure import selectors
    from gongzhi.disclosure.permissions import book_estates
    from gongzhi.disclosure.views.public import pdf_context
    from gongzhi.fees.permissions import reads_fees
    from gongzhi.jobs.services import result_dir

    user = job.user
    if user is None or not reads_fees(user):
        raise PermissionDenied
    months = selectors.period_months(str(months) if months else None)
    estates = list(book_estates(user).select_related("area").order_by("area__name", "name"))
    total = len(estates)
    job.progress(0, total, force=True)
    folder = result_dir(job.pk)
    partial = folder / "books.zip.part"
    with zipfile.ZipFile(
        partial, "w", compression=zipfile.ZIP_STORED
    ) as archive:  # PDFs are compressed already
        for done, estate in enumerate(estates, start=1):
            html = render_to_string("disclosure/pdf/book.html", pdf_context(estate, months=months))
            name = _("%(area)s-%(name)s公示本.pdf") % {"area": estate.area.name, "name": estate.name}
            archive.writestr(name, _pdf(html))
            job.progress(done, total)
    partial.replace(folder / "books.zip")
    day = timezone.localdate().isoformat()
    return {
        "file": "books.zip",
        "filename": _("公示本（%(n)d 个小区，%(day)s）.zip") % {"n": total, "day": day},
        "count": total,
        "months": months,
    }


TASKS = {
    "disclosure.books_zip": {
        "run": books_zip,
        "title": gettext_lazy("打包全部公示本（PDF）"),
        "template": "disclosure/_books_zip_result.html",
        "progress_label": gettext_lazy("已生成 %(done)s / %(total)s 本"),
        "max_attempts": 2,
    }
}
