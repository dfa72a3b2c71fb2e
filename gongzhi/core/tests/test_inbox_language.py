"""Inbox messages in the reader's language (issue #15, English mode): ``notify`` keeps a system message as its
catalogue key and parameters (core/keyed.py) and the inbox renders it when it is read — Chinese in the Chinese
UI, English in English, a day in the language's own form. The Chinese text is stored beside it for SMS and
e-mail and for rows written before keys. A source scan holds every ``notify`` call to a keyed message with an
English translation, so a new one cannot slip back into Chinese-only text."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from gongzhi.core.keyed import Keyed, day_param, render
from gongzhi.core.models import Notification
from gongzhi.core.notify import notify

ROOT = Path(__file__).resolve().parents[2]  # the gongzhi package


def test_a_keyed_message_renders_in_the_active_language_with_its_day():
    message = Keyed(
        "超期：%(number)s（%(estate)s · %(category)s）期限 %(due)s，责任方 %(who)s。",
        {
            "number": "WT-2026-000123",
            "estate": "甲一小区",
            "category": "保洁",
            "due": day_param(dt.date(2026, 12, 6)),
            "who": "星河物业",
        },
    )
    assert message.chinese() == "超期：WT-2026-000123（甲一小区 · 保洁）期限 2026年12月6日，责任方 星河物业。"
    with translation.override("en"):
        english = str(message)
    assert english.startswith("Overdue: WT-2026-000123") and "6 December 2026" in english
    assert "超期" not in english and "2026年" not in english


def test_a_translation_that_lost_its_placeholder_still_shows_the_whole_message():
    assert render("未登记的消息 %(n)s", {"n": 3}) == "未登记的消息 3"  # not in the catalogue: the source text
    assert render("没有参数的消息", {}) == "没有参数的消息"


@pytest.mark.django_db
def test_the_inbox_shows_a_message_in_the_readers_language(world, client):
    owner = world.user("owner_a1")
    notify(
        [owner], Keyed("您报告的问题 %(number)s 已受理，正在整改。", {"number": "WT-2026-000042"}), url="/"
    )
    row = Notification.objects.get(user=owner)
    assert row.text == "您报告的问题 WT-2026-000042 已受理，正在整改。"  # stored in Chinese, for SMS too
    assert row.text_key and row.text_params == {"number": "WT-2026-000042"}
    client.force_login(owner)
    assert "您报告的问题 WT-2026-000042 已受理" in client.get(reverse("inbox")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("inbox")).content.decode()
    assert "Your problem WT-2026-000042 has been accepted and is being rectified." in page
    assert "已受理" not in page


@pytest.mark.django_db
def test_an_older_message_without_a_key_shows_as_written(world):
    owner = world.user("owner_a1")
    notify([owner], "业委会通知：周六上午清洗水箱。")  # a person's words: kept as written
    row = Notification.objects.get(user=owner)
    assert row.text_key == "" and row.shown_text == "业委会通知：周六上午清洗水箱。"
    with translation.override("en"):
        assert row.shown_text == "业委会通知：周六上午清洗水箱。"


def _notify_texts() -> list[tuple[str, int, ast.expr]]:
    """Every ``notify(users, text, …)`` call in the package (tests aside): (file, line, the text argument)."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "notify"
                and len(node.args) >= 2
            ):
                found.append((str(path.relative_to(ROOT)), node.lineno, node.args[1]))
    return found


def _keyed_msgids() -> list[tuple[str, int, str]]:
    """Every literal ``Keyed(gettext_noop("…"), …)`` message in the package: (file, line, msgid)."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Keyed":
                key = node.args[0]
                if isinstance(key, ast.Call) and key.args and isinstance(key.args[0], ast.Constant):
                    found.append((str(path.relative_to(ROOT)), node.lineno, key.args[0].value))
    return found


def test_no_notify_call_freezes_a_translated_text():
    """A system message passed as ``_("…") % {…}`` is rendered once, in the writer's language: refused."""
    calls = _notify_texts()
    assert len(calls) >= 15  # the scan sees the call sites (problems, voting, finance, elections …)
    frozen = [
        f"{path}:{line}"
        for path, line, text in calls
        if (
            isinstance(text, ast.BinOp)
            and isinstance(text.left, ast.Call)
            and getattr(text.left.func, "id", "") == "_"
        )
        or (isinstance(text, ast.Call) and getattr(text.func, "id", "") == "_")
    ]
    assert frozen == []


def test_every_keyed_message_has_an_english_translation():
    catalogue = polib.pofile(str(ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    translated = {
        e.msgid: e.msgstr for e in catalogue if e.msgstr and not e.obsolete and "fuzzy" not in e.flags
    }
    messages = _keyed_msgids()
    assert len(messages) >= 20
    missing = [f"{path}:{line} {msgid}" for path, line, msgid in messages if not translated.get(msgid)]
    assert missing == []
