"""District-wide evaluation campaigns (区级测评): one campaign per street of a district, started at
once by the district admin. Each street's campaign is an ordinary street campaign (the street runs
it, the street's ranking stays the street's); the link only says which district round it belongs
to, so the district league table can read the round's street campaigns together."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.registry.models import District


class DistrictCampaign(models.Model):
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="evaluation_campaigns", verbose_name=_("区")
    )
    name = models.CharField(_("活动名称"), max_length=80)
    period_start = models.DateField(_("考核期开始"))
    period_end = models.DateField(_("考核期结束"))
    opens_on = models.DateField(_("开始答卷"))
    closes_on = models.DateField(_("截止答卷"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("区级测评活动")
        verbose_name_plural = _("区级测评活动")
        ordering = ["district", "-period_end", "-pk"]

    def __str__(self) -> str:
        return self.name


class DistrictCampaignStreet(models.Model):
    """One street's campaign of a district round (a street campaign belongs to one round at most)."""

    district_campaign = models.ForeignKey(DistrictCampaign, on_delete=models.CASCADE, related_name="links")
    campaign = models.OneToOneField(
        "evaluation.Campaign", on_delete=models.PROTECT, related_name="district_link"
    )

    class Meta:
        verbose_name = _("区级测评的街道活动")
        verbose_name_plural = _("区级测评的街道活动")

    def __str__(self) -> str:
        return f"{self.district_campaign} · {self.campaign.street}"
