"""The wall's kept aggregates (docs/WALL.md): one row per estate and indicator, monthly snapshots for
the trends, and the street's own colour thresholds. The wall page reads only these tables (and the
registry's names); ``services.status_refresh`` keeps them, ``gongzhi status --check`` proves them."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.registry.models import Estate, Street


class Colour(models.TextChoices):
    RED = "red", _("红")
    AMBER = "amber", _("黄")
    GREEN = "green", _("绿")
    NONE = "none", _("无数据")


class EstateStatus(models.Model):
    """The kept value of one indicator for one estate, with the figures its health card shows."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+", verbose_name=_("小区"))
    indicator = models.CharField(_("指标"), max_length=30)
    value = models.DecimalField(_("数值"), max_digits=12, decimal_places=2, null=True, blank=True)
    colour = models.CharField(_("颜色"), max_length=6, choices=Colour.choices)
    detail = models.JSONField(_("明细"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    class Meta:
        verbose_name = _("小区状态")
        verbose_name_plural = _("小区状态")
        constraints = [
            models.UniqueConstraint(fields=["estate", "indicator"], name="wall_status_once"),
        ]

    def __str__(self) -> str:
        return f"{self.estate_id} · {self.indicator} · {self.value}"


class StatusSnapshot(models.Model):
    """An indicator's value and colour for one estate at the end of a month (the trends)."""

    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+", verbose_name=_("小区"))
    indicator = models.CharField(_("指标"), max_length=30)
    value = models.DecimalField(_("数值"), max_digits=12, decimal_places=2, null=True, blank=True)
    colour = models.CharField(_("颜色"), max_length=6, choices=Colour.choices)

    class Meta:
        verbose_name = _("月度状态")
        verbose_name_plural = _("月度状态")
        constraints = [
            models.UniqueConstraint(fields=["month", "estate", "indicator"], name="wall_snapshot_once"),
        ]
        indexes = [models.Index(fields=["indicator", "month"], name="wall_snapshot_ind_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.estate_id} · {self.indicator}"


class WallRule(models.Model):
    """The street's thresholds for one indicator (the defaults are in ``indicators.py``)."""

    street = models.ForeignKey(Street, on_delete=models.CASCADE, related_name="+", verbose_name=_("街道"))
    indicator = models.CharField(_("指标"), max_length=30)
    amber = models.DecimalField(_("黄色界线"), max_digits=12, decimal_places=2)
    red = models.DecimalField(_("红色界线"), max_digits=12, decimal_places=2)
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)

    class Meta:
        verbose_name = _("挂图颜色规则")
        verbose_name_plural = _("挂图颜色规则")
        constraints = [
            models.UniqueConstraint(fields=["street", "indicator"], name="wall_rule_once"),
        ]

    def __str__(self) -> str:
        return f"{self.street_id} · {self.indicator}"
