"""Activation letters can create an owner account, never take one over (issue 11, hole 1).

A letter code only creates a new owner account, or gives a first password to an owner-only account
that never had one; it never resets a password, never names an existing account, never reaches an
office account; re-issuing revokes the old code and tells the existing account; only the estate's
owners' committee, its area secretary and the street admin issue letters, each issue audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user
from django.urls import reverse

from gongzhi.core.models import AuditEvent, Notification, Role, RoleGrant, User
from gongzhi.core.pdf import pdf_text
from gongzhi.core.testing import PASSWORD as PERSONA_PASSWORD
from gongzhi.portal import permissions, services
from gongzhi.portal.models import ActivationCode
from gongzhi.portal.services import ActivationError
from gongzhi.registry import models as r

PASSWORD = "Lan-yue-ting-88"
ACTIVATE = reverse("portal:activate")
ACCOUNT = reverse("portal:activate_account")


def _letter(world, owner, actor="oc_a1"):
    letters = services.letters_issue(
        actor=world.user(actor), estate=world.estate_a1, owner_ids=[owner.pk], include_activated=True
    )
    return letters[0].code


def _redeem(client, code, username="newowner", password=PASSWORD):
    assert client.post(ACTIVATE, {"code": code}).status_code == 302
    page = client.get(ACCOUNT)
    response = client.post(ACCOUNT, {"username": username, "password1": password, "password2": password})
    return page, response


def test_a_committee_member_cannot_take_over_the_street_admin_through_a_letter(client, world):
    """The reproduction: the street admin holds an owner grant on owner A1-2's unit; the owners'
    committee issues a letter for A1-2 and redeems it anonymously."""
    admin = world.user("admin")
    RoleGrant.objects.create(user=admin, role=Role.OWNER, unit=world.unit_a1_other)
    code = _letter(world, world.unit_a1_other.owner)
    page, response = _redeem(client, code, username="thief", password=PASSWORD)
    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.check_password(PERSONA_PASSWORD) and not admin.check_password(PASSWORD)
    logged_in = get_user(client)
    assert logged_in.username == "thief" and logged_in.pk != admin.pk
    # the new account is an owner and nothing else
    assert set(RoleGrant.objects.filter(user=logged_in).values_list("role", flat=True)) == {Role.OWNER}
    html = page.content.decode()
    assert "您已有账号" not in html and "街道管理员" not in html and 'name="username"' in html


def test_the_account_page_never_names_an_existing_account(client, world):
    owner = world.unit_a1.owner  # owner_a1 holds this unit
    code = _letter(world, owner)
    client.post(ACTIVATE, {"code": code})
    html = client.get(ACCOUNT).content.decode()
    assert "owner_a1" not in html and "甲一业主" not in html
    assert 'name="username"' in html  # the same form as for anyone: choose a login


def test_an_account_with_a_usable_password_is_never_reset(client, world):
    owner_a1 = world.user("owner_a1")
    code = _letter(world, world.unit_a1.owner)
    client.post(ACTIVATE, {"code": code})
    # The old page sent only a password for the existing account: that no longer sets anything.
    response = client.post(ACCOUNT, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 200
    owner_a1.refresh_from_db()
    assert owner_a1.check_password(PERSONA_PASSWORD)
    # Completing the form makes a separate account; owner_a1's password and grants are untouched.
    response = client.post(ACCOUNT, {"username": "a1-new", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    owner_a1.refresh_from_db()
    assert owner_a1.check_password(PERSONA_PASSWORD)
    assert RoleGrant.objects.filter(user=owner_a1, role=Role.OWNER, unit=world.unit_a1).exists()
    assert get_user(client).username == "a1-new"


@pytest.mark.parametrize("office", ["admin", "secretary_a", "staff_x", "oc_a1", "superuser", "staff"])
def test_an_office_account_is_never_reachable(client, world, office):
    if office in {"superuser", "staff"}:
        user = User.objects.create_user(username=office, password=PERSONA_PASSWORD)
        user.is_superuser = office == "superuser"
        user.is_staff = True
        user.set_unusable_password()  # even one that never had a password
        user.save()
    else:
        user = world.user(office)
    RoleGrant.objects.create(user=user, role=Role.OWNER, unit=world.unit_a1_other)
    code = _letter(world, world.unit_a1_other.owner, actor="admin")
    before = User.objects.get(pk=user.pk).password
    _page, response = _redeem(client, code, username="x-owner")
    assert response.status_code == 302
    assert get_user(client).username == "x-owner"
    assert User.objects.get(pk=user.pk).password == before
    assert not RoleGrant.objects.filter(user__username="x-owner").exclude(role=Role.OWNER).exists()


def test_a_logged_in_office_account_cannot_attach_units(client, world):
    admin = world.user("admin")
    code = _letter(world, world.unit_a1_other.owner)
    checked = services.activation_check(raw_code=code, ip="10.1.1.2")
    with pytest.raises(ActivationError, match="办公账号"):
        services.activation_complete(code_id=checked.pk, ip="10.1.1.2", attach_to=admin)
    assert not RoleGrant.objects.filter(user=admin, role=Role.OWNER).exists()
    assert ActivationCode.objects.get(pk=checked.pk).used_at is None
    # the page says so, and posting anyway changes nothing
    client.force_login(admin)
    client.post(ACTIVATE, {"code": code}, REMOTE_ADDR="10.1.1.3")
    assert "办公账号不能关联房屋" in client.get(ACCOUNT).content.decode()
    assert client.post(ACCOUNT, {}).status_code == 302
    assert not RoleGrant.objects.filter(user=admin, role=Role.OWNER).exists()


def test_an_owner_account_that_never_had_a_password_gets_its_first_one(client, world):
    placeholder = User.objects.create_user(username="placeholder-a12", password=None)
    assert not placeholder.has_usable_password()
    RoleGrant.objects.create(user=placeholder, role=Role.OWNER, unit=world.unit_a1_other)
    code = _letter(world, world.unit_a1_other.owner)
    page, response = _redeem(client, code, username="a12-owner")
    assert "placeholder-a12" not in page.content.decode()
    assert response.status_code == 302
    placeholder.refresh_from_db()
    assert placeholder.username == "a12-owner" and placeholder.check_password(PASSWORD)
    assert User.objects.filter(grants__unit=world.unit_a1_other).distinct().count() == 1


def test_reissuing_revokes_the_old_code_and_tells_the_existing_account(client, world):
    owner = world.unit_a1.owner
    notified = Notification.objects.filter(user=world.user("owner_a1"))
    old = _letter(world, owner)
    assert notified.count() == 1  # owner_a1 already holds the unit: told of the letter
    new = _letter(world, owner)
    assert ActivationCode.objects.filter(owner=owner, revoked_at__isnull=False).count() == 1
    assert "已作废" in client.post(ACTIVATE, {"code": old}).content.decode()
    assert client.post(ACTIVATE, {"code": new}).status_code == 302
    assert notified.count() == 2
    text = notified.first().text
    assert "激活信" in text and "甲一小区" in text and new not in text


def test_issuing_is_a_scoped_capability_of_committee_area_secretary_and_street_admin(world):
    estate = world.estate_a1
    allowed = {p for p in world.users if permissions.may_issue_letters(world.user(p), estate)}
    assert allowed == {"admin", "secretary_a", "oc_a1"}
    for persona in ("leader", "member_a", "secretary_b", "staff_x", "owner_a1", "other_admin", "outsider"):
        with pytest.raises(services.PermissionDenied):
            services.letters_issue(actor=world.user(persona), estate=estate)
    assert not ActivationCode.objects.exists()


def test_every_issue_is_audited_with_who_issued_in_which_capacity(world):
    services.letters_issue(actor=world.user("secretary_a"), estate=world.estate_a1)
    services.letters_issue(actor=world.user("oc_a1"), estate=world.estate_a1, include_activated=True)
    events = AuditEvent.objects.filter(object_type="portal.ActivationCode").order_by("pk")
    assert [(e.actor.username, e.changes["capacity"]) for e in events] == [
        ("secretary_a", "area_secretary"),
        ("oc_a1", "owners_committee"),
    ]
    assert events[1].changes["notified_accounts"] == 1  # owner_a1


def test_the_area_secretary_prints_letters_from_the_office_page(as_user, world):
    r.Unit.objects.create(building=world.building_a1, number="501", area=Decimal("50.00"))
    client = as_user("secretary_a")
    assert client.get(reverse("portal:letters")).status_code == 200
    response = client.post(reverse("portal:letters_issue", args=[world.estate_a1.pk]), {"which": "new"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "甲居民区居民委员会" in pdf_text(response.content)  # signed by whoever issued it
    assert as_user("member_a").get(reverse("portal:letters")).status_code == 403


def test_the_password_hint_states_the_validators_minimum(client, world, settings):
    code = _letter(world, world.unit_a1_other.owner)
    client.post(ACTIVATE, {"code": code})
    html = client.get(ACCOUNT).content.decode()
    assert "至少 10 位" in html and "至少 8 位" not in html  # settings: MinimumLengthValidator(10)
    settings.AUTH_PASSWORD_VALIDATORS = [
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 14},
        }
    ]
    assert "至少 14 位" in client.get(ACCOUNT).content.decode()
    response = client.post(
        ACCOUNT, {"username": "len-owner", "password1": "Abcdef-123", "password2": "Abcdef-123"}
    )
    assert response.status_code == 200 and not User.objects.filter(username="len-owner").exists()
