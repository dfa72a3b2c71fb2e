"""Users, their role grants (who may see which part of the street) and the audit trail."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
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
}


def _target_condition() -> Q:
    condition = Q()
    targets = ["street", "area", "estate", "company", "unit"]
    for role, target in ROLE_TARGET.items():
        only_target = Q(role=role, **{f"{target}__isnull": False})
        for other in targets:
            if other != target:
                only_target &= Q(**{f"{other}__isnull": True})
        condition |= only_target
    return condition


class RoleGrant(models.Model):
    """One role of one user over one target (street, area, estate, company or unit)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants", verbose_name=_("用户"))
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
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
