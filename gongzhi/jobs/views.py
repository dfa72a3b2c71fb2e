"""A job's page (status, progress bar, then its result), the polled status fragment, its result file,
and the list of the user's own jobs. Only the job's owner sees any of them (permissions.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from gongzhi.jobs import selectors
from gongzhi.jobs.models import JobStatus
from gongzhi.jobs.permissions import get_job_for_user
from gongzhi.jobs.services import result_dir


@login_required
@require_safe
def index(request):
    return render(request, "jobs/index.html", {"jobs": selectors.jobs_of(request.user)})


@login_required
@require_safe
def detail(request, pk: int):
    job = get_job_for_user(request.user, pk)
    return render(request, "jobs/job.html", selectors.job_view(job))


@login_required
@require_safe
def status(request, pk: int):
    job = get_job_for_user(request.user, pk)
    # Rendered without the context processors (menu, scope): polled every second, it reads only the job,
    # so it never waits on the tables a running import writes (SQLite locks them until its commit).
    response = HttpResponse(render_to_string("jobs/_status.html", selectors.job_view(job)))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def download(request, pk: int):
    job = get_job_for_user(request.user, pk)
    name = (job.result or {}).get("file") if isinstance(job.result, dict) else None
    if job.status != JobStatus.DONE or not name:
        raise Http404
    path = result_dir(job.pk) / name
    if path.name != name or not path.is_file():  # the name comes from our own task; refuse anything else
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result.get("filename") or name)
