"""``gongzhi restore ARCHIVE [--force]``: restore a ``gongzhi backup`` archive (core/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # a fresh place has no tables yet: nothing to check before

    @property
    def help(self) -> str:
        return _("从备份归档恢复数据库和上传的文件；目标不是空的时，须加 --force。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help=_("gongzhi backup 写出的 .tar 文件"))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("目标数据库或上传目录已有数据时仍然恢复（旧的上传目录改名保留）"),
        )

    def handle(self, *args, archive: str, force: bool, **options) -> None:
        try:
            result = backup_restore(archive=Path(archive), force=force)
        except BackupError as error:
            raise CommandError(str(error.message)) from None
        manifest = result.manifest
        self.stdout.write(
            _(
                "已从 %(created)s 的备份恢复：%(tables)d 张表、共 %(rows)d 行，上传文件 %(files)d 个（均已按清单校验）。"
            )
            % {
                "created": manifest["created_at"],
                "tables": result.tables,
                "rows": result.rows,
                "files": result.media_files,
            }
        )
        for path in result.moved_aside:
            self.stdout.write(_("原有的上传目录已改名保留为 %(path)s。") % {"path": path})
        if result.differences:
            raise CommandError(
                _("恢复后的行数与备份清单不符：%(tables)s") % {"tables": ";".join(result.differences[:10])}
            )
        self.stdout.write(self.style.SUCCESS(_("每张表的行数都与备份清单一致。")))
        if result.pending_migrations:
            self.stdout.write(
                _("备份早于当前程序：还有 %(count)d 个数据库迁移，请运行 gongzhi migrate。")
                % {"count": result.pending_migrations}
            )
        self.stdout.write(
            _(
                "下一步：运行 gongzhi ledger verify --database 校验账本，gongzhi doctor 检查运行状态。请确认 GONGZHI_SECRET_KEY 与备份时相同，否则进行中的表决和测评的密封内容无法打开。"
            )
        )
