"""Writing the audit trail. Services call ``audit_record`` inside their own transaction."""

from __future__ import annotations

import contextlib
import contextvars
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.core.models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    """Field values of an object as JSON-safe plain values (foreign keys as ids)."""
    data = {}
    for f in obj._meta.concrete_fields:
        if f.primary_key:
            continue
        data[f.attname] = _plain(getattr(obj, f.attname))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field that changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar("gongzhi_audit_suppressed", default=False)


@contextlib.contextmanager
def audit_suppressed():
    """Inside this block writes are not audited one by one. Only for bulk work that records itself
    as ONE audit event of its own (the demo loader: "演示街道 … 导入" with every count)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def audit_is_recording() -> bool:
    """False inside ``audit_suppressed``."""
    return not _suppressed.get()


def audit_event(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    street_id: int | None = None,
    changes: dict[str, Any] | None = None,
    object_type: str = "",
    object_label: str = "",
) -> AuditEvent:
    """The event ``audit_record`` writes, not saved: for a service that writes it in the same SQL
    statement as its change (voting.services: a ballot is one statement)."""
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
        at=timezone.now(),
        actor=actor_obj,
        actor_label=str(actor_obj) if actor_obj else (str(actor) if actor else gettext("系统")),
        action=action,
        object_type=object_type or (obj._meta.label if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_label=(object_label or str(obj))[:200] if (obj is not None or object_label) else "",
        street_id=street_id,
        changes=changes or {},
    )


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    street_id: int | None = None,
    changes: dict[str, Any] | None = None,
    object_type: str = "",
    object_label: str = "",
) -> AuditEvent:
    if _suppressed.get():
        return AuditEvent(action=action, street_id=street_id, changes=changes or {})  # not saved
    event = audit_event(
        actor=actor,
        action=action,
        obj=obj,
        street_id=street_id,
        changes=changes,
        object_type=object_type,
        object_label=object_label,
    )
    event.save(force_insert=True)
    return event
