"""Owner account activation: issuing letters (codes) and redeeming a code for an account.

- ``letters_issue`` — the owners' committee (or the street admin) of an estate issues one code per owner
  who holds units there (the developer gets none); an owner's earlier unused code is replaced.
- ``activation_check`` — a code typed on a phone: valid, or a plain-Chinese reason; throttled per address.
- ``activation_complete`` — the code becomes an account (new, the owner's existing one, or the logged-in
  user's) with an OWNER grant on each of the owner's units in that estate; the code is used up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.models import AuditEvent, Role, RoleGrant, User
from gongzhi.core.scopes import forget_scope, scope_for
from gongzhi.portal import rules
from gongzhi.portal.models import ActivationAttempt, ActivationCode
from gongzhi.registry.models import Estate, Owner, OwnerKind, Unit


class ActivationError(Exception):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class IssuedLetter:
    """What one printed letter carries. ``code`` is the clear code: it lives only as long as this
    object (the database keeps its hash)."""

    owner: Owner
    units: tuple[Unit, ...]
    code: str
    expires_at: dt.datetime

    @property
    def code_display(self) -> str:
        return rules.format_code(self.code)


# ---- who may issue -----------------------------------------------------------------------------------


def can_issue_letters(user, estate: Estate) -> bool:
    """The estate's owners' committee, or the street admin (also for estates without a committee)."""
    scope = scope_for(user)
    if estate.pk in scope.oc_estate_ids:
        return True
    return estate.area.street_id in scope.admin_street_ids


def letter_owners(estate: Estate):
    """Owners who get a letter: every owner of a unit in the estate except the developer."""
    return (
        Owner.objects.filter(units__building__estate=estate)
        .exclude(kind=OwnerKind.DEVELOPER)
        .distinct()
        .order_by("ref", "pk")
    )


def activated_owner_ids(estate: Estate) -> set[int]:
    """Owners of the estate who already have an account with a grant on one of their units there."""
    return set(
        Unit.objects.filter(
            building__estate=estate,
            owner__isnull=False,
            pk__in=RoleGrant.objects.filter(role=Role.OWNER).values("unit_id"),
        ).values_list("owner_id", flat=True)
    )


# ---- issuing -----------------------------------------------------------------------------------------


@transaction.atomic
def letters_issue(
    *,
    actor,
    estate: Estate,
    owner_ids: list[int] | None = None,
    include_activated: bool = False,
    now: dt.datetime | None = None,
) -> list[IssuedLetter]:
    """New codes for the estate's owners (all, or ``owner_ids``), in owner order. Owners who already
    activated are left out unless ``include_activated`` (a lost password: the new code resets it).
    Each owner's earlier unused code for this estate is revoked in the same transaction."""
    if not can_issue_letters(actor, estate):
        raise PermissionDenied
    now = now or timezone.now()
    owners = letter_owners(estate)
    if owner_ids is not None:
        owners = owners.filter(pk__in=owner_ids)
        if not owners.exists():
            raise ActivationError(_("所选业主在本小区没有房屋,或是建设单位(不发激活信)。"))
    if not include_activated:
        owners = owners.exclude(pk__in=activated_owner_ids(estate))
    owners = list(owners)
    if not owners:
        return []

    units_by_owner: dict[int, list[Unit]] = {o.pk: [] for o in owners}
    for unit in (
        Unit.objects.filter(building__estate=estate, owner_id__in=units_by_owner)
        .select_related("building")
        .order_by("building__number", "number")
    ):
        units_by_owner[unit.owner_id].append(unit)

    revoked = ActivationCode.objects.filter(
        estate=estate, owner_id__in=units_by_owner, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)

    expires_at = now + dt.timedelta(days=rules.VALID_DAYS)
    letters, rows = [], []
    for owner in owners:
        code = rules.generate_code()
        letters.append(IssuedLetter(owner, tuple(units_by_owner[owner.pk]), code, expires_at))
        rows.append(
            ActivationCode(
                owner=owner,
                estate=estate,
                code_hash=rules.code_hash(code),
                issued_at=now,
                issued_by=actor if getattr(actor, "is_authenticated", False) else None,
                expires_at=expires_at,
            )
        )
    ActivationCode.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        object_type="portal.ActivationCode",
        object_label=_("%(estate)s 业主激活信 %(count)d 份") % {"estate": estate.name, "count": len(rows)},
        street_id=estate.area.street_id,
        changes={
            "estate": estate.pk,
            "owners": [o.pk for o in owners],
            "revoked": revoked,
            "expires_at": expires_at.isoformat(),
        },
    )
    return letters


# ---- redeeming ---------------------------------------------------------------------------------------


def _throttled(ip: str, now: dt.datetime) -> bool:
    since = now - dt.timedelta(minutes=rules.FAILURE_WINDOW_MINUTES)
    failures = ActivationAttempt.objects.filter(ip=ip, at__gte=since, succeeded=False).count()
    return failures >= rules.MAX_FAILURES


def _reason_unusable(code: ActivationCode, now: dt.datetime) -> str | None:
    if code.used_at is not None:
        return _("这个激活码已经用过了。已激活的业主请直接登录;忘记密码请联系业委会补发激活信。")
    if code.revoked_at is not None:
        return _("这个激活码已作废:已经为您补发了新的激活信,请使用最新的一封。")
    if code.expires_at <= now:
        return _("这个激活码已于 %(date)s 过期,请联系业委会补发激活信。") % {
            "date": timezone.localtime(code.expires_at).strftime("%Y-%m-%d")
        }
    return None


def activation_check(*, raw_code: str, ip: str, now: dt.datetime | None = None) -> ActivationCode:
    """The code an owner typed, if it may activate an account now; else ``ActivationError`` with the
    reason. Every try is counted; too many failures from one address lock it out for a while."""
    now = now or timezone.now()
    if _throttled(ip, now):
        raise ActivationError(
            _("尝试次数过多,请 %(minutes)d 分钟后再试。") % {"minutes": rules.FAILURE_WINDOW_MINUTES}
        )
    code = rules.normalize_code(raw_code)
    found = None
    if code is not None:
        found = (
            ActivationCode.objects.select_related("owner", "estate__area")
            .filter(code_hash=rules.code_hash(code))
            .first()
        )
    reason = (
        _("激活码不正确,请核对激活信上的 12 位激活码(不含字母 O、I、L 和数字 0、1)。")
        if found is None
        else _reason_unusable(found, now)
    )
    ActivationAttempt.objects.create(at=now, ip=ip[:45], succeeded=reason is None)
    if reason is not None:
        raise ActivationError(reason, field="code")
    return found


def existing_account(code: ActivationCode) -> User | None:
    """The account that already holds a grant on one of this owner's units (activated before, or set
    up by the office), so that a second letter never makes a second account."""
    grant = (
        RoleGrant.objects.filter(role=Role.OWNER, unit__owner=code.owner, user__is_active=True)
        .select_related("user")
        .order_by("-pk")
        .first()
    )
    return grant.user if grant else None


def validate_new_login(username: str) -> str:
    username = (username or "").strip()
    field = User._meta.get_field("username")
    try:
        field.run_validators(username)
    except ValidationError:
        raise ActivationError(
            _("用户名只能包含字母、数字和 @ . + - _,可以用手机号。"), field="username"
        ) from None
    if not 3 <= len(username) <= 40:
        raise ActivationError(_("用户名长度为 3 到 40 个字符。"), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise ActivationError(_("这个用户名已被使用,请换一个。"), field="username")
    return username


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ActivationError(" ".join(exc.messages), field="password") from None


@transaction.atomic
def activation_complete(
    *,
    code_id: int,
    ip: str,
    username: str = "",
    password: str = "",
    attach_to: User | None = None,
    now: dt.datetime | None = None,
) -> User:
    """Turn a checked code into an account and use it up (all or nothing):

    - ``attach_to`` (the logged-in user) gets the grants — no password asked;
    - otherwise the owner's existing account gets the grants and the new ``password``;
    - otherwise a new account ``username`` with ``password`` is made.
    The code is re-checked under a row lock, so one code makes one account even if sent twice."""
    now = now or timezone.now()
    code = (
        ActivationCode.objects.select_for_update()
        .select_related("owner", "estate__area")
        .filter(pk=code_id)
        .first()
    )
    if code is None:
        raise ActivationError(_("激活码不正确,请重新输入。"), field="code")
    reason = _reason_unusable(code, now)
    if reason is not None:
        raise ActivationError(reason, field="code")

    created = False
    if attach_to is not None:
        user = attach_to
    else:
        user = existing_account(code)
        if user is None:
            username = validate_new_login(username)
            user = User(username=username, display_name=code.owner.name[:60])
            created = True
        _check_password(password, user)
        user.set_password(password)
        user.save()

    units = list(Unit.objects.filter(building__estate=code.estate, owner=code.owner).order_by("pk"))
    have = set(RoleGrant.objects.filter(user=user, role=Role.OWNER).values_list("unit_id", flat=True))
    RoleGrant.objects.bulk_create(
        [
            RoleGrant(user=user, role=Role.OWNER, unit=unit, note=_("激活信激活"))
            for unit in units
            if unit.pk not in have
        ]
    )
    forget_scope(user)
    code.used_at = now
    code.used_by = user
    code.save(update_fields=["used_at", "used_by"])
    audit_record(
        actor=user,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=code,
        street_id=code.estate.area.street_id,
        changes={
            "account": user.username,
            "new_account": created,
            "units": [u.pk for u in units],
            "ip": ip,
        },
    )
    return user
