"""Problems and their rectification, closed item by item (问题清单 · 整改 · 销项; docs/DESIGN.md §4.2).

A problem is reported (by a resident, a patrol, a hearing, a meeting, a low survey score or a
third-party inspection), accepted or rejected by the area's joint party branch, assigned to
one of the three carriages with a deadline in working days, rectified with evidence, verified
on site and closed by the branch — or sent back. The reporter may rate the result and reopen
it once within a window. Every step is a ``ProblemEvent``; the workflow lives in ``rules.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from gongzhi.registry.models import Building, Company, Estate, OwnersCommittee, ResidentsCommittee, Street


class Carriage(models.TextChoices):
    """三驾马车: who rectifies."""

    COMPANY = "company", _("物业公司")
    OWNERS_COMMITTEE = "owners_committee", _("业委会")
    RESIDENTS_COMMITTEE = "residents_committee", _("居委会")


class Source(models.TextChoices):
    RESIDENT = "resident", _("居民报事")
    PATROL = "patrol", _("日常巡查")
    HEARING = "hearing", _("听证会/座谈会")
    MEETING = "meeting", _("会议")
    SURVEY = "survey", _("测评低分")
    INSPECTION = "inspection", _("第三方检查")
    RECEPTION = "reception", _("首问接待")


class Status(models.TextChoices):
    REPORTED = "reported", _("待受理")
    REJECTED = "rejected", _("不予受理")
    ASSIGNED = "assigned", _("待整改")
    IN_PROGRESS = "in_progress", _("整改中")
    SUBMITTED = "submitted", _("待验收")
    CLOSED = "closed", _("已销项")


OPEN_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS)  # the clock runs: these can be overdue
ACTIVE_STATUSES = (Status.REPORTED, Status.ASSIGNED, Status.IN_PROGRESS, Status.SUBMITTED)


class Category(models.Model):
    """A kind of problem with its default deadline and carriage; each street edits its own."""

    street = models.ForeignKey(Street, on_delete=models.CASCADE, related_name="problem_categories")
    code = models.SlugField(_("代码"), max_length=30)
    name = models.CharField(_("类别"), max_length=30)
    deadline_days = models.PositiveSmallIntegerField(_("默认整改期限（工作日）"), default=10)
    carriage = models.CharField(
        _("默认责任方"), max_length=30, choices=Carriage.choices, default=Carriage.COMPANY
    )
    urgent = models.BooleanField(
        _("紧急"), default=False, help_text=_("如电动车违规充电：火灾隐患，期限最短")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("问题类别")
        verbose_name_plural = _("问题类别")
        ordering = ["street", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "code"],
                name="category_code_unique_in_street",
                violation_error_message=_("本街道已有相同代码的问题类别。"),
            ),
            models.CheckConstraint(
                condition=Q(deadline_days__gte=1) & Q(deadline_days__lte=60),
                name="category_deadline_days_range",
                violation_error_message=_("默认整改期限应在 1 到 60 个工作日之间。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProblemQuerySet(models.QuerySet):
    def overdue(self, today=None) -> ProblemQuerySet:
        day = today or timezone.localdate()
        return self.filter(status__in=OPEN_STATUSES, deadline__lt=day)

    def active(self) -> ProblemQuerySet:
        return self.filter(status__in=ACTIVE_STATUSES)


class Problem(models.Model):
    number = models.CharField(_("编号"), max_length=20, unique=True)
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="problems", verbose_name=_("小区")
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("楼栋"),
    )
    location = models.CharField(_("位置"), max_length=100, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="problems", verbose_name=_("类别")
    )
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices, default=Source.RESIDENT)
    description = models.TextField(_("问题描述"), max_length=1000)
    urgent = models.BooleanField(_("紧急"), default=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.REPORTED, db_index=True
    )
    # The reporter is known to the area's branch and the street admin only: never public,
    # never shown to the assignee (docs/DESIGN.md §3, "anonymous means unlinkable").
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报告人"),
    )
    carriage = models.CharField(_("责任方"), max_length=30, choices=Carriage.choices, blank=True)
    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("物业公司"),
    )
    owners_committee = models.ForeignKey(
        OwnersCommittee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("业委会"),
    )
    residents_committee = models.ForeignKey(
        ResidentsCommittee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("居委会"),
    )
    deadline = models.DateField(_("整改期限"), null=True, blank=True, db_index=True)
    deadline_provisional = models.BooleanField(_("期限暂定"), default=False)
    deadline_days = models.PositiveSmallIntegerField(_("整改期限（工作日）"), null=True, blank=True)
    reject_reason = models.CharField(_("不予受理理由"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("报告时间"), default=timezone.now, db_index=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交验收时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销项时间"), null=True, blank=True)
    overdue_since = models.DateField(
        _("超期日期"), null=True, blank=True, help_text=_("首次超期升级的日期；销项后保留，计入企业记录")
    )
    rating = models.PositiveSmallIntegerField(_("评价"), null=True, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=300, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重新打开次数"), default=0)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["estate", "status"], name="problem_estate_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
                name="problem_rating_1_to_5",
                violation_error_message=_("评价为 1 到 5 星。"),
            ),
            models.CheckConstraint(
                condition=Q(reopen_count__lte=1),
                name="problem_reopened_at_most_once",
                violation_error_message=_("每个问题只能重新打开一次。"),
            ),
            # Assigned work names exactly the carriage it went to.
            models.CheckConstraint(
                condition=Q(status__in=["reported", "rejected"])
                | (Q(carriage="company") & Q(company__isnull=False))
                | (Q(carriage="owners_committee") & Q(owners_committee__isnull=False))
                | (Q(carriage="residents_committee") & Q(residents_committee__isnull=False)),
                name="problem_assignee_matches_carriage",
                violation_error_message=_("已派单的问题必须指明对应的责任单位。"),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["reported", "rejected"]) | Q(deadline__isnull=False),
                name="problem_assigned_has_deadline",
                violation_error_message=_("已派单的问题必须有整改期限。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.category.name}"

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in OPEN_STATUSES
            and self.deadline is not None
            and self.deadline < timezone.localdate()
        )

    @property
    def assignee_label(self) -> str:
        if self.carriage == Carriage.COMPANY and self.company_id:
            return self.company.name
        if self.carriage == Carriage.OWNERS_COMMITTEE:
            return str(Carriage.OWNERS_COMMITTEE.label)
        if self.carriage == Carriage.RESIDENTS_COMMITTEE and self.residents_committee_id:
            return self.residents_committee.name
        return ""


class Action(models.TextChoices):
    REPORT = "report", _("报告问题")
    ACCEPT = "accept", _("受理并派单")
    REJECT = "reject", pgettext_lazy("problem action", "不予受理")
    PROGRESS = "progress", _("整改进展")
    SUBMIT = "submit", _("提交验收")
    SEND_BACK = "send_back", _("验收未通过，退回整改")
    CLOSE = "close", _("验收通过，销项")
    RATE = "rate", _("居民评价")
    REOPEN = "reopen", pgettext_lazy("problem action", "重新打开")
    ESCALATE = "escalate", _("超期升级")


class ProblemEvent(models.Model):
    """One step of a problem's history. ``public`` steps show on the estate's public board."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(
        max_length=100, blank=True
    )  # role/organisation shown to others, never the reporter's name
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    note = models.TextField(max_length=1000, blank=True)
    # A note the system wrote (派给…, 已超过整改期限…) as its catalogue msgid and parameters, rendered in
    # the reader's language at display time; ``note`` keeps the Chinese text as written (older rows
    # have only that). A parameter {"date": "2026-12-06"} is a day, written as the language writes it.
    note_key = models.CharField(max_length=300, blank=True)
    note_params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.problem.number} {self.get_action_display()}"

    def system_note(self) -> str:
        from gongzhi.core.keyed import render

        return render(self.note_key, self.note_params)

    @property
    def shown_note(self) -> str:
        """The note in the reader's language: a person's words as written, the system's part rendered
        from its key (the Chinese text stored beside it is what the key renders in Chinese)."""
        if not self.note_key:
            return self.note
        with translation.override("zh-hans"):
            written = self.system_note()
        own = self.note[: -len(written)].rstrip("\n") if self.note.endswith(written) else ""
        return (own + "\n" if own else "") + self.system_note()

    @property
    def shown_actor(self) -> str:
        """The actor's label; the system's own label (系统) in the reader's language."""
        return (
            gettext(self.actor_label)
            if self.actor_id is None and self.actor_label == "系统"
            else self.actor_label
        )


def photo_path(instance: ProblemPhoto, filename: str) -> str:
    return (
        f"problems/{instance.problem.created_at:%Y/%m}/{instance.problem.number}-{instance.kind}-{filename}"
    )


class ProblemPhoto(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", _("问题照片")
        EVIDENCE = "evidence", _("整改照片")

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(
        ProblemEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    image = models.FileField(upload_to=photo_path)  # re-encoded JPEG without metadata (core/images.py)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.problem.number} {self.get_kind_display()}"
