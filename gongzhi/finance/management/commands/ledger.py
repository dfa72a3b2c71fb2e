"""``gongzhi ledger export|verify``: the open contract of docs/DESIGN.md §6.

gongzhi ledger export --estate ID --ledger KIND [-o FILE]   JSON lines of one chain
gongzhi ledger verify FILE                                  exit 0 on a sound chain, else names the seq
gongzhi ledger verify --database [--estate ID]              re-check every stored chain

``gongzhi ledger verify FILE`` from the console runs ``finance/console.py`` without starting Django
(gongzhi/cli.py); this command checks files with the same functions, for call_command and Django's options.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.finance.console import cannot_read, failure, sound, verify_file
from gongzhi.finance.models import LedgerKind
from gongzhi.finance.rules import LEDGER_KINDS, verify_lines
from gongzhi.finance.selectors import ledger_chains, ledger_lines
from gongzhi.registry.models import Estate


def dump_line(entry: dict) -> str:
    # The same key order and escaping as the hash's canonical form, so a reader can diff the two.
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a real str, so translate when the parser is built
        return _("导出或校验小区账本的哈希链（JSON lines，见 docs/DESIGN.md §6）。")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help=_("把一本账导出为 JSON lines"))
        export.add_argument("--estate", type=int, required=True, help=_("小区编号"))
        export.add_argument("--ledger", required=True, choices=LEDGER_KINDS, help=_("账本类型"))
        export.add_argument("-o", "--output", help=_("写入文件（默认输出到屏幕）"))
        verify = sub.add_parser("verify", help=_("校验导出文件或数据库中的账本"))
        verify.add_argument("file", nargs="?", help=_("要校验的 JSON lines 文件；“-”表示标准输入"))
        verify.add_argument("--database", action="store_true", help=_("校验数据库中保存的全部账本"))
        verify.add_argument("--estate", type=int, help=_("只校验这个小区（与 --database 一起用）"))

    def handle(self, *args, action: str, **options):
        if action == "export":
            return self.export(options["estate"], options["ledger"], options["output"])
        if options["database"]:
            return self.verify_database(options["estate"])
        if not options["file"]:
            raise CommandError(_("请给出要校验的文件，或使用 --database。"))
        return self.verify_file(options["file"])

    def export(self, estate_id: int, ledger: str, output: str | None) -> None:
        if not Estate.objects.filter(pk=estate_id).exists():
            raise CommandError(_("小区 %(id)d 不存在。") % {"id": estate_id})
        text = "".join(dump_line(entry) + "\n" for entry in ledger_lines(estate_id, ledger))
        if output:
            with open(output, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        else:
            self.stdout.write(text, ending="")

    def verify_file(self, path: str) -> None:
        try:
            result = verify_file(path)
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(cannot_read(path, error)) from None
        if not result.ok:
            raise CommandError(failure(result))
        self.stdout.write(sound(result))

    def verify_database(self, estate_id: int | None) -> None:
        chains = ledger_chains(estate_id)
        broken = 0
        labels = dict(LedgerKind.choices)
        for chain_estate, ledger in chains:
            lines = [dump_line(entry) for entry in ledger_lines(chain_estate, ledger)]
            result = verify_lines(lines)
            name = _("小区 %(estate)d %(ledger)s") % {"estate": chain_estate, "ledger": labels[ledger]}
            if result.ok:
                self.stdout.write(
                    _("%(name)s：链完整（%(count)d 条）") % {"name": name, "count": result.count}
                )
            else:
                broken += 1
                self.stderr.write(f"{name}:{failure(result)}")
        if broken:
            raise CommandError(
                _("共 %(total)d 本账，其中 %(broken)d 本链条不完整。")
                % {"total": len(chains), "broken": broken}
            )
        self.stdout.write(_("链完整：共校验 %(total)d 本账。") % {"total": len(chains)})
