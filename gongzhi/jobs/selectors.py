"""Reads for the job pages."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gongzhi.jobs import registry
from gongzhi.jobs.models import Job, JobStatus
from gongzhi.jobs.services import read_progress_phase


def job_view(job: Job) -> dict:
    """What the page and its polled fragment show of a job."""
    task = registry.task(job.task)
    done, total, phase = read_progress_phase(job)
    percent = 100 if job.status == JobStatus.DONE else (min(100, done * 100 // total) if total else 0)
    label = (task.progress_label if task and task.progress_label else "") or _("已完成 %(done)s / %(total)s")
    phase_title = ""
    keys = [key for key, _title, _label in task.phases] if task else []
    if task and phase in keys and job.status != JobStatus.DONE:
        # Phase i of n fills the bar from i/n to (i+1)/n: checking the rows is the first half, writing them
        # the second, so the bar does not stop at 100 % while the import still writes.
        index = keys.index(phase)
        _key, phase_title, label = task.phases[index]
        within = done / total if total else 0
        percent = min(100, int((index + within) * 100 // len(keys)))
    context = {
        "job": job,
        "title": registry.title(job.task),
        "done": done,
        "total": total,
        "percent": percent,
        "progress_text": str(label) % {"done": f"{done:,}", "total": f"{total:,}"} if total else "",
        "phase_title": str(phase_title),
        "result_template": task.template if task and job.status == JobStatus.DONE else "",
    }
    if task and task.context and job.status == JobStatus.DONE:
        context.update(task.context(job.result))
    return context


def jobs_of(user, *, limit: int = 50):
    return Job.objects.filter(user=user).order_by("-created_at", "-id")[:limit]
