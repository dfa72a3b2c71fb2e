"""``gongzhi backup [--dir DIR]``: one archive of the database and the uploaded files (core/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from gongzhi.core.backup import BackupError, backup_create, backup_dir


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a real str, so translate when the parser is built
        return _("备份数据库和上传的文件（不含密钥），写成一个带清单的归档文件。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir",
            help=_("备份目录（默认 GONGZHI_BACKUP_DIR，未设置时为 %(path)s）") % {"path": backup_dir()},
        )

    def handle(self, *args, dir: str | None = None, **options) -> None:  # noqa: A002 (the option's name)
        try:
            result = backup_create(directory=Path(dir) if dir else None)
        except BackupError as error:
            raise CommandError(str(error.message)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "备份完成：%(archive)s（%(size)s）。数据库 %(tables)d 张表、共 %(rows)d 行，上传文件 %(files)d 个。"
                )
                % {
                    "archive": result.archive,
                    "size": filesizeformat(result.archive.stat().st_size),
                    "tables": len(result.manifest["tables"]),
                    "rows": result.rows,
                    "files": result.media_files,
                }
            )
        )
        self.stdout.write(_("密钥不在备份中：请另行妥善保管 GONGZHI_SECRET_KEY（或 var/secret_key）。"))
