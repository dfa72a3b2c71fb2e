"""Background tasks of core, read by the worker (gongzhi/jobs; the API in docs/OPERATIONS.md)."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.notify import deliver_outbox


def deliver_outbox_task(job):
    """Send the due notifications; idempotent (a sent message is never sent again)."""
    return deliver_outbox()


def render_pdf_task(job, *, key: str):
    """Render a staged public PDF into the cache (core/pdf.py; enqueued by gongzhi/jobs/pdf.py with the
    document's hash as the job's key, so a rush of visitors makes one job); idempotent."""
    from gongzhi.core.pdf import render_staged

    return render_staged(key)


TASKS = {
    "core.deliver_outbox": deliver_outbox_task,
    "core.render_pdf": {"run": render_pdf_task, "title": _("生成公开文件（PDF）"), "max_attempts": 2},
}
SCHEDULE = [{"task": "core.deliver_outbox", "every": 60}]
