"""Login and failed-login events go to the audit trail (who tried, from where, when)."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from gongzhi.core.audit import audit_record
from gongzhi.core.clientip import client_ip
from gongzhi.core.models import AuditEvent, RoleGrant


def _client_ip(request) -> str:
    return client_ip(request)


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    street_id = (
        RoleGrant.objects.filter(user=user, street__isnull=False).values_list("street_id", flat=True).first()
    )
    audit_record(
        actor=user,
        action=AuditEvent.Action.LOGIN,
        obj=user,
        street_id=street_id,
        changes={"ip": _client_ip(request)},
    )


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        actor=None,
        action=AuditEvent.Action.LOGIN_FAILED,
        object_type="core.User",
        object_label=username,
        changes={"ip": _client_ip(request)},
    )
