"""``gongzhi serve``: serve the application with gunicorn (static files by WhiteNoise)."""

import os
import shutil
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "在 http://127.0.0.1:8000 提供服务(gunicorn)。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("GONGZHI_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("GONGZHI_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("GONGZHI_WORKERS", "2")))

    def handle(self, *args, host, port, workers, **options):
        from gongzhi.core.demo_mode import demo_logins, find_demo_street, logins_table

        street = find_demo_street()
        if street is not None:
            self.stdout.write(_("演示街道“%(street)s”的登录账号（均为虚构数据）：") % {"street": street.name})
            self.stdout.write(logins_table(demo_logins(street)))
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which("gunicorn")
        if gunicorn is None:
            raise CommandError(_("找不到 gunicorn，请先运行 ./run demo 安装依赖。"))
        url = f"http://{host}:{port}"
        self.stdout.write(self.style.SUCCESS(_("共治已启动：%(url)s（按 Ctrl+C 停止）") % {"url": url}))
        if settings.DEBUG:
            self.stdout.write(_("注意：GONGZHI_DEBUG 已开启，不要在生产环境使用。"))
        argv = [
            gunicorn,
            "gongzhi.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            # Batch PDFs (a building's activation letters, a street's ranking report) take tens of
            # seconds on a small server; gunicorn's default of 30 s would cut them off.
            "--timeout",
            os.environ.get("GONGZHI_REQUEST_TIMEOUT", "180"),
            "--log-level",
            "warning",
        ]
        if settings.GONGZHI_LOG_FORMAT != "json":
            # In JSON mode the application writes the access line itself, with the request id
            # (core/requestlog.py); gunicorn's plain line would only be a second, unparsable copy.
            argv += ["--access-logfile", "-"]
        # Each gunicorn process leaves its request counts here and /metrics adds them up, whichever
        # process answers (core/metrics.py). Emptied at start: the counters begin again at 0.
        metrics_dir = os.environ.get("GONGZHI_METRICS_DIR") or str(settings.VAR_DIR / "metrics")
        os.environ["GONGZHI_METRICS_DIR"] = metrics_dir
        for stale in Path(metrics_dir).glob("*.json"):
            stale.unlink(missing_ok=True)
        sys.stdout.flush()
        os.execv(gunicorn, argv)  # noqa: S606 (replace this process with gunicorn; argv is ours, not user input)
