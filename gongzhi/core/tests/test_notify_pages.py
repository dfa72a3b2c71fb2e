"""Facts about the notification pages: the preferences form refuses what cannot be delivered to, the
delivery log shows the admin's own street only with masked addresses, the events table lists every
event, and the known answers of the pure delivery rules (core/notify_rules.py)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from gongzhi.core import notify_rules
from gongzhi.core.events import EVENTS
from gongzhi.core.masking import mask_email
from gongzhi.core.models import AuditEvent, ChannelPreference, OutboxMessage
from gongzhi.core.views_notify import masked_address

SH = zoneinfo.ZoneInfo("Asia/Shanghai")

VALID = {
    "email_on": "on",
    "email": "wang@example.cn",
    "sms_on": "on",
    "phone": "138 0000 1234",
    "wechat_on": "",
    "wechat_openid": "",
    "quiet_start": "21:00",
    "quiet_end": "08:00",
}


def test_preferences_saved_for_oneself_and_audited_without_the_addresses(as_user, world):
    client = as_user("owner_a1")
    response = client.post(reverse("notify_preferences"), VALID)
    assert response.status_code == 302
    pref = ChannelPreference.objects.get(user=world.user("owner_a1"))
    assert (pref.email_on, pref.email, pref.sms_on, pref.phone, pref.wechat_on) == (
        True,
        "wang@example.cn",
        True,
        "13800001234",
        False,
    )
    event = AuditEvent.objects.filter(object_type="core.ChannelPreference").get()
    assert "13800001234" not in str(event.changes) and "phone" in event.changes["fields"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"phone": "1380000123"}, "phone", "11 位"),
        ({"phone": "23800001234"}, "phone", "11 位"),
        ({"phone": ""}, "phone", "开启短信通知前请填写手机号码"),
        ({"email": "not-an-address"}, "email", ""),
        ({"email": ""}, "email", "开启电子邮件通知前请填写电子邮箱"),
        ({"wechat_on": "on"}, "wechat_openid", "开启微信通知前请填写微信 OpenID"),
        ({"wechat_on": "on", "wechat_openid": "o<script>"}, "wechat_openid", "OpenID 只含字母"),
        ({"quiet_start": "25:00"}, "quiet_start", ""),
    ],
)
def test_preferences_form_refuses_what_cannot_be_delivered_to(as_user, world, change, field, message):
    response = as_user("staff_x").post(reverse("notify_preferences"), {**VALID, **change})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert not ChannelPreference.objects.filter(user=world.user("staff_x")).exists()


def test_the_preferences_page_lists_only_ones_own_messages_masked(as_user, world):
    mine = OutboxMessage.objects.create(
        event="problems.closed",
        user=world.user("owner_a1"),
        channel="sms",
        dedup_key="a",
        text="您报告的问题已销项",
        address="13800001234",
    )
    OutboxMessage.objects.create(
        event="problems.closed", user=world.user("oc_a1"), channel="sms", dedup_key="b", text="别人的消息"
    )
    page = as_user("owner_a1").get(reverse("notify_preferences")).content.decode()
    assert mine.text in page and "138****1234" in page
    assert "13800001234" not in page and "别人的消息" not in page


def test_delivery_log_shows_the_admins_street_only_masked(as_user, world, django_assert_max_num_queries):
    for n in range(30):
        OutboxMessage.objects.create(
            event="problems.overdue",
            user=world.user("staff_x"),
            channel="email" if n % 2 else "sms",
            dedup_key=f"own-{n}",
            street=world.street,
            text=f"超期 WT-{n:03d}",
            address="zhang.san@example.cn" if n % 2 else "13912345678",
            status=OutboxMessage.Status.SENT,
        )
    OutboxMessage.objects.create(
        event="problems.overdue",
        user=world.user("other_admin"),
        channel="sms",
        dedup_key="other",
        street=world.other_street,
        text="另一街道的消息",
    )
    client = as_user("admin")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("notify_deliveries"))
    page = response.content.decode()
    assert "超期 WT-029" in page and "另一街道的消息" not in page
    assert "139****5678" in page and "z********@example.cn" in page
    assert "13912345678" not in page and "zhang.san@example.cn" not in page
    assert "工单超期" in page  # the event's label from EVENTS
    only_sms = client.get(reverse("notify_deliveries"), {"channel": "sms"}).content.decode()
    assert "z********@example.cn" not in only_sms
    other = as_user("other_admin").get(reverse("notify_deliveries")).content.decode()
    assert "另一街道的消息" in other and "超期 WT-029" not in other


def test_events_page_lists_every_event_with_its_channels(as_user):
    page = as_user("admin").get(reverse("notify_events")).content.decode()
    for key, event in EVENTS.items():
        if key != "general":
            assert f"<code>{key}</code>" in page
            assert str(event.label) in page
    assert "短信" in page and "微信公众号" in page


def test_every_event_names_real_channels_and_a_today_item_that_exists():
    import re
    from pathlib import Path

    import gongzhi

    kinds = set()
    for path in Path(gongzhi.__file__).parent.glob("*/today.py"):
        kinds |= set(re.findall(r'"([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    for event in EVENTS.values():
        assert set(event.channels) <= {"email", "sms", "wechat"}
        assert not event.today or event.today in kinds, event.today


# ---- known answers of the rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clock", "quiet"),
    [("20:59", False), ("21:00", True), ("23:59", True), ("00:00", True), ("07:59", True), ("08:00", False)],
)
def test_default_quiet_hours_wrap_midnight(clock, quiet):
    hour, minute = map(int, clock.split(":"))
    assert notify_rules.in_quiet_hours(dt.time(hour, minute), dt.time(21, 0), dt.time(8, 0)) is quiet


def test_quiet_hours_in_the_day_and_an_empty_window():
    assert notify_rules.in_quiet_hours(dt.time(12, 30), dt.time(12, 0), dt.time(14, 0))
    assert not notify_rules.in_quiet_hours(dt.time(14, 0), dt.time(12, 0), dt.time(14, 0))
    assert not notify_rules.in_quiet_hours(dt.time(3, 0), dt.time(8, 0), dt.time(8, 0))


def test_quiet_hours_end_before_and_after_midnight():
    end = dt.time(8, 0)
    evening = dt.datetime(2026, 12, 6, 22, 15, tzinfo=SH)
    night = dt.datetime(2026, 12, 7, 3, 0, tzinfo=SH)
    assert notify_rules.quiet_hours_end(evening, dt.time(21, 0), end) == dt.datetime(
        2026, 12, 7, 8, 0, tzinfo=SH
    )
    assert notify_rules.quiet_hours_end(night, dt.time(21, 0), end) == dt.datetime(
        2026, 12, 7, 8, 0, tzinfo=SH
    )


def test_backoff_doubles_and_is_capped():
    assert [notify_rules.backoff_seconds(n, 60) for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert notify_rules.backoff_seconds(30, 60) == 6 * 3600


def test_rate_limit_known_answers():
    now = dt.datetime(2026, 12, 7, 10, 0, tzinfo=SH)
    hour = dt.timedelta(hours=1)
    sent = [now - dt.timedelta(minutes=m) for m in (50, 30, 10)]
    assert notify_rules.rate_limited_until(sent, 4, now, hour) is None
    assert notify_rules.rate_limited_until(sent, 3, now, hour) == now + dt.timedelta(minutes=10)
    assert notify_rules.rate_limited_until(sent, 2, now, hour) == now + dt.timedelta(minutes=30)
    old = [now - dt.timedelta(minutes=61)] * 5
    assert notify_rules.rate_limited_until(old, 1, now, hour) is None


def test_dedup_key_differs_by_each_part():
    base = notify_rules.dedup_key("problems.closed", "problem-event:7", 3, "sms")
    assert len(base) == 64
    assert base == notify_rules.dedup_key("problems.closed", "problem-event:7", 3, "sms")
    others = {
        notify_rules.dedup_key("problems.reopened", "problem-event:7", 3, "sms"),
        notify_rules.dedup_key("problems.closed", "problem-event:8", 3, "sms"),
        notify_rules.dedup_key("problems.closed", "problem-event:7", 4, "sms"),
        notify_rules.dedup_key("problems.closed", "problem-event:7", 3, "wechat"),
    }
    assert base not in others and len(others) == 4


def test_masking_of_addresses():
    assert mask_email("wang.jianguo@example.com") == "w***********@example.com"
    assert mask_email("a@b.cn") == "a*@b.cn"
    assert masked_address("sms", "13800001234") == "138****1234"
    assert masked_address("wechat", "oABCDEFGHIJKLMNOPQRSTUVWXYZ1") == "oABC…Z1"
