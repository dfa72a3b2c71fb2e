"""Per-estate ledgers (docs/DESIGN.md §4.4): append-only entries, hash-chained as §6 says.

A posted entry is never changed or deleted — not by ``save()``, not by a QuerySet, not by raw SQL (the
migration installs database triggers). A mistake is corrected by a reversing entry that names the entry it
corrects. Writes go through ``services.ledger_post`` / ``ledger_reverse`` only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core import append_only
from gongzhi.finance.rules import LedgerError


class LedgerKind(models.TextChoices):
    MAINTENANCE_FUND = "maintenance_fund", _("专项维修资金")
    PUBLIC_INCOME = "public_income", _("公共收益")
    PROPERTY_FEE = "property_fee", _("物业费收支")


class Direction(models.TextChoices):
    IN = "in", _("收入")
    OUT = "out", _("支出")


class AppendOnlyError(LedgerError, append_only.AppendOnlyError):
    """An attempt to change or delete a posted ledger entry (a ledger error the user is told of)."""


class LedgerEntryQuerySet(append_only.AppendOnlyQuerySet):
    def chain(self, estate_id: int, ledger: str) -> LedgerEntryQuerySet:
        return self.filter(estate_id=estate_id, ledger=ledger).order_by("seq")


class LedgerEntry(append_only.AppendOnlyModel):
    append_only_error = AppendOnlyError
    append_only_message = _("已入账的记录不能修改或删除；如有错误，请登记一笔冲正记录并写明原因。")

    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("小区")
    )
    # The estate's name when posted: part of the hashed entry, so a later rename cannot break the chain.
    estate_name = models.CharField(_("小区名称"), max_length=100)
    ledger = models.CharField(_("账本"), max_length=20, choices=LedgerKind.choices)
    seq = models.PositiveIntegerField(_("序号"))
    date = models.DateField(_("日期"))
    direction = models.CharField(_("收支"), max_length=3, choices=Direction.choices)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    balance = models.DecimalField(_("余额"), max_digits=16, decimal_places=2)
    summary = models.CharField(_("摘要"), max_length=200)
    category = models.CharField(_("类别"), max_length=50, blank=True)
    counterparty = models.CharField(_("对方单位"), max_length=100, blank=True)
    reference = models.CharField(_("依据文号"), max_length=100, blank=True, help_text=_("如业主大会决定编号"))
    project = models.CharField(_("项目"), max_length=100, blank=True)
    # A correction of a disclosed period names it ("2025-01-01/2025-06-30"); hashed as the extra field
    # ``corrects`` (§6), present in the entry's line only when set so older chains keep their hashes.
    corrects = models.CharField(_("更正的公示期间"), max_length=21, blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("冲正的记录"),
    )
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    posted_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("账目")
        verbose_name_plural = _("账目")
        ordering = ["estate_id", "ledger", "seq"]
        constraints = [
            # Two writers can never fork a chain: one entry per position and per predecessor.
            models.UniqueConstraint(fields=["estate", "ledger", "seq"], name="finance_entry_unique_seq"),
            models.UniqueConstraint(
                fields=["estate", "ledger", "prev_hash"], name="finance_entry_unique_prev_hash"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_entry_amount_positive"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="finance_entry_balance_not_negative"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="finance_entry_seq_from_one"),
            models.CheckConstraint(condition=Q(direction__in=["in", "out"]), name="finance_entry_direction"),
        ]

    def __str__(self) -> str:
        return f"{self.estate_name} {self.get_ledger_display()} #{self.seq}"


# ---- Disclosure schedule, disclosures, per-estate finance profile, fund-use evidence (§5) -------------


class FinanceProfile(models.Model):
    """Per-estate settings the money rules of docs/DESIGN.md §5 need. Absent → the defaults: the initial fund
    amount is the estate's first deposit (首期归集), and public income is not earmarked for the fund."""

    estate = models.OneToOneField(
        "registry.Estate", on_delete=models.CASCADE, related_name="finance_profile", verbose_name=_("小区")
    )
    initial_fund_amount = models.DecimalField(
        _("维修资金初始金额（元）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("留空则取首期归集的合计"),
    )
    income_tops_up_fund = models.BooleanField(
        _("公共收益主要用于补充维修资金"),
        default=False,
        help_text=_("按业主大会决定：每季度须将过半数的公共收益转入维修资金"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("小区财务设置")
        verbose_name_plural = _("小区财务设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(initial_fund_amount__isnull=True) | Q(initial_fund_amount__gt=0),
                name="finance_profile_initial_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.estate}"


class DisclosureSchedule(models.Model):
    """A tightened disclosure interval for one estate's ledger (only shorter than the legal default)."""

    estate = models.ForeignKey(
        "registry.Estate",
        on_delete=models.CASCADE,
        related_name="disclosure_schedules",
        verbose_name=_("小区"),
    )
    ledger = models.CharField(_("账本"), max_length=20, choices=LedgerKind.choices)
    interval_months = models.PositiveSmallIntegerField(_("公示周期（月）"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    set_at = models.DateTimeField(_("设置时间"), auto_now=True)

    class Meta:
        verbose_name = _("公示周期")
        verbose_name_plural = _("公示周期")
        constraints = [
            models.UniqueConstraint(fields=["estate", "ledger"], name="finance_schedule_one_per_ledger"),
            models.CheckConstraint(
                condition=Q(interval_months__gte=1, interval_months__lte=12), name="finance_schedule_interval"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.estate} {self.get_ledger_display()} {self.interval_months}"


class DisclosurePlace(models.TextChoices):
    BOARD = "board", _("公示栏")
    ONLINE = "online", _("线上")
    ASSEMBLY = "assembly", _("业主大会")


def disclosure_path(instance: Disclosure, filename: str) -> str:
    return (
        f"finance/disclosures/{instance.estate_id}/{instance.ledger}-{instance.period_end:%Y%m%d}-{filename}"
    )


def evidence_path(instance: FundUseEvidence, filename: str) -> str:
    return f"finance/evidence/{instance.entry.estate_id}/{instance.entry.seq}-{instance.kind}-{filename}"


class Disclosure(models.Model):
    """One disclosure of a ledger that was made (公示记录). Append-only in spirit: there is no edit or delete
    page; a mistake is corrected by recording a new disclosure."""

    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="disclosures", verbose_name=_("小区")
    )
    ledger = models.CharField(_("账本"), max_length=20, choices=LedgerKind.choices)
    period_start = models.DateField(_("公示期间起"))
    period_end = models.DateField(_("公示期间止"))
    posted_on = models.DateField(_("公示日期"))
    place = models.CharField(_("公示方式"), max_length=20, choices=DisclosurePlace.choices)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    attachment = models.FileField(_("附件"), upload_to=disclosure_path, blank=True, max_length=300)
    attachment_type = models.CharField(max_length=40, blank=True)  # application/pdf or image/jpeg
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公示记录")
        verbose_name_plural = _("公示记录")
        ordering = ["-period_end", "-pk"]
        indexes = [models.Index(fields=["estate", "ledger", "period_end"], name="finance_disclosure_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")), name="finance_disclosure_period"
            ),
            models.CheckConstraint(
                condition=Q(posted_on__gte=models.F("period_start")), name="finance_disclosure_posted_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.estate} {self.get_ledger_display()} {self.period_start}–{self.period_end}"


class EvidenceKind(models.TextChoices):
    PRICE_AUDIT = "price_audit", _("审价报告")
    DECISION = "decision", _("业主大会决定")
    ACCEPTANCE = "acceptance", _("验收报告")
    OTHER = "other", _("其他")


class FundUseEvidence(models.Model):
    """A document attached after the fact to a maintenance-fund use (entries are immutable, so evidence is
    a separate, append-only record). A use's alert clears once the evidence it lacks exists."""

    entry = models.ForeignKey(
        LedgerEntry, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("账目")
    )
    kind = models.CharField(_("材料类型"), max_length=20, choices=EvidenceKind.choices)
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=300)
    content_type = models.CharField(max_length=40)  # application/pdf or image/jpeg
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("维修资金使用材料")
        verbose_name_plural = _("维修资金使用材料")
        ordering = ["entry_id", "pk"]

    def __str__(self) -> str:
        return f"{self.entry} {self.get_kind_display()}"


class FinanceNotice(models.Model):
    """One notification already sent by ``gongzhi finance_check`` (its key names the overdue disclosure or
    the alert), so a daily run never repeats itself."""

    key = models.CharField(max_length=200, unique=True)
    estate = models.ForeignKey("registry.Estate", on_delete=models.CASCADE, related_name="+")
    recipients = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("财务提醒记录")
        verbose_name_plural = _("财务提醒记录")

    def __str__(self) -> str:
        return self.key
