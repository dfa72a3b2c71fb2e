"""Background task of the evaluation app (read by gongzhi/jobs/registry.py): the ``evaluation_recompute``
command, run by the platform's own schedule instead of a cron line. The command is safe to run twice."""

from io import StringIO

from django.core.management import call_command
from django.utils.translation import gettext_lazy as _


def evaluation_recompute(job) -> dict:
    out = StringIO()
    call_command("evaluation_recompute", "all-open", stdout=out)
    return {"output": out.getvalue().strip()[:4000]}


TASKS = {"evaluation.evaluation_recompute": {"run": evaluation_recompute, "title": _("重算进行中的测评得分")}}
SCHEDULE = [{"task": "evaluation.evaluation_recompute", "daily": "03:00"}]
