"""Personal API tokens: the secret is shown once, only its SHA-256 is stored."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """One named token of one user. ``Authorization: Bearer gz_<secret>`` acts as that user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户")
    )
    name = models.CharField(_("名称"), max_length=60)
    key_prefix = models.CharField(_("令牌前缀"), max_length=16, help_text=_("用于辨认令牌，不足以使用它"))
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, help_text=_("SHA-256 十六进制"))
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked = models.BooleanField(_("已吊销"), default=False)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["user", "-created", "-id"]
        constraints = [
            # Running `api_token create` twice must not leave two live tokens of the same name.
            models.UniqueConstraint(
                fields=["user", "name"], condition=Q(revoked=False), name="api_token_live_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.name} ({self.key_prefix}…)"
