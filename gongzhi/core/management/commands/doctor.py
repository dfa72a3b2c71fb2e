"""``gongzhi doctor [--json]``: one screen of green, amber and red checks; exit code 1 on any red
(core/doctor.py)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from gongzhi.core.doctor import FAIL, OK, WARN, is_healthy, run_checks

MARKS = {OK: "✔", WARN: "!", FAIL: "✘"}


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # the doctor reports problems instead of stopping at them

    @property
    def help(self) -> str:
        return _("检查运行环境：配置、字体、日历、迁移、磁盘、备份、后台任务。有红色项时退出码为 1。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help=_("以 JSON 输出（供监控系统读取）"))

    def handle(self, *args, json: bool = False, **options) -> None:  # noqa: A002 (the option's name)
        results = run_checks()
        healthy = is_healthy(results)
        if json:
            self.stdout.write(_dumps(results, healthy))
        else:
            self.stdout.write(
                _("共治运行检查 · %(when)s")
                % {"when": dateformat.format(timezone.localtime(), "Y年n月j日 l H:i")}
            )
            style = {OK: self.style.SUCCESS, WARN: self.style.WARNING, FAIL: self.style.ERROR}
            for result in results:
                line = f"{MARKS.get(result.status, '–')} {result.label}  {result.title}：{result.detail}"
                self.stdout.write(style.get(result.status, str)(line))
            summary = _("全部正常") if healthy else _("有红色项，请处理")
            self.stdout.write(self.style.SUCCESS(summary) if healthy else self.style.ERROR(summary))
        if not healthy:
            raise SystemExit(1)


def _dumps(results, healthy: bool) -> str:
    payload = {
        "healthy": healthy,
        "checks": [{"key": r.key, "title": r.title, "status": r.status, "detail": r.detail} for r in results],
    }
    return json.dumps(payload, ensure_ascii=False, indent=1)
