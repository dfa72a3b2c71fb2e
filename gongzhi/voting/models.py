"""业主表决 — owners' decisions under Civil Code art. 278 (docs/DESIGN.md §4.5, §5, §6).

A decision is drafted, published (the electorate is frozen from the registry at that moment),
voted on inside its window, closed (the tally snapshot is stored), its preliminary result
published for an objection period (异议期公示) and then finalised.

Who voted is in ``Ballot`` (the current ballot per electorate owner) and ``BallotCast`` (every cast,
append-only, so a changed vote is auditable and replaces, never adds); how they voted is stored only
sealed with the application key (``voting.sealing``). The public ballot file is computed from the
counted result alone (``rules.anonymised_ballot_file``), so it cannot name anyone.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.append_only import AppendOnlyModel
from gongzhi.registry.models import AreaSource
from gongzhi.voting.sealing import unseal

# The explicit rule for an owner who uses more than one channel (shown on every decision page).
# The channel of an owner's first ballot locks the owner: online ballots are changed online by the
# owner only; paper/proxy ballots are changed only by the committee entering a newer signed form.
BALLOT_CHANNEL_RULE = _(
    "一户一票，以首次投票的方式为准：业主已在线投票的，业委会不能再为其录入纸质票或委托票，"
    "业主可在截止前在线改票（以最后一次为准）；已录入纸质票或委托票的，业主不能再在线投票，"
    "如需改票须重新提交书面表决票，由业委会录入（以最后录入的为准）。"
)

DEFAULT_OBJECTION_DAYS = 7  # 异议期公示 length; configurable per decision


class Matter(models.IntegerChoices):
    """The matters of Civil Code art. 278 (1)–(9)."""

    ASSEMBLY_RULES = 1, _("制定和修改业主大会议事规则")
    MANAGEMENT_STATUTE = 2, _("制定和修改管理规约")
    COMMITTEE = 3, _("选举业主委员会或者更换业主委员会成员")
    PROPERTY_SERVICE = 4, _("选聘和解聘物业服务企业或者其他管理人")
    USE_FUND = 5, _("使用建筑物及其附属设施的维修资金")
    RAISE_FUND = 6, _("筹集建筑物及其附属设施的维修资金")
    REBUILD = 7, _("改建、重建建筑物及其附属设施")
    CHANGE_USE = 8, _("改变共有部分的用途或者利用共有部分从事经营活动")
    OTHER = 9, _("有关共有和共同管理权利的其他重大事项")


# Matters (6)–(8) need 3/4 of the participants; all others more than half (Civil Code art. 278).
SUPERMAJORITY_MATTERS = frozenset({6, 7, 8})


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布（表决中）")
    CLOSED = "closed", _("已截止（已计票）")
    PRELIMINARY = "preliminary", _("结果公示（异议期）")
    FINAL = "final", _("最终结果")


class Choice(models.TextChoices):
    YES = "yes", _("同意")
    NO = "no", _("反对")
    ABSTAIN = "abstain", _("弃权")


class Channel(models.TextChoices):
    ONLINE = "online", _("网上投票")
    PAPER = "paper", _("纸质表决票")
    PROXY = "proxy", _("委托投票")


OFFLINE_CHANNELS = frozenset({Channel.PAPER, Channel.PROXY})


class DecisionQuerySet(models.QuerySet):
    def public(self) -> DecisionQuerySet:
        """Decisions residents and the public may see: everything but drafts."""
        return self.exclude(status=DecisionStatus.DRAFT)


class Decision(models.Model):
    """One owners' decision (业主共同决定事项) of one estate, or of some of its buildings."""

    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="decisions", verbose_name=_("小区")
    )
    buildings = models.ManyToManyField(
        "registry.Building",
        blank=True,
        related_name="decisions",
        verbose_name=_("涉及楼栋"),
        help_text=_(
            "只涉及部分楼栋的事项由这些楼栋的业主表决（《上海市住宅物业管理规定》第六十九条）；不选即全小区。"
        ),
    )
    title = models.CharField(_("表决事项名称"), max_length=120)
    matter = models.PositiveSmallIntegerField(
        _("事项类别（《民法典》第二百七十八条第一款）"), choices=Matter.choices
    )
    text = models.TextField(_("表决事项全文"))
    opens_at = models.DateTimeField(_("投票开始时间"))
    closes_at = models.DateTimeField(_("投票截止时间"))
    objection_days = models.PositiveSmallIntegerField(
        _("异议期天数"), default=DEFAULT_OBJECTION_DAYS, help_text=_("初步结果公示后接受异议的天数")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT, db_index=True
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("起草人"),
    )
    created_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    # The last "short of quorum" reminder sent (days before the close: 7, 3 or 1; rules.QUORUM_REMINDER_DAYS).
    quorum_reminded_days = models.PositiveSmallIntegerField(
        _("未达法定人数提醒（截止前天数）"), null=True, blank=True
    )
    closed_at = models.DateTimeField(_("计票时间"), null=True, blank=True)
    preliminary_at = models.DateTimeField(_("初步结果公示时间"), null=True, blank=True)
    objection_ends_at = models.DateTimeField(_("异议期截止"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("最终结果公布时间"), null=True, blank=True)

    # Frozen at publication (the electorate's totals and the thresholds that apply to this matter).
    total_area = models.DecimalField(
        _("总专有面积（m²）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    total_owners = models.PositiveIntegerField(_("业主总人数"), null=True, blank=True)
    total_units = models.PositiveIntegerField(_("房屋总套数"), null=True, blank=True)
    quorum_ratio = models.CharField(_("参与表决门槛"), max_length=10, blank=True)  # "2/3", inclusive (以上)
    approval_ratio = models.CharField(_("同意门槛"), max_length=10, blank=True)  # "3/4" or "1/2"
    approval_strict = models.BooleanField(_("同意须过半数（不含本数）"), default=False)

    # Stored at close: the outcome of rules.tally as plain JSON (exact strings, booleans).
    result = models.JSONField(_("计票结果"), null=True, blank=True)
    # Stored at close: the anonymised ballot file (rules.anonymised_ballot_file of the result), so every
    # download is the same file.
    ballot_file = models.JSONField(_("匿名表决票文件"), null=True, blank=True)
    passed = models.BooleanField(_("是否通过"), null=True, blank=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("表决事项")
        verbose_name_plural = _("表决事项")
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="decision_window_in_order",
                violation_error_message=_("投票截止时间必须晚于开始时间。"),
            ),
            models.CheckConstraint(
                condition=Q(matter__gte=1) & Q(matter__lte=9),
                name="decision_matter_known",
                violation_error_message=_(
                    "事项类别必须是《民法典》第二百七十八条第一款所列的第（一）至（九）项。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(objection_days__gte=1) & Q(objection_days__lte=60),
                name="decision_objection_days_range",
                violation_error_message=_("异议期天数应在 1 到 60 天之间。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open_at(self, moment) -> bool:
        return self.status == DecisionStatus.PUBLISHED and self.opens_at <= moment < self.closes_at

    @property
    def is_open(self) -> bool:
        return self.is_open_at(timezone.now())

    @property
    def has_result(self) -> bool:
        """The yes/no split may be shown (to anyone) only once the vote is closed and counted."""
        return self.status in {DecisionStatus.CLOSED, DecisionStatus.PRELIMINARY, DecisionStatus.FINAL}

    @property
    def result_is_public(self) -> bool:
        """The public page shows the result (figures, receipt look-up, ballot file) from the
        preliminary publication (异议期公示) on; the committee sees it from the close."""
        return self.status in {DecisionStatus.PRELIMINARY, DecisionStatus.FINAL}


def attachment_path(instance: DecisionAttachment, filename: str) -> str:
    return f"voting/{instance.decision_id}/attachments/{filename}"


class DecisionAttachment(models.Model):
    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("表决事项")
    )
    name = models.CharField(_("附件名称"), max_length=120)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=255)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("表决附件")
        verbose_name_plural = _("表决附件")
        ordering = ["decision", "pk"]

    def __str__(self) -> str:
        return self.name


class ElectorateOwner(models.Model):
    """One voter of one decision: a buyer (all their units in the electorate count as one owner, SPC
    interpretation art. 9), the developer (its unsold units together) or, for a unit whose owner the
    registry does not know, that unit on its own. Frozen at publication."""

    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, related_name="electorate_owners", verbose_name=_("表决事项")
    )
    owner = models.ForeignKey(
        "registry.Owner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("业主"),
    )
    key = models.CharField(_("业主标识"), max_length=60)  # registry ref, or "U<unit id>" without an owner
    name = models.CharField(_("业主姓名"), max_length=60)  # snapshot at publication
    is_developer = models.BooleanField(_("建设单位"), default=False)
    total_area = models.DecimalField(_("专有面积合计（m²）"), max_digits=12, decimal_places=2)
    unit_count = models.PositiveIntegerField(_("房屋套数"))
    pseudonym = models.CharField(_("匿名编号"), max_length=20)  # random, for the public ballot file only

    class Meta:
        verbose_name = _("表决业主")
        verbose_name_plural = _("表决业主")
        ordering = ["decision", "key"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "key"], name="electorate_owner_unique"),
            models.UniqueConstraint(
                fields=["decision", "pseudonym"], name="electorate_owner_pseudonym_unique"
            ),
            models.CheckConstraint(
                condition=Q(total_area__gt=Decimal("0")), name="electorate_owner_area_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ElectorateUnit(models.Model):
    """One unit of the frozen electorate with the area that counts and where that area came from."""

    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, related_name="electorate_units", verbose_name=_("表决事项")
    )
    voter = models.ForeignKey(
        ElectorateOwner, on_delete=models.CASCADE, related_name="units", verbose_name=_("表决业主")
    )
    unit = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("房屋")
    )
    building = models.ForeignKey(
        "registry.Building", on_delete=models.PROTECT, related_name="+", verbose_name=_("楼栋")
    )
    label = models.CharField(_("房屋"), max_length=80)  # "3号 201", snapshot at publication
    area = models.DecimalField(_("计票面积（m²）"), max_digits=9, decimal_places=2)
    area_basis = models.CharField(_("面积依据"), max_length=20, choices=AreaSource.choices)
    pseudonym = models.CharField(_("匿名编号"), max_length=20)

    class Meta:
        verbose_name = _("表决房屋")
        verbose_name_plural = _("表决房屋")
        ordering = ["decision", "building", "label"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "unit"], name="electorate_unit_unique"),
            models.UniqueConstraint(
                fields=["decision", "pseudonym"], name="electorate_unit_pseudonym_unique"
            ),
            models.CheckConstraint(condition=Q(area__gt=Decimal("0")), name="electorate_unit_area_positive"),
        ]

    def __str__(self) -> str:
        return self.label


class SealedChoice:
    """``choice`` of a Ballot or BallotCast, opened from its seal with the application key (the owner's
    own page and the close read it; no office page does)."""

    @property
    def choice(self) -> str:
        return unseal(
            decision_id=self.decision_id, voter_id=self.voter_id, receipt=self.receipt, sealed=self.seal
        )

    def get_choice_display(self) -> str:
        return str(Choice(self.choice).label)


def authorisation_path(instance, filename: str) -> str:
    return f"voting/{instance.decision_id}/proxy/{filename}"


class Ballot(SealedChoice, models.Model):
    """The current ballot of one electorate owner: at most one per owner and decision (a later cast
    replaces it). Secret while the vote is open: only the owner (and the tally) reads ``choice``."""

    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("表决事项")
    )
    voter = models.OneToOneField(
        ElectorateOwner, on_delete=models.CASCADE, related_name="ballot", verbose_name=_("表决业主")
    )
    # The choice, sealed (voting.sealing): readable only with the application key, never in the clear.
    seal = models.CharField(_("密封的表决意见"), max_length=64)
    channel = models.CharField(_("投票方式"), max_length=10, choices=Channel.choices)
    collector_name = models.CharField(_("收票人"), max_length=60, blank=True)
    proxy_name = models.CharField(_("受托人"), max_length=60, blank=True)
    authorisation = models.FileField(
        _("书面委托书"), upload_to=authorisation_path, max_length=255, blank=True
    )
    cast_at = models.DateTimeField(_("投票时间"))
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    receipt = models.CharField(_("回执码"), max_length=32, unique=True)
    casts = models.PositiveIntegerField(_("投票次数"), default=1)

    class Meta:
        verbose_name = _("表决票")
        verbose_name_plural = _("表决票")
        ordering = ["decision", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(channel="paper") | ~Q(collector_name=""),
                name="ballot_paper_has_collector",
                violation_error_message=_("纸质表决票必须填写收票人。"),
            ),
            models.CheckConstraint(
                condition=~Q(channel="proxy") | ~Q(authorisation=""),
                name="ballot_proxy_has_authorisation",
                violation_error_message=_("委托投票必须附书面委托书。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_id}/{self.voter_id}"


class BallotCast(SealedChoice, AppendOnlyModel):
    """Every cast ever made, in order (append-only): the audit trail of changed votes and the record a
    receipt is looked up in. A receipt whose cast is no longer the current ballot reads "replaced"."""

    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, related_name="casts", verbose_name=_("表决事项")
    )
    voter = models.ForeignKey(
        ElectorateOwner, on_delete=models.CASCADE, related_name="casts", verbose_name=_("表决业主")
    )
    seal = models.CharField(_("密封的表决意见"), max_length=64)  # as Ballot.seal
    channel = models.CharField(_("投票方式"), max_length=10, choices=Channel.choices)
    collector_name = models.CharField(_("收票人"), max_length=60, blank=True)
    proxy_name = models.CharField(_("受托人"), max_length=60, blank=True)
    authorisation = models.FileField(
        _("书面委托书"), upload_to=authorisation_path, max_length=255, blank=True
    )
    cast_at = models.DateTimeField(_("投票时间"))
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    receipt = models.CharField(_("回执码"), max_length=32, unique=True)

    append_only_message = "BallotCast rows are append-only"

    class Meta:
        verbose_name = _("投票记录")
        verbose_name_plural = _("投票记录")
        ordering = ["decision", "pk"]

    def __str__(self) -> str:
        return self.receipt
