"""公示本: what an estate's disclosure book holds beyond the ledgers, fees and registry (docs/DESIGN.md §4.4; the
seed's Yuntai-2 list) — major matters, the owners' rules and the company's four services."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MajorMatter(models.Model):
    """A major matter of the estate (重大事项), posted by the owners' committee or the street."""

    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="major_matters", verbose_name=_("小区")
    )
    date = models.DateField(_("日期"))
    title = models.CharField(_("事项"), max_length=100)
    body = models.TextField(_("内容"), max_length=2000, blank=True)
    reference = models.CharField(_("决定文号"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("重大事项")
        verbose_name_plural = _("重大事项")
        ordering = ["estate_id", "-date", "-pk"]

    def __str__(self) -> str:
        return self.title


class RulesKind(models.TextChoices):
    MANAGEMENT_STATUTE = "management_statute", _("管理规约")
    ASSEMBLY_RULES = "assembly_rules", _("业主大会议事规则")


class EstateRules(models.Model):
    """One adopted version of the estate's rules; a later adoption supersedes it (versions are kept)."""

    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="rules_documents", verbose_name=_("小区")
    )
    kind = models.CharField(_("文本"), max_length=30, choices=RulesKind.choices)
    adopted_on = models.DateField(_("通过日期"))
    summary = models.TextField(_("要点"), max_length=2000)
    text = models.TextField(_("全文"), max_length=50000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("业主规约文本")
        verbose_name_plural = _("业主规约文本")
        ordering = ["estate_id", "kind", "-adopted_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "kind", "adopted_on"], name="disclosure_rules_one_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}({self.adopted_on:%Y-%m-%d})"


class Service(models.TextChoices):
    CLEANING = "cleaning", _("保洁")
    GREENING = "greening", _("保绿")
    SECURITY = "security", _("保安")
    REPAIR = "repair", _("保修")


class ServiceContent(models.Model):
    """What the company promises for one of the four services: standard, staffing, hours."""

    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="service_contents", verbose_name=_("小区")
    )
    service = models.CharField(_("服务"), max_length=20, choices=Service.choices)
    standard = models.TextField(_("服务标准"), max_length=1000)
    staffing = models.PositiveSmallIntegerField(_("人员配置（人）"))
    hours = models.CharField(_("服务时间"), max_length=100)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("四保服务内容")
        verbose_name_plural = _("四保服务内容")
        ordering = ["estate_id", "service"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "service"], name="disclosure_service_one_per_estate"),
            models.CheckConstraint(
                condition=Q(service__in=["cleaning", "greening", "security", "repair"]),
                name="disclosure_service_known",
            ),
        ]

    def __str__(self) -> str:
        return self.get_service_display()
