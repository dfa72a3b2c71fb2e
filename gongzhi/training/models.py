"""以考促学 — question banks, exams for target groups, timed attempts scored on the server, certificates."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    LAW = "law", _("物业法规")
    FUND = "fund", _("维修资金")
    DISCLOSURE = "disclosure", _("公开公示")
    SERVICES = "services", _("“四保”服务")
    FIRE = "fire", _("消防安全/电动车")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选题")
    MULTIPLE = "multiple", _("多选题")
    TRUE_FALSE = "true_false", _("判断题")


class Question(models.Model):
    street = models.ForeignKey(
        "registry.Street", on_delete=models.CASCADE, related_name="+", verbose_name=_("街道")
    )
    topic = models.CharField(_("专题"), max_length=20, choices=Topic.choices)
    kind = models.CharField(_("题型"), max_length=20, choices=QuestionKind.choices)
    text = models.TextField(_("题目"), max_length=1000)
    explanation = models.TextField(_("解析"), max_length=2000, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("试题")
        verbose_name_plural = _("试题")
        ordering = ["topic", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("选项"), max_length=300)
    is_correct = models.BooleanField(_("正确答案"), default=False)

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="choice_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.letter}. {self.text}"

    @property
    def letter(self) -> str:
        return "ABCDEFGH"[self.position] if self.position < 8 else str(self.position + 1)


class TargetGroup(models.TextChoices):
    RC_HEADS = "rc_heads", _("居委书记/主任")
    OC_MEMBERS = "oc_members", _("业委会委员")
    COMPANY_MANAGERS = "company_managers", _("物业经理")


class ExamStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class Exam(models.Model):
    street = models.ForeignKey(
        "registry.Street", on_delete=models.CASCADE, related_name="+", verbose_name=_("街道")
    )
    title = models.CharField(_("考试名称"), max_length=100)
    status = models.CharField(_("状态"), max_length=10, choices=ExamStatus.choices, default=ExamStatus.DRAFT)
    time_limit_minutes = models.PositiveSmallIntegerField(_("答题时限（分钟）"))
    pass_mark = models.PositiveSmallIntegerField(_("及格线（%）"))
    max_attempts = models.PositiveSmallIntegerField(_("最多考试次数"), default=2)
    cooling_off_hours = models.PositiveSmallIntegerField(_("补考间隔（小时）"), default=24)
    # Question selection: fixed questions (M2M) or, per topic, a number drawn at random at each start.
    fixed_questions = models.ManyToManyField(
        Question, blank=True, related_name="+", verbose_name=_("固定试题")
    )
    random_per_topic = models.JSONField(_("各专题随机抽题数"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("考试")
        verbose_name_plural = _("考试")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(pass_mark__lte=100), name="exam_pass_mark_percent"),
            models.CheckConstraint(condition=Q(time_limit_minutes__gte=1), name="exam_time_limit_positive"),
            models.CheckConstraint(condition=Q(max_attempts__gte=1), name="exam_attempts_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class Participant(models.Model):
    """Who is to take an exam: a user (from the target group's role grants) or a named person
    without a login (results entered for them, e.g. a paper sitting)."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=60)
    group = models.CharField(_("对象"), max_length=20, choices=TargetGroup.choices)
    unit_label = models.CharField(_("单位"), max_length=100, blank=True)

    class Meta:
        ordering = ["exam", "group", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "user"], condition=Q(user__isnull=False), name="participant_user_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Attempt(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField(_("第几次"))
    question_ids = models.JSONField(default=list)  # the questions drawn at start, in order
    started_at = models.DateTimeField(_("开始时间"))
    deadline_at = models.DateTimeField(_("截止时间"))
    submitted_at = models.DateTimeField(_("交卷时间"), null=True, blank=True)
    late = models.BooleanField(_("超时交卷"), default=False)
    correct_count = models.PositiveSmallIntegerField(default=0)
    question_count = models.PositiveSmallIntegerField(default=0)
    passed = models.BooleanField(_("合格"), default=False)
    certificate_code = models.CharField(_("证书验证码"), max_length=16, blank=True)

    class Meta:
        ordering = ["participant", "number"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "number"], name="attempt_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.participant} #{self.number}"

    @property
    def percent(self):
        from gongzhi.training.rules import score_percent

        return score_percent(self.correct_count, self.question_count)


class Answer(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    chosen = models.JSONField(default=list)  # choice positions
    is_correct = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["attempt", "question"], name="answer_unique")]

    def __str__(self) -> str:
        return f"{self.attempt_id}:{self.question_id}"
