"""Owner account activation: letters with one-time codes (issued by the owners' committee or the street
admin) redeemed on a phone for an account with OWNER grants on the owner's units."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import AuditEvent, Role, RoleGrant, User
from gongzhi.core.pdf import pdf_text
from gongzhi.portal import rules, services
from gongzhi.portal.models import ActivationAttempt, ActivationCode
from gongzhi.portal.services import ActivationError
from gongzhi.registry import models as r

PASSWORD = "Lan-yue-ting-88"
ACTIVATE = reverse("portal:activate")
ACCOUNT = reverse("portal:activate_account")
CODE_RE = re.compile(r"\b([2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4})\b")


@pytest.fixture
def estate(world):
    """Estate A1 with, besides its three owners, a buyer of two more units and the developer's two
    unsold units (the world's building 1号 plus a building 2号)."""
    building2 = r.Building.objects.create(estate=world.estate_a1, number="2号", floors=6)
    buyer = r.Owner.objects.create(street=world.street, ref="A1-9", name="钱多多", phone="13900009999")
    developer = r.Owner.objects.create(street=world.street, ref="DEV", name="某开发公司", kind="developer")
    r.Unit.objects.create(building=world.building_a1, number="401", area=Decimal("80.00"), owner=buyer)
    r.Unit.objects.create(building=building2, number="101", area=Decimal("90.00"), owner=buyer)
    r.Unit.objects.create(building=building2, number="102", area=Decimal("60.00"), owner=developer)
    r.Unit.objects.create(building=building2, number="103", area=Decimal("60.00"), owner=developer)
    world.buyer, world.developer = buyer, developer
    return world.estate_a1


def issue(world, estate, **kwargs):
    return services.letters_issue(actor=world.user("oc_a1"), estate=estate, **kwargs)


def letter_for(letters, owner):
    return next(letter for letter in letters if letter.owner == owner)


def activate(client, code, username="qianduoduo", password=PASSWORD, password2=None):
    first = client.post(ACTIVATE, {"code": code})
    if first.status_code != 302:
        return first
    return client.post(
        ACCOUNT, {"username": username, "password1": password, "password2": password2 or password}
    )


# ---- issuing --------------------------------------------------------------------------------------


def test_one_letter_per_owner_covering_all_their_units_and_none_for_the_developer(world, estate):
    letters = issue(world, estate, include_activated=True)
    owners = [letter.owner.ref for letter in letters]
    assert owners == ["A1-1", "A1-2", "A1-3", "A1-9"]  # developer DEV left out
    buyer = letter_for(letters, world.buyer)
    assert [(u.building.number, u.number) for u in buyer.units] == [("1号", "401"), ("2号", "101")]
    assert ActivationCode.objects.filter(estate=estate).count() == 4


def test_codes_are_unguessable_and_stored_only_as_a_hash(world, estate):
    letters = issue(world, estate, include_activated=True)
    codes = [letter.code for letter in letters]
    assert len(set(codes)) == 4
    for letter in letters:
        assert len(letter.code) == 12 and set(letter.code) <= set(rules.ALPHABET)
        assert not set(letter.code) & set("01OIL")
        stored = ActivationCode.objects.get(owner=letter.owner)
        assert stored.code_hash == hashlib.sha256(letter.code.encode()).hexdigest()
        # the clear code is in no column of the row
        assert letter.code not in str(ActivationCode.objects.filter(pk=stored.pk).values().get())
        assert stored.expires_at - stored.issued_at == dt.timedelta(days=60)


def test_already_activated_owners_get_no_new_letter_by_default(world, estate):
    # owner_a1 holds unit_a1 of owner A1-1
    refs = [letter.owner.ref for letter in issue(world, estate)]
    assert refs == ["A1-2", "A1-3", "A1-9"]


def test_reissuing_revokes_the_older_code(world, estate, client):
    old = letter_for(issue(world, estate), world.buyer).code
    new = letter_for(issue(world, estate, owner_ids=[world.buyer.pk]), world.buyer).code
    assert ActivationCode.objects.filter(owner=world.buyer, revoked_at__isnull=False).count() == 1
    response = client.post(ACTIVATE, {"code": old})
    assert "这个激活码已作废" in response.content.decode()
    assert client.post(ACTIVATE, {"code": new}).status_code == 302


@pytest.mark.parametrize("persona", ["member_a", "secretary_b", "staff_x", "owner_a1", "other_admin"])
def test_only_the_committee_the_area_secretary_or_the_street_admin_issue(world, estate, persona):
    with pytest.raises(services.PermissionDenied):
        services.letters_issue(actor=world.user(persona), estate=estate)
    assert not ActivationCode.objects.exists()


def test_the_street_admin_may_issue_too_and_it_is_audited(world, estate):
    letters = services.letters_issue(actor=world.user("admin"), estate=estate)
    event = AuditEvent.objects.get(object_type="portal.ActivationCode")
    assert event.actor == world.user("admin") and event.street_id == world.street.pk
    assert sorted(event.changes["owners"]) == sorted(letter.owner.pk for letter in letters)
    assert not any(letter.code in str(event.changes) for letter in letters)


def test_an_owner_of_another_estate_cannot_be_chosen(world, estate):
    foreign = world.unit_b1.owner
    with pytest.raises(ActivationError, match="没有房屋"):
        issue(world, estate, owner_ids=[foreign.pk])
    with pytest.raises(ActivationError):
        issue(world, estate, owner_ids=[world.developer.pk])
    assert not ActivationCode.objects.exists()


# ---- activating -----------------------------------------------------------------------------------


def test_the_qr_link_fills_in_the_code(client, world, estate):
    code = letter_for(issue(world, estate), world.buyer).code
    html = client.get(ACTIVATE, {"code": rules.format_code(code)}).content.decode()
    assert f'value="{rules.format_code(code)}"' in html


def test_activation_creates_an_account_with_grants_on_every_unit_and_logs_in(client, world, estate):
    code = letter_for(issue(world, estate), world.buyer).code
    first = client.post(ACTIVATE, {"code": rules.format_code(code).lower()})  # case and dashes forgiven
    assert first.status_code == 302 and first["Location"] == ACCOUNT
    page = client.get(ACCOUNT).content.decode()
    assert "钱**" in page and "401" in page and "101" in page and "钱多多" not in page
    response = client.post(ACCOUNT, {"username": "13900009999", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    user = User.objects.get(username="13900009999")
    assert user.check_password(PASSWORD)
    units = set(RoleGrant.objects.filter(user=user, role=Role.OWNER).values_list("unit__number", flat=True))
    assert units == {"401", "101"}
    stored = ActivationCode.objects.get(owner=world.buyer)
    assert stored.used_by == user and stored.used_at is not None
    home = client.get(reverse("portal:home")).content.decode()
    assert "激活成功" in home and "甲一小区" in home  # logged in, on the portal home
    event = AuditEvent.objects.get(object_type="portal.ActivationCode", action="create", object_id=stored.pk)
    assert event.actor == user and event.changes["new_account"] is True


def test_a_used_code_cannot_be_used_again(client, world, estate):
    code = letter_for(issue(world, estate), world.buyer).code
    activate(client, code)
    client.logout()
    response = client.post(ACTIVATE, {"code": code})
    assert "这个激活码已经用过了" in response.content.decode()
    assert User.objects.filter(username="qianduoduo").count() == 1


def test_an_expired_code_is_refused_with_its_date(client, world, estate):
    long_ago = timezone.now() - dt.timedelta(days=61)
    code = letter_for(issue(world, estate, now=long_ago), world.buyer).code
    html = client.post(ACTIVATE, {"code": code}).content.decode()
    assert "这个激活码已于" in html and "过期" in html
    assert client.get(ACCOUNT).status_code == 302  # not let through to step 2


@pytest.mark.parametrize("typed", ["", "ABCD", "ABCD-EFGH-JKM0", "ABCD-EFGH-JKMN"])
def test_a_wrong_code_gets_a_clear_error(client, world, estate, typed):
    issue(world, estate)
    html = client.post(ACTIVATE, {"code": typed}).content.decode()
    assert "激活码不正确" in html or "请输入激活信上的激活码" in html
    assert client.get(ACCOUNT).status_code == 302


def test_tries_are_throttled_per_address(client, world, estate):
    code = letter_for(issue(world, estate), world.buyer).code
    for _ in range(rules.MAX_FAILURES):
        client.post(ACTIVATE, {"code": "ABCD-EFGH-JKMN"})
    html = client.post(ACTIVATE, {"code": code}).content.decode()  # even the right code now
    assert "尝试次数过多" in html
    assert ActivationCode.objects.get(owner=world.buyer).used_at is None
    # another address is not locked out
    assert client.post(ACTIVATE, {"code": code}, REMOTE_ADDR="10.0.0.9").status_code == 302
    assert ActivationAttempt.objects.filter(succeeded=False).count() == rules.MAX_FAILURES


def test_old_failures_no_longer_count(world, estate):
    code = letter_for(issue(world, estate), world.buyer).code
    earlier = timezone.now() - dt.timedelta(minutes=rules.FAILURE_WINDOW_MINUTES + 1)
    ActivationAttempt.objects.bulk_create(
        ActivationAttempt(at=earlier, ip="1.2.3.4") for _ in range(rules.MAX_FAILURES)
    )
    assert services.activation_check(raw_code=code, ip="1.2.3.4").owner == world.buyer


@pytest.mark.parametrize(
    ("username", "password", "password2", "message"),
    [
        ("qian", "12345678", None, "密码"),  # Django's validators (too common, all digits)
        ("qian", PASSWORD, "Other-pass-99", "两次输入的密码不一致"),
        ("qi an", PASSWORD, None, "用户名只能包含"),
        ("owner_a1", PASSWORD, None, "这个用户名已被使用"),
        ("qi", PASSWORD, None, "用户名长度为 3 到 40 个字符"),
    ],
)
def test_bad_account_input_is_refused_and_nothing_changes(
    client, world, estate, username, password, password2, message
):
    code = letter_for(issue(world, estate), world.buyer).code
    users = User.objects.count()
    response = activate(client, code, username=username, password=password, password2=password2)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == users
    assert ActivationCode.objects.get(owner=world.buyer).used_at is None
    assert not RoleGrant.objects.filter(unit__owner=world.buyer).exists()


def test_an_owner_with_an_account_gets_a_second_account_never_a_new_password(client, world, estate):
    """A re-issued letter (lost password) makes a new account; the old one keeps its password
    (issue 11: account takeover by letter — see test_activation_takeover.py)."""
    owner = world.unit_a1.owner  # owner_a1's unit
    code = letter_for(issue(world, estate, owner_ids=[owner.pk], include_activated=True), owner).code
    client.post(ACTIVATE, {"code": code})
    page = client.get(ACCOUNT).content.decode()
    assert "owner_a1" not in page and 'name="username"' in page
    users = User.objects.count()
    response = client.post(ACCOUNT, {"username": "a1-again", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert User.objects.count() == users + 1
    assert not User.objects.get(username="owner_a1").check_password(PASSWORD)


def test_a_logged_in_user_attaches_the_units_to_their_account(client, world, estate):
    user = world.user("owner_a1")
    client.force_login(user)
    code = letter_for(issue(world, estate), world.buyer).code
    client.post(ACTIVATE, {"code": code})
    assert "关联到当前账号" in client.get(ACCOUNT).content.decode()
    assert client.post(ACCOUNT, {}).status_code == 302
    numbers = set(RoleGrant.objects.filter(user=user, role=Role.OWNER).values_list("unit__number", flat=True))
    assert numbers == {"101", "401"} | {world.unit_a1.number}


def test_one_code_makes_one_account_even_when_sent_twice(world, estate):
    code = letter_for(issue(world, estate), world.buyer).code
    checked = services.activation_check(raw_code=code, ip="1.1.1.1")
    services.activation_complete(code_id=checked.pk, ip="1.1.1.1", username="first", password=PASSWORD)
    with pytest.raises(ActivationError, match="已经用过"):
        services.activation_complete(code_id=checked.pk, ip="1.1.1.1", username="second", password=PASSWORD)
    assert not User.objects.filter(username="second").exists()


# ---- the office pages and the PDF -----------------------------------------------------------------


def test_the_letters_pdf_has_one_page_per_owner_with_a_code_that_works(as_user, world, estate, client):
    response = as_user("oc_a1").post(reverse("portal:letters_issue", args=[estate.pk]), {"which": "new"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment;" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert text.count("业主账号激活信") >= 3 and "甲一小区" in text and "钱**" in text
    assert "钱多多" not in text and "某开发公司" not in text
    codes = CODE_RE.findall(text)
    assert len(codes) == 3  # A1-2, A1-3, A1-9 (A1-1 already activated)
    assert text.count("\f") >= 2  # one page each
    hashes = set(ActivationCode.objects.values_list("code_hash", flat=True))
    assert {rules.code_hash(c.replace("-", "")) for c in codes} == hashes


def test_issuing_by_building_and_for_one_owner(as_user, world, estate):
    client = as_user("oc_a1")
    building2 = r.Building.objects.get(estate=estate, number="2号")
    url = reverse("portal:letters_issue", args=[estate.pk])
    client.post(url, {"which": "new", "building": building2.pk})
    assert list(ActivationCode.objects.values_list("owner__ref", flat=True)) == ["A1-9"]
    client.post(url, {"which": "owner", "owner": world.unit_a1.owner.pk})
    assert ActivationCode.objects.filter(owner=world.unit_a1.owner).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"which": "owner"}, "请选择要补发激活信的业主。"),
        ({"which": "nonsense"}, "选择一个有效的选项"),
    ],
)
def test_bad_issue_requests_answer_with_the_page_and_a_reason(as_user, world, estate, data, message):
    response = as_user("oc_a1").post(reverse("portal:letters_issue", args=[estate.pk]), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not ActivationCode.objects.exists()


def test_nothing_to_issue_is_said_plainly(as_user, world, estate):
    client = as_user("oc_a1")
    url = reverse("portal:letters_issue", args=[estate.pk])
    client.post(url, {"which": "new"})
    response = client.post(url, {"which": "new"})
    assert response.status_code == 400 and "没有需要发放激活信的业主" in response.content.decode()


def test_the_estate_page_shows_who_activated(as_user, world, estate):
    issue(world, estate)
    html = as_user("oc_a1").get(reverse("portal:letters_estate", args=[estate.pk])).content.decode()
    assert "已激活" in html and "已发放，待激活" in html and "钱多多" in html  # the OC sees names
    assert "某开发公司" not in html


def test_the_letters_list_counts_owners_with_few_queries(
    as_user, world, estate, django_assert_max_num_queries
):
    client = as_user("admin")
    with django_assert_max_num_queries(16):
        html = client.get(reverse("portal:letters")).content.decode()
    assert "甲一小区" in html and "乙一小区" in html and "丙一小区" not in html
