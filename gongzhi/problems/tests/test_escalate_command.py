"""Facts about ``gongzhi escalate_overdue``: escalates what is past its deadline on the given day,
once; a second run escalates nothing; a bad date is refused in Chinese."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from gongzhi.core.models import Notification
from gongzhi.problems import services
from gongzhi.problems.models import Problem, ProblemEvent, Status
from gongzhi.problems.tests.office_helpers import png

SHANGHAI = ZoneInfo("Asia/Shanghai")


def run(*args) -> str:
    out = StringIO()
    call_command("escalate_overdue", *args, stdout=out)
    return out.getvalue()


def accepted(world, categories, code: str, day: str) -> Problem:
    with time_machine.travel(dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=SHANGHAI), tick=False):
        problem = services.problem_report(
            actor=world.user("owner_a1"),
            estate=world.estate_a1,
            category=categories[code],
            description="楼道堆物",
        )
        return services.problem_accept(actor=world.user("secretary_a"), problem=problem)


@pytest.fixture
def three(world, categories):
    """Accepted Mon 2 Mar 2026: e-bike (2 working days → 4 Mar), cleaning (5 → 9 Mar), parking (10 → 16 Mar)."""
    ebike = accepted(world, categories, "ebike", "2026-03-02")
    cleaning = accepted(world, categories, "cleaning", "2026-03-02")
    parking = accepted(world, categories, "parking", "2026-03-02")
    assert (ebike.deadline, cleaning.deadline, parking.deadline) == (
        dt.date(2026, 3, 4), dt.date(2026, 3, 9), dt.date(2026, 3, 16),
    )  # fmt: skip
    return ebike, cleaning, parking


def test_escalates_what_is_past_its_deadline_on_the_given_day(three):
    ebike, cleaning, parking = three
    assert "升级超期问题 0 个" in run("--date", "2026-03-04")  # the deadline day itself is not overdue
    assert run("--date", "2026-03-10") == "2026-03-10：升级超期问题 2 个。\n"
    marked = dict(Problem.objects.values_list("pk", "overdue_since"))
    assert marked == {ebike.pk: dt.date(2026, 3, 10), cleaning.pk: dt.date(2026, 3, 10), parking.pk: None}
    assert ProblemEvent.objects.filter(action="escalate").count() == 2
    assert (
        Notification.objects.filter(user__username="admin", urgent=True, text__startswith="超期").count() == 2
    )


def test_second_run_escalates_nothing(three):
    run("--date", "2026-03-10")
    events, notifications = ProblemEvent.objects.count(), Notification.objects.count()
    assert "升级超期问题 0 个" in run("--date", "2026-03-10")
    assert "升级超期问题 0 个" in run("--date", "2026-03-11")
    assert (ProblemEvent.objects.count(), Notification.objects.count()) == (events, notifications)


def test_submitted_and_closed_work_is_not_escalated(world, three):
    ebike, _cleaning, _parking = three
    services.problem_submit(actor=world.user("staff_x"), problem=ebike, note="飞线已拆除", photos=[png()])
    assert "升级超期问题 1 个" in run("--date", "2026-03-10")  # cleaning only
    assert Problem.objects.get(pk=ebike.pk).overdue_since is None


def test_without_a_date_it_judges_by_today(three):
    with time_machine.travel(dt.datetime(2026, 3, 17, 0, 30, tzinfo=SHANGHAI), tick=False):
        assert run() == "2026-03-17：升级超期问题 3 个。\n"
    assert not Problem.objects.filter(overdue_since__isnull=True).exists()


def test_quiet_run_prints_nothing(three):
    assert run("--date", "2026-03-10", "--verbosity", "0") == ""
    assert Problem.objects.filter(overdue_since=dt.date(2026, 3, 10)).count() == 2


@pytest.mark.parametrize("bad", ["2026-02-30", "20260310", "2026-3-10", "昨天", "2026-W10-4", ""])
def test_a_bad_date_is_refused_in_chinese(db, bad):
    with pytest.raises(CommandError, match=r"日期“.*”无效，请按 YYYY-MM-DD 填写"):
        run("--date", bad)


def test_on_the_demo_street_todays_run_escalates_what_fell_due_and_no_more(demo):
    today = timezone.localdate()
    due = set(Problem.objects.overdue(today).filter(overdue_since__isnull=True).values_list("pk", flat=True))
    already = set(Problem.objects.filter(overdue_since__isnull=False).values_list("pk", flat=True))
    assert f"升级超期问题 {len(due)} 个" in run("--date", today.isoformat())
    assert set(Problem.objects.filter(overdue_since=today).values_list("pk", flat=True)) == due
    assert set(Problem.objects.filter(overdue_since__lt=today).values_list("pk", flat=True)) == already
    later = today + dt.timedelta(days=30)
    expected = Problem.objects.overdue(later).filter(overdue_since__isnull=True).count()
    assert expected > 0  # work still open a month on falls due
    assert f"升级超期问题 {expected} 个" in run("--date", later.isoformat())
    assert "升级超期问题 0 个" in run("--date", later.isoformat())
    assert not Problem.objects.overdue(later).filter(overdue_since__isnull=True).exists()
    assert not Problem.objects.filter(status=Status.CLOSED, overdue_since__gte=today).exists()
