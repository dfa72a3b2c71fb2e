"""``gongzhi worker [--once]``: run the background jobs and the platform's schedule (docs/OPERATIONS.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from gongzhi.jobs.worker import Worker


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _("运行后台任务进程：按时执行每日任务，处理导入、批量 PDF 等后台任务。")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help=_("只处理当前到期的任务，然后退出"))
        parser.add_argument("--poll", type=float, default=1.0, help=_("空闲时每隔几秒查看一次队列"))
        parser.add_argument(
            "--exit-with-parent", action="store_true", help=_("启动它的进程（网站）停止时一同退出")
        )

    def handle(self, *args, once: bool, poll: float, exit_with_parent: bool, **options):
        import os

        worker = Worker(poll=poll, parent_pid=os.getppid() if exit_with_parent else None)
        if once:
            ran = worker.burst()
            if options["verbosity"] >= 1:
                self.stdout.write(_("已处理 %(n)d 项后台任务。") % {"n": ran})
            return
        worker.install_signal_handlers()
        if options["verbosity"] >= 1:
            self.stdout.write(_("后台任务进程 %(name)s 已启动。") % {"name": worker.name})
            self.stdout.flush()
        worker.run_forever()
