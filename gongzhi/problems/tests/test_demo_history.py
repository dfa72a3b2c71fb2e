"""Facts about the demo street's problem history (gongzhi/problems/demo_data.py): every state, category
and source; each row consistent with the workflow, the working-day calendar and the permissions;
deterministic; deleted and rebuilt with the street."""

import datetime as dt
from collections import Counter, defaultdict
from random import Random
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count
from django.http import Http404
from django.urls import resolve, reverse
from django.utils import timezone

from gongzhi.core.models import AuditEvent, Notification, User
from gongzhi.core.scopes import scope_for
from gongzhi.core.typography import normalise_marks
from gongzhi.core.workdays import UnknownCalendarYear, add_working_days, is_working_day
from gongzhi.demo.generator import (
    SMALL_SCALE,
    DemoError,
    demo_street_delete,
    demo_street_ensure,
    street_fingerprint,
)
from gongzhi.problems import permissions, rules, services
from gongzhi.problems.demo_data import (
    FULL_COUNT,
    HISTORY_DAYS,
    TIMER_AT,
    _office_after,
    demo_fingerprint,
    problem_count,
)
from gongzhi.problems.models import (
    OPEN_STATUSES,
    Carriage,
    Category,
    Problem,
    ProblemEvent,
    ProblemPhoto,
    Source,
    Status,
)
from gongzhi.problems.tests.office_helpers import png
from gongzhi.registry import models as r

# A "today" whose half year spans the 2026 Spring Festival and its make-up Saturdays.
SPRING_FESTIVAL_DAY = dt.date(2026, 3, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")
STATUS_CHANGES = {"report", "accept", "reject", "progress", "submit", "send_back", "close", "reopen"}


@pytest.fixture(params=["today", "spring_festival"])
def any_demo(request, demo_copy):
    """The small demo street loaded today, and loaded as of 1 March 2026."""
    day = None if request.param == "today" else SPRING_FESTIVAL_DAY
    return demo_copy(today=day), day or timezone.localdate()


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def histories(street):
    problems = list(
        Problem.objects.filter(estate__area__street=street).select_related(
            "estate__area", "category", "company", "owners_committee", "residents_committee", "reporter"
        )
    )
    events = defaultdict(list)
    for event in (
        ProblemEvent.objects.filter(problem__in=problems).select_related("actor").order_by("at", "pk")
    ):
        events[event.problem_id].append(event)
    return [(p, events[p.pk]) for p in problems]


# ---- the mix ------------------------------------------------------------------------------------


def faults_filed(demo) -> int:
    """Problems the evaluation demo files as residents' fault-finding (one report event each), on top
    of the generated history."""
    return demo.counts.get("evaluation.FaultFinding", 0)


def test_history_has_every_state_category_and_source(demo):
    problems = Problem.objects.filter(estate__area__street=demo.street)
    by_status = Counter(problems.values_list("status", flat=True))
    assert set(by_status) == set(Status)
    assert all(n > 0 for n in by_status.values())
    assert by_status[Status.CLOSED] > sum(by_status.values()) / 2  # most are closed
    used = set(problems.values_list("category", flat=True))
    assert used == set(Category.objects.filter(street=demo.street).values_list("pk", flat=True))
    # Receptions become problems one by one from the branch's reception log (branchwork); the
    # generated history covers every other source.
    assert set(problems.values_list("source", flat=True)) == set(Source) - {Source.RECEPTION}
    assert demo.counts["problems"] == problem_count(SMALL_SCALE)
    assert problems.count() == demo.counts["problems"] + faults_filed(demo)
    # Each submission for verification carries its evidence photo (the rule since daa0f08); no report has one.
    photos = ProblemPhoto.objects.filter(problem__estate__area__street=demo.street)
    submissions = ProblemEvent.objects.filter(problem__estate__area__street=demo.street, action="submit")
    assert photos.count() == demo.counts["problem_photos"] == submissions.count() > 0
    assert set(photos.values_list("kind", flat=True)) == {ProblemPhoto.Kind.EVIDENCE}
    assert not submissions.filter(photos__isnull=True).exists()


def test_full_street_has_hundreds_of_problems_and_the_small_one_fewer():
    assert 400 <= problem_count(1.0) == FULL_COUNT <= 700
    assert 100 <= problem_count(SMALL_SCALE) < problem_count(0.5) < FULL_COUNT


def test_history_spans_half_a_year_and_ends_before_today(any_demo):
    demo, today = any_demo
    problems = Problem.objects.filter(estate__area__street=demo.street)
    first = local(problems.order_by("created_at").first().created_at).date()
    assert today - dt.timedelta(days=HISTORY_DAYS) <= first < today - dt.timedelta(days=120)
    last_event = ProblemEvent.objects.filter(problem__estate__area__street=demo.street).order_by("at").last()
    assert local(last_event.at).date() < today


def test_old_estates_and_the_state_company_carry_more_problems(demo):
    estates = r.Estate.objects.filter(area__street=demo.street).annotate(n=Count("problems"))
    old = [e.n for e in estates if e.is_old]
    new = [e.n for e in estates if not e.is_old]
    assert sum(old) / len(old) > 1.5 * sum(new) / len(new)
    assert estates.filter(n__gt=0).count() >= 50  # many estates, not a few
    state = r.Company.objects.get(street=demo.street, ownership="state")
    state_estates = set(r.Contract.objects.active().filter(company=state).values_list("estate", flat=True))
    problems = Problem.objects.filter(estate__area__street=demo.street)
    share = problems.filter(estate__in=state_estates).count() / problems.count()
    assert share > len(state_estates) / estates.count()


def test_the_seeds_themes_lead_the_categories(demo):
    counts = Counter(
        Problem.objects.filter(estate__area__street=demo.street).values_list("category__code", flat=True)
    )
    top = {code for code, _n in counts.most_common(5)}
    assert {"parking", "ebike", "repair"} <= top


def test_most_ratings_are_three_to_five_stars(demo):
    ratings = list(
        Problem.objects.filter(estate__area__street=demo.street, rating__isnull=False).values_list(
            "rating", flat=True
        )
    )
    assert len(ratings) >= 20
    assert sum(3 <= x <= 5 for x in ratings) / len(ratings) > 0.75
    assert Problem.objects.filter(estate__area__street=demo.street, reopen_count=1).exists()
    assert ProblemEvent.objects.filter(problem__estate__area__street=demo.street, action="send_back").exists()


# ---- each problem tells a consistent story ------------------------------------------------------


def test_every_problems_events_follow_the_workflow(any_demo):
    demo, today = any_demo
    cutoff = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    for problem, events in histories(demo.street):
        first = events[0]
        assert (first.action, first.from_status, first.to_status) == ("report", "", Status.REPORTED)
        assert first.at == problem.created_at and first.actor == problem.reporter
        assert first.actor_label == str(Source(problem.source).label)
        status = ""
        for previous, event in zip([None, *events], events, strict=False):
            assert event.from_status == status, problem.number
            assert event.at < cutoff
            if previous is not None:
                assert event.at > previous.at
            if event.action in STATUS_CHANGES - {"report"}:
                assert rules.next_status(status, event.action) == event.to_status
            elif event.action != "report":
                assert event.action in ("rate", "escalate") and event.to_status == status
            status = event.to_status
        assert problem.status == status  # the last status-changing event

        accepts = [e for e in events if e.action == "accept"]
        closes = [e for e in events if e.action == "close"]
        reopens = [e for e in events if e.action == "reopen"]
        submits = [e for e in events if e.action == "submit" and (not reopens or e.at > reopens[-1].at)]
        assert problem.accepted_at == (accepts[0].at if accepts else None)
        assert problem.closed_at == (closes[-1].at if status == Status.CLOSED else None)
        assert problem.submitted_at == (submits[-1].at if submits else None)
        assert problem.reopen_count == len(reopens) <= rules.MAX_REOPENS
        if status == Status.CLOSED:
            assert closes and problem.closed_at is not None
        if status == Status.REJECTED:
            (reject,) = [e for e in events if e.action == "reject"]
            assert problem.reject_reason == reject.note != ""
        else:
            assert problem.reject_reason == ""


def test_ratings_and_reopenings_are_the_reporters_within_the_rules(any_demo):
    demo, _today = any_demo
    for problem, events in histories(demo.street):
        rates = [e for e in events if e.action == "rate"]
        assert len(rates) == (problem.rating is not None)
        for rate in rates:
            assert rate.from_status == Status.CLOSED
            assert rate.note.startswith("★" * problem.rating + "☆" * (5 - problem.rating))
        for reopen in (e for e in events if e.action == "reopen"):
            closed = [e for e in events if e.action == "close" and e.at < reopen.at][-1]
            assert rules.can_reopen(
                closed_on=local(closed.at).date(), today=local(reopen.at).date(), reopen_count=0
            )
        for event in rates + [e for e in events if e.action == "reopen"]:
            assert problem.source == Source.RESIDENT
            assert event.actor == problem.reporter and event.actor_label == "报告人"


def test_deadlines_are_working_days_from_the_accept_or_reopen_day(any_demo):
    demo, _today = any_demo
    accepted = 0
    for problem, events in histories(demo.street):
        starts = [e for e in events if e.action in ("accept", "reopen")]
        if not starts:
            assert problem.status in (Status.REPORTED, Status.REJECTED)
            assert (problem.deadline, problem.carriage, problem.accepted_at) == (None, "", None)
            assert (problem.company_id, problem.owners_committee_id, problem.residents_committee_id) == (
                None,
            ) * 3
            continue
        accepted += 1
        expected = add_working_days(
            local(starts[-1].at).date(), problem.category.deadline_days, allow_provisional=True
        )
        assert (problem.deadline, problem.deadline_provisional) == expected
        first = add_working_days(
            local(starts[0].at).date(), problem.category.deadline_days, allow_provisional=True
        )
        assert f"({first.due.isoformat()} 前)" in normalise_marks(starts[0].note)  # either width
    assert accepted > 100


def test_the_branch_works_on_official_working_days(any_demo):
    demo, _today = any_demo
    branch = ProblemEvent.objects.filter(
        problem__estate__area__street=demo.street, action__in=["accept", "reject", "send_back", "close"]
    )

    def working(day):
        try:
            return is_working_day(day)
        except UnknownCalendarYear:  # a year the package does not know yet: Monday–Friday
            return day.weekday() < 5

    assert all(working(local(at).date()) for at in branch.values_list("at", flat=True))


def test_office_clock_works_the_make_up_saturday_and_skips_the_holiday():
    friday_evening = dt.datetime(2026, 2, 13, 18, 0, tzinfo=SHANGHAI)
    saturday = _office_after(Random(1), friday_evening, 0)  # too late today: the next working day
    assert local(saturday).date() == dt.date(2026, 2, 14)  # the make-up Saturday before the Spring Festival
    assert local(_office_after(Random(1), saturday, 1)).date() == dt.date(2026, 2, 24)  # after 15–23 Feb
    morning = dt.datetime(2026, 2, 24, 9, 0, tzinfo=SHANGHAI)
    later = _office_after(Random(1), morning, 0)
    assert local(later).date() == dt.date(2026, 2, 24) and later > morning


def test_assigned_work_names_the_carriage_in_office_on_the_accept_day(demo):
    for problem, events in histories(demo.street):
        accept = next((e for e in events if e.action == "accept"), None)
        if accept is None:
            continue
        day = local(accept.at).date()
        assert problem.assignee_label in accept.note
        if problem.carriage == Carriage.COMPANY:
            assert (
                r.Contract.objects.active(day).filter(estate=problem.estate, company=problem.company).exists()
            )
            assert problem.category.carriage == Carriage.COMPANY
        elif problem.carriage == Carriage.OWNERS_COMMITTEE:
            committee = problem.owners_committee
            assert (
                committee.estate_id == problem.estate_id and committee.term_start <= day <= committee.term_end
            )
        else:
            assert problem.residents_committee.area_id == problem.estate.area_id


def test_every_actor_had_the_right_to_act(demo):
    acted = Counter()
    for problem, events in histories(demo.street):
        for event in events:
            if event.actor is None:
                continue
            acted[event.actor.username] += 1
            if event.action == "report":
                assert problem.source in permissions.report_sources(event.actor, problem.estate)
            else:
                assert permissions.may_act(event.actor, problem, event.action), (problem.number, event.action)
    assert {
        "demo_owner",
        "demo_secretary",
        "demo_branch",
        "demo_company",
        "demo_admin",
        "demo_evaluator",
    } <= set(acted)


def test_resident_reports_come_from_demo_owner_or_a_resident_without_a_login(demo):
    owner = User.objects.get(username="demo_owner")
    (home,) = scope_for(owner).home_estate_ids
    residents = Problem.objects.filter(estate__area__street=demo.street, source=Source.RESIDENT)
    assert set(residents.values_list("reporter", flat=True)) == {owner.pk, None}
    mine = residents.filter(reporter=owner)
    assert mine.count() >= 3 and set(mine.values_list("estate", flat=True)) == {home}
    assert set(mine.values_list("status", flat=True)) >= {Status.CLOSED, Status.IN_PROGRESS, Status.REJECTED}


def test_tracking_numbers_are_the_services_numbers(demo):
    problems = Problem.objects.filter(estate__area__street=demo.street)
    for pk, number, created in problems.values_list("pk", "number", "created_at"):
        assert number == rules.tracking_number(local(created).year, pk)
    assert problems.values("number").distinct().count() == problems.count()


# ---- overdue ------------------------------------------------------------------------------------


def test_overdue_problems_were_escalated_by_the_daily_timer(any_demo):
    demo, today = any_demo
    problems = Problem.objects.filter(estate__area__street=demo.street)
    overdue = problems.overdue(today)
    assert overdue.count() >= 4
    # Yesterday's timer escalated every problem that was open and past its deadline then; today's
    # run has not happened yet.
    yesterdays_run = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=1), TIMER_AT))
    for problem in overdue.filter(overdue_since__isnull=True):
        last_change = problem.events.exclude(action__in=["rate", "escalate"]).order_by("at").last()
        assert problem.deadline >= today - dt.timedelta(days=1) or last_change.at > yesterdays_run
    # Closed late: the mark stays and the company's record counts it.
    assert problems.filter(status=Status.CLOSED, overdue_since__isnull=False).exists()
    for problem, events in histories(demo.street):
        escalations = [e for e in events if e.action == "escalate"]
        assert len(escalations) == (problem.overdue_since is not None)
        for event in escalations:
            at = local(event.at)
            assert (at.date(), at.time()) == (problem.overdue_since, TIMER_AT)
            assert event.actor is None and event.from_status in OPEN_STATUSES
            in_force = [e for e in events if e.action in ("accept", "reopen") and e.at < event.at][-1]
            deadline = add_working_days(
                local(in_force.at).date(), problem.category.deadline_days, allow_provisional=True
            )
            assert deadline.due < problem.overdue_since
            assert deadline.due.isoformat() in event.note


# ---- the demo logins can carry on from here ------------------------------------------------------


def test_demo_logins_have_a_few_unread_notifications_they_may_open(demo):
    for username in ("demo_admin", "demo_secretary", "demo_company", "demo_owner"):
        user = User.objects.get(username=username)
        inbox = Notification.objects.filter(user=user, read_at__isnull=True)
        assert 1 <= inbox.count() <= 5, username
        for notification in inbox:
            match = resolve(notification.url)
            assert notification.at < timezone.now()
            if username == "demo_owner":
                assert match.view_name == "portal:problem"
                assert permissions.is_reporter_of(user, Problem.objects.get(pk=match.kwargs["pk"]))
            else:
                try:
                    permissions.get_problem_for_user(user, match.kwargs["pk"])
                except Http404:
                    pytest.fail(f"{username} cannot open {notification.url}")


def test_services_carry_the_history_on(demo):
    """The rows are what the services expect: the owner rates and reopens, the company submits,
    the branch closes, the timer escalates."""
    owner, company, admin = (
        User.objects.get(username=n) for n in ("demo_owner", "demo_company", "demo_admin")
    )
    mine = Problem.objects.filter(reporter=owner, status=Status.CLOSED, rating__isnull=True).latest(
        "closed_at"
    )
    services.problem_rate(actor=owner, problem=mine, rating=4, comment="满意")
    services.problem_reopen(actor=owner, problem=mine, note="又有车停在消防通道")
    mine.refresh_from_db()
    assert (mine.status, mine.reopen_count, mine.rating) == (Status.ASSIGNED, 1, 4)

    ours = Problem.objects.filter(company__ownership="state", status=Status.IN_PROGRESS).first()
    services.problem_submit(actor=company, problem=ours, note="已整改完毕", photos=[png()])
    services.problem_close(actor=admin, problem=ours, note="现场核实")
    ours.refresh_from_db()
    assert ours.status == Status.CLOSED
    assert list(ours.events.values_list("action", flat=True))[-2:] == ["submit", "close"]


# ---- determinism, reset, delete -----------------------------------------------------------------


def test_same_seed_and_day_give_the_same_history_and_another_seed_does_not(demo_copy):
    first = demo_copy(today=SPRING_FESTIVAL_DAY)
    prints = demo_fingerprint(first.street), street_fingerprint(first.street)
    second = demo_street_ensure(scale=SMALL_SCALE, today=SPRING_FESTIVAL_DAY, reset=True)
    assert second.street.pk != first.street.pk
    assert (demo_fingerprint(second.street), street_fingerprint(second.street)) == prints
    other = demo_street_ensure(seed=7, scale=SMALL_SCALE, today=SPRING_FESTIVAL_DAY, reset=True)
    assert demo_fingerprint(other.street) != prints[0]


def test_reset_deletes_the_history_and_writes_it_again(demo):
    old = set(Problem.objects.values_list("pk", flat=True))
    again = demo_street_ensure(scale=SMALL_SCALE, reset=True)
    assert again.deleted["problems.Problem"] == demo.counts["problems"] + faults_filed(demo)
    assert again.deleted["problems.ProblemEvent"] == demo.counts["problem_events"] + faults_filed(demo)
    assert again.deleted["core.Notification"] == demo.counts["notifications"]
    assert again.deleted["problems.ProblemPhoto"] == demo.counts["problem_photos"]
    assert not Problem.objects.filter(pk__in=old).exists()
    # The new street's photo file is its own (the old street's file goes after commit) and opens.
    photo = ProblemPhoto.objects.filter(problem__estate__area__street=again.street).first()
    assert f"/{again.street.pk}/" in photo.image.name
    with photo.image.open("rb") as handle:
        assert handle.read(3) == b"\xff\xd8\xff"  # a JPEG
    assert again.counts["problems"] == demo.counts["problems"]
    assert Problem.objects.count() == demo.counts["problems"] + faults_filed(demo)
    assert Notification.objects.count() == again.counts["notifications"]


def test_deleting_the_demo_street_deletes_its_problems_and_leaves_others(world, categories, demo_copy):
    demo = demo_copy()
    # A notification about a demo problem for someone outside the demo goes too.
    problem = Problem.objects.filter(estate__area__street=demo.street).first()
    url = reverse("problems:detail", args=[problem.pk])
    Notification.objects.create(user=world.user("outsider"), text="x", url=url)
    ours = services.problem_report(
        actor=world.user("owner_a1"),
        estate=world.estate_a1,
        category=categories["parking"],
        description="楼下乱停车",
    )
    demo_street_delete(street=demo.street)
    assert list(Problem.objects.all()) == [ours]
    assert set(ProblemEvent.objects.values_list("problem", flat=True)) == {ours.pk}
    assert not Notification.objects.filter(user__username="outsider").exists()
    assert Notification.objects.filter(user__username="secretary_a").exists()


def test_delete_refuses_when_another_streets_problem_points_at_a_demo_company(world, categories, demo_copy):
    demo = demo_copy()
    company = r.Company.objects.filter(street=demo.street).first()
    foreign = Problem.objects.create(
        number="WT-2026-999999", estate=world.estate_a1, category=categories["parking"], description="跨街道引用",
        status=Status.ASSIGNED, carriage=Carriage.COMPANY, company=company, deadline=dt.date(2026, 3, 4),
    )  # fmt: skip
    with pytest.raises(DemoError, match="属于其他街道"):
        demo_street_delete(street=demo.street)
    assert Problem.objects.filter(pk=foreign.pk).exists()
    assert Problem.objects.filter(estate__area__street=demo.street).count() == (
        demo.counts["problems"] + faults_filed(demo)
    )


def test_history_is_recorded_by_the_one_import_audit_row(demo):
    (event,) = AuditEvent.objects.filter(street=demo.street)
    assert event.changes["counts"]["problems"] == demo.counts["problems"]
    assert event.changes["counts"]["problem_events"] + faults_filed(demo) == ProblemEvent.objects.count()
    assert not AuditEvent.objects.filter(object_type="problems.Problem").exists()
