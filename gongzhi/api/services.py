"""Writes for API tokens: create (the secret is returned once) and revoke, both audited."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.api.models import ApiToken
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import UserError
from gongzhi.core.models import AuditEvent

TOKEN_PREFIX = "gz_"  # noqa: S105 (a public marker, not a secret)
PREFIX_LENGTH = len(TOKEN_PREFIX) + 8  # "gz_" + 8 characters: enough to tell tokens apart in a list


class TokenError(UserError):
    """A token request refused for a reason the operator can act on; ``message`` is Chinese."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _audit_changes(token: ApiToken) -> dict:
    # Never the secret, and not its hash either: the audit log is read by people.
    return {
        "user": token.user.username,
        "name": token.name,
        "key_prefix": token.key_prefix,
        "revoked": token.revoked,
    }


@transaction.atomic
def api_token_create(*, user, name: str, actor=None) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with the secret, which is stored nowhere."""
    name = name.strip()
    if not name:
        raise TokenError(_("令牌名称不能为空。"))
    if not user.is_active:
        raise TokenError(_("用户 %(user)s 已停用，不能创建令牌。") % {"user": user.username})
    if ApiToken.objects.filter(user=user, name=name, revoked=False).exists():
        raise TokenError(
            _("用户 %(user)s 已有名为“%(name)s”的有效令牌。") % {"user": user.username, "name": name}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, key_prefix=secret[:PREFIX_LENGTH], key_hash=hash_secret(secret)
    )
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=token, changes=_audit_changes(token))
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor=None) -> ApiToken:
    """Revoke a token for good. Revoking a revoked token changes nothing (safe to run twice)."""
    locked = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if locked.revoked:
        return locked
    locked.revoked = True
    locked.save(update_fields=["revoked"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=locked, changes={"revoked": [False, True]})
    return locked
