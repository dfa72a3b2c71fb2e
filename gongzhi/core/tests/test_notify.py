"""Facts about notify(): inbox rows at once for active users only, once each; external channels
only after the transaction commits; a failing channel neither raises nor undoes anything; the
channels come from settings.GONGZHI_NOTIFY_CHANNELS."""

import logging

import pytest

from gongzhi.core.models import Notification, User
from gongzhi.core.notify import LoggingChannel, channels, notify


class RecordingChannel:
    name = "recording"
    sent: list[tuple[str, str, str]] = []

    def send(self, user, text: str, url: str) -> None:
        RecordingChannel.sent.append((user.username, text, url))


class BrokenChannel:
    name = "broken"

    def send(self, user, text: str, url: str) -> None:
        raise ConnectionError("gateway down")


HERE = __name__


@pytest.fixture(autouse=True)
def _fresh_channels(settings):
    """channels() is cached for the process: clear it around each test that changes the setting."""
    channels.cache_clear()
    RecordingChannel.sent = []
    settings.GONGZHI_NOTIFY_CHANNELS = [f"{HERE}.RecordingChannel"]
    yield
    channels.cache_clear()


@pytest.fixture
def people(db):
    make = User.objects.create_user
    return {
        "a": make(username="alice", password="x-unused-1"),
        "b": make(username="bob", password="x-unused-2"),
        "gone": make(username="gone", password="x-unused-3", is_active=False),
    }


def test_inbox_rows_for_active_users_once_each(people, django_capture_on_commit_callbacks):
    a, b, gone = people["a"], people["b"], people["gone"]
    with django_capture_on_commit_callbacks(execute=True):
        count = notify([a, b, a, None, gone], "新派单 WT-2026-000001", url="/problems/1/", urgent=True)
    assert count == 2
    rows = Notification.objects.order_by("user__username")
    assert [(n.user.username, n.text, n.url, n.urgent, n.read_at) for n in rows] == [
        ("alice", "新派单 WT-2026-000001", "/problems/1/", True, None),
        ("bob", "新派单 WT-2026-000001", "/problems/1/", True, None),
    ]
    assert sorted(user for user, _text, _url in RecordingChannel.sent) == ["alice", "bob"]


def test_long_text_is_cut_to_the_inbox_size_but_sent_whole(people, django_capture_on_commit_callbacks):
    text = "超" * 400
    with django_capture_on_commit_callbacks(execute=True):
        notify([people["a"]], text)
    assert Notification.objects.get().text == "超" * 300
    assert RecordingChannel.sent == [("alice", text, "")]


def test_external_channels_wait_for_the_commit(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify([people["a"]], "验收未通过")
    assert Notification.objects.count() == 1  # the inbox row is written inside the transaction
    assert RecordingChannel.sent == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert RecordingChannel.sent == [("alice", "验收未通过", "")]


def test_nobody_to_tell_writes_and_sends_nothing(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert notify([people["gone"], None], "无人接收") == 0
    assert not Notification.objects.exists()
    assert RecordingChannel.sent == []


def test_a_failing_channel_neither_raises_nor_undoes_and_the_others_still_send(
    people, settings, caplog, django_capture_on_commit_callbacks
):
    settings.GONGZHI_NOTIFY_CHANNELS = [f"{HERE}.BrokenChannel", f"{HERE}.RecordingChannel"]
    channels.cache_clear()
    with (
        caplog.at_level(logging.ERROR, logger="gongzhi.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert notify([people["a"], people["b"]], "超期:WT-2026-000002") == 2
    assert Notification.objects.count() == 2
    assert len(RecordingChannel.sent) == 2
    failures = [r for r in caplog.records if "broken" in r.getMessage()]
    assert len(failures) == 2 and all(r.exc_info for r in failures)


def test_channels_come_from_the_setting(settings):
    settings.GONGZHI_NOTIFY_CHANNELS = [f"{HERE}.RecordingChannel", "gongzhi.core.notify.LoggingChannel"]
    channels.cache_clear()
    kinds = [type(c) for c in channels()]
    assert kinds == [RecordingChannel, LoggingChannel]
    assert channels() is channels()  # built once per process


def test_the_default_logging_channel_logs_one_line(people, caplog):
    with caplog.at_level(logging.INFO, logger="gongzhi.notify"):
        LoggingChannel().send(people["a"], "新问题", "/problems/3/")
    (record,) = caplog.records
    assert f"user={people['a'].pk}" in record.getMessage() and "/problems/3/" in record.getMessage()
