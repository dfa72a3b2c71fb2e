"""``gongzhi escalate_overdue [--date YYYY-MM-DD]``: escalate the problems past their deadline and
tell the branch, the street and the assignee (``services.problems_escalate_overdue``).

Meant for a daily timer (docs/OPERATIONS.md). Safe to run twice: a problem escalates once.
"""

import datetime as dt
import re

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.problems.services import problems_escalate_overdue, problems_recompute_provisional_deadlines

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a real str, so translate when the parser is built
        return _("将超过整改期限的问题升级督办，并通知联合党支部、街道和责任方；重复运行不会重复升级。")

    def add_arguments(self, parser):
        parser.add_argument("--date", help=_("按哪一天判断超期，格式 YYYY-MM-DD（默认今天）"))

    def handle(self, *args, date: str | None = None, **options):
        day = timezone.localdate() if date is None else _parse_day(date)
        if day is None:
            raise CommandError(
                _("日期“%(value)s”无效，请按 YYYY-MM-DD 填写，例如 2026-03-05。") % {"value": date}
            )
        recounted = problems_recompute_provisional_deadlines()
        if recounted and options["verbosity"] >= 1:
            self.stdout.write(_("按新发布的节假日安排重算暂定期限 %(n)d 个。") % {"n": recounted})
        count = problems_escalate_overdue(today=day)
        if options["verbosity"] >= 1:
            self.stdout.write(_("%(day)s：升级超期问题 %(n)d 个。") % {"day": day.isoformat(), "n": count})


def _parse_day(value: str) -> dt.date | None:
    if not ISO_DAY.fullmatch(value):  # fromisoformat alone would also take "20260305" and "2026-W10-4"
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:  # 2026-02-30
        return None
