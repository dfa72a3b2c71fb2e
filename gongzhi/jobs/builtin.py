"""The queue's own upkeep, scheduled like any app's task (see registry.py)."""

from django.utils.translation import gettext_lazy as _


def prune(job):
    from gongzhi.jobs.services import jobs_prune

    return {"deleted": jobs_prune()}


TASKS = {"jobs.prune": {"run": prune, "title": _("清理已完成的后台任务")}}
SCHEDULE = [{"task": "jobs.prune", "daily": "04:30"}]
