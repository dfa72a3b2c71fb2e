"""Reads for the job pages."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gongzhi.jobs import registry
from gongzhi.jobs.models import Job, JobStatus
from gongzhi.jobs.services import read_progress


def job_view(job: Job) -> dict:
    """What the page and its polled fragment show of a job."""
    task = registry.task(job.task)
    done, total = read_progress(job)
    percent = 100 if job.status == JobStatus.DONE else (min(100, done * 100 // total) if total else 0)
    label = (task.progress_label if task and task.progress_label else "") or _("已完成 %(done)s / %(total)s")
    context = {
        "job": job,
        "title": registry.title(job.task),
        "done": done,
        "total": total,
        "percent": percent,
        "progress_text": str(label) % {"done": f"{done:,}", "total": f"{total:,}"} if total else "",
        "result_template": task.template if task and job.status == JobStatus.DONE else "",
    }
    if task and task.context and job.status == JobStatus.DONE:
        context.update(task.context(job.result))
    return context


def jobs_of(user, *, limit: int = 50):
    return Job.objects.filter(user=user).order_by("-created_at", "-id")[:limit]
