"""``gongzhi demo``: load the demo street once (safe to run again) and print the demo logins."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.demo.generator import (
    SEED,
    SMALL_SCALE,
    DemoError,
    demo_logins,
    demo_street_ensure,
    logins_table,
)


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a real str, so translate when the parser is built
        return _("加载演示街道（已存在则不改动；--reset 删除后重建），并打印演示账号。")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=SEED, help=_("随机种子（默认 %(default)s）"))
        parser.add_argument(
            "--scale", type=float, default=1.0, help=_("房屋数量比例，0 < 比例 ≤ 1（默认 1）")
        )
        parser.add_argument(
            "--small",
            action="store_true",
            help=_("小规模演示（比例 %(scale)s），供测试使用") % {"scale": SMALL_SCALE},
        )
        parser.add_argument("--reset", action="store_true", help=_("删除现有演示街道的数据后重新生成"))
        parser.add_argument(
            "--no-logins", action="store_true", help=_("不打印演示账号（gongzhi serve 会打印）")
        )
        parser.add_argument(
            "--city",
            action="store_true",
            help=_("生成合成城市（16 个区、200 个街道、13000 个小区；仅限 PostgreSQL；--scale 按比例缩小）"),
        )
        parser.add_argument("--city-drop", action="store_true", help=_("删除合成城市的全部数据"))

    def handle(
        self, *args, seed: int, scale: float, small: bool, reset: bool, no_logins: bool = False, **options
    ):
        if options.get("city") or options.get("city_drop"):
            self._city(scale=scale, drop=options.get("city_drop", False), verbosity=options["verbosity"])
            return
        if small:
            scale = SMALL_SCALE
        if not 0 < scale <= 1:
            raise CommandError(_("--scale 须大于 0 且不超过 1。"))
        try:
            result = demo_street_ensure(seed=seed, scale=scale, reset=reset)
        except DemoError as exc:
            raise CommandError(exc.message) from exc

        if options["verbosity"] >= 1:
            if result.deleted:
                self.stdout.write(_("已删除原演示数据：%(n)d 条记录。") % {"n": sum(result.deleted.values())})
            if result.created:
                c = result.counts
                self.stdout.write(
                    self.style.SUCCESS(
                        _(
                            "已生成演示街道“%(street)s”：%(areas)d 个居民区、%(estates)d 个小区"
                            "（其中 %(old)d 个老旧小区）、%(companies)d 家物业企业、%(units)d 套房屋、"
                            "%(owners)d 位业主，用时 %(seconds).1f 秒。"
                        )
                        % {
                            "street": result.street.name,
                            "areas": c["areas"],
                            "estates": c["estates"],
                            "old": c["old_estates"],
                            "companies": c["companies"],
                            "units": c["units"],
                            "owners": c["owners"],
                            "seconds": result.seconds,
                        }
                    )
                )
            else:
                self.stdout.write(
                    _("演示街道“%(street)s”已存在，未作改动（如需重建，请加 --reset）。")
                    % {"street": result.street.name}
                )
        if no_logins:
            return
        if options["verbosity"] >= 1:
            self.stdout.write("")
            self.stdout.write(_("演示账号（仅用于演示数据，密码公开）："))
        self.stdout.write(logins_table(demo_logins(result.street)))

    def _city(self, *, scale: float, drop: bool, verbosity: int) -> None:
        from gongzhi.demo.city import CityError, city_create, city_drop

        def say(text: str) -> None:
            if verbosity >= 1:
                self.stdout.write(text)

        try:
            if drop:
                deleted = city_drop(progress=say)
                if deleted:
                    say(
                        self.style.SUCCESS(_("已删除合成城市：%(n)d 条记录。") % {"n": sum(deleted.values())})
                    )
                else:
                    say(_("没有合成城市，未作改动。"))
                return
            result = city_create(scale=scale, progress=say)
        except CityError as exc:
            raise CommandError(exc.message) from exc
        c = result.counts
        say(
            self.style.SUCCESS(
                _(
                    "已生成合成城市（比例 %(scale)s）：%(districts)d 个区、%(streets)d 个街道、%(estates)d 个小区、"
                    "%(units)d 套房屋、%(owners)d 位业主、%(problems)d 个问题、%(answers)d 条测评答案、"
                    "%(entries)d 条账目、%(ballots)d 张表决票，用时 %(seconds).1f 秒。"
                )
                % {
                    "scale": scale,
                    "districts": c["districts"],
                    "streets": c["streets"],
                    "estates": c["estates"],
                    "units": c["units"],
                    "owners": c["owners"],
                    "problems": c["problems"],
                    "answers": c["survey_answers"],
                    "entries": c["ledger_entries"],
                    "ballots": c["ballots"],
                    "seconds": sum(result.seconds.values()),
                }
            )
        )
        say(
            _("街道管理员账号：city_admin_001 … city_admin_%(last)03d，密码与演示街道相同。")
            % {"last": c["streets"]}
        )
