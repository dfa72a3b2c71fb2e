"""Background tasks of the voting app (read by gongzhi/jobs/registry.py): the ``voting_close_due``
command, run by the platform's own schedule instead of a cron line, and the daily reminder of votes
short of the quorum. Both are safe to run twice."""

from io import StringIO

from django.core.management import call_command
from django.utils.translation import gettext_lazy as _


def voting_close_due(job) -> dict:
    out = StringIO()
    call_command("voting_close_due", stdout=out)
    return {"output": out.getvalue().strip()[:4000]}


def remind_short_of_quorum(job) -> dict:
    from gongzhi.voting.services import decisions_remind_short_of_quorum

    return {"sent": decisions_remind_short_of_quorum()}


TASKS = {
    "voting.voting_close_due": {"run": voting_close_due, "title": _("到期表决截止计票")},
    "voting.remind_short_of_quorum": {"run": remind_short_of_quorum, "title": _("提醒未达法定人数的表决")},
}
# The reminder runs after the quiet hours end (08:00, core/notify_rules.py), so its SMS goes out at once.
SCHEDULE = [
    {"task": "voting.voting_close_due", "every": 300},
    {"task": "voting.remind_short_of_quorum", "daily": "09:00"},
]
