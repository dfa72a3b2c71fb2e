"""Background task of the finance app (read by gongzhi/jobs/registry.py): the ``finance_check``
command, run by the platform's own schedule instead of a cron line. The command is safe to run twice."""

from io import StringIO

from django.core.management import call_command
from django.utils.translation import gettext_lazy as _


def finance_check(job) -> dict:
    out = StringIO()
    call_command("finance_check", stdout=out)
    return {"output": out.getvalue().strip()[:4000]}


TASKS = {"finance.finance_check": {"run": finance_check, "title": _("公示超期与资金预警检查")}}
SCHEDULE = [{"task": "finance.finance_check", "daily": "00:40"}]
