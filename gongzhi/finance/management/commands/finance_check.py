"""``gongzhi finance_check [--today YYYY-MM-DD]``: the daily timer of the finance rules (docs/DESIGN.md §5).

Notifies the responsible users (the owners' committee or the managing company, and the street admins)
once per overdue disclosure (estate, ledger, due date) and once per money-rule alert. Safe to run twice:
what was sent is remembered, so a second run the same day sends nothing.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.finance.services import finance_check_run


class Command(BaseCommand):
    help = "检查公示是否超期和资金预警，并通知责任人（每项只通知一次，可每天运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--today", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(
                    _("日期“%(value)s”不是 YYYY-MM-DD 格式。") % {"value": options["today"]}
                ) from None
        result = finance_check_run(today=today)
        self.stdout.write(
            _(
                "超期未公示 %(overdue)d 本账，资金预警 %(alerts)d 条；本次新通知 %(new)d 项，发出 %(sent)d 条消息。"
            )
            % {"new": 0, **result}
        )
