"""Users, their role grants (who may see which part of the street) and the audit trail."""

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    display_name = models.CharField(_("显示名称"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    STREET_ADMIN = "street_admin", _("街道管理员")
    LEADERSHIP = "leadership", _("领导小组成员")
    AREA_SECRETARY = "area_secretary", _("居民区书记")
    BRANCH_MEMBER = "branch_member", _("联合党支部成员")
    OC_MEMBER = "oc_member", _("业委会委员")
    COMPANY_STAFF = "company_staff", _("物业公司员工")
    EVALUATOR = "evaluator", _("第三方测评员")
    OWNER = "owner", _("业主")
    # The district tier (区): read every street of the district, change nothing in them.
    DISTRICT_OFFICE = "district_office", _("区房管局")
    DISTRICT_ADMIN = "district_admin", _("区管理员")


# Which target a grant of each role points at. The database checks it too (role_grant_target).
ROLE_TARGET = {
    Role.STREET_ADMIN: "street",
    Role.LEADERSHIP: "street",
    Role.AREA_SECRETARY: "area",
    Role.BRANCH_MEMBER: "area",
    Role.OC_MEMBER: "estate",
    Role.COMPANY_STAFF: "company",
    Role.EVALUATOR: "estate",
    Role.OWNER: "unit",
    Role.DISTRICT_OFFICE: "district",
    Role.DISTRICT_ADMIN: "district",
}


def _target_condition() -> Q:
    condition = Q()
    targets = ["district", "street", "area", "estate", "company", "unit"]
    for role, target in ROLE_TARGET.items():
        only_target = Q(role=role, **{f"{target}__isnull": False})
        for other in targets:
            if other != target:
                only_target &= Q(**{f"{other}__isnull": True})
        condition |= only_target
    return condition


class RoleGrant(models.Model):
    """One role of one user over one target (district, street, area, estate, company or unit)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants", verbose_name=_("用户"))
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    district = models.ForeignKey(
        "registry.District", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    street = models.ForeignKey(
        "registry.Street", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    area = models.ForeignKey(
        "registry.Area", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    company = models.ForeignKey(
        "registry.Company", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        "registry.Unit", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("备注"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [models.CheckConstraint(condition=_target_condition(), name="role_grant_target")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class AuditEvent(models.Model):
    """Who changed what and when. Written by services in the same transaction as the change."""

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        IMPORT = "import", _("导入")
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("操作人")
    )
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    object_label = models.CharField(_("对象"), max_length=200, blank=True)
    street = models.ForeignKey(
        "registry.Street", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            # A street's newest events, read by every public page as its change mark (core/publicpages.py).
            models.Index(fields=["street", "id"], name="audit_street_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.get_action_display()} {self.object_label}"


class Notification(models.Model):
    """The in-app inbox. External channels (SMS, WeChat) are sent beside it by core/notify.py."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    text = models.CharField(_("内容"), max_length=300)
    # The message as its catalogue msgid and parameters (core/keyed.py), rendered in the reader's language;
    # ``text`` keeps the Chinese rendering (older rows have only that).
    text_key = models.CharField(max_length=300, blank=True)
    text_params = models.JSONField(default=dict, blank=True)
    url = models.CharField(_("链接"), max_length=200, blank=True)
    urgent = models.BooleanField(_("紧急"), default=False)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.text

    @property
    def shown_text(self) -> str:
        """The message in the reader's language (from its key), or as written for a row without one."""
        if not self.text_key:
            return self.text
        from gongzhi.core.keyed import render

        return render(self.text_key, self.text_params)[:300]


class Channel(models.TextChoices):
    """The ways a notification leaves the platform (core/channels.py has one adapter each)."""

    INBOX = "inbox", _("站内收件箱")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信公众号")


class ChannelPreference(models.Model):
    """How a user wants to be told, beside the inbox (which is always on): opt-in channels with the
    address each needs, and the quiet hours in which no SMS or WeChat message is sent."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="channel_preference")
    email_on = models.BooleanField(_("接收电子邮件"), default=False)
    email = models.EmailField(_("电子邮箱"), max_length=120, blank=True)
    sms_on = models.BooleanField(_("接收短信"), default=False)
    phone = models.CharField(_("手机号码"), max_length=11, blank=True)
    wechat_on = models.BooleanField(_("接收微信消息"), default=False)
    wechat_openid = models.CharField(_("微信 OpenID"), max_length=64, blank=True)
    quiet_start = models.TimeField(_("免打扰开始"), default=dt.time(21, 0))
    quiet_end = models.TimeField(_("免打扰结束"), default=dt.time(8, 0))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知方式")
        verbose_name_plural = _("通知方式")
        constraints = [
            models.CheckConstraint(
                condition=Q(email_on=False) | ~Q(email=""), name="pref_email_needs_address"
            ),
            models.CheckConstraint(condition=Q(sms_on=False) | ~Q(phone=""), name="pref_sms_needs_phone"),
            models.CheckConstraint(
                condition=Q(wechat_on=False) | ~Q(wechat_openid=""), name="pref_wechat_needs_openid"
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


class OutboxMessage(models.Model):
    """One notification for one user on one external channel, written in the transaction of the
    event that causes it and delivered later by ``core.notify.deliver_outbox``. The row is also the
    delivery log: status, attempts, the last error and where it went."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        DEFERRED = "deferred", _("已推迟")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        SKIPPED = "skipped", _("未发送")

    event = models.CharField(_("事件"), max_length=60)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="outbox_messages")
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    dedup_key = models.CharField(_("去重键"), max_length=64, unique=True)
    street = models.ForeignKey(
        "registry.Street", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.CharField(_("内容"), max_length=500)
    url = models.CharField(_("链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("写入时间"), default=timezone.now)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("错误"), max_length=300, blank=True)
    address = models.CharField(_("发送地址"), max_length=120, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("外发通知")
        verbose_name_plural = _("外发通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["user", "channel", "sent_at"], name="outbox_rate_idx"),
            models.Index(fields=["street", "created_at"], name="outbox_street_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.user}: {self.text[:40]}"
