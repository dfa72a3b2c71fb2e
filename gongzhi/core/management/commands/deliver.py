"""``gongzhi deliver``: send the outbox's due notifications now (what the worker does every minute)."""

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from gongzhi.core.notify import deliver_outbox


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _("发送外发通知队列中到期的消息（电子邮件、短信、微信）。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500, help=_("本次最多处理的消息数"))

    def handle(self, *args, **options) -> None:
        counts = deliver_outbox(limit=max(1, options["limit"]))
        if not counts:
            self.stdout.write(_("没有到期的外发通知。"))
            return
        self.stdout.write("；".join(f"{key} {value}" for key, value in sorted(counts.items())))
