"""支部工作 — the joint party branch at work (docs/DESIGN.md §1, §4.6; issue 7).

Meetings of six kinds (plus the owners' committee's own meetings, tracked for the Shanghai
two-month rule), their attendance, minutes, resolutions handed to the problem tracker and
addenda after sign-off; an on-the-spot anonymous rating at hearings; daily patrols with
findings; the security team's morning/evening log; the duty board (今天我接待) and the
first-inquiry reception log (首问接待); and the street's rhythm rules.

Issue 13: the street's own bodies (领导小组, 物业企业理事会, 业委会主任联合会, 联席会议) hold
meetings with the same machinery — a meeting's organiser is a branch OR a body (exactly one, a
database constraint); resolutions become tracked actions (owner, due date, status, closing
evidence) for both; the street's three-stage work plan with milestones and pilots.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.registry.models import Area, Branch, BranchMember, Company, Estate, Street


class RhythmRule(models.Model):
    """The street's working rhythm (seed: 日巡制度 — a patrol a day per member, two working
    meetings a week; Shanghai 住宅物业管理规定: an owners' committee meets at least every two
    months and posts its decisions within three days). One row per street; defaults apply
    while a street has none."""

    street = models.OneToOneField(Street, on_delete=models.CASCADE, related_name="branch_rhythm")
    patrol_days_per_week = models.PositiveSmallIntegerField(
        _("每名成员每周巡查天数"), default=7, help_text=_("7 = 每日一次巡视（含周末和节假日）")
    )
    branch_meetings_per_week = models.PositiveSmallIntegerField(_("每周支部会议次数"), default=2)
    oc_meeting_interval_months = models.PositiveSmallIntegerField(_("业委会会议最长间隔（月）"), default=2)
    oc_decision_post_days = models.PositiveSmallIntegerField(_("业委会决定公告期限（日）"), default=3)

    class Meta:
        verbose_name = _("工作节奏规则")
        verbose_name_plural = _("工作节奏规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(patrol_days_per_week__lte=7), name="rhythm_patrol_days_at_most_7"
            ),
            models.CheckConstraint(
                condition=Q(oc_meeting_interval_months__gte=1), name="rhythm_oc_interval_at_least_1"
            ),
        ]

    def __str__(self) -> str:
        return str(self.street)


class BodyKind(models.TextChoices):
    LEADERSHIP = "leadership", _("领导小组")
    COMPANY_COUNCIL = "company_council", _("物业企业理事会")
    DIRECTORS_FEDERATION = "directors_federation", _("业委会主任联合会")
    JOINT = "joint", _("联席会议")


class Body(models.Model):
    """A body of the street that meets (seed: 党建引领物业治理领导小组, 物业企业理事会,
    业委会主任联合会, 五方联席会议). Its meetings are ``Meeting`` rows whose organiser is the body."""

    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, related_name="bodies", verbose_name=_("街道")
    )
    kind = models.CharField(_("类型"), max_length=30, choices=BodyKind.choices)
    name = models.CharField(_("名称"), max_length=80)
    remit = models.TextField(_("职责"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("议事机构")
        verbose_name_plural = _("议事机构")
        ordering = ["street", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "name"],
                name="body_name_unique_in_street",
                violation_error_message=_("本街道已有同名的议事机构。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class BodyMember(models.Model):
    """A member of a body: an account (who then reads the body's meetings) or a named person."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=60)
    role_label = models.CharField(_("职务"), max_length=40, blank=True)
    unit = models.CharField(_("单位"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("机构成员")
        verbose_name_plural = _("机构成员")
        ordering = ["body", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "name"],
                name="body_member_unique_name",
                violation_error_message=_("该机构已有同名成员。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class MeetingKind(models.TextChoices):
    BRANCH = "branch", _("支部会议")
    JOINT = "joint", _("五方联席会议")
    HEARING = "hearing", _("听证会")
    FORUM = "forum", _("座谈会")
    COORDINATION = "coordination", _("协调会")
    PRICE = "price", _("议价会议")
    OWNERS_COMMITTEE = "owners_committee", _("业委会会议")
    BODY = "body", _("机构会议")


PUBLIC_KINDS = (MeetingKind.HEARING, MeetingKind.FORUM)  # outcomes may be published


BRANCH_KINDS = [k for k in MeetingKind.values if k != MeetingKind.BODY]


class Meeting(models.Model):
    """A meeting organised by exactly one of: an area's joint party branch, or a street body."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="+", verbose_name=_("街道"))
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("支部"),
    )
    body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("议事机构"),
    )
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=100)
    agenda = models.TextField(_("议程"), max_length=3000, blank=True)
    place = models.CharField(_("地点"), max_length=100)
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    estates = models.ManyToManyField(
        Estate, blank=True, related_name="branch_meetings", verbose_name=_("涉及小区")
    )
    minutes = models.TextField(_("会议纪要"), max_length=20000, blank=True)
    cancelled = models.BooleanField(_("已取消"), default=False)
    signed_off_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    public_summary = models.TextField(_("公开结果摘要"), max_length=3000, blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    decisions_posted_on = models.DateField(
        _("决定公告日期"), null=True, blank=True, help_text=_("业委会会议：决定张贴公告的日期")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(kind__in=["hearing", "forum"]),
                name="meeting_only_hearings_forums_published",
            ),
            models.CheckConstraint(
                condition=(
                    Q(branch__isnull=False, body__isnull=True) & ~Q(kind="body")
                    | Q(branch__isnull=True, body__isnull=False, kind="body")
                ),
                name="meeting_exactly_one_organiser",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d} {self.title}"

    @property
    def locked(self) -> bool:
        return self.signed_off_at is not None

    @property
    def organiser(self) -> Branch | Body:
        return self.body if self.body_id else self.branch  # type: ignore[return-value]


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", _("未登记")
    PRESENT = "present", _("已签到")
    ABSENT = "absent", _("缺席")


class Invitee(models.Model):
    """A member invited to a meeting (支部成员, with a vote) or attending without one (列席)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    member = models.ForeignKey(
        BranchMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body_member = models.ForeignKey(
        BodyMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=60)
    organisation = models.CharField(_("单位/职务"), max_length=80, blank=True)
    non_voting = models.BooleanField(_("列席"), default=False)
    attendance = models.CharField(
        _("出席"), max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN
    )
    absence_reason = models.CharField(_("缺席原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["non_voting", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "name"], name="invitee_unique_name"),
            models.CheckConstraint(
                condition=~Q(attendance="absent") | ~Q(absence_reason=""),
                name="invitee_absence_has_reason",
                violation_error_message=_("缺席须写明原因。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Resolution(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="resolutions")
    number = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("决议内容"), max_length=1000)
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    needs_action = models.BooleanField(_("需要落实"), default=True)

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="resolution_number_unique")]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:30]}"


class ResolutionAction(models.Model):
    """A resolution handed to the problem tracker: the meeting page shows the problem's live status."""

    resolution = models.OneToOneField(Resolution, on_delete=models.CASCADE, related_name="action")
    problem = models.OneToOneField(
        "problems.Problem", on_delete=models.CASCADE, related_name="resolution_action"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.resolution} → {self.problem_id}"


class ActionStatus(models.TextChoices):
    OPEN = "open", _("落实中")
    DONE = "done", _("已办结")


def evidence_path(instance, filename: str) -> str:
    return f"branchwork/evidence/{timezone.now():%Y/%m}/{filename}"


class TrackedAction(models.Model):
    """A resolution's tracked action (跟踪落实): an owner, a due date, a status and the evidence it
    was closed on. For resolutions of branch and body meetings alike; a branch resolution about
    an estate may instead be handed to the problem tracker (``ResolutionAction``)."""

    resolution = models.OneToOneField(Resolution, on_delete=models.CASCADE, related_name="tracked")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    owner_label = models.CharField(_("责任人"), max_length=80)
    due_on = models.DateField(_("完成期限"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    evidence = models.TextField(_("办结情况"), max_length=2000, blank=True)
    evidence_file = models.FileField(_("佐证材料"), upload_to=evidence_path, blank=True)
    evidence_type = models.CharField(max_length=40, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("决议落实事项")
        verbose_name_plural = _("决议落实事项")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | (Q(status="done", closed_on__isnull=False) & ~Q(evidence="")),
                name="tracked_action_done_has_evidence",
            )
        ]

    def __str__(self) -> str:
        return f"{self.resolution} · {self.owner_label}"


class Addendum(models.Model):
    """A correction after sign-off: appended, never edited (the service refuses updates)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="addenda")
    text = models.TextField(_("补充说明"), max_length=3000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.created_at:%Y-%m-%d %H:%M}"


# ---- on-the-spot anonymous rating (现场无记名测评) ------------------------------------------------


class RatingSession(models.Model):
    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="rating")
    code = models.CharField(_("测评码"), max_length=12, unique=True)
    is_open = models.BooleanField(_("正在测评"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.code


class RatingItem(models.Model):
    session = models.ForeignKey(RatingSession, on_delete=models.CASCADE, related_name="items")
    group = models.CharField(_("类别"), max_length=30)
    label = models.CharField(_("测评事项"), max_length=80)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["session", "order", "pk"]

    def __str__(self) -> str:
        return self.label


class RatingToken(models.Model):
    """A single-use slip handed out at the door. Used tokens are marked; the ballot is not linked."""

    session = models.ForeignKey(RatingSession, on_delete=models.CASCADE, related_name="tokens")
    token = models.CharField(max_length=16)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["session", "token"], name="rating_token_unique")]

    def __str__(self) -> str:
        return self.token


class RatingLevel(models.IntegerChoices):
    SATISFIED = 3, _("满意")
    FAIR = 2, _("基本满意")
    UNSATISFIED = 1, _("不满意")


class RatingBallot(models.Model):
    """One anonymous sheet: no token, no person, no device — only the day it arrived."""

    session = models.ForeignKey(RatingSession, on_delete=models.CASCADE, related_name="ballots")
    submitted_on = models.DateField()

    def __str__(self) -> str:
        return str(self.pk)


class RatingScore(models.Model):
    ballot = models.ForeignKey(RatingBallot, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(RatingItem, on_delete=models.CASCADE, related_name="scores")
    level = models.PositiveSmallIntegerField(choices=RatingLevel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "item"], name="rating_score_once_per_item"),
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=3), name="rating_level_1_to_3"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}={self.level}"


# ---- daily patrol (日巡) -------------------------------------------------------------------------


class Patrol(models.Model):
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="patrols")
    member = models.ForeignKey(
        BranchMember, on_delete=models.PROTECT, related_name="patrols", verbose_name=_("巡查人")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    day = models.DateField(_("日期"), db_index=True)
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    estates = models.ManyToManyField(Estate, related_name="patrols", verbose_name=_("巡查小区"))
    route_note = models.CharField(_("路线说明"), max_length=300, blank=True)
    summary = models.CharField(_("巡查小结"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("日巡")
        verbose_name_plural = _("日巡")
        ordering = ["-day", "-started_at", "-pk"]
        indexes = [models.Index(fields=["branch", "day"], name="patrol_branch_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.member}"


class PatrolFinding(models.Model):
    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="findings")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    problem = models.OneToOneField(
        "problems.Problem", on_delete=models.SET_NULL, null=True, blank=True, related_name="patrol_finding"
    )
    text = models.CharField(_("发现"), max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text


# ---- security team log (保安早晚工作安排和点评) ------------------------------------------------


class Shift(models.TextChoices):
    MORNING = "morning", _("早班安排")
    EVENING = "evening", _("晚间点评")


class SecurityLog(models.Model):
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="security_logs")
    day = models.DateField(_("日期"), db_index=True)
    shift = models.CharField(_("班次"), max_length=10, choices=Shift.choices)
    text = models.TextField(_("工作安排/点评"), max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_label = models.CharField(_("填写人"), max_length=100, blank=True)
    branch_comment = models.CharField(_("支部意见"), max_length=500, blank=True)
    commented_by_label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("保安工作日志")
        verbose_name_plural = _("保安工作日志")
        ordering = ["-day", "estate", "shift"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "day", "shift"], name="security_log_one_per_shift"),
        ]

    def __str__(self) -> str:
        return f"{self.estate} {self.day} {self.get_shift_display()}"


# ---- duty board and reception (今天我接待 · 首问接待) -----------------------------------------


def duty_photo_path(instance: DutyProfile, filename: str) -> str:
    return f"duty/{instance.member.branch_id}/{instance.member_id}-{filename}"


class DutyProfile(models.Model):
    """What the public board shows of a member on duty: photo, role, commitment, duties (亮身份、亮承诺、亮职责)."""

    member = models.OneToOneField(BranchMember, on_delete=models.CASCADE, related_name="duty_profile")
    role_label = models.CharField(_("身份"), max_length=60)
    commitment = models.CharField(_("承诺"), max_length=300)
    duties = models.CharField(_("职责"), max_length=300)
    photo = models.FileField(
        _("照片"), upload_to=duty_photo_path, blank=True
    )  # re-encoded JPEG (core/images)
    photo_width = models.PositiveIntegerField(null=True, blank=True)
    photo_height = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return str(self.member)


class DutyShift(models.Model):
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="duty_shifts")
    day = models.DateField(_("日期"), db_index=True)
    member = models.ForeignKey(
        BranchMember, on_delete=models.CASCADE, related_name="duty_shifts", verbose_name=_("值班人")
    )

    class Meta:
        verbose_name = _("值班")
        verbose_name_plural = _("值班表")
        ordering = ["day", "pk"]
        constraints = [models.UniqueConstraint(fields=["area", "day", "member"], name="duty_shift_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.member}"


class Reception(models.Model):
    """首问接待: a visitor's matter and the answer given, turned into a problem where needed."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="receptions")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    received_at = models.DateTimeField(_("接待时间"), default=timezone.now)
    visitor = models.CharField(
        _("来访人"), max_length=60, blank=True, help_text=_("可只写称呼，如“3号楼王阿姨”")
    )
    matter = models.TextField(_("来访事项"), max_length=1000)
    answer = models.TextField(_("答复"), max_length=1000, blank=True)
    receiver_label = models.CharField(_("接待人"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    problem = models.OneToOneField(
        "problems.Problem", on_delete=models.SET_NULL, null=True, blank=True, related_name="reception"
    )

    class Meta:
        verbose_name = _("首问接待")
        verbose_name_plural = _("首问接待")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d} {self.matter[:20]}"


# ---- the street's work plan (三阶段计划, 时间节点) ------------------------------------------------


class WorkPlan(models.Model):
    """The leadership group's work plan: stages with milestones (seed: 在既定时间节点前实现建章立制、
    试点推进,整体启动、组织优化,党建引领、良性态势). One per street."""

    street = models.OneToOneField(Street, on_delete=models.PROTECT, related_name="work_plan")
    title = models.CharField(_("计划名称"), max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("工作计划")
        verbose_name_plural = _("工作计划")

    def __str__(self) -> str:
        return self.title


class PlanStage(models.Model):
    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="stages")
    number = models.PositiveSmallIntegerField(_("阶段"))
    title = models.CharField(_("阶段名称"), max_length=60)
    goal = models.TextField(_("阶段目标"), max_length=1000, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("计划阶段")
        verbose_name_plural = _("计划阶段")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_stage_number_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="plan_stage_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Metric(models.TextChoices):
    """How a milestone is ticked: by hand with evidence, or from the data by a rule (rules.py)."""

    MANUAL = "manual", _("人工确认")
    BRANCHES_FORMED = "branches_formed", _("联合党支部组建数")
    PILOT_BRANCHES = "pilot_branches", _("试点联合党支部数")
    OC_PARTY_SHARE = "oc_party_share", _("业委会党员占比（全街道）")
    OC_CROSS_SHARE = "oc_cross_share", _("业委会交叉任职占比（全街道）")


class Milestone(models.Model):
    stage = models.ForeignKey(PlanStage, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=120)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    owner_label = models.CharField(_("责任人"), max_length=80)
    due_on = models.DateField(_("时间节点"), db_index=True)
    metric = models.CharField(_("衡量方式"), max_length=30, choices=Metric.choices, default=Metric.MANUAL)
    target = models.DecimalField(
        _("目标值"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("数量或百分比；不填则按规则默认（如全部居民区、选举目标）"),
    )
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    evidence = models.TextField(_("完成依据"), max_length=2000, blank=True)
    evidence_file = models.FileField(_("佐证材料"), upload_to=evidence_path, blank=True)
    evidence_type = models.CharField(max_length=40, blank=True)
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("计划节点")
        verbose_name_plural = _("计划节点")
        ordering = ["stage", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_on__isnull=True) | (Q(metric="manual") & ~Q(evidence="")),
                name="milestone_manual_tick_has_evidence",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Pilot(models.Model):
    """A pilot (试点): one of the seed's 10 pilot joint branches, or the pilot company under a
    党建联建 agreement — exactly one of the two."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="+")
    branch = models.OneToOneField(
        Branch, on_delete=models.CASCADE, null=True, blank=True, related_name="pilot", verbose_name=_("支部")
    )
    company = models.OneToOneField(
        Company,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pilot",
        verbose_name=_("物业企业"),
    )
    programme = models.TextField(_("试点方案"), max_length=2000)
    agreement = models.CharField(_("协议"), max_length=120, blank=True, help_text=_("如：党建联建协议"))
    since = models.DateField(_("试点开始"))
    # The pilot company under a recorded 党建联建 agreement with its group (issue 14); a company pilot only.
    partnership = models.ForeignKey(
        "Partnership",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pilots",
        verbose_name=_("党建联建协议"),
    )

    class Meta:
        verbose_name = _("试点")
        verbose_name_plural = _("试点")
        ordering = ["street", "since", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(branch__isnull=False, company__isnull=True)
                | Q(branch__isnull=True, company__isnull=False),
                name="pilot_branch_or_company",
            ),
            models.CheckConstraint(
                condition=Q(partnership__isnull=True) | Q(company__isnull=False),
                name="pilot_partnership_is_company",
            ),
        ]

    def __str__(self) -> str:
        return str(self.branch or self.company)


class Partnership(models.Model):
    """党建联建协议: the street's party-building partnership agreement with a company group (e.g. the state-owned
    group of a pilot company). Its programme (提质增效、经费公开 …) is a list of items whose progress is tracked;
    the group's pilot company is a ``Pilot`` linked to it (docs/FEES.md §8)."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="+", verbose_name=_("街道"))
    group = models.ForeignKey(
        "registry.CompanyGroup",
        on_delete=models.PROTECT,
        related_name="partnerships",
        verbose_name=_("企业集团"),
    )
    title = models.CharField(_("协议名称"), max_length=120)
    signed_on = models.DateField(_("签订日期"))
    parties = models.CharField(_("协议各方"), max_length=300)
    summary = models.TextField(_("主要内容"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("党建联建协议")
        verbose_name_plural = _("党建联建协议")
        ordering = ["street", "-signed_on", "pk"]

    def __str__(self) -> str:
        return self.title


class ProgrammeKind(models.TextChoices):
    QUALITY = "quality", _("提质增效")
    ACCOUNTS = "accounts", _("经费公开")
    STANDARD = "standard", _("统一四保标准")
    OTHER = "other", _("其他")


class ProgrammeStatus(models.TextChoices):
    PLANNED = "planned", _("未开始")
    UNDERWAY = "underway", _("推进中")
    DONE = "done", _("已完成")


class ProgrammeItem(models.Model):
    """One item of a 党建联建 programme: what, by when, where it stands and the evidence."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="items", verbose_name=_("党建联建协议")
    )
    kind = models.CharField(_("类别"), max_length=20, choices=ProgrammeKind.choices)
    title = models.CharField(_("事项"), max_length=120)
    due_on = models.DateField(_("计划完成日期"), null=True, blank=True)
    status = models.CharField(
        _("进展"), max_length=20, choices=ProgrammeStatus.choices, default=ProgrammeStatus.PLANNED
    )
    evidence = models.TextField(_("进展说明和佐证"), max_length=2000, blank=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("联建事项")
        verbose_name_plural = _("联建事项")
        ordering = ["partnership", "due_on", "pk"]
        constraints = [
            # a done item says when and shows what proves it
            models.CheckConstraint(
                condition=~Q(status="done") | (Q(done_on__isnull=False) & ~Q(evidence="")),
                name="programme_item_done_has_evidence",
            ),
        ]

    def __str__(self) -> str:
        return self.title
