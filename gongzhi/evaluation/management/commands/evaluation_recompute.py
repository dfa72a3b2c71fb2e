"""``gongzhi evaluation_recompute CAMPAIGN [--bottom-n 9] [--json]``: recompute every score of a
campaign (``services.campaign_recompute``): aggregates in the database, statistics in rules.py,
one bulk replace of the snapshots. CAMPAIGN is the id, or ``all-open`` for every open campaign — all of them
in one pass (``services.campaigns_recompute``), as a district league or a city's nightly run needs.
Safe to run twice (the same inputs give the same rows)."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.evaluation.models import Campaign, CampaignStatus
from gongzhi.evaluation.rules import DEFAULT_BOTTOM_N
from gongzhi.evaluation.services import EvaluationError, campaigns_recompute


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a real str, so translate when the parser is built
        return _("重新计算测评活动的全部得分、区间、排名和分类；可重复运行。")

    def add_arguments(self, parser):
        parser.add_argument("campaign", help=_("测评活动编号，或 all-open 表示全部进行中的活动"))
        parser.add_argument(
            "--bottom-n", type=int, default=DEFAULT_BOTTOM_N, help=_("末位候选家数（默认 9）")
        )
        parser.add_argument("--json", action="store_true", help=_("以 JSON 输出结果"))

    def handle(self, *args, campaign: str, bottom_n: int, json: bool = False, **options):
        if campaign == "all-open":
            campaigns = list(Campaign.objects.filter(status=CampaignStatus.OPEN).order_by("pk"))
        else:
            if not campaign.isdigit():
                raise CommandError(_("测评活动编号“%(v)s”无效，应为数字或 all-open。") % {"v": campaign})
            found = Campaign.objects.filter(pk=int(campaign)).first()
            if found is None:
                raise CommandError(_("没有编号为 %(v)s 的测评活动。") % {"v": campaign})
            campaigns = [found]
        if bottom_n < 1:
            raise CommandError(_("末位候选家数至少为 1。"))
        try:
            # Every campaign in one pass (one set of GROUP BYs, one insert, one wall refresh), all or nothing.
            recomputed = campaigns_recompute(campaigns=campaigns, bottom_n=bottom_n) if campaigns else []
        except EvaluationError as error:
            raise CommandError(error.message) from None
        results = []
        for item, result in zip(campaigns, recomputed, strict=True):
            results.append(
                {
                    "campaign": item.pk,
                    "name": item.name,
                    "estates": result.estates,
                    "companies": result.companies,
                    "responses": result.responses,
                    "seconds": round(result.seconds, 3),
                    "k": round(result.prior.k, 4),
                    "street_mean": round(result.prior.mean, 3),
                }
            )
        if json:
            self.stdout.write(_json_dumps(results))
        elif options["verbosity"] >= 1:
            for r in results:
                self.stdout.write(
                    _("%(name)s：小区 %(e)d 个，企业 %(c)d 家，答卷 %(n)d 份，用时 %(s).2f 秒。")
                    % {
                        "name": r["name"],
                        "e": r["estates"],
                        "c": r["companies"],
                        "n": r["responses"],
                        "s": r["seconds"],
                    }
                )


def _json_dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
