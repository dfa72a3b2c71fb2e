"""Background task of the voting app (read by gongzhi/jobs/registry.py): the ``voting_close_due``
command, run by the platform's own schedule instead of a cron line. The command is safe to run twice."""

from io import StringIO

from django.core.management import call_command
from django.utils.translation import gettext_lazy as _


def voting_close_due(job) -> dict:
    out = StringIO()
    call_command("voting_close_due", stdout=out)
    return {"output": out.getvalue().strip()[:4000]}


TASKS = {"voting.voting_close_due": {"run": voting_close_due, "title": _("到期表决截止计票")}}
SCHEDULE = [{"task": "voting.voting_close_due", "every": 300}]
