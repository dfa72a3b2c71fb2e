"""Reminders while a live vote is short of the quorum (issue 16: the event ``voting.short_of_quorum``).

Estate A1 (tests/helpers.py): units 101 (68.50 m², owner_a1), 201 (72.30) and 301 (55.00), 3 owners; the
quorum of Civil Code art. 278 para. 2 is two thirds of both: 2 owners and 130.54 m² (of 195.80)."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.core.models import AuditEvent, Notification, User
from gongzhi.jobs.registry import schedule
from gongzhi.jobs.rules import Daily
from gongzhi.registry.models import Unit
from gongzhi.voting import rules, services
from gongzhi.voting.tests.helpers import owner_user, published

DAY = dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("days_left", "already", "step"),
    [
        (10, None, None),  # more than a week before the close: nothing yet
        (8, None, None),
        (7, None, 7),
        (5, None, 7),  # the run on the 7th day was missed: the week's reminder still goes
        (5, 7, None),  # … once
        (3, 7, 3),
        (2, 7, 3),
        (2, 3, None),
        (1, 3, 1),
        (1, None, 1),
        (1, 1, None),
        (0, None, None),  # the closing day: too late to canvass
        (-1, None, None),
    ],
)
def test_the_reminder_steps_are_seven_three_and_one_day_before_the_close(days_left, already, step):
    assert rules.quorum_reminder_step(days_left, already) == step


def _inbox(user: User) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


def test_the_committee_and_the_secretary_are_told_once_per_step_until_the_quorum_is_met(world):
    decision = published(world)  # opens now, closes in exactly 7 days; nobody has voted
    oc, secretary = world.user("oc_a1"), world.user("secretary_a")
    outsiders = [world.user(name) for name in ("secretary_b", "staff_x", "owner_a1", "admin")]

    assert services.decisions_remind_short_of_quorum(now=decision.opens_at) == 1
    for user in (oc, secretary):
        (text,) = _inbox(user)
        assert "未达法定人数" in text and "还差 2 户" in text and "剩 7 天" in text, text
    assert all(_inbox(user) == [] for user in outsiders)
    decision.refresh_from_db()
    assert decision.quorum_reminded_days == 7
    assert AuditEvent.objects.filter(
        object_id=str(decision.pk), changes__quorum_reminded_days=[None, 7]
    ).exists()

    # The same day again, and the days before the 3-day step: nothing more.
    assert services.decisions_remind_short_of_quorum(now=decision.opens_at + dt.timedelta(hours=2)) == 0
    assert services.decisions_remind_short_of_quorum(now=decision.opens_at + 2 * DAY) == 0
    assert len(_inbox(oc)) == 1

    # Three days before the close: the second reminder.
    assert services.decisions_remind_short_of_quorum(now=decision.opens_at + 4 * DAY) == 1
    assert sorted("剩 3 天" in text for text in _inbox(oc)) == [False, True]
    assert len(_inbox(secretary)) == 2

    # Two of the three owners vote (140.80 m² ≥ 130.54, 2 ≥ 2): the quorum is met, the last step is not sent.
    units = {u.number: u for u in Unit.objects.filter(building__estate=world.estate_a1)}
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes")
    services.ballot_cast(actor=owner_user("owner_201", units["201"]), decision=decision, choice="no")
    assert services.decisions_remind_short_of_quorum(now=decision.opens_at + 6 * DAY) == 0
    assert len(_inbox(oc)) == 2


def test_a_vote_far_from_its_close_or_already_closed_is_not_reminded(world):
    decision = published(world)
    assert services.decisions_remind_short_of_quorum(now=decision.opens_at - 3 * DAY) == 0  # not open yet
    assert services.decisions_remind_short_of_quorum(now=decision.closes_at) == 0  # closing moment: not live
    assert Notification.objects.count() == 0


def test_the_worker_runs_the_reminder_every_morning_after_the_quiet_hours():
    (entry,) = [entry for entry in schedule() if entry.task == "voting.remind_short_of_quorum"]
    assert isinstance(entry.when, Daily) and entry.when.at == dt.time(9, 0)
