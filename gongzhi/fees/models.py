"""物业费标准与收缴 (docs/DESIGN.md §1 "quality matches price", §4.4): the fee standards of each estate and the
monthly fee collection.

A fee standard is never edited: a new standard with a later ``effective_from`` supersedes the one in force
(``supersedes`` names it), so the history of every price stays readable. A month's collection is one row per
estate and month; correcting it is an explicit, audited replacement (``services.collection_record``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.append_only import AppendOnlyModel
from gongzhi.fees.rules import collection_rate, percent


class FeeKind(models.TextChoices):
    PROPERTY_RESIDENTIAL = "property_residential", _("住宅物业费")
    PROPERTY_NON_RESIDENTIAL = "property_non_residential", _("非住宅物业费")
    PARKING_MONTHLY = "parking_monthly", _("停车费(月租)")
    PARKING_HOURLY = "parking_hourly", _("临时停车(按小时)")
    PARKING_PER_TIME = "parking_per_time", _("临时停车(按次)")
    OTHER = "other", _("其他收费")


PARKING_KINDS = frozenset({FeeKind.PARKING_MONTHLY, FeeKind.PARKING_HOURLY, FeeKind.PARKING_PER_TIME})


class FeeUnit(models.TextChoices):
    PER_M2_MONTH = "yuan_m2_month", _("元/m²/月")
    PER_MONTH = "yuan_month", _("元/月")
    PER_HOUR = "yuan_hour", _("元/小时")
    PER_TIME = "yuan_time", _("元/次")
    PER_YEAR = "yuan_year", _("元/年")


class FeeBasis(models.TextChoices):
    PRICE_BUREAU = "price_bureau", _("物价部门核定")
    OWNERS_ASSEMBLY = "owners_assembly", _("业主大会决定")
    CONTRACT = "contract", _("合同约定")


class FeeStandard(AppendOnlyModel):
    # A standard in force is history: a change is a new standard that supersedes it. The demo
    # street's purge still deletes whole standards.
    append_only_message = "fee standards are never edited; record a new standard"
    append_only_deletable = True

    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="fee_standards", verbose_name=_("小区")
    )
    kind = models.CharField(_("收费项目"), max_length=30, choices=FeeKind.choices)
    label = models.CharField(_("细目"), max_length=60, blank=True, help_text=_("如“地面车位”“多层住宅”"))
    amount = models.DecimalField(_("标准"), max_digits=12, decimal_places=4)
    unit = models.CharField(_("计费单位"), max_length=20, choices=FeeUnit.choices)
    effective_from = models.DateField(_("执行日期"))
    basis = models.CharField(_("依据"), max_length=20, choices=FeeBasis.choices)
    basis_reference = models.CharField(_("依据文号"), max_length=100, blank=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("取代的标准"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("收费标准")
        verbose_name_plural = _("收费标准")
        ordering = ["estate_id", "kind", "label", "-effective_from"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fees_standard_amount_positive"),
            models.UniqueConstraint(
                fields=["estate", "kind", "label", "effective_from"], name="fees_standard_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_text} {self.get_unit_display()}"

    @property
    def amount_text(self) -> str:
        """Two decimals unless the standard has more (0.8 → 0.80; 0.825 → 0.825)."""
        text = format(self.amount.normalize(), "f")
        whole, _dot, frac = text.partition(".")
        return f"{whole}.{frac.ljust(2, '0')}"


class MonthlyCollection(models.Model):
    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="fee_collections", verbose_name=_("小区")
    )
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    amount_billed = models.DecimalField(_("应收金额(元)"), max_digits=14, decimal_places=2)
    amount_collected = models.DecimalField(_("实收金额(元)"), max_digits=14, decimal_places=2)
    households_billed = models.PositiveIntegerField(_("应缴户数"), null=True, blank=True)
    households_paid = models.PositiveIntegerField(_("已缴户数"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now=True)

    class Meta:
        verbose_name = _("物业费月度收缴")
        verbose_name_plural = _("物业费月度收缴")
        ordering = ["estate_id", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "month"], name="fees_collection_one_per_month"),
            models.CheckConstraint(condition=Q(amount_billed__gt=0), name="fees_collection_billed_positive"),
            models.CheckConstraint(
                condition=Q(amount_collected__gte=0) & Q(amount_collected__lte=F("amount_billed")),
                name="fees_collection_collected_within_billed",
            ),
            models.CheckConstraint(
                condition=Q(households_paid__isnull=True)
                | Q(households_billed__isnull=True)
                | Q(households_paid__lte=F("households_billed")),
                name="fees_collection_households_within_billed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.estate_id} {self.month:%Y-%m}"

    @property
    def rate(self) -> Decimal | None:
        return collection_rate(self.amount_billed, self.amount_collected)

    @property
    def rate_percent(self) -> Decimal | None:
        return percent(self.rate)
