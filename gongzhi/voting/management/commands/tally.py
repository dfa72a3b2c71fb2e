"""``gongzhi tally``: the open re-count contract of docs/DESIGN.md §6.

gongzhi tally FILE.json                 count a ballot file, print the outcome as JSON (exit 0)
gongzhi tally -                         the same from standard input
gongzhi tally --export DECISION [-o F]  write a closed decision's anonymised ballot file

``gongzhi tally FILE`` from the console runs ``voting/console.py`` without starting Django (gongzhi/cli.py);
this command reads files with the same functions, for call_command and Django's options.

Bad input (malformed JSON, unknown matter, unknown owner, duplicate ballot or unit, a negative or
non-numeric area, a bad choice) exits with status 2 and a Chinese message naming the offending item.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.voting.console import BAD_INPUT, bad_input, cannot_read, dump, read_text, tally_text
from gongzhi.voting.rules import TallyInputError


class Command(BaseCommand):
    # A re-count needs neither the database nor the URL map: skip the project checks.
    requires_system_checks: list[str] = []

    @property
    def help(self) -> str:
        return _(
            "按《民法典》第二百七十八条重新计票（文件格式见 docs/DESIGN.md §6），或导出已截止表决的匿名表决票文件。"
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help=_("表决票文件（JSON）；“-”表示标准输入"))
        parser.add_argument(
            "--export", type=int, metavar="DECISION", help=_("导出该表决事项的匿名表决票文件")
        )
        parser.add_argument("-o", "--output", help=_("导出时写入文件（默认输出到屏幕）"))

    def handle(self, *args, file: str | None, export: int | None, output: str | None, **options):
        if export is not None:
            return self.export(export, output)
        if not file:
            raise CommandError(_("请给出要计票的 JSON 文件，或使用 --export 导出。"))
        try:
            text = read_text(file)
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(cannot_read(file, error)) from None
        try:
            outcome = tally_text(text)
        except TallyInputError as error:
            raise CommandError(bad_input(error), returncode=BAD_INPUT) from None
        self.stdout.write(dump(outcome))

    def export(self, decision_id: int, output: str | None) -> None:
        from gongzhi.voting.models import Decision
        from gongzhi.voting.selectors import decision_ballot_file

        decision = Decision.objects.filter(pk=decision_id).first()
        if decision is None:
            raise CommandError(_("表决事项 %(id)d 不存在。") % {"id": decision_id})
        if not decision.has_result:
            raise CommandError(_("表决事项 %(id)d 尚未截止计票，不能导出表决票。") % {"id": decision_id})
        text = dump(decision_ballot_file(decision)) + "\n"
        if output:
            with open(output, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        else:
            self.stdout.write(text, ending="")
