"""Background task of the problems app (read by gongzhi/jobs/registry.py): the ``escalate_overdue``
command, run by the platform's own schedule instead of a cron line. The command is safe to run twice."""

from io import StringIO

from django.core.management import call_command
from django.utils.translation import gettext_lazy as _


def escalate_overdue(job) -> dict:
    out = StringIO()
    call_command("escalate_overdue", stdout=out)
    return {"output": out.getvalue().strip()[:4000]}


TASKS = {"problems.escalate_overdue": {"run": escalate_overdue, "title": _("将超期问题升级督办")}}
SCHEDULE = [{"task": "problems.escalate_overdue", "daily": "00:30"}]
