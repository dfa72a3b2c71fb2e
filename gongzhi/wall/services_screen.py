"""Writes of the map, the big screen and the public wall (docs/WALL.md): the street admin imports the
estates' geometry, makes and revokes display links, and switches the public wall on or off. Every write
is the street admin's, in one transaction with its audit event.

(In a module of its own beside ``services.py``, which keeps the aggregates: these writes never touch the
kept status.)"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.models import AuditEvent
from gongzhi.core.scopes import scope_for
from gongzhi.registry.models import Estate
from gongzhi.wall import geometry as geo
from gongzhi.wall.models import DisplayLink, EstateGeometry, PublicWall
from gongzhi.wall.services import WallError

LAST_USED_EVERY = dt.timedelta(minutes=1)  # a screen polls every minute: note its use at most that often
LABEL_MAX = 60


class GeometryImportError(WallError):
    """The file was refused as a whole; ``errors`` lists every feature at fault."""

    def __init__(self, message: str, errors: list[str] | None = None):
        super().__init__(message)
        self.errors = errors or []


def _require_admin(actor, street) -> None:
    if not scope_for(actor).is_street_admin(street.pk):
        raise PermissionDenied


@transaction.atomic
def geometry_import(*, actor, street, raw: bytes) -> geo.ImportReport:
    """Read a GeoJSON FeatureCollection and place each feature's estate on the street's map. All or
    nothing: one unmatched or invalid feature refuses the whole file (``GeometryImportError`` with every
    reason) and nothing changes. Estates not in the file keep their place. One audit event."""
    _require_admin(actor, street)
    features, error = geo.read_collection(raw)
    if features is None:
        raise GeometryImportError(error or _("文件无法读取。"))
    estates = list(Estate.objects.filter(area__street=street).order_by("pk").values_list("pk", "name"))
    report = geo.match_features(features, estates)
    if report.errors:
        raise GeometryImportError(
            _("文件未导入：%(n)d 个要素有问题，请改正后重新导入（其余要素也未导入）。")
            % {"n": len(report.errors)},
            report.errors,
        )
    now = timezone.now()
    ids = [p.estate_id for p in report.placed]
    existing = set(EstateGeometry.objects.filter(estate_id__in=ids).values_list("estate_id", flat=True))
    EstateGeometry.objects.bulk_create(
        [EstateGeometry(estate_id=p.estate_id, geometry=p.geometry, updated_at=now) for p in report.placed],
        update_conflicts=True,
        unique_fields=["estate"],
        update_fields=["geometry", "updated_at"],
        batch_size=500,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.IMPORT,
        street_id=street.pk,
        object_type="wall.EstateGeometry",
        object_label=_("%(street)s 小区位置") % {"street": street.name},
        changes={"placed": len(ids), "new": len(set(ids) - existing), "replaced": len(existing)},
    )
    return report


def geometry_export(*, street) -> dict:
    """The street's geometry as a FeatureCollection the import reads back (estate_id, name, area)."""
    rows = (
        EstateGeometry.objects.filter(estate__area__street=street)
        .order_by("estate__area__name", "estate__name", "estate_id")
        .values_list("estate_id", "estate__name", "estate__area__name", "geometry")
    )
    return geo.feature_collection(list(rows))


@transaction.atomic
def display_link_create(*, actor, street, label: str) -> tuple[DisplayLink, str]:
    """A new display link for the big screen; returns it with its token, which is shown once and never
    stored (only its hash)."""
    _require_admin(actor, street)
    label = " ".join((label or "").split())
    if not label:
        raise WallError(_("请给链接起个名字，例如“指挥室大屏”。"), field="label")
    if len(label) > LABEL_MAX:
        raise WallError(_("名称最多 %(n)d 个字。") % {"n": LABEL_MAX}, field="label")
    token = secrets.token_urlsafe(32)
    link = DisplayLink.objects.create(
        street=street, label=label, token_hash=geo.token_hash(token), created_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=link,
        street_id=street.pk,
        changes={"label": label},
    )
    return link, token


@transaction.atomic
def display_link_revoke(*, actor, link: DisplayLink) -> DisplayLink:
    """Revoke a display link: from now on its address answers 404. Revoking twice changes nothing."""
    _require_admin(actor, link.street)
    link = DisplayLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is not None:
        return link
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=link,
        street_id=link.street_id,
        changes={"revoked_at": [None, link.revoked_at.isoformat()]},
    )
    return link


def display_link_open(token: str) -> DisplayLink | None:
    """The live display link of this token, or None (unknown, malformed or revoked). Notes the use at most
    once a minute (a bookkeeping stamp, not an act of a person: not audited)."""
    if not geo.token_shape_ok(token):
        return None
    link = (
        DisplayLink.objects.select_related("street")
        .filter(token_hash=geo.token_hash(token), revoked_at__isnull=True)
        .first()
    )
    if link is None:
        return None
    now = timezone.now()
    if link.last_used_at is None or now - link.last_used_at >= LAST_USED_EVERY:
        DisplayLink.objects.filter(pk=link.pk).update(last_used_at=now)
        link.last_used_at = now
    return link


@transaction.atomic
def public_wall_set(*, actor, street, enabled: bool) -> PublicWall:
    """Switch the street's reduced public wall on or off (street admin; audited)."""
    _require_admin(actor, street)
    setting, _created = PublicWall.objects.select_for_update().get_or_create(street=street)
    if setting.enabled == enabled:
        return setting
    before = setting.enabled
    setting.enabled, setting.updated_at = enabled, timezone.now()
    setting.save(update_fields=["enabled", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=setting,
        street_id=street.pk,
        changes={"enabled": [before, enabled]},
    )
    return setting


# ---- guessing display links ------------------------------------------------------------------------------------

GUESS_LIMIT = 20  # unknown tokens from one address within the window before it is refused outright
GUESS_WINDOW_SECONDS = 15 * 60


def _guess_key(ip: str) -> str:
    return f"wall-display-miss:{ip}"


def display_guess_blocked(ip: str) -> bool:
    """True once this address has asked for ``GUESS_LIMIT`` unknown display links within the window. A
    token has 256 random bits, so this only keeps the log and the database quiet; the count lives in the
    shared cache (Redis in production), like the login throttle's."""
    return (cache.get(_guess_key(ip)) or 0) >= GUESS_LIMIT


def display_guess_missed(ip: str) -> None:
    key = _guess_key(ip)
    if not cache.add(key, 1, GUESS_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, GUESS_WINDOW_SECONDS)
