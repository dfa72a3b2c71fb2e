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
    """The three paths by which a standard may change (docs/FEES.md §1); each needs its recorded link."""

    PRICE_BUREAU = "price_bureau", _("政府价格文件")
    OWNERS_ASSEMBLY = "owners_assembly", _("业主共同决定")
    CONTRACT = "contract", _("物业服务合同")


class PriceDocument(models.Model):
    """A government price document (政府指导价文件) for estates under government-guided pricing (售后公房 and
    similar): its guidance level and the permitted range (《物业服务收费管理办法》 arts. 6–7). The estates it
    lists are the ones the platform treats as under government-guided pricing for this kind of fee."""

    street = models.ForeignKey(
        "registry.Street", on_delete=models.PROTECT, related_name="price_documents", verbose_name=_("街道")
    )
    issuer = models.CharField(_("发文机关"), max_length=60)
    number = models.CharField(_("文号"), max_length=60)
    title = models.CharField(_("文件名称"), max_length=120)
    issued_on = models.DateField(_("发布日期"))
    kind = models.CharField(_("收费项目"), max_length=30, choices=FeeKind.choices)
    unit = models.CharField(_("计费单位"), max_length=20, choices=FeeUnit.choices)
    level = models.CharField(_("指导价等级"), max_length=30, help_text=_("如“二级”"))
    low = models.DecimalField(_("指导价下限"), max_digits=12, decimal_places=4)
    high = models.DecimalField(_("指导价上限"), max_digits=12, decimal_places=4)
    estates = models.ManyToManyField(
        "registry.Estate", related_name="price_documents", verbose_name=_("适用小区（政府指导价）")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("政府价格文件")
        verbose_name_plural = _("政府价格文件")
        ordering = ["street_id", "-issued_on", "number"]
        constraints = [
            models.CheckConstraint(condition=Q(low__gt=0), name="fees_document_low_positive"),
            models.CheckConstraint(condition=Q(high__gte=F("low")), name="fees_document_range_in_order"),
            models.UniqueConstraint(
                fields=["street", "number", "kind", "level"], name="fees_document_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def range_text(self) -> str:
        return f"{_places(self.low)}–{_places(self.high)} {self.get_unit_display()}"


def _places(value: Decimal) -> str:
    """Two decimals unless the value has more (0.8 → 0.80; 0.825 → 0.825)."""
    text = format(value.normalize(), "f")
    whole, _dot, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


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
    basis_reference = models.CharField(_("依据说明"), max_length=100, blank=True)
    # The checked basis (rules.check_fee_basis): exactly the link its ``basis`` names. Standards recorded
    # before the rule have none and are shown as "依据未经核验".
    basis_decision = models.ForeignKey(
        "voting.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fee_standards",
        verbose_name=_("业主表决事项"),
    )
    basis_contract = models.ForeignKey(
        "registry.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fee_standards",
        verbose_name=_("物业服务合同"),
    )
    basis_document = models.ForeignKey(
        PriceDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fee_standards",
        verbose_name=_("政府价格文件"),
    )
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
            # At most the one link its basis names (none on standards recorded before the basis rule).
            models.CheckConstraint(
                condition=(Q(basis_decision__isnull=True) | Q(basis="owners_assembly"))
                & (Q(basis_contract__isnull=True) | Q(basis="contract"))
                & (Q(basis_document__isnull=True) | Q(basis="price_bureau")),
                name="fees_standard_link_matches_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_text} {self.get_unit_display()}"

    @property
    def amount_text(self) -> str:
        """Two decimals unless the standard has more (0.8 → 0.80; 0.825 → 0.825)."""
        return _places(self.amount)

    @property
    def basis_checked(self) -> bool:
        """Whether the standard names a basis the platform checked (False only on older records)."""
        return bool(self.basis_decision_id or self.basis_contract_id or self.basis_document_id)


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("待业委会或街道确定")
    ADOPTED = "adopted", _("已确定为收费标准")
    WITHDRAWN = "withdrawn", _("已撤回")


class FeeProposal(models.Model):
    """A proposed standard (收费标准建议): what a company may do about its fee. It becomes a standard only when
    an owners' committee member or the street admin adopts it by naming its basis (docs/FEES.md §1)."""

    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="fee_proposals", verbose_name=_("小区")
    )
    kind = models.CharField(_("收费项目"), max_length=30, choices=FeeKind.choices)
    label = models.CharField(_("细目"), max_length=60, blank=True)
    amount = models.DecimalField(_("建议标准"), max_digits=12, decimal_places=4)
    unit = models.CharField(_("计费单位"), max_length=20, choices=FeeUnit.choices)
    effective_from = models.DateField(_("建议执行日期"))
    reasons = models.TextField(_("理由"))
    status = models.CharField(
        _("状态"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    standard = models.OneToOneField(
        FeeStandard,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposal",
        verbose_name=_("确定后的收费标准"),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("收费标准建议")
        verbose_name_plural = _("收费标准建议")
        ordering = ["estate_id", "-proposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fees_proposal_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="adopted", standard__isnull=False)
                | (~Q(status="adopted") & Q(standard__isnull=True)),
                name="fees_proposal_adopted_has_standard",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {_places(self.amount)} {self.get_unit_display()}"

    @property
    def amount_text(self) -> str:
        return _places(self.amount)


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
