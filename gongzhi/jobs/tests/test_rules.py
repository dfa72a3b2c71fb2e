"""The queue's pure rules, with known answers."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gongzhi.jobs.rules import Daily, Every, backoff_seconds, parse_schedule, schedule_key

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(0, 0), (1, 30), (2, 60), (3, 120), (4, 240), (7, 1920), (8, 3600), (30, 3600)]
)
def test_backoff_doubles_from_thirty_seconds_and_stops_at_an_hour(attempts, seconds):
    assert backoff_seconds(attempts) == seconds


def test_every_counts_periods_from_the_epoch():
    at = dt.datetime(2026, 12, 6, 12, 0, 59, tzinfo=dt.UTC)
    assert Every(60).period(at) == str(int(at.timestamp()) // 60)
    assert Every(60).period(at + dt.timedelta(seconds=1)) == str(int(at.timestamp()) // 60 + 1)
    assert Every(600).period(at) == Every(600).period(at - dt.timedelta(seconds=59))


def test_daily_runs_from_its_time_on_the_local_day_and_catches_up_later_that_day():
    rule = Daily(dt.time(2, 10))
    assert rule.period(dt.datetime(2026, 12, 6, 2, 9, 59, tzinfo=SHANGHAI)) is None
    assert rule.period(dt.datetime(2026, 12, 6, 2, 10, tzinfo=SHANGHAI)) == "2026-12-06"
    assert rule.period(dt.datetime(2026, 12, 6, 23, 59, tzinfo=SHANGHAI)) == "2026-12-06"
    assert rule.period(dt.datetime(2026, 12, 7, 2, 10, tzinfo=SHANGHAI)) == "2026-12-07"


def test_schedule_entries_are_parsed_or_refused():
    assert parse_schedule({"task": "x", "every": 60}) == Every(60)
    assert parse_schedule({"task": "x", "daily": "07:00"}) == Daily(dt.time(7))
    with pytest.raises(ValueError):
        parse_schedule({"task": "x"})
    with pytest.raises(ValueError):
        parse_schedule({"task": "x", "every": 0})
    assert (
        schedule_key("problems.escalate_overdue", "2026-12-06")
        == "sched:problems.escalate_overdue:2026-12-06"
    )
