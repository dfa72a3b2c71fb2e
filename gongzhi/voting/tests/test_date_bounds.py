"""A decision's voting window is bounded (issue 11: a window opening at 0001-01-01 crashed, one closing
in 9999 was accepted): it opens between 1990 and a year from today and closes within a year of opening — in the
service (API and every caller) and on the office form; a refused window names the field, changes
nothing and is never an HTTP 500."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.voting.models import Decision
from gongzhi.voting.services import VotingError
from gongzhi.voting.tests.helpers import draft

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _now():
    return timezone.now().replace(microsecond=0)


@pytest.mark.parametrize(
    ("opens", "closes", "why"),
    [
        (dt.datetime(1, 1, 1, tzinfo=SHANGHAI), None, "投票开始时间应在"),
        (None, dt.datetime(9999, 12, 31, 23, 59, tzinfo=SHANGHAI), "投票截止时间应在"),
        ("two years ahead", None, "投票开始时间应在"),
        (dt.datetime(1989, 12, 31, 23, 59, tzinfo=SHANGHAI), None, "投票开始时间应在 1990-01-01 00:00 至"),
        (None, "a year and a minute", "投票截止时间应在"),
    ],
)
def test_a_window_outside_the_bounds_is_refused(world, opens, closes, why):
    now = _now()
    if opens == "two years ahead":
        opens = now + dt.timedelta(days=730)
    opens = opens or now
    if closes == "a year and a minute":
        closes = opens + dt.timedelta(days=366, minutes=1)
    closes = closes or (
        dt.datetime(2, 1, 1, tzinfo=SHANGHAI) if opens.year == 1 else opens + dt.timedelta(days=7)
    )
    with pytest.raises(VotingError, match=why):
        draft(world, opens_at=opens, closes_at=closes)
    assert not Decision.objects.exists()


def test_the_bounds_themselves_are_accepted(world):
    now = _now()
    opens = now + dt.timedelta(days=365)
    decision = draft(world, opens_at=opens, closes_at=opens + dt.timedelta(days=366))
    assert decision.closes_at - decision.opens_at == dt.timedelta(days=366)
    first = dt.datetime(1990, 1, 1, tzinfo=SHANGHAI)
    assert draft(world, opens_at=first, closes_at=first + dt.timedelta(days=1)).opens_at == first


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        ("0001-01-01T00:00", "0001-01-08T00:00", "投票开始时间应在"),
        ("next-week", "9999-12-31T23:59", "投票截止时间"),
    ],
)
def test_the_form_names_the_field_and_keeps_nothing(client, world, opens, closes, message):
    if opens == "next-week":
        opens = f"{timezone.localtime() + dt.timedelta(days=7):%Y-%m-%dT%H:%M}"
    client.force_login(world.user("oc_a1"), backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        reverse("voting:create", args=[world.estate_a1.pk]),
        {
            "title": "续聘星河物业",
            "matter": "4",
            "text": "是否续聘。",
            "opens_at": opens,
            "closes_at": closes,
            "objection_days": "7",
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Decision.objects.exists()
