"""``gongzhi import_registry FILE --street NAME --user USERNAME [--dry-run]``

Thin over ``importers.registry_import``: the same checks and the same all-or-nothing write as the
web upload. Prints the counts; on any error prints the error table and exits non-zero.
Safe to run twice: a second run of the same file changes nothing.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.registry.importers import registry_import
from gongzhi.registry.models import Street

MAX_ERRORS_SHOWN = 200


class Command(BaseCommand):
    help = "从 Excel（.xlsx）导入台账到一个街道：全有或全无，逐行报告错误。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx workbook")
        parser.add_argument("--street", required=True, help="street name（街道名称）")
        parser.add_argument("--user", required=True, help="username of a street admin of that street")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(self, *args, **options):
        path = Path(options["file"])
        street = Street.objects.filter(name=options["street"]).first()
        if street is None:
            raise CommandError(_("没有名为“%(name)s”的街道。") % {"name": options["street"]})
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(_("没有用户名为“%(name)s”的有效用户。") % {"name": options["user"]})
        if not path.is_file():
            raise CommandError(_("找不到文件 %(path)s。") % {"path": path})

        try:
            with path.open("rb") as fileobj:
                report = registry_import(
                    actor=user, street=street, fileobj=fileobj, filename=path.name, dry_run=options["dry_run"]
                )
        except PermissionDenied:
            raise CommandError(
                _("用户“%(user)s”不是“%(street)s”的街道管理员，不能导入台账。")
                % {"user": user.username, "street": street.name}
            ) from None

        if not report.ok:
            self._print_errors(report)
            raise CommandError(
                _("导入失败：共 %(count)d 处错误，未写入任何数据。") % {"count": len(report.errors)},
                returncode=1,
            )
        for line in report.summary_lines():
            self.stdout.write(line)
        if report.dry_run:
            self.stdout.write(_("试运行：检查通过，未写入任何数据。"))
        else:
            self.stdout.write(self.style.SUCCESS(_("导入完成（SHA-256 %(sha)s）。") % {"sha": report.sha256}))

    def _print_errors(self, report) -> None:
        header, *rows = report.error_table()
        self.stderr.write("\t".join(header))
        for row in rows[:MAX_ERRORS_SHOWN]:
            self.stderr.write("\t".join(row))
        if len(rows) > MAX_ERRORS_SHOWN:
            self.stderr.write(_("……另有 %(count)d 处错误未列出。") % {"count": len(rows) - MAX_ERRORS_SHOWN})
