"""``gongzhi check`` (this command; ``gongzhi datacheck`` too): the data-health report (数据体检).

    gongzhi check [--street NAME|ID] [--today YYYY-MM-DD] [--only CODE …] [--json]

Runs every invariant of the domain apps' ``health.py`` plug-ins (core/health.py) for each street (or
the one named) and prints the findings in Chinese, grouped by invariant, with counts and links; or, with
``--json``, one JSON document (a list of streets) for machines.

Exit code: 0 when no finding is an error (warnings alone exit 0), 1 when any finding is an error, 2 on
bad arguments (unknown street, bad date, unknown invariant). Django's own system check, which used to
answer ``gongzhi check``, is ``gongzhi check --system`` (see gongzhi/cli.py).
"""

from __future__ import annotations

import datetime as dt
import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.core.dates import long_date
from gongzhi.core.health import ERROR, SEVERITIES, invariants, run_health
from gongzhi.registry.models import Street


class Command(BaseCommand):
    help = "数据体检：检查各模块之间的数据是否自洽（有“错误”级问题时退出码为 1）。"
    requires_system_checks: list = []  # a report on data; Django's system check is `gongzhi check --system`

    def add_arguments(self, parser):
        parser.add_argument("--street", help="街道名称或编号（默认：全部街道）")
        parser.add_argument("--today", help="YYYY-MM-DD（默认：今天）")
        parser.add_argument(
            "--only", nargs="+", metavar="CODE", help="只运行这些检查项（如 finance.job_paid_once）"
        )
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")
        parser.add_argument(
            "--base-url", default="", help="链接前加的站点地址，如 https://gongzhi.example.cn"
        )

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(
                    _("日期“%(value)s”不是 YYYY-MM-DD 格式。") % {"value": options["today"]}, returncode=2
                ) from None
        known = {i.code for i in invariants()}
        only = options["only"]
        if only:
            unknown = sorted(set(only) - known)
            if unknown:
                raise CommandError(
                    _("没有这些检查项：%(codes)s。可用的检查项：%(known)s。")
                    % {"codes": "、".join(unknown), "known": "、".join(sorted(known))},
                    returncode=2,
                )
        streets = Street.objects.order_by("pk")
        if options["street"]:
            value = options["street"]
            streets = streets.filter(Q(name=value) | Q(pk=int(value)) if value.isdigit() else Q(name=value))
            if not streets.exists():
                raise CommandError(_("没有名为“%(value)s”的街道。") % {"value": value}, returncode=2)
        reports = [run_health(street=street, today=today, only=only) for street in streets]
        base = options["base_url"].rstrip("/")
        if options["json"]:
            self.stdout.write(json.dumps([r.as_json(base) for r in reports], ensure_ascii=False, indent=2))
        else:
            self._print(reports, base)
        if any(r.errors for r in reports):
            sys.exit(1)

    def _print(self, reports, base: str) -> None:
        if not reports:
            self.stdout.write(_("没有街道，无需体检。"))
            return
        for report in reports:
            self.stdout.write(
                _("数据体检 · %(street)s · %(day)s：错误 %(errors)d 项，提醒 %(warnings)d 项。")
                % {
                    "street": report.street.name,
                    "day": long_date(report.today),
                    "errors": report.errors,
                    "warnings": report.warnings,
                }
            )
            for result in report.results:
                mark = "✗" if result.errors else ("!" if result.warnings else "✓")
                self.stdout.write(
                    f"\n{mark} {result.invariant.title}（{result.invariant.code}）："
                    + (
                        _("%(errors)d 项错误，%(warnings)d 项提醒")
                        % {"errors": result.errors, "warnings": result.warnings}
                        if result.findings
                        else _("通过")
                    )
                )
                for finding in result.findings:
                    label = SEVERITIES[finding.severity]
                    link = f"  {base}{finding.link}" if finding.link else ""
                    prefix = "  [" + str(label) + "] "
                    line = prefix + finding.message + link
                    self.stdout.write(self.style.ERROR(line) if finding.severity == ERROR else line)
            self.stdout.write("")
