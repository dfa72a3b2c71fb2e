"""Writes of the disclosure book's own records: validated (model rules), rights checked, audited, atomic."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record, diff, snapshot
from gongzhi.core.models import AuditEvent
from gongzhi.disclosure.models import EstateRules, MajorMatter, ServiceContent
from gongzhi.disclosure.permissions import can_edit_book, can_edit_services
from gongzhi.registry.models import Estate


def _not_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("日期不能晚于今天。")})


def _without_timestamp(changes: dict) -> dict:
    return {k: v for k, v in changes.items() if k != "updated_at"}  # the audit row has its own time


def _save(actor, obj, *, action, before=None):
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action=action,
        obj=obj,
        street_id=obj.estate.area.street_id,
        changes=_without_timestamp(snapshot(obj) if before is None else diff(before, snapshot(obj))),
    )
    return obj


@transaction.atomic
def major_matter_create(
    *, actor, estate: Estate, date: dt.date, title: str, body: str = "", reference: str = ""
):
    if not can_edit_book(actor, estate):
        raise PermissionDenied
    _not_future(date, "date")
    matter = MajorMatter(
        estate=estate,
        date=date,
        title=(title or "").strip(),
        body=(body or "").strip(),
        reference=(reference or "").strip(),
        created_by=actor if actor.is_authenticated else None,
    )
    return _save(actor, matter, action=AuditEvent.Action.CREATE)


@transaction.atomic
def major_matter_update(*, actor, matter: MajorMatter, data: dict) -> MajorMatter:
    if not can_edit_book(actor, matter.estate):
        raise PermissionDenied
    before = snapshot(matter)
    for name in ("date", "title", "body", "reference"):
        if name in data:
            value = data[name]
            setattr(matter, name, value.strip() if isinstance(value, str) else value)
    _not_future(matter.date, "date")
    return _save(actor, matter, action=AuditEvent.Action.UPDATE, before=before)


@transaction.atomic
def estate_rules_create(
    *, actor, estate: Estate, kind: str, adopted_on: dt.date, summary: str, text: str = ""
) -> EstateRules:
    """A newly adopted version; earlier versions stay (the latest by adoption date is the one in force)."""
    if not can_edit_book(actor, estate):
        raise PermissionDenied
    _not_future(adopted_on, "adopted_on")
    if EstateRules.objects.filter(estate=estate, kind=kind, adopted_on=adopted_on).exists():
        raise ValidationError({"adopted_on": _("该文本在这一天已有一个版本。")})
    rules = EstateRules(
        estate=estate,
        kind=kind,
        adopted_on=adopted_on,
        summary=(summary or "").strip(),
        text=(text or "").strip(),
        created_by=actor if actor.is_authenticated else None,
    )
    return _save(actor, rules, action=AuditEvent.Action.CREATE)


@transaction.atomic
def service_content_set(*, actor, estate: Estate, service: str, standard: str, staffing: int, hours: str):
    """Create or replace the content of one of the four services (audited with the change)."""
    if not can_edit_services(actor, estate):
        raise PermissionDenied
    existing = ServiceContent.objects.select_for_update().filter(estate=estate, service=service).first()
    content = existing or ServiceContent(estate=estate, service=service)
    before = snapshot(existing) if existing else None
    content.standard = (standard or "").strip()
    content.staffing = staffing
    content.hours = (hours or "").strip()
    content.updated_by = actor if actor.is_authenticated else None
    action = AuditEvent.Action.UPDATE if existing else AuditEvent.Action.CREATE
    return _save(actor, content, action=action, before=before)
