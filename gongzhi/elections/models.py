"""人选把关 — owners'-committee election slates, their candidates, the art. 20 exclusion checks and
the review history (docs/DESIGN.md §4.6, §5)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.elections import rules


class ElectionTargets(models.Model):
    """A street's policy targets for slates (the seed's 55 % / 40 %); not law, so configurable."""

    street = models.OneToOneField(
        "registry.Street", on_delete=models.CASCADE, related_name="election_targets", verbose_name=_("街道")
    )
    party_share = models.DecimalField(
        _("党员占比目标（%）"), max_digits=5, decimal_places=2, default=rules.DEFAULT_PARTY_TARGET
    )
    cross_share = models.DecimalField(
        _("交叉任职占比目标（%）"), max_digits=5, decimal_places=2, default=rules.DEFAULT_CROSS_TARGET
    )

    class Meta:
        verbose_name = _("人选把关目标")
        verbose_name_plural = _("人选把关目标")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    party_share__gte=0, party_share__lte=100, cross_share__gte=0, cross_share__lte=100
                ),
                name="election_targets_percent",
                violation_error_message=_("目标比例应在 0 到 100 之间。"),
            )
        ]

    def __str__(self) -> str:
        return str(self.street)


class SlateStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待领导小组审核")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已通过")


class Slate(models.Model):
    """The candidate list for one owners'-committee election of one estate."""

    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="slates", verbose_name=_("小区")
    )
    election_date = models.DateField(_("选举日期"))
    planned_size = models.PositiveSmallIntegerField(_("拟设委员人数"))
    status = models.CharField(
        _("状态"), max_length=20, choices=SlateStatus.choices, default=SlateStatus.DRAFT
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_comment = models.CharField(_("审核意见"), max_length=500, blank=True)
    # The registry's committee this slate became after the owners' election vote
    # (services.committee_install_from_election); the vote itself is on the committee (election_vote).
    committee = models.OneToOneField(
        "registry.OwnersCommittee",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("产生的业委会"),
    )

    class Meta:
        verbose_name = _("业委会换届人选")
        verbose_name_plural = _("业委会换届人选")
        ordering = ["-election_date", "estate__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_size__gte=1),
                name="slate_size_positive",
                violation_error_message=_("人数至少为 1。"),
            )
        ]

    def __str__(self) -> str:
        return _("%(estate)s业委会换届（%(date)s）") % {
            "estate": self.estate.name,
            "date": self.election_date,
        }


class Candidate(models.Model):
    slate = models.ForeignKey(
        Slate, on_delete=models.CASCADE, related_name="candidates", verbose_name=_("换届")
    )
    name = models.CharField(_("姓名"), max_length=60)
    owner = models.ForeignKey(
        "registry.Owner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("业主"),
    )
    unit = models.ForeignKey(
        "registry.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("房屋"),
    )
    is_party_member = models.BooleanField(_("党员"), default=False)
    is_cross_appointed = models.BooleanField(_("与居委会交叉任职"), default=False)

    class Meta:
        verbose_name = _("候选人")
        verbose_name_plural = _("候选人")
        ordering = ["slate", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slate", "name"],
                name="candidate_unique_in_slate",
                violation_error_message=_("该名单已有同名候选人。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class CheckKind(models.TextChoices):
    UNPAID_FEES = rules.CHECK_UNPAID_FEES, _("欠缴物业费")
    ILLEGAL_CONSTRUCTION = rules.CHECK_ILLEGAL_CONSTRUCTION, _("违法搭建")
    CLOSE_RELATIVE = rules.CHECK_CLOSE_RELATIVE, _("近亲属在本小区物业公司任职")


class CheckOutcome(models.TextChoices):
    CLEAR = rules.CLEAR, _("无此情形")
    FOUND = rules.FOUND, _("有此情形")


class CheckBasis(models.TextChoices):
    REGISTRY = "registry", _("台账核对")
    DECLARED = "declared", _("本人声明并签字")


class CandidateCheck(models.Model):
    """One art. 20 exclusion check of one candidate: its outcome, on what basis, who signed and when."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(_("核查事项"), max_length=30, choices=CheckKind.choices)
    outcome = models.CharField(_("核查结果"), max_length=10, choices=CheckOutcome.choices)
    basis = models.CharField(_("核查方式"), max_length=10, choices=CheckBasis.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("签字人")
    )
    signed_at = models.DateTimeField(_("签字时间"))

    class Meta:
        verbose_name = _("资格核查")
        verbose_name_plural = _("资格核查")
        constraints = [
            models.UniqueConstraint(fields=["candidate", "kind"], name="candidate_check_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} · {self.get_kind_display()}"


class SlateEvent(models.Model):
    """The slate's status history (also in the audit trail)."""

    class Action(models.TextChoices):
        CREATE = "create", _("录入")
        EDIT = "edit", _("修改")
        SUBMIT = "submit", _("报送审核")
        APPROVE = "approve", _("审核通过")
        RETURN = "return", _("退回")
        INSTALL = "install", _("选举产生业委会并备案")

    slate = models.ForeignKey(Slate, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    comment = models.CharField(_("意见"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.slate_id} {self.action}"
