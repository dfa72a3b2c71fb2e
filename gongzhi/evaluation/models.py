"""Evaluation and ranking (测评与排名; docs/DESIGN.md §4.3, issue 6).

- A **survey template** (the four services 保洁 保绿 保安 保修, optionally 服务态度 / 公开透明) holds
  weighted categories and weighted items; once a campaign has opened on it, it is frozen (a change
  makes a new version).
- A **campaign** runs a template over chosen estates for a period and combines four components
  with weights the street sets: resident survey, third-party inspection, branch assessment
  (参与考核权) and the problem tracker (overdue / reopened problems).
- Residents answer with a **single-use household code** (letters printed by the committee) or,
  logged in, for their own unit. One household, one response: ``HouseholdSubmission`` carries a
  unique (campaign, unit) constraint; the answers wait, sealed, in the estate's ``BallotBox``.
- **Responses are anonymous by construction**: ``SurveyResponse`` and ``SurveyAnswer`` have random
  UUID keys, no timestamp, and no reference to the code, the unit or the user; they enter only as a
  shuffled batch of at least k ballots (or at close), never in the transaction, order or time of a
  household's marker. ``test_anonymity.py`` and ``test_ballot_box.py`` prove it.
- ``ScoreSnapshot`` rows hold the recomputed scores (rules.py does the statistics).
- An **elimination campaign** (末尾淘汰) moves bottom-N companies through fault-finding (找茬),
  rectification, re-evaluation, the bottom-M proposal and the leadership group's decision, with
  every step in ``EliminationEvent``; **awards** (争优评比) honour the best.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.registry.models import Company, Contract, Estate, OwnersCommittee, Street, Unit

# ---- survey templates ---------------------------------------------------------------------------------


class CategoryCode(models.TextChoices):
    CLEANING = "cleaning", _("保洁")
    GREENING = "greening", _("保绿")
    SECURITY = "security", _("保安")
    REPAIR = "repair", _("保修")
    ATTITUDE = "attitude", _("服务态度")
    TRANSPARENCY = "transparency", _("公开透明")


class SurveyTemplate(models.Model):
    """A questionnaire: weighted categories of weighted items, answered on a 1..scale_max scale."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="survey_templates")
    name = models.CharField(_("问卷名称"), max_length=80)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    scale_max = models.PositiveSmallIntegerField(
        _("评分档数"), default=5, help_text=_("每题 1 至该分值（5 分制或 10 分制）")
    )
    description = models.CharField(_("说明"), max_length=300, blank=True)
    frozen = models.BooleanField(
        _("已启用（锁定）"), default=False, help_text=_("已被测评活动使用，不能再修改")
    )
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("上一版本")
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("测评问卷")
        verbose_name_plural = _("测评问卷")
        ordering = ["street", "name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "name", "version"],
                name="survey_template_version_unique",
                violation_error_message=_("本街道已有同名同版本的问卷。"),
            ),
            models.CheckConstraint(
                condition=Q(scale_max__gte=2) & Q(scale_max__lte=10),
                name="survey_template_scale_range",
                violation_error_message=_("评分档数应在 2 到 10 之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class SurveyCategory(models.Model):
    """A category of the template; category weights are percentages summing to 100."""

    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="categories")
    code = models.CharField(_("类别"), max_length=20, choices=CategoryCode.choices)
    name = models.CharField(_("名称"), max_length=30)
    weight = models.DecimalField(_("权重（%）"), max_digits=5, decimal_places=2)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("问卷类别")
        verbose_name_plural = _("问卷类别")
        ordering = ["template", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "code"],
                name="survey_category_code_unique",
                violation_error_message=_("同一问卷中类别不能重复。"),
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=Decimal("0")) & Q(weight__lte=Decimal("100")),
                name="survey_category_weight_range",
                violation_error_message=_("类别权重应大于 0 且不超过 100。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SurveyItem(models.Model):
    """One question. Item weights are relative within their category (normalised when scoring)."""

    category = models.ForeignKey(SurveyCategory, on_delete=models.CASCADE, related_name="items")
    text = models.CharField(_("题目"), max_length=120)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2, default=Decimal("1"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    # The four-services standard item the question asks residents about (fees.StandardItem.code, e.g. BJ-01),
    # so that the survey, the inspection and the company's commitment mean the same thing (issue 14).
    standard_code = models.CharField(_("四保标准编号"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("问卷题目")
        verbose_name_plural = _("问卷题目")
        ordering = ["category__sort_order", "sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gt=Decimal("0")),
                name="survey_item_weight_positive",
                violation_error_message=_("题目权重必须大于 0。"),
            ),
        ]

    def __str__(self) -> str:
        return self.text


# ---- campaigns ----------------------------------------------------------------------------------------


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class Campaign(models.Model):
    """A survey round over chosen estates, with the street's weights for the composite score."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="evaluation_campaigns")
    template = models.ForeignKey(
        SurveyTemplate, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("问卷")
    )
    name = models.CharField(_("活动名称"), max_length=80)
    period_start = models.DateField(_("考核期开始"))
    period_end = models.DateField(_("考核期结束"))
    opens_on = models.DateField(_("开始答卷"))
    closes_on = models.DateField(_("截止答卷"))
    status = models.CharField(
        _("状态"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT, db_index=True
    )
    weight_survey = models.DecimalField(_("居民测评权重（%）"), max_digits=5, decimal_places=2, default=60)
    weight_inspection = models.DecimalField(
        _("第三方检查权重（%）"), max_digits=5, decimal_places=2, default=20
    )
    weight_branch = models.DecimalField(_("支部考核权重（%）"), max_digits=5, decimal_places=2, default=10)
    weight_problems = models.DecimalField(_("问题整改权重（%）"), max_digits=5, decimal_places=2, default=10)
    estates = models.ManyToManyField(Estate, through="CampaignEstate", related_name="evaluation_campaigns")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    recomputed_at = models.DateTimeField(_("最近计算时间"), null=True, blank=True)
    # Street-level statistics of the last recompute (street mean, k, variances): the drill-down shows them.
    statistics = models.JSONField(_("统计参数"), default=dict, blank=True)

    class Meta:
        verbose_name = _("测评活动")
        verbose_name_plural = _("测评活动")
        ordering = ["street", "-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="campaign_period_in_order",
                violation_error_message=_("考核期结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")),
                name="campaign_window_in_order",
                violation_error_message=_("截止答卷日期不能早于开始答卷日期。"),
            ),
            models.CheckConstraint(
                condition=Q(weight_survey__gte=0)
                & Q(weight_inspection__gte=0)
                & Q(weight_branch__gte=0)
                & Q(weight_problems__gte=0),
                name="campaign_weights_not_negative",
                violation_error_message=_("各项权重不能为负数。"),
            ),
            # The sum of 100 % is checked by the service (exact Decimal); SQLite compares decimals as floats.
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def accepts_responses(self) -> bool:
        return self.status == CampaignStatus.OPEN

    @property
    def component_weights(self) -> dict[str, Decimal]:
        return {
            "survey": self.weight_survey,
            "inspection": self.weight_inspection,
            "branch": self.weight_branch,
            "problems": self.weight_problems,
        }


class CampaignEstate(models.Model):
    """An estate in a campaign; ``households`` is frozen when the campaign opens (response-rate base)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="campaign_estates")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    households = models.PositiveIntegerField(_("户数"), default=0)

    class Meta:
        verbose_name = _("参评小区")
        verbose_name_plural = _("参评小区")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "estate"], name="campaign_estate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.estate}"


# ---- household access and anonymous responses ---------------------------------------------------------


class AccessCode(models.Model):
    """A household's single-use survey code. Only a hash is stored; the plaintext is printed once.

    Deliberately no ``used_at`` and no link to the response: the code knows its household, so it
    must not know (or time-stamp) the answer."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="access_codes")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    code_hash = models.CharField(_("编码摘要"), max_length=64, unique=True)
    batch = models.PositiveIntegerField(_("批次"), default=1)
    issued_on = models.DateField(_("发放日期"), default=timezone.localdate)
    used = models.BooleanField(_("已使用"), default=False)
    revoked = models.BooleanField(_("已作废"), default=False)

    class Meta:
        verbose_name = _("住户测评码")
        verbose_name_plural = _("住户测评码")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit"],
                condition=Q(revoked=False),
                name="access_code_one_live_per_unit",
                violation_error_message=_("该户已有有效的测评码。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.unit}"


class HouseholdSubmission(models.Model):
    """Marker "this household has answered this campaign" — the one-household-one-response lock.

    Inserted by code or by a logged-in owner, with the ballot going into the estate's box; the unique
    constraint makes a second (or concurrent) submission fail in the database. It carries no
    timestamp and no reference to the ballot or the response, and its key is random."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("住户已答标记")
        verbose_name_plural = _("住户已答标记")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit"],
                name="household_submission_once",
                violation_error_message=_("该户已参加本次测评。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.unit_id}"


class BallotBox(models.Model):
    """The ballot box of one estate in a campaign: answers waiting to enter the scored tables.

    A submission writes its household marker and drops its ballot here at a random position; the
    ballots leave only as one shuffled batch of at least k (or all at close), so neither a row
    order nor a time nor a transaction pairs a scored response with a marker (docs/EVALUATION.md §5).
    One row per estate, rewritten in place: no time, no household, a random key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    # [{"score": "62.5000", "answers": [[item id, 1..10 or null], …]}, …] in random order.
    ballots = models.JSONField(_("待入账答卷"), default=list, blank=True)

    class Meta:
        verbose_name = _("答卷箱")
        verbose_name_plural = _("答卷箱")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "estate"], name="ballot_box_one_per_estate"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.estate_id}"


class SurveyResponse(models.Model):
    """One household's answers — anonymous by construction (see module docstring).

    ``score`` is the response's weighted score on 0–100 computed at submission from the frozen
    template, so the recompute aggregates one number per response in the database."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No single-column index on campaign / response: the composite indexes below start with them.
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses", db_index=False)
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("得分（0–100）"), max_digits=7, decimal_places=4)

    class Meta:
        verbose_name = _("测评答卷")
        verbose_name_plural = _("测评答卷")
        indexes = [models.Index(fields=["campaign", "estate"], name="survey_response_camp_est_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100),
                name="survey_response_score_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.score)


class SurveyAnswer(models.Model):
    """One item's score in a response (``score`` null = "不了解", left out of the means).

    Campaign, estate and category are copied from the response/item so the recompute groups one
    table in the database."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(
        SurveyResponse, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+", db_index=False)
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(SurveyCategory, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(SurveyItem, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)

    class Meta:
        verbose_name = _("测评答案")
        verbose_name_plural = _("测评答案")
        indexes = [models.Index(fields=["campaign", "estate", "category"], name="survey_answer_group_idx")]
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="survey_answer_once_per_item"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=1) & Q(score__lte=10)),
                name="survey_answer_score_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.score)


# ---- inspections and branch assessments --------------------------------------------------------------


class Inspection(models.Model):
    """A third-party evaluator's checklist inspection of one estate; ``score`` is 0–100."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="inspections")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("测评员")
    )
    inspected_on = models.DateField(_("检查日期"))
    score = models.DecimalField(_("得分（0–100）"), max_digits=6, decimal_places=2)
    note = models.TextField(_("检查意见"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("第三方检查")
        verbose_name_plural = _("第三方检查")
        ordering = ["-inspected_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100),
                name="inspection_score_range",
                violation_error_message=_("检查得分应在 0 到 100 之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.estate} · {self.inspected_on}"


class InspectionItem(models.Model):
    """One checklist line: what was checked, the points given out of the points available."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="items")
    category = models.CharField(_("类别"), max_length=20, choices=CategoryCode.choices)
    label = models.CharField(_("检查项"), max_length=120)
    # The four-services standard item this line checks (fees.StandardItem.code), blank for other lines.
    standard_code = models.CharField(_("四保标准编号"), max_length=12, blank=True)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    max_score = models.DecimalField(_("满分"), max_digits=6, decimal_places=2)
    remark = models.CharField(_("扣分说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        ordering = ["inspection", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_score__gt=0) & Q(score__gte=0) & Q(score__lte=F("max_score")),
                name="inspection_item_score_range",
                violation_error_message=_("检查项得分应在 0 到满分之间。"),
            ),
        ]

    def __str__(self) -> str:
        return self.label


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to="evaluation/inspections/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("检查照片")
        verbose_name_plural = _("检查照片")

    def __str__(self) -> str:
        return self.image.name


class BranchAssessment(models.Model):
    """The area's joint party branch scores the company serving an estate (参与考核权), 0–100."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="branch_assessments")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("考核得分（0–100）"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("考核意见"), max_length=2000, blank=True)
    assessed_at = models.DateTimeField(_("考核时间"), default=timezone.now)

    class Meta:
        verbose_name = _("支部考核")
        verbose_name_plural = _("支部考核")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "estate"],
                name="branch_assessment_once_per_estate",
                violation_error_message=_("该小区本次测评已有支部考核。"),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100),
                name="branch_assessment_score_range",
                violation_error_message=_("考核得分应在 0 到 100 之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.estate} · {self.score}"


# ---- scores -------------------------------------------------------------------------------------------


class ScoreKind(models.TextChoices):
    ESTATE = "estate", _("小区")
    COMPANY = "company", _("物业公司")


class ScoreClass(models.TextChoices):
    # The top class is a candidate list for the leadership group, not the title: a company becomes a
    # benchmark (标杆) only when the group names it (``Benchmark``; issue 14).
    BENCHMARK = "benchmark", _("标杆候选")
    KEEP = "keep", _("保持")
    IMPROVE = "improve", _("提升")
    ELIMINATION = "elimination", _("末位候选")


class ScoreSnapshot(models.Model):
    """The recomputed score of one estate or one company in a campaign (rules.py explains each field)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="snapshots")
    kind = models.CharField(_("对象"), max_length=10, choices=ScoreKind.choices)
    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    households = models.PositiveIntegerField(_("户数"), default=0)
    estates_count = models.PositiveIntegerField(_("小区数"), default=0)
    responses = models.PositiveIntegerField(_("答卷数"), default=0)
    response_rate = models.DecimalField(_("参与率"), max_digits=6, decimal_places=4, null=True, blank=True)
    survey_mean = models.DecimalField(
        _("测评原始均分"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    survey_shrunk = models.DecimalField(
        _("测评修正分"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    inspection_score = models.DecimalField(
        _("第三方检查"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    branch_score = models.DecimalField(_("支部考核"), max_digits=7, decimal_places=3, null=True, blank=True)
    problem_score = models.DecimalField(_("问题整改"), max_digits=7, decimal_places=3, null=True, blank=True)
    composite = models.DecimalField(_("综合得分"), max_digits=7, decimal_places=3)
    low = models.DecimalField(_("区间下限"), max_digits=7, decimal_places=3)
    high = models.DecimalField(_("区间上限"), max_digits=7, decimal_places=3)
    rank = models.PositiveIntegerField(_("名次"))
    rank_best = models.PositiveIntegerField(_("最好名次"))
    rank_worst = models.PositiveIntegerField(_("最差名次"))
    score_class = models.CharField(_("分类"), max_length=12, choices=ScoreClass.choices, blank=True)
    category_means = models.JSONField(_("分类均分"), default=dict, blank=True)
    flags = models.JSONField(_("提示"), default=list, blank=True)
    detail = models.JSONField(_("计算明细"), default=dict, blank=True)

    class Meta:
        verbose_name = _("得分快照")
        verbose_name_plural = _("得分快照")
        ordering = ["campaign", "kind", "rank", "pk"]
        indexes = [models.Index(fields=["campaign", "kind", "rank"], name="score_snapshot_rank_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="estate") & Q(estate__isnull=False) & Q(company__isnull=True))
                | (Q(kind="company") & Q(company__isnull=False) & Q(estate__isnull=True)),
                name="score_snapshot_target",
            ),
            models.UniqueConstraint(
                fields=["campaign", "estate"], condition=Q(kind="estate"), name="score_snapshot_estate_once"
            ),
            models.UniqueConstraint(
                fields=["campaign", "company"],
                condition=Q(kind="company"),
                name="score_snapshot_company_once",
            ),
            models.CheckConstraint(
                condition=Q(rank_best__lte=F("rank")) & Q(rank__lte=F("rank_worst")),
                name="score_snapshot_rank_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.estate or self.company} · {self.composite}"


# ---- bottom elimination (末尾淘汰) -----------------------------------------------------------------------


class EliminationStatus(models.TextChoices):
    FAULT_FINDING = "fault_finding", _("居民找茬")
    RECTIFICATION = "rectification", _("整改提质")
    RE_EVALUATION = "re_evaluation", _("复评")
    PROPOSED = "proposed", _("待领导小组审定")
    APPROVED = "approved", _("已审定")
    OWNERS_DECISION = "owners_decision", _("交业主大会决定")
    CLOSED = "closed", _("已结束")


class EliminationCampaign(models.Model):
    """末尾淘汰: bottom N of a ranking → fault-finding → rectification → re-evaluation → bottom M
    proposed → leadership group approves (or returns) → owners' decision at the affected estates
    (Civil Code art. 278 matter 4). The steps are in rules.ELIMINATION_TRANSITIONS."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="elimination_campaigns")
    name = models.CharField(_("名称"), max_length=80)
    basis_campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="+", verbose_name=_("依据的测评")
    )
    reevaluation_campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("复评测评"),
    )
    bottom_n = models.PositiveSmallIntegerField(_("末位家数"), default=9)
    final_m = models.PositiveSmallIntegerField(_("拟淘汰家数"), default=3)
    # Minimum evidence to eliminate (rules.evidence_sufficient): below it a company stays flagged.
    min_responses = models.PositiveSmallIntegerField(_("淘汰所需最少答卷数"), default=30)
    min_survey_weight = models.DecimalField(
        _("淘汰所需最低自身权重"), max_digits=3, decimal_places=2, default=Decimal("0.50")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=EliminationStatus.choices, default=EliminationStatus.FAULT_FINDING
    )
    fault_opens_on = models.DateField(_("找茬开始"))
    fault_closes_on = models.DateField(_("找茬截止"))
    rectification_until = models.DateField(_("整改期限"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    decision_note = models.TextField(_("审定意见"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("末尾淘汰")
        verbose_name_plural = _("末尾淘汰")
        ordering = ["street", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(final_m__gte=1) & Q(bottom_n__gte=F("final_m")),
                name="elimination_m_within_n",
                violation_error_message=_("拟淘汰家数应至少为 1 且不超过末位家数。"),
            ),
            models.CheckConstraint(
                condition=Q(fault_closes_on__gte=F("fault_opens_on")),
                name="elimination_fault_window_in_order",
                violation_error_message=_("找茬截止日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(min_survey_weight__gte=0) & Q(min_survey_weight__lte=1),
                name="elimination_min_weight_0_to_1",
                violation_error_message=_("最低自身权重应在 0 到 1 之间。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CandidateStage(models.TextChoices):
    SELECTED = "selected", _("末位入选")
    PROPOSED = "proposed", _("拟淘汰")
    CLEARED = "cleared", _("整改后保留")
    ELIMINATED = "eliminated", _("淘汰")
    INSUFFICIENT = "insufficient", _("证据不足，不得淘汰")


class EliminationCandidate(models.Model):
    """A company in the bottom N, with its scores at selection and at re-evaluation (the evidence)."""

    elimination = models.ForeignKey(EliminationCampaign, on_delete=models.CASCADE, related_name="candidates")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(
        _("阶段"), max_length=12, choices=CandidateStage.choices, default=CandidateStage.SELECTED
    )
    basis_rank = models.PositiveIntegerField(_("入选名次"))
    basis_score = models.DecimalField(_("入选综合分"), max_digits=7, decimal_places=3)
    basis_low = models.DecimalField(_("入选区间下限"), max_digits=7, decimal_places=3)
    basis_high = models.DecimalField(_("入选区间上限"), max_digits=7, decimal_places=3)
    re_rank = models.PositiveIntegerField(_("复评名次"), null=True, blank=True)
    re_score = models.DecimalField(_("复评综合分"), max_digits=7, decimal_places=3, null=True, blank=True)
    re_low = models.DecimalField(_("复评区间下限"), max_digits=7, decimal_places=3, null=True, blank=True)
    re_high = models.DecimalField(_("复评区间上限"), max_digits=7, decimal_places=3, null=True, blank=True)
    # The evidence each score rests on: survey responses and the share of the score they make up.
    basis_responses = models.PositiveIntegerField(_("入选答卷数"), default=0)
    basis_weight = models.DecimalField(
        _("入选自身权重"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    re_responses = models.PositiveIntegerField(_("复评答卷数"), null=True, blank=True)
    re_weight = models.DecimalField(_("复评自身权重"), max_digits=4, decimal_places=3, null=True, blank=True)

    class Meta:
        verbose_name = _("末位企业")
        verbose_name_plural = _("末位企业")
        ordering = ["elimination", "basis_rank"]
        constraints = [
            models.UniqueConstraint(fields=["elimination", "company"], name="elimination_candidate_once"),
        ]

    def __str__(self) -> str:
        return str(self.company)


class FaultFinding(models.Model):
    """A fault (找茬) filed by a resident against a bottom-N company: the problem lives in the tracker."""

    elimination = models.ForeignKey(EliminationCampaign, on_delete=models.CASCADE, related_name="faults")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    problem = models.OneToOneField("problems.Problem", on_delete=models.PROTECT, related_name="fault_finding")

    class Meta:
        verbose_name = _("找茬问题")
        verbose_name_plural = _("找茬问题")

    def __str__(self) -> str:
        return f"{self.company} · {self.problem_id}"


class EliminationEvent(models.Model):
    """The evidence trail: every transition, who made it, and the figures it rested on."""

    elimination = models.ForeignKey(EliminationCampaign, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20)
    note = models.TextField(_("说明"), max_length=2000, blank=True)
    evidence = models.JSONField(_("依据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("淘汰流程记录")
        verbose_name_plural = _("淘汰流程记录")
        ordering = ["elimination", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.action}"


class OwnersDecisionReferral(models.Model):
    """An affected estate pointed to an owners' decision to dismiss / hire (art. 278 matter 4)."""

    elimination = models.ForeignKey(EliminationCampaign, on_delete=models.CASCADE, related_name="referrals")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    matter = models.PositiveSmallIntegerField(_("表决事项（第278条）"), default=4)
    referred_on = models.DateField(_("移交日期"), default=timezone.localdate)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("业主表决移交")
        verbose_name_plural = _("业主表决移交")
        constraints = [
            models.UniqueConstraint(fields=["elimination", "estate"], name="referral_once_per_estate"),
        ]

    def __str__(self) -> str:
        return f"{self.estate} · {self.company}"


# ---- awards (争优评比) -----------------------------------------------------------------------------------


class AwardKind(models.TextChoices):
    COMPANY = "company", _("优秀物业服务企业")
    OWNERS_COMMITTEE = "owners_committee", _("优秀业委会")


class Award(models.Model):
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="evaluation_awards")
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="awards"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=AwardKind.choices)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    committee = models.ForeignKey(
        OwnersCommittee, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("称号"), max_length=80)
    year = models.PositiveSmallIntegerField(_("年度"))
    citation = models.TextField(_("事迹"), max_length=2000, blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_on = models.DateField(_("授予日期"), default=timezone.localdate)

    class Meta:
        verbose_name = _("争优评比")
        verbose_name_plural = _("争优评比")
        ordering = ["street", "-year", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="company") & Q(company__isnull=False) & Q(committee__isnull=True))
                | (Q(kind="owners_committee") & Q(committee__isnull=False) & Q(company__isnull=True)),
                name="award_target_matches_kind",
                violation_error_message=_("表彰对象与类型不符。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title


# ---- benchmarks (标杆企业) -------------------------------------------------------------------------------


class Benchmark(models.Model):
    """A benchmark company (标杆) named by the street's leadership group, with a reason and a term.

    The ranking's top class only proposes candidates; this row is the title (issue 14: 支持 4 家优质物业
    树立服务标杆). A benchmark is live from ``starts_on`` to ``ends_on`` inclusive unless revoked
    (``rules.is_benchmark_on``)."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="benchmarks")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("企业"))
    reason = models.TextField(_("命名理由"), max_length=1000)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"))
    named_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    named_at = models.DateTimeField(_("命名时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.TextField(_("撤销理由"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("标杆企业")
        verbose_name_plural = _("标杆企业")
        ordering = ["street", "-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")),
                name="benchmark_term_in_order",
                violation_error_message=_("标杆期限的截止日期应晚于起始日期。"),
            ),
            models.UniqueConstraint(
                fields=["street", "company"],
                condition=Q(revoked_at__isnull=True),
                name="benchmark_one_live_per_company",
                violation_error_message=_("该企业已是本街道的标杆企业。"),
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True)
                | Q(revoked_at__isnull=False, revoked_by__isnull=False),
                name="benchmark_revoked_with_actor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} · {self.starts_on}–{self.ends_on}"


# ---- replacement after elimination (优胜劣汰) -------------------------------------------------------------


class Replacement(models.Model):
    """The replacement of an eliminated company at one referred estate (evaluation/replacement.py holds the
    stage machine): the owners' decision (art. 278 matter 4, linked in the voting app), its recorded outcome,
    the committee's chosen company with a reason, and the new contract (registry) that takes over from the
    old one the day after it ends. A failed vote keeps the estate with its company."""

    referral = models.OneToOneField(
        OwnersDecisionReferral,
        on_delete=models.CASCADE,
        related_name="replacement",
        verbose_name=_("业主表决移交"),
    )
    decision = models.ForeignKey(
        "voting.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("业主表决"),
    )
    outcome_passed = models.BooleanField(_("业主表决结果"), null=True, blank=True)
    outcome_recorded_at = models.DateTimeField(_("结果登记时间"), null=True, blank=True)
    chosen_company = models.ForeignKey(
        Company, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("选聘企业")
    )
    choice_reason = models.TextField(_("选聘理由"), max_length=1000, blank=True)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    chosen_at = models.DateTimeField(_("选聘登记时间"), null=True, blank=True)
    old_contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("原合同")
    )
    new_contract = models.OneToOneField(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replacement",
        verbose_name=_("新合同"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("选聘更换")
        verbose_name_plural = _("选聘更换")
        constraints = [
            models.CheckConstraint(
                condition=Q(chosen_company__isnull=True) | Q(outcome_passed=True),
                name="replacement_choice_after_passed_vote",
                violation_error_message=_("业主表决通过后才能选聘企业。"),
            ),
            models.CheckConstraint(
                condition=Q(new_contract__isnull=True) | Q(chosen_company__isnull=False),
                name="replacement_contract_after_choice",
                violation_error_message=_("选定企业后才能登记新合同。"),
            ),
        ]

    def __str__(self) -> str:
        return str(self.referral)


# The district tier's campaigns (区级测评) live beside, in their own module.
from gongzhi.evaluation.models_district import DistrictCampaign, DistrictCampaignStreet  # noqa: E402, F401
