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
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.append_only import AppendOnlyModel
from gongzhi.fees.rules import collection_rate, percent


class FeeKind(models.TextChoices):
    PROPERTY_RESIDENTIAL = "property_residential", _("住宅物业费")
    PROPERTY_NON_RESIDENTIAL = "property_non_residential", _("非住宅物业费")
    PARKING_MONTHLY = "parking_monthly", _("停车费（月租）")
    PARKING_HOURLY = "parking_hourly", _("临时停车（按小时）")
    PARKING_PER_TIME = "parking_per_time", _("临时停车（按次）")
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
    amount_billed = models.DecimalField(_("应收金额（元）"), max_digits=14, decimal_places=2)
    amount_collected = models.DecimalField(_("实收金额（元）"), max_digits=14, decimal_places=2)
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


# ---- quality before price (先质后价): the street's gate rule, the fee-adjustment intent and its checks -------


class GateRule(models.Model):
    """The street's thresholds for the quality gate (docs/FEES.md §4). One row per street; while a street has
    none the platform's defaults (``rules.GateSettings``) apply."""

    street = models.OneToOneField(
        "registry.Street", on_delete=models.CASCADE, related_name="fee_gate_rule", verbose_name=_("街道")
    )
    min_score = models.DecimalField(
        _("最近一次测评综合得分不低于"), max_digits=5, decimal_places=2, default=Decimal(80)
    )
    disclosure_months = models.PositiveSmallIntegerField(_("物业费收支连续公示月数"), default=12)
    meeting_within_days = models.PositiveSmallIntegerField(_("年度议价会议间隔（天）"), default=365)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("质量门槛规则")
        verbose_name_plural = _("质量门槛规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_score__gte=0) & Q(min_score__lte=100), name="fees_gate_score_0_100"
            ),
            models.CheckConstraint(
                condition=Q(disclosure_months__gte=1) & Q(disclosure_months__lte=36),
                name="fees_gate_months_1_36",
            ),
            models.CheckConstraint(
                condition=Q(meeting_within_days__gte=30) & Q(meeting_within_days__lte=730),
                name="fees_gate_days_30_730",
            ),
        ]

    def __str__(self) -> str:
        return str(self.street)


class IntentStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    GATE = "gate", _("质量门槛")
    MEETING = "meeting", _("议价会议")
    VOTE = "vote", _("业主表决")
    EFFECTIVE = "effective", _("已生效")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


class IntentSide(models.TextChoices):
    COMMITTEE = "committee", _("业委会")
    COMPANY = "company", _("物业服务企业")
    STREET = "street", _("街道")


class MeetingOutcome(models.TextChoices):
    AGREED = "agreed", _("达成一致")
    NO_AGREEMENT = "no_agreement", _("未达成一致")


def _money(label):
    return models.DecimalField(label, max_digits=14, decimal_places=2, default=Decimal(0))


def _heads(label):
    return models.DecimalField(label, max_digits=6, decimal_places=1, default=Decimal(0))


class FeeIntent(models.Model):
    """调价意向: an owners' committee or the managing company asks to change the residential property fee of an
    estate, with its reasons and the company's cost account (docs/FEES.md §5). It passes the quality gate
    (先质后价), the annual price-negotiation meeting (a ``branchwork.Meeting`` of kind 议价会议) and an owners'
    decision (art. 278 matter 4); a passed decision sets the standard through ``fee_standard_create``."""

    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="fee_intents", verbose_name=_("小区")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=IntentStatus.choices, default=IntentStatus.DRAFT, db_index=True
    )
    opened_as = models.CharField(_("提出方"), max_length=20, choices=IntentSide.choices)
    label = models.CharField(_("细目"), max_length=60, blank=True)
    current_amount = models.DecimalField(
        _("现行标准"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    proposed_amount = models.DecimalField(_("拟调整标准（元/m²/月）"), max_digits=12, decimal_places=4)
    effective_from = models.DateField(_("拟执行日期"))
    reasons = models.TextField(_("调价理由"), max_length=3000)
    # The cost account (成本测算), yuan a year; headcounts of the four services' staff.
    area = models.DecimalField(_("收费面积（m²）"), max_digits=12, decimal_places=2, null=True, blank=True)
    income_basis = models.DecimalField(
        _("年度物业费应收收入（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    collection_basis = models.DecimalField(
        _("测算依据的收缴率（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    staff_cleaning = _money(_("保洁人员费用"))
    staff_greening = _money(_("保绿人员费用"))
    staff_security = _money(_("保安人员费用"))
    staff_repair = _money(_("保修人员费用"))
    heads_cleaning = _heads(_("保洁人数"))
    heads_greening = _heads(_("保绿人数"))
    heads_security = _heads(_("保安人数"))
    heads_repair = _heads(_("保修人数"))
    materials = _money(_("物料消耗"))
    energy = _money(_("公共能耗"))
    management = _money(_("管理费用"))
    other_cost = _money(_("其他费用"))
    # The price meeting: the branch's meeting record, the committee's position and the outcome.
    meeting = models.ForeignKey(
        "branchwork.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fee_intents",
        verbose_name=_("议价会议"),
    )
    committee_position = models.TextField(_("业委会意见"), max_length=3000, blank=True)
    outcome = models.CharField(_("议价结果"), max_length=20, choices=MeetingOutcome.choices, blank=True)
    agreed_amount = models.DecimalField(
        _("议定标准（元/m²/月）"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    outcome_note = models.TextField(_("议价说明"), max_length=3000, blank=True)
    proposal = models.OneToOneField(
        FeeProposal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intent",
        verbose_name=_("议定的收费标准建议"),
    )
    decision = models.OneToOneField(
        "voting.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fee_intent",
        verbose_name=_("业主表决事项"),
    )
    standard = models.OneToOneField(
        FeeStandard,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intent",
        verbose_name=_("生效的收费标准"),
    )
    closing_reason = models.TextField(_("撤回或未通过的理由"), max_length=1000, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("调价意向")
        verbose_name_plural = _("调价意向")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(proposed_amount__gt=0), name="fees_intent_amount_positive"),
            models.CheckConstraint(
                condition=Q(collection_basis__isnull=True)
                | (Q(collection_basis__gt=0) & Q(collection_basis__lte=100)),
                name="fees_intent_collection_0_100",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="agreed") | Q(agreed_amount__isnull=False),
                name="fees_intent_agreed_has_amount",
            ),
            models.CheckConstraint(
                condition=~Q(status="effective") | Q(standard__isnull=False),
                name="fees_intent_effective_has_standard",
            ),
            models.CheckConstraint(
                condition=~Q(status="vote") | Q(decision__isnull=False), name="fees_intent_vote_has_decision"
            ),
            # one open intent at a time per estate
            models.UniqueConstraint(
                fields=["estate"],
                condition=Q(status__in=["draft", "submitted", "gate", "meeting", "vote"]),
                name="fees_intent_one_open_per_estate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.estate} {_places(self.proposed_amount)}"

    @property
    def proposed_text(self) -> str:
        return _places(self.proposed_amount)

    @property
    def is_open(self) -> bool:
        return self.status in {"draft", "submitted", "gate", "meeting", "vote"}


class GateCheck(models.Model):
    """One check of the quality gate for an intent: the four conditions as they stood, with their evidence
    and the thresholds applied. Never edited: a later check is a new row."""

    intent = models.ForeignKey(FeeIntent, on_delete=models.CASCADE, related_name="gate_checks")
    checked_on = models.DateField(_("核查日期"))
    checked_at = models.DateTimeField(_("核查时间"), default=timezone.now)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    open = models.BooleanField(_("门槛已满足"))
    conditions = models.JSONField(_("各项条件"), default=list)
    settings = models.JSONField(_("适用的门槛"), default=dict)

    class Meta:
        verbose_name = _("质量门槛核查")
        verbose_name_plural = _("质量门槛核查")
        ordering = ["-checked_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.intent_id} {self.checked_on}"


# ---- initiative (主动提升): a company that improved its four services or disclosed its service items before it
# was asked (issue 14; the seed counts 15) -------------------------------------------------------------------


class InitiativeKind(models.TextChoices):
    IMPROVED = "improved", _("主动提升四保服务")
    DISCLOSED = "disclosed", _("主动公开服务事项")


class Initiative(models.Model):
    """A recorded fact: the company did this of its own accord, on this day, shown by this evidence. It counts as
    initiative only when it came before the street asked for it (``asked_on`` empty or later:
    ``rules.is_initiative``); the street admin records it (docs/FEES.md §10)."""

    company = models.ForeignKey(
        "registry.Company",
        on_delete=models.PROTECT,
        related_name="initiatives",
        verbose_name=_("物业服务企业"),
    )
    estate = models.ForeignKey(
        "registry.Estate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("小区"),
    )
    kind = models.CharField(_("类别"), max_length=20, choices=InitiativeKind.choices)
    done_on = models.DateField(_("日期"))
    asked_on = models.DateField(
        _("街道提出要求的日期"), null=True, blank=True, help_text=_("街道未提出要求的留空")
    )
    summary = models.CharField(_("做了什么"), max_length=200)
    evidence = models.TextField(_("佐证"), max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("主动提升记录")
        verbose_name_plural = _("主动提升记录")
        ordering = ["-done_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(evidence=""), name="fees_initiative_has_evidence"),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.done_on}"

    @property
    def counts(self) -> bool:
        from gongzhi.fees.rules import is_initiative

        return is_initiative(self.done_on, self.asked_on)


# ---- the four services standard by service level (四保标准, docs/FEES.md §9) ------------------------------------


class ServiceKind(models.TextChoices):
    # the four services, with the codes of disclosure.Service, problems' categories and the survey's categories
    CLEANING = "cleaning", _("保洁")
    GREENING = "greening", _("保绿")
    SECURITY = "security", _("保安")
    REPAIR = "repair", _("保修")


class ServiceLevel(models.TextChoices):
    # the text the registry keeps on a contract (Contract.service_level)
    L1 = "一级", _("一级")
    L2 = "二级", _("二级")
    L3 = "三级", _("三级")
    L4 = "四级", _("四级")
    L5 = "五级", _("五级")


class Measure(models.TextChoices):
    FREQUENCY = "frequency", _("频次")
    STAFFING = "staffing", _("人员配置")
    RESPONSE = "response", _("响应时间")


class StandardItem(models.Model):
    """One item of the street's four-services standard at one service level: what is measured, the requirement
    and its unit. Items keep one ``code`` across levels (BJ-01 at 一级 and at 五级 are the same item, with
    different requirements); the company's commitment, inspections and the survey refer to the code. A
    response time is met at or below the requirement, a frequency or a staffing at or above it."""

    street = models.ForeignKey(
        "registry.Street", on_delete=models.CASCADE, related_name="service_standard", verbose_name=_("街道")
    )
    service = models.CharField(_("服务"), max_length=20, choices=ServiceKind.choices)
    level = models.CharField(_("服务等级"), max_length=10, choices=ServiceLevel.choices)
    code = models.CharField(_("编号"), max_length=12)
    title = models.CharField(_("项目"), max_length=100)
    measure = models.CharField(_("衡量"), max_length=20, choices=Measure.choices)
    required = models.DecimalField(_("要求"), max_digits=8, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=20)

    class Meta:
        verbose_name = _("四保标准项目")
        verbose_name_plural = _("四保标准项目")
        ordering = ["street", "level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["street", "level", "code"], name="fees_standard_item_unique"),
            models.CheckConstraint(condition=Q(required__gt=0), name="fees_standard_item_required_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ServiceCommitment(models.Model):
    """The company's published commitment for one standard item at one estate (its service promise, item by
    item; the free-text ServiceContent of the disclosure book stays the wording)."""

    estate = models.ForeignKey(
        "registry.Estate",
        on_delete=models.PROTECT,
        related_name="service_commitments",
        verbose_name=_("小区"),
    )
    code = models.CharField(_("编号"), max_length=12)
    value = models.DecimalField(_("承诺"), max_digits=8, decimal_places=2)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("四保服务承诺")
        verbose_name_plural = _("四保服务承诺")
        ordering = ["estate", "code"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "code"], name="fees_commitment_one_per_item"),
            models.CheckConstraint(condition=Q(value__gte=0), name="fees_commitment_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.estate_id} {self.code}"
