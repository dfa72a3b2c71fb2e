"""Who may see a job: its owner only (the person who started it). Anyone else → 404, the same answer
as "no such job": a job's page may show a street's import report or link to its files."""

from __future__ import annotations

from django.http import Http404

from gongzhi.jobs.models import Job


def get_job_for_user(user, pk: int) -> Job:
    if not user.is_authenticated:
        raise Http404
    job = Job.objects.filter(pk=pk, user=user).first()
    if job is None:
        raise Http404
    return job
