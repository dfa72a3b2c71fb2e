"""Owner account activation (业主账号激活): the owners' committee prints a letter per owner with a
one-time code; the owner types or scans it on a phone and chooses a login. Only a hash of each code
is stored, so the clear code exists in the printed letter alone."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ActivationCodeQuerySet(models.QuerySet):
    def usable(self, now) -> "ActivationCodeQuerySet":
        """Codes that may still activate an account: not used, not replaced, not expired."""
        return self.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class ActivationCode(models.Model):
    """One activation letter: one registry owner in one estate (all their units there)."""

    owner = models.ForeignKey(
        "registry.Owner", on_delete=models.CASCADE, related_name="activation_codes", verbose_name=_("业主")
    )
    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.CASCADE, related_name="activation_codes", verbose_name=_("小区")
    )
    code_hash = models.CharField(_("激活码摘要"), max_length=64, unique=True)
    issued_at = models.DateTimeField(_("发放时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发放人"),
    )
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("激活时间"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("激活账号"),
    )
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    objects = ActivationCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("激活码")
        verbose_name_plural = _("激活码")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["estate", "owner"], name="activation_estate_owner_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("issued_at")), name="activation_expiry"
            ),
            # A code is used or replaced, never both.
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(revoked_at__isnull=True),
                name="activation_used_or_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.estate} · {self.owner}"


class ActivationAttempt(models.Model):
    """One try at a code, by network address: the throttle counts recent failures."""

    at = models.DateTimeField(_("时间"), db_index=True)
    ip = models.CharField(_("来源地址"), max_length=45)
    succeeded = models.BooleanField(_("成功"), default=False)

    class Meta:
        verbose_name = _("激活尝试")
        verbose_name_plural = _("激活尝试")
        indexes = [models.Index(fields=["ip", "at"], name="activation_attempt_ip_idx")]

    def __str__(self) -> str:
        return f"{self.ip} {self.at:%Y-%m-%d %H:%M}"
