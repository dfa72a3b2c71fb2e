"""Owner account activation: issuing letters (codes) and redeeming a code for an account.

- ``letters_issue`` — the estate's owners' committee, its area secretary or the street admin
  (``permissions.may_issue_letters``) issues one code per owner who holds units there (the developer gets
  none); an owner's earlier unused code is revoked and any account already holding the units is told.
- ``activation_check`` — a code typed on a phone: valid, or a plain-Chinese reason; throttled per address.
- ``activation_complete`` — the code becomes a NEW owner account (or the first password of an owner-only
  account that never had one, or the logged-in owner's own account) with an OWNER grant on each of the
  owner's units in that estate; the code is used up. A code never resets a password, never names an
  existing account and never reaches an office account (issue 11: account takeover by letter).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.password_validation import (
    MinimumLengthValidator,
    get_default_password_validators,
    validate_password,
)
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.core.audit import audit_record
from gongzhi.core.errors import UserError
from gongzhi.core.keyed import Keyed
from gongzhi.core.models import AuditEvent, Role, RoleGrant, User
from gongzhi.core.notify import notify
from gongzhi.core.scopes import forget_scope, units_with_owner_accounts
from gongzhi.portal import permissions, rules
from gongzhi.portal.models import ActivationAttempt, ActivationCode
from gongzhi.registry.models import Estate, Owner, OwnerKind, Unit


class ActivationError(UserError):
    """Activation refused; ``field`` names the form field at fault, when there is one."""


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


def letter_owners(estate: Estate):
    """Owners who get a letter: every owner of a unit in the estate except the developer."""
    return (
        Owner.objects.filter(units__building__estate=estate)
        .exclude(kind=OwnerKind.DEVELOPER)
        .distinct()
        .order_by("ref", "pk")
    )


def letters_selection(
    estate: Estate, *, which: str, building_id: int | None = None, owner_id: int | None = None
) -> tuple[list[int], bool]:
    """The owners a batch of letters is for (ids) and whether activated owners are included, from the
    issue form's choice: "new" (no live code yet), "pending" (all not activated: live codes are
    replaced), "owner" (one owner, activated or not). Read at the moment of issuing, by the direct
    download and by the background job alike, so a second click never voids the first batch's codes."""
    owners = letter_owners(estate)
    if building_id is not None:
        owners = owners.filter(units__building_id=building_id)
    if which == "owner":
        return list(owners.filter(pk=owner_id).values_list("pk", flat=True)), True
    if which == "new":
        live = ActivationCode.objects.usable(timezone.now()).filter(estate=estate).values("owner_id")
        owners = owners.exclude(pk__in=live)
    return list(owners.values_list("pk", flat=True)), False


def activated_owner_ids(estate: Estate) -> set[int]:
    """Owners of the estate who already have an account with a grant on one of their units there."""
    return set(
        Unit.objects.filter(
            building__estate=estate,
            owner__isnull=False,
            pk__in=units_with_owner_accounts().values("pk"),
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
    activated are left out unless ``include_activated`` (a lost password: the new code makes a new
    account, it never resets the old one). Each owner's earlier unused code for this estate is revoked,
    and every account already holding one of their units is told, in the same transaction."""
    capacity = permissions.issuing_capacity(actor, estate)
    if capacity is None:
        raise PermissionDenied
    now = now or timezone.now()
    owners = letter_owners(estate)
    if owner_ids is not None:
        owners = owners.filter(pk__in=owner_ids)
        if not owners.exists():
            raise ActivationError(_("所选业主在本小区没有房屋，或是建设单位（不发激活信）。"))
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
    notified = _tell_existing_accounts(estate, units_by_owner)
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
            "capacity": capacity,
            "notified_accounts": notified,
        },
    )
    return letters


def _tell_existing_accounts(estate: Estate, units_by_owner: dict[int, list[Unit]]) -> int:
    """Inbox note to every active account that already holds one of these units: a letter for their
    home is out. Its holder can only make a new account, but the owner should know it exists."""
    unit_ids = [unit.pk for units in units_by_owner.values() for unit in units]
    users = User.objects.filter(
        is_active=True, grants__role=Role.OWNER, grants__unit_id__in=unit_ids
    ).distinct()
    users = list(users)
    if users:
        notify(
            users,
            Keyed(
                gettext_noop(
                    "%(estate)s 刚为您名下的房屋发放了新的业主激活信，之前未使用的激活码已作废。"
                    "激活信只能开通新的业主账号，不会改动您现有账号的密码；如非您本人申请，请联系业委会或居委会。"
                ),
                {"estate": estate.name},
            ),
            event="portal.letters_reissued",
            street_id=estate.area.street_id,
        )
    return len(users)


# ---- redeeming ---------------------------------------------------------------------------------------


def _throttled(ip: str, now: dt.datetime) -> bool:
    since = now - dt.timedelta(minutes=rules.FAILURE_WINDOW_MINUTES)
    failures = ActivationAttempt.objects.filter(ip=ip, at__gte=since, succeeded=False).count()
    return failures >= rules.MAX_FAILURES


def _reason_unusable(code: ActivationCode, now: dt.datetime) -> str | None:
    if code.used_at is not None:
        return _("这个激活码已经用过了。已激活的业主请直接登录；忘记密码请联系业委会补发激活信。")
    if code.revoked_at is not None:
        return _("这个激活码已作废：已经为您补发了新的激活信，请使用最新的一封。")
    if code.expires_at <= now:
        return _("这个激活码已于 %(date)s 过期，请联系业委会补发激活信。") % {
            "date": timezone.localtime(code.expires_at).strftime("%Y-%m-%d")
        }
    return None


def activation_check(*, raw_code: str, ip: str, now: dt.datetime | None = None) -> ActivationCode:
    """The code an owner typed, if it may activate an account now; else ``ActivationError`` with the
    reason. Every try is counted; too many failures from one address lock it out for a while."""
    now = now or timezone.now()
    if _throttled(ip, now):
        raise ActivationError(
            _("尝试次数过多，请 %(minutes)d 分钟后再试。") % {"minutes": rules.FAILURE_WINDOW_MINUTES}
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
        _("激活码不正确，请核对激活信上的 12 位激活码（不含字母 O、I、L 和数字 0、1）。")
        if found is None
        else _reason_unusable(found, now)
    )
    ActivationAttempt.objects.create(at=now, ip=ip[:45], succeeded=reason is None)
    if reason is not None:
        raise ActivationError(reason, field="code")
    return found


def existing_account(code: ActivationCode) -> User | None:
    """The one account a code may complete without a login: an owner-only account on this owner's units
    in the code's estate that has never had a usable password (set up by the office, never used). Any
    other account — one with a password, an office account — is never reached: the code makes a new one."""
    grants = (
        RoleGrant.objects.filter(
            role=Role.OWNER, unit__owner=code.owner, unit__building__estate=code.estate, user__is_active=True
        )
        .select_related("user")
        .order_by("-pk")
    )
    for grant in grants:
        if permissions.letter_may_reach(grant.user):
            return grant.user
    return None


def validate_new_login(username: str, *, keep: User | None = None) -> str:
    username = (username or "").strip()
    field = User._meta.get_field("username")
    try:
        field.run_validators(username)
    except ValidationError:
        raise ActivationError(
            _("用户名只能包含字母、数字和 @ . + - _，可以用手机号。"), field="username"
        ) from None
    if not 3 <= len(username) <= 40:
        raise ActivationError(_("用户名长度为 3 到 40 个字符。"), field="username")
    taken = User.objects.filter(username__iexact=username)
    if keep is not None:
        taken = taken.exclude(pk=keep.pk)
    if taken.exists():
        raise ActivationError(_("这个用户名已被使用，请换一个。"), field="username")
    return username


def password_min_length() -> int:
    """The shortest password the configured validators accept (AUTH_PASSWORD_VALIDATORS), for the
    page's hint: the page and the check can then never disagree."""
    return max(
        (v.min_length for v in get_default_password_validators() if isinstance(v, MinimumLengthValidator)),
        default=1,
    )


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

    - ``attach_to`` (the logged-in owner) gets the grants — no password asked; an office account never;
    - otherwise an owner-only account that never had a password (``existing_account``) gets the grants,
      the chosen ``username`` and its first ``password``;
    - otherwise a new account ``username`` with ``password`` is made.
    No existing password is ever replaced. The code is re-checked under a row lock, so one code makes one
    account even if sent twice."""
    now = now or timezone.now()
    code = (
        ActivationCode.objects.select_for_update()
        .select_related("owner", "estate__area")
        .filter(pk=code_id)
        .first()
    )
    if code is None:
        raise ActivationError(_("激活码不正确，请重新输入。"), field="code")
    reason = _reason_unusable(code, now)
    if reason is not None:
        raise ActivationError(reason, field="code")

    created = False
    if attach_to is not None:
        if permissions.is_office_account(attach_to):
            raise ActivationError(
                _("办公账号不能通过激活信关联房屋。请退出登录后用激活信开通单独的业主账号。"), field="code"
            )
        user = attach_to
    else:
        user = existing_account(code)
        if user is None:
            user = User(username=validate_new_login(username), display_name=code.owner.name[:60])
            created = True
        else:
            user = User.objects.select_for_update().get(pk=user.pk)
            if not permissions.letter_may_reach(user):  # changed since the page was shown
                raise ActivationError(_("激活码不正确，请重新输入。"), field="code")
            user.username = validate_new_login(username, keep=user)
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
