"""The wall's kept aggregates (docs/WALL.md): one row per estate and indicator, monthly snapshots for
the trends, and the street's own colour thresholds. The wall page reads only these tables (and the
registry's names); ``services.status_refresh`` keeps them, ``gongzhi status --check`` proves them."""

from __future__ import annotations

from django.conf import settings
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


# ---- the map, the big screen's display links and the public wall (issue 13, docs/WALL.md) ----------------------


class EstateGeometry(models.Model):
    """Where an estate lies on the street's own schematic map: its outline (Polygon / MultiPolygon) or
    its centre (Point), as a GeoJSON geometry validated by ``geometry.geometry_error``. No tile server:
    the map is drawn from these shapes alone. Written only by ``services_screen.geometry_import``."""

    estate = models.OneToOneField(
        Estate, on_delete=models.CASCADE, related_name="+", verbose_name=_("小区"), primary_key=True
    )
    geometry = models.JSONField(_("位置（GeoJSON）"))
    updated_at = models.DateTimeField(_("导入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("小区位置")
        verbose_name_plural = _("小区位置")

    def __str__(self) -> str:
        return f"{self.estate_id} · {self.geometry.get('type', '')}"


class DisplayLink(models.Model):
    """A read-only display link for the command room's big screen: whoever holds the address sees the
    street's wall without logging in. Only the SHA-256 of the token is kept, so the address is shown once
    when it is made; revoking it makes it answer 404 at once."""

    street = models.ForeignKey(Street, on_delete=models.CASCADE, related_name="+", verbose_name=_("街道"))
    label = models.CharField(_("名称"), max_length=60)
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("大屏展示链接")
        verbose_name_plural = _("大屏展示链接")

    def __str__(self) -> str:
        return f"{self.street_id} · {self.label}"


class PublicWall(models.Model):
    """The street's choice to show the reduced public wall (default: off — no row means off)."""

    street = models.OneToOneField(
        Street, on_delete=models.CASCADE, related_name="+", verbose_name=_("街道"), primary_key=True
    )
    enabled = models.BooleanField(_("公开挂图"), default=False)
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)

    class Meta:
        verbose_name = _("公开挂图设置")
        verbose_name_plural = _("公开挂图设置")

    def __str__(self) -> str:
        return f"{self.street_id} · {self.enabled}"
