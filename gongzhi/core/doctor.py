"""``gongzhi doctor``: is this installation fit to run? One line per check, green, amber or red
(issue 16, docs/OPERATIONS.md "Doctor"). The same list is shown to a street admin at /healthz?verbose.

Each check is a plain function returning a ``Check``; a check that raises is itself red (its error
is the detail), so the doctor never fails where it should report. Red means "act now" and makes
the command exit non-zero; amber means "act soon"; "未配置" marks a part this installation does
not run (e.g. no background worker), which is not a fault.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.template.defaultfilters import filesizeformat
from django.utils import dateformat, timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from gongzhi.core import backup, workdays

OK, WARN, FAIL, OFF = "ok", "warn", "fail", "off"
LABELS = {
    OK: gettext_lazy("正常"),
    WARN: gettext_lazy("注意"),
    FAIL: gettext_lazy("故障"),
    OFF: gettext_lazy("未配置"),
}

# The families core/templates/core/pdf/base.html names; without them Chinese prints as empty boxes.
PDF_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]", "testserver"}
CALENDAR_WARN_FROM = (11, 1)  # (month, day): the next year's arrangement is usually published in November
GIB = 1024**3
TITLES = {
    "debug": gettext_lazy("调试模式"),
    "secret_key": gettext_lazy("密钥"),
    "allowed_hosts": gettext_lazy("允许的主机名"),
    "fonts": gettext_lazy("PDF 中文字体"),
    "calendar": gettext_lazy("节假日日历"),
    "migrations": gettext_lazy("数据库迁移"),
    "disk": gettext_lazy("磁盘空间"),
    "backup": gettext_lazy("备份"),
    "worker": gettext_lazy("后台任务"),
}


@dataclass(frozen=True)
class Check:
    key: str
    title: str
    status: str
    detail: str

    @property
    def label(self) -> str:
        return str(LABELS[self.status])


def _when(value: dt.datetime) -> str:
    return dateformat.format(timezone.localtime(value), "Y年n月j日 l H:i")


def _demo_mode() -> bool:
    from django.db import DatabaseError

    from gongzhi.core.demo_mode import demo_mode

    try:
        return demo_mode()
    except DatabaseError:  # no tables yet: not a demo
        return False


def check_debug() -> Check:
    if settings.DEBUG:
        return Check(
            "debug",
            str(TITLES["debug"]),
            FAIL,
            _("GONGZHI_DEBUG 已开启：会向访问者显示程序内部信息，生产环境必须关闭。"),
        )
    return Check("debug", str(TITLES["debug"]), OK, _("已关闭"))


def check_secret_key() -> Check:
    title = str(TITLES["secret_key"])
    key = str(settings.SECRET_KEY or "")
    # Django's own rule (security.W009): at least 50 characters, 5 different ones, not a generated placeholder.
    if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-"):
        return Check(
            "secret_key",
            title,
            FAIL,
            _("SECRET_KEY 太短或太简单：请设置 GONGZHI_SECRET_KEY（至少 50 个随机字符）。"),
        )
    if os.environ.get("GONGZHI_SECRET_KEY"):
        return Check("secret_key", title, OK, _("由 GONGZHI_SECRET_KEY 设置"))
    if _demo_mode():
        return Check("secret_key", title, OK, _("演示：程序生成的密钥，保存在 var/secret_key"))
    return Check(
        "secret_key",
        title,
        WARN,
        _(
            "使用程序生成、保存在 var/secret_key 的密钥：正式运行请用 GONGZHI_SECRET_KEY 设置，并在备份之外另行保管。"
        ),
    )


def check_allowed_hosts() -> Check:
    title = str(TITLES["allowed_hosts"])
    hosts = list(settings.ALLOWED_HOSTS)
    if not hosts or "*" in hosts:
        return Check("allowed_hosts", title, FAIL, _("GONGZHI_ALLOWED_HOSTS 为空或为“*”：请列出网站的域名。"))
    public = [host for host in hosts if host not in LOCAL_HOSTS]
    if not public:
        return Check(
            "allowed_hosts",
            title,
            WARN,
            _("只接受本机访问（%(hosts)s）：正式运行请设置 GONGZHI_ALLOWED_HOSTS。")
            % {"hosts": "、".join(hosts)},
        )
    if not settings.HTTPS:
        return Check(
            "allowed_hosts",
            title,
            WARN,
            _("%(hosts)s；未开启 GONGZHI_HTTPS（应在 HTTPS 之后运行）") % {"hosts": "、".join(public)},
        )
    return Check("allowed_hosts", title, OK, "、".join(public))


def _font_files(family: str) -> list[str]:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise RuntimeError(_("找不到 fc-list（fontconfig）"))
    done = subprocess.run(  # noqa: S603 (fixed program, the family comes from settings)
        [fc_list, f":family={family}", "file"], capture_output=True, text=True, timeout=20, check=False
    )
    return sorted({line.split(":", 1)[0].strip() for line in done.stdout.splitlines() if line.strip()})


def check_fonts() -> Check:
    title = str(TITLES["fonts"])
    families = tuple(getattr(settings, "GONGZHI_PDF_FONTS", PDF_FONTS))
    found = {family: _font_files(family) for family in families}
    missing = [family for family in families if not found[family]]
    if missing:
        return Check(
            "fonts",
            title,
            FAIL,
            _("找不到字体 %(fonts)s：PDF 中的中文会显示为方框。请安装 fonts-noto-cjk。")
            % {"fonts": "、".join(missing)},
        )
    files = {path for paths in found.values() for path in paths}
    return Check(
        "fonts",
        title,
        OK,
        _("%(fonts)s（%(count)d 个字体文件）") % {"fonts": "、".join(families), "count": len(files)},
    )


def check_calendar(today: dt.date | None = None) -> Check:
    title = str(TITLES["calendar"])
    today = today or timezone.localdate()
    last = workdays.last_official_year()
    if today.year > last:
        return Check(
            "calendar",
            title,
            FAIL,
            _(
                "chinesecalendar 只收录到 %(last)d 年，今年（%(year)d 年）的调休安排缺失，期限按法定节日临时推算。请更新 chinesecalendar。"
            )
            % {"last": last, "year": today.year},
        )
    if today.year == last and (today.month, today.day) >= CALENDAR_WARN_FROM:
        return Check(
            "calendar",
            title,
            WARN,
            _(
                "chinesecalendar 只收录到 %(last)d 年：国务院公布 %(next)d 年的放假安排后请立即更新，否则明年的期限只能临时推算。"
            )
            % {"last": last, "next": last + 1},
        )
    return Check("calendar", title, OK, _("已收录到 %(last)d 年") % {"last": last})


def check_migrations() -> Check:
    title = str(TITLES["migrations"])
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = "、".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:3])
        return Check(
            "migrations",
            title,
            FAIL,
            ngettext(
                "%(count)d 个迁移尚未执行（%(names)s）：请运行 gongzhi migrate。",
                "%(count)d 个迁移尚未执行（%(names)s）：请运行 gongzhi migrate。",
                len(plan),
            )
            % {"count": len(plan), "names": names},
        )
    return Check(
        "migrations", title, OK, _("数据库结构是最新的（%(vendor)s）") % {"vendor": connection.vendor}
    )


def check_disk(*, path: Path | None = None, red_below: int = GIB, amber_below: int = 5 * GIB) -> Check:
    title = str(TITLES["disk"])
    path = Path(path or settings.VAR_DIR)
    usage = shutil.disk_usage(path)
    detail = _("%(path)s 所在磁盘剩余 %(free)s（共 %(total)s）") % {
        "path": path,
        "free": filesizeformat(usage.free),
        "total": filesizeformat(usage.total),
    }
    if usage.free < red_below:
        return Check("disk", title, FAIL, detail + _("：空间不足，数据库和备份可能写不进去。"))
    if usage.free < amber_below:
        return Check("disk", title, WARN, detail + _("：空间偏少。"))
    return Check("disk", title, OK, detail)


def check_backup(now: dt.datetime | None = None) -> Check:
    title = str(TITLES["backup"])
    now = now or timezone.now()
    hours = int(getattr(settings, "GONGZHI_BACKUP_MAX_AGE_HOURS", 26))
    record = backup.last_backup()
    if record is None:
        return Check("backup", title, FAIL, _("没有备份记录：请运行 gongzhi backup，并每天定时运行。"))
    created = dt.datetime.fromisoformat(record["created_at"])
    age = now - created
    detail = _("最近一次：%(when)s，%(size)s，%(archive)s") % {
        "when": _when(created),
        "size": filesizeformat(record.get("size", 0)),
        "archive": record.get("archive", ""),
    }
    if not Path(record.get("archive", "")).is_file():
        return Check("backup", title, FAIL, detail + _("：备份文件已不在原处。"))
    if age > dt.timedelta(hours=hours):
        return Check(
            "backup",
            title,
            FAIL,
            detail + _("：已超过 %(hours)d 小时没有备份。") % {"hours": hours},
        )
    return Check("backup", title, OK, detail)


def check_worker() -> Check:
    """Liveness and queue depth of the background worker, through ``GONGZHI_WORKER_PROBE`` (a dotted
    path to a function returning ``(alive, queue_depth, detail)``); none configured → 未配置."""
    title = str(TITLES["worker"])
    probe_path = getattr(settings, "GONGZHI_WORKER_PROBE", "")
    if not probe_path:
        return Check("worker", title, OFF, _("未配置后台任务进程"))
    probe: Callable[[], tuple[bool, int | None, str]] = import_string(probe_path)
    alive, depth, detail = probe()
    depth_text = _("队列中 %(n)d 项") % {"n": depth} if depth is not None else ""
    text = "；".join(part for part in (str(detail), depth_text) if part)
    return Check("worker", title, OK if alive else FAIL, text or (_("运行中") if alive else _("未运行")))


CHECKS: tuple[Callable[[], Check], ...] = (
    check_debug,
    check_secret_key,
    check_allowed_hosts,
    check_fonts,
    check_calendar,
    check_migrations,
    check_disk,
    check_backup,
    check_worker,
)


def run_checks(checks: tuple[Callable[[], Check], ...] = CHECKS) -> list[Check]:
    results = []
    for check in checks:
        try:
            results.append(check())
        except Exception as error:  # a check that cannot run is a red line, not a crash
            name = check.__name__.removeprefix("check_")
            title = str(TITLES.get(name, name))
            results.append(Check(name, title, FAIL, _("检查失败：%(error)s") % {"error": error}))
    return results


def is_healthy(results: list[Check]) -> bool:
    return all(result.status != FAIL for result in results)
