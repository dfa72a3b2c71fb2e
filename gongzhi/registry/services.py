"""Writes to the registry. Every write validates the whole object (model + database
constraints), is atomic, and leaves an audit row in the same transaction.

The registry has a dozen record types with the same life cycle, so one set of services
serves them all (``record_create`` / ``record_update`` / ``record_delete``) instead of
thirty-six copies; the rules that differ per type live in ``_check_<model>`` below.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.deletion import ProtectedError
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record, diff, snapshot
from gongzhi.core.errors import UserError
from gongzhi.core.kept import facts_changed
from gongzhi.core.models import AuditEvent
from gongzhi.core.scopes import can_edit_registry, street_of
from gongzhi.registry.models import Contract


class RegistryError(UserError):
    """A write refused for a reason the user can act on; ``message`` is plain Chinese."""


def _check_contract(obj: Contract) -> None:
    """An estate has at most one property contract in force on any day."""
    overlapping = Contract.objects.filter(
        estate_id=obj.estate_id, start_date__lte=obj.end_date, end_date__gte=obj.start_date
    ).exclude(pk=obj.pk)
    if overlapping.exists():
        other = overlapping.select_related("company").first()
        raise ValidationError(
            _("该小区在 %(start)s 至 %(end)s 已有物业服务合同（%(company)s），合同期不能重叠。")
            % {"start": other.start_date, "end": other.end_date, "company": other.company.name}
        )


EXTRA_CHECKS = {Contract: _check_contract}


def _validate(obj: models.Model) -> None:
    obj.full_clean()
    check = EXTRA_CHECKS.get(type(obj))
    if check:
        check(obj)


# What the wall's kept aggregates read of the registry (core/kept.py, wall/facts.py).
KEPT_SOURCES = {
    "OwnersCommittee": ("committee",),
    "CommitteeMember": ("committee",),
    "Contract": ("evaluation", "fees"),
}


def _facts_changed(obj: models.Model) -> None:
    sources = KEPT_SOURCES.get(type(obj).__name__)
    if sources:
        owner = obj.committee if type(obj).__name__ == "CommitteeMember" else obj  # type: ignore[attr-defined]
        facts_changed(owner.estate_id, *sources)


def _authorise(actor, obj: models.Model) -> int | None:
    street_id = street_of(obj)
    if actor is not None and not can_edit_registry(actor, street_id):
        raise PermissionDenied
    return street_id


@transaction.atomic
def record_create(*, actor, obj: models.Model, audit: bool = True) -> models.Model:
    """Validate and insert one registry record. ``actor`` None means a system job (demo, import)."""
    street_id = _authorise(actor, obj)
    _validate(obj)
    try:
        with transaction.atomic():
            obj.save(force_insert=True)
    except IntegrityError as exc:
        raise RegistryError(_("保存失败：与已有记录冲突（%(reason)s）。") % {"reason": exc}) from exc
    _facts_changed(obj)
    if audit:
        audit_record(
            actor=actor, action=AuditEvent.Action.CREATE, obj=obj, street_id=street_id, changes=snapshot(obj)
        )
    return obj


@transaction.atomic
def record_update(*, actor, obj: models.Model, data: dict[str, Any]) -> models.Model:
    """Apply field values, validate, save, and audit exactly what changed."""
    locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    street_before = _authorise(actor, locked)
    before = snapshot(locked)
    for name, value in data.items():
        setattr(locked, name, value)
    street_id = _authorise(actor, locked)  # moving a record into another street needs rights there too
    _validate(locked)
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError as exc:
        raise RegistryError(_("保存失败：与已有记录冲突（%(reason)s）。") % {"reason": exc}) from exc
    _facts_changed(locked)
    changes = diff(before, snapshot(locked))
    if changes:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=locked,
            street_id=street_id or street_before,
            changes=changes,
        )
    return locked


@transaction.atomic
def record_delete(*, actor, obj: models.Model) -> None:
    """Delete one record unless others still depend on it (then say which)."""
    street_id = _authorise(actor, obj)
    before = snapshot(obj)
    label = str(obj)
    object_type = obj._meta.label
    object_id = str(obj.pk)
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError as exc:
        kinds = sorted({str(o._meta.verbose_name) for o in exc.protected_objects})
        raise RegistryError(
            _("“%(label)s”仍有关联的%(kinds)s，请先处理这些记录再删除。")
            % {"label": label, "kinds": "、".join(kinds)}
        ) from exc
    event = audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        street_id=street_id,
        changes=before,
        object_type=object_type,
        object_label=label,
    )
    event.object_id = object_id
    event.save(update_fields=["object_id"])
