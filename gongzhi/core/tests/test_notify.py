"""Facts about the outbox (core/notify.py): inbox and outbox rows in the event's transaction (a
rolled-back event tells nobody), only the channels the event names and the user chose, one row per
event, recipient and channel, quiet hours that defer, a rate limit per user and channel, retries with
backoff, and delivery that a second run never repeats. Channels are driven against the local fakes
of core/tests/fakes.py."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db import transaction

from gongzhi.core.models import ChannelPreference, Notification, OutboxMessage, User
from gongzhi.core.notify import deliver_outbox, notify
from gongzhi.core.tests.fakes import FakeAliyunSms, FakeWeChat, Gateways, SmtpSink, configure

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def moment(days: int, hour: int, minute: int) -> dt.datetime:
    """A Shanghai time on tomorrow (+ ``days``): always after the real moment a test's notify() writes its
    rows, so a message written "now" is due at every moment a test travels to (a fixed date here made the
    tests fail once that date had passed)."""
    day = dt.datetime.now(SH).date() + dt.timedelta(days=1 + days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SH)


S = OutboxMessage.Status


@pytest.fixture
def gateways(settings):
    g = Gateways(SmtpSink().start(), FakeAliyunSms().start(), FakeWeChat().start())
    configure(settings, g)
    yield g
    g.smtp.stop()
    g.sms.stop()
    g.wechat.stop()


@pytest.fixture
def people(db):
    make = User.objects.create_user
    everyone = make(username="alice", password="x-unused-1")
    ChannelPreference.objects.create(
        user=everyone,
        email_on=True,
        email="alice@example.cn",
        sms_on=True,
        phone="13800001234",
        wechat_on=True,
        wechat_openid="oABCDEFGHIJKLMNOPQRSTUVWXYZ1",
    )
    inbox_only = make(username="bob", password="x-unused-2")
    gone = make(username="gone", password="x-unused-3", is_active=False)
    return {"a": everyone, "b": inbox_only, "gone": gone}


def test_inbox_for_every_active_user_outbox_only_for_chosen_channels(people):
    count = notify(
        [people["a"], people["b"], people["a"], None, people["gone"]],
        "超期:WT-2026-000002",
        url="/problems/2/",
        urgent=True,
        event="problems.overdue",
    )
    assert count == 2
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["alice", "bob"]
    # problems.overdue names SMS, WeChat and e-mail; only alice chose any; bob keeps the inbox.
    assert sorted(OutboxMessage.objects.values_list("user__username", "channel")) == [
        ("alice", "email"),
        ("alice", "sms"),
        ("alice", "wechat"),
    ]


def test_an_event_sends_only_on_its_own_channels(people):
    notify([people["a"]], "您报告的问题 WT-1 已受理", event="problems.accepted")  # WeChat only
    assert list(OutboxMessage.objects.values_list("channel", flat=True)) == ["wechat"]


def test_a_rolled_back_event_leaves_no_notification(people):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify([people["a"]], "新派单 WT-3", event="problems.assigned")
        assert OutboxMessage.objects.count() == 3  # written in the event's own transaction …
        raise RuntimeError("the event fails after notifying")
    assert OutboxMessage.objects.count() == 0  # … and gone with it
    assert Notification.objects.count() == 0


def test_the_same_event_twice_is_delivered_once(people):
    for _ in range(2):
        notify(
            [people["a"]],
            "新派单 WT-4",
            url="/problems/4/",
            event="problems.assigned",
            ref="problem:4:assign",
        )
    assert OutboxMessage.objects.filter(channel="sms").count() == 1
    # A new occurrence (another ref) is a new message.
    notify(
        [people["a"]], "新派单 WT-4", url="/problems/4/", event="problems.assigned", ref="problem:4:reassign"
    )
    assert OutboxMessage.objects.filter(channel="sms").count() == 2


def test_a_channel_switched_off_by_setting_writes_no_rows(people, settings):
    settings.GONGZHI_NOTIFY_CHANNELS = ["email"]
    notify([people["a"]], "超期", event="problems.overdue")
    assert list(OutboxMessage.objects.values_list("channel", flat=True)) == ["email"]


def test_delivery_on_all_three_channels_then_never_again(people, gateways):
    notify([people["a"]], "超期:WT-2026-000005", url="/problems/5/", event="problems.overdue", street_id=None)
    with time_machine.travel(moment(0, 10, 0), tick=False):
        assert deliver_outbox() == {"sent": 3}
        assert deliver_outbox() == {}  # a second run finds nothing due
    (mail,) = gateways.smtp.messages
    assert mail["to"] == ["alice@example.cn"]
    assert "超期:WT-2026-000005" in mail["message"].get_content()
    assert "https://gongzhi.example.cn/problems/5/" in mail["message"].get_content()
    (sms,) = gateways.sms.received
    assert sms["PhoneNumbers"] == "13800001234" and sms["TemplateCode"] == "SMS_100002"
    assert sms["SignName"] == "周家渡街道"
    (wx,) = gateways.wechat.sent
    assert wx["touser"] == "oABCDEFGHIJKLMNOPQRSTUVWXYZ1" and wx["template_id"] == "TPL-general"
    assert wx["data"]["keyword1"]["value"] == "超期:WT-2026-000005"
    rows = OutboxMessage.objects.order_by("channel")
    assert [(m.channel, m.status, m.attempts, m.address) for m in rows] == [
        ("email", S.SENT, 1, "alice@example.cn"),
        ("sms", S.SENT, 1, "13800001234"),
        ("wechat", S.SENT, 1, "oABCDEFGHIJKLMNOPQRSTUVWXYZ1"),
    ]


def test_quiet_hours_defer_sms_and_wechat_until_eight_but_not_email(people, gateways):
    notify([people["a"]], "超期:WT-6", event="problems.overdue")
    with time_machine.travel(moment(0, 22, 30), tick=False):
        assert deliver_outbox() == {"sent": 1, "deferred": 2}
    assert len(gateways.smtp.messages) == 1 and gateways.sms.received == [] and gateways.wechat.sent == []
    deferred = OutboxMessage.objects.filter(status=S.DEFERRED)
    assert {timezone_local(m.next_attempt_at) for m in deferred} == {moment(1, 8, 0)}
    assert all(m.attempts == 0 for m in deferred)  # waiting is not a failed attempt
    with time_machine.travel(moment(1, 7, 59), tick=False):
        assert deliver_outbox() == {}  # still night
    with time_machine.travel(moment(1, 8, 0), tick=False):
        assert deliver_outbox() == {"sent": 2}
    assert len(gateways.sms.received) == 1 and len(gateways.wechat.sent) == 1


def timezone_local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(SH)


def test_own_quiet_hours_are_kept(people, gateways):
    ChannelPreference.objects.filter(user=people["a"]).update(
        quiet_start=dt.time(12, 0), quiet_end=dt.time(14, 0)
    )
    notify([people["a"]], "您报告的问题 WT-7 已受理", event="problems.accepted")
    with time_machine.travel(moment(0, 12, 30), tick=False):
        assert deliver_outbox() == {"deferred": 1}
    assert timezone_local(OutboxMessage.objects.get().next_attempt_at) == moment(0, 14, 0)


def test_rate_limit_per_user_and_channel_defers_the_rest(people, gateways, settings):
    settings.GONGZHI_NOTIFY_RATE_PER_HOUR = {"email": 0, "sms": 2, "wechat": 0}
    for n in range(3):
        notify([people["a"]], f"新派单 WT-8{n}", event="problems.sent_back")  # SMS and WeChat
    start = moment(0, 10, 0)
    with time_machine.travel(start, tick=False):
        assert deliver_outbox() == {"sent": 5, "deferred": 1}
    assert len(gateways.sms.received) == 2 and len(gateways.wechat.sent) == 3
    late = OutboxMessage.objects.get(status=S.DEFERRED)
    assert late.channel == "sms" and late.next_attempt_at == start + dt.timedelta(hours=1)
    with time_machine.travel(start + dt.timedelta(minutes=59), tick=False):
        assert deliver_outbox() == {}
    with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
        assert deliver_outbox() == {"sent": 1}
    assert len(gateways.sms.received) == 3


def test_retries_with_backoff_then_success(people, gateways, settings):
    settings.GONGZHI_NOTIFY_BACKOFF_SECONDS = 60
    gateways.sms.fail_next = 2
    notify([people["a"]], "您报告的问题 WT-9 未予受理", event="problems.rejected")  # SMS and WeChat
    t0 = moment(0, 10, 0)
    with time_machine.travel(t0, tick=False):
        assert deliver_outbox() == {"sent": 1, "pending": 1}
    sms = OutboxMessage.objects.get(channel="sms")
    assert (sms.status, sms.attempts, sms.next_attempt_at) == (S.PENDING, 1, t0 + dt.timedelta(seconds=60))
    assert "503" in sms.last_error
    with time_machine.travel(t0 + dt.timedelta(seconds=60), tick=False):
        assert deliver_outbox() == {"pending": 1}
    sms.refresh_from_db()
    assert (sms.attempts, sms.next_attempt_at) == (2, t0 + dt.timedelta(seconds=180))  # waited 60, then 120
    with time_machine.travel(t0 + dt.timedelta(seconds=180), tick=False):
        assert deliver_outbox() == {"sent": 1}
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.last_error) == (S.SENT, 3, "")
    assert len(gateways.sms.received) == 1


def test_attempts_run_out_and_the_message_fails(people, gateways, settings):
    settings.GONGZHI_NOTIFY_MAX_ATTEMPTS = 2
    gateways.sms.fail_next = 10
    notify([people["a"]], "超期 WT-10", event="problems.reopened")
    t0 = moment(0, 10, 0)
    with time_machine.travel(t0, tick=False):
        deliver_outbox()
    with time_machine.travel(t0 + dt.timedelta(hours=1), tick=False):
        deliver_outbox()
    sms = OutboxMessage.objects.get(channel="sms")
    assert (sms.status, sms.attempts) == (S.FAILED, 2)


def test_a_refused_signature_fails_at_once(people, gateways, settings):
    settings.GONGZHI_SMS_ACCESS_KEY_SECRET = "not-the-secret"  # noqa: S105
    notify([people["a"]], "新考试", event="training.exam_open")
    with time_machine.travel(moment(0, 10, 0), tick=False):
        deliver_outbox()
    sms = OutboxMessage.objects.get(channel="sms")
    assert (sms.status, sms.attempts) == (S.FAILED, 1)
    assert "SignatureDoesNotMatch" in sms.last_error
    assert len(gateways.sms.refused) == 1


def test_an_unconfigured_channel_fails_with_a_plain_reason(people, settings):
    settings.GONGZHI_SMS_ACCESS_KEY_ID = ""
    notify([people["a"]], "激活信", event="portal.letters_reissued")  # SMS only
    with time_machine.travel(moment(0, 10, 0), tick=False):
        assert deliver_outbox() == {"failed": 1}
    assert "GONGZHI_SMS_ACCESS_KEY_ID" in OutboxMessage.objects.get().last_error


def test_a_user_who_switched_a_channel_off_meanwhile_is_skipped(people, gateways):
    notify([people["a"]], "激活信", event="portal.letters_reissued")
    ChannelPreference.objects.filter(user=people["a"]).update(sms_on=False)
    with time_machine.travel(moment(0, 10, 0), tick=False):
        assert deliver_outbox() == {"skipped": 1}
    assert gateways.sms.received == []


def test_an_expired_wechat_token_is_fetched_anew_and_a_good_one_is_reused(people, gateways):
    for n in range(2):
        notify([people["a"]], f"已受理 WT-1{n}", event="problems.accepted")
    with time_machine.travel(moment(0, 10, 0), tick=False):
        assert deliver_outbox() == {"sent": 2}
    assert gateways.wechat.tokens_issued == 1  # cached between messages
    gateways.wechat.expire()
    notify([people["a"]], "已受理 WT-12", event="problems.accepted")
    with time_machine.travel(moment(0, 10, 5), tick=False):
        assert deliver_outbox() == {"sent": 1}
    assert gateways.wechat.tokens_issued == 2 and len(gateways.wechat.sent) == 3


def test_the_deliver_command_sends_what_is_due(people, gateways, capsys):
    from django.core.management import call_command

    notify([people["a"]], "已受理 WT-13", event="problems.accepted")
    with time_machine.travel(moment(0, 10, 0), tick=False):
        call_command("deliver")
        call_command("deliver")
    out = capsys.readouterr().out
    assert "sent 1" in out and "没有到期的外发通知" in out
    assert len(gateways.wechat.sent) == 1


def test_every_notify_call_names_a_known_event():
    """The event keys used in the services are keys of EVENTS (a typo would raise KeyError at run time)."""
    import re
    from pathlib import Path

    import gongzhi
    from gongzhi.core.events import EVENTS

    root = Path(gongzhi.__file__).parent
    used = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts:
            continue
        used |= set(re.findall(r'event="([a-z_.]+)"', path.read_text(encoding="utf-8")))
    assert used, "no notify call names its event"
    assert used <= set(EVENTS)
