"""``gongzhi status --recompute`` (nightly, or on demand) and ``gongzhi status --check`` (recompute in
memory and report every drift of the kept aggregates, in Chinese; exit code 1 on drift)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.wall.services import snapshot_take, status_check, status_refresh


class Command(BaseCommand):
    help = "挂图作战：重算保存的小区状态（--recompute），或核对保存值与原始数据（--check）。"

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--recompute", action="store_true", help="重算全部小区的状态并记入本月快照")
        group.add_argument("--check", action="store_true", help="从原始数据重算并报告每一处不一致")

    def handle(self, *args, recompute: bool = False, check: bool = False, **options):
        started = time.perf_counter()
        if recompute:
            rows = status_refresh()
            snapshots = snapshot_take()
            self.stdout.write(
                _("已重算 %(rows)s 条小区状态，本月快照 %(snapshots)s 条，用时 %(seconds).1f 秒。")
                % {"rows": rows, "snapshots": snapshots, "seconds": time.perf_counter() - started}
            )
            return
        drift = status_check()
        for line in drift:
            self.stdout.write(line)
        if drift:
            raise CommandError(
                _("发现 %(n)s 处不一致；运行 gongzhi status --recompute 可重算。") % {"n": len(drift)}
            )
        self.stdout.write(_("保存的小区状态与原始数据一致。"))
