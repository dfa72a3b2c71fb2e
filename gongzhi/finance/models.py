"""Per-estate ledgers (DESIGN.md §4.4): append-only entries, hash-chained as §6 says.

A posted entry is never changed or deleted — not by ``save()``, not by a QuerySet, not by raw SQL (the
migration installs database triggers). A mistake is corrected by a reversing entry that names the entry it
corrects. Writes go through ``services.ledger_post`` / ``ledger_reverse`` only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.finance.rules import LedgerError


class LedgerKind(models.TextChoices):
    MAINTENANCE_FUND = "maintenance_fund", _("专项维修资金")
    PUBLIC_INCOME = "public_income", _("公共收益")
    PROPERTY_FEE = "property_fee", _("物业费收支")


class Direction(models.TextChoices):
    IN = "in", _("收入")
    OUT = "out", _("支出")


class AppendOnlyError(LedgerError):
    """An attempt to change or delete a posted ledger entry."""


def _refuse() -> AppendOnlyError:
    return AppendOnlyError(_("已入账的记录不能修改或删除;如有错误,请登记一笔冲正记录并写明原因。"))


class LedgerEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise _refuse()

    def delete(self):
        raise _refuse()

    def chain(self, estate_id: int, ledger: str) -> LedgerEntryQuerySet:
        return self.filter(estate_id=estate_id, ledger=ledger).order_by("seq")


class LedgerEntry(models.Model):
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

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise _refuse()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise _refuse()
