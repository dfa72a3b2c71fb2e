"""A problem's history in the reader's language (issue #15, English mode): the notes the system
writes (派给… on acceptance, 已超过整改期限… on escalation) are stored as a catalogue key with
parameters and rendered at display time — Chinese in the Chinese UI, English in English, the day in
the language's own form; the Chinese text is stored beside them, and older rows (text only) show as
written."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from gongzhi.problems import services
from gongzhi.problems.models import ProblemEvent
from gongzhi.problems.tests.office_helpers import accept, report

pytestmark = pytest.mark.django_db


def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_assignment_note_is_chinese_in_chinese_and_english_in_english(
    as_user, world, categories, settings
):
    problem = accept(world, report(world, categories), note="请尽快处理")
    event = ProblemEvent.objects.get(problem=problem, action="accept")
    due = problem.deadline
    zh_day = f"{due.year}年{due.month}月{due.day}日"
    assert event.note_key and event.note_params["due"] == {"date": due.isoformat()}
    assert event.note.startswith("请尽快处理\n派给") and zh_day in event.note  # stored in Chinese
    page = reverse("problems:detail", args=[problem.pk])

    html = as_user("secretary_a").get(page).content.decode()
    assert "派给" in html and zh_day in html

    html = english(as_user("secretary_a"), settings).get(page).content.decode()
    assert "Assigned to " in html and f"(by {due.day} {due:%B} {due.year})" in html
    assert "派给" not in html and zh_day not in html
    assert "请尽快处理" in html  # a person's words stay as written


def test_the_escalation_note_and_the_system_label_follow_the_language(as_user, world, categories, settings):
    problem = accept(world, report(world, categories))
    services.problems_escalate_overdue(today=problem.deadline + dt.timedelta(days=3))
    event = ProblemEvent.objects.get(problem=problem, action="escalate")
    assert event.note.startswith("已超过整改期限") and event.actor_label == "系统"
    with translation.override("en"):
        assert event.shown_note.startswith("Rectification deadline ") and "升级" not in event.shown_note
        assert event.shown_actor == "System"
    html = english(as_user("secretary_a"), settings).get(reverse("problems:detail", args=[problem.pk])).text
    assert "Rectification deadline" in html and "升级督办" not in html


def test_an_older_row_without_a_key_shows_its_stored_text(world, categories):
    problem = accept(world, report(world, categories))
    event = ProblemEvent.objects.get(problem=problem, action="accept")
    ProblemEvent.objects.filter(pk=event.pk).update(note_key="", note_params={})
    event.refresh_from_db()
    with translation.override("en"):
        assert event.shown_note == event.note and "派给" in event.shown_note
