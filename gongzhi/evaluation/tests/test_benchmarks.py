"""标杆企业 (issue 14): the term rules at their bounds, who may name and revoke, what is refused (and
changes nothing), the page and the badges."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.evaluation import rules, selectors_benchmarks, services
from gongzhi.evaluation.models import Benchmark, ScoreClass, ScoreKind, ScoreSnapshot
from gongzhi.evaluation.services import EvaluationError
from gongzhi.evaluation.tests.factories import closed_and_recomputed
from gongzhi.registry import models as r

TODAY = timezone.localdate()
D = dt.date


# ---- rules ---------------------------------------------------------------------------------------------


def test_term_limit_is_three_years_less_a_day():
    assert rules.benchmark_term_end_limit(D(2026, 1, 1)) == D(2028, 12, 31)
    assert rules.benchmark_term_end_limit(D(2026, 12, 7)) == D(2029, 12, 6)
    # 29 February: three years on there is no such day; the term may run to the last day of February.
    assert rules.benchmark_term_end_limit(D(2028, 2, 29)) == D(2031, 2, 28)


def test_is_benchmark_on_at_the_bounds():
    term = {"starts_on": D(2026, 1, 1), "ends_on": D(2026, 12, 31)}
    assert not rules.is_benchmark_on(D(2025, 12, 31), revoked_on=None, **term)
    assert rules.is_benchmark_on(D(2026, 1, 1), revoked_on=None, **term)
    assert rules.is_benchmark_on(D(2026, 12, 31), revoked_on=None, **term)
    assert not rules.is_benchmark_on(D(2027, 1, 1), revoked_on=None, **term)
    # Revoked on 1 June: still a benchmark on 31 May, no longer on 1 June.
    assert rules.is_benchmark_on(D(2026, 5, 31), revoked_on=D(2026, 6, 1), **term)
    assert not rules.is_benchmark_on(D(2026, 6, 1), revoked_on=D(2026, 6, 1), **term)


# ---- services ------------------------------------------------------------------------------------------


def _name(world, *, actor="leader", company=None, starts_on=TODAY, ends_on=None, reason="测评第一，居民满意"):
    return services.benchmark_name(
        actor=world.user(actor),
        street=world.street,
        company=company or world.company_y,
        reason=reason,
        starts_on=starts_on,
        ends_on=ends_on or starts_on + dt.timedelta(days=364),
    )


@pytest.mark.django_db
def test_leader_names_a_benchmark_audited(world):
    closed_and_recomputed(world)
    benchmark = _name(world)
    assert benchmark.company == world.company_y and benchmark.named_by == world.user("leader")
    assert AuditEvent.objects.filter(
        object_type__icontains="benchmark", object_id=str(benchmark.pk), action=AuditEvent.Action.CREATE
    ).exists()
    assert selectors_benchmarks.benchmark_company_ids(world.user("admin")) == {world.company_y.pk}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["admin", "secretary_a", "staff_x", "oc_a1", "other_admin"])
def test_only_the_leadership_group_names(world, who):
    closed_and_recomputed(world)
    with pytest.raises(PermissionDenied):
        _name(world, actor=who)
    assert not Benchmark.objects.exists()


@pytest.mark.django_db
def test_term_of_exactly_three_years_is_accepted_one_day_more_refused(world):
    closed_and_recomputed(world)
    start = TODAY
    with pytest.raises(EvaluationError, match="最长 3 年"):
        _name(world, starts_on=start, ends_on=rules.benchmark_term_end_limit(start) + dt.timedelta(days=1))
    assert not Benchmark.objects.exists()
    assert _name(world, starts_on=start, ends_on=rules.benchmark_term_end_limit(start)).pk


@pytest.mark.django_db
def test_refusals_change_nothing(world):
    closed_and_recomputed(world)
    other_street_company = r.Company.objects.create(
        street=r.Street.objects.exclude(pk=world.street.pk).first(), name="外街道物业"
    )
    before = AuditEvent.objects.count()
    with pytest.raises(EvaluationError, match="不属于本街道"):
        _name(world, company=other_street_company)
    with pytest.raises(EvaluationError, match="命名理由"):
        _name(world, reason="  ")
    with pytest.raises(EvaluationError, match="晚于起始日期"):
        _name(world, ends_on=TODAY)
    with pytest.raises(EvaluationError, match="期限已过"):
        _name(world, starts_on=TODAY - dt.timedelta(days=400), ends_on=TODAY - dt.timedelta(days=1))
    with pytest.raises(EvaluationError, match="2000 年至 2100 年"):
        _name(world, starts_on=D(9999, 12, 1), ends_on=D(9999, 12, 31))
    with pytest.raises(EvaluationError, match="1000 字"):
        _name(world, reason="好" * 1001)
    assert not Benchmark.objects.exists()
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_an_elimination_candidate_cannot_be_named(world):
    campaign = closed_and_recomputed(world)
    # On the list of an elimination still running (bottom 1 = company x).
    services.elimination_create(
        actor=world.user("admin"),
        basis_campaign=campaign,
        name="末尾淘汰",
        fault_opens_on=TODAY,
        fault_closes_on=TODAY + dt.timedelta(days=10),
        bottom_n=1,
        final_m=1,
    )
    with pytest.raises(EvaluationError, match="末位候选"):
        _name(world, company=world.company_x)
    # In the bottom class of the latest closed campaign.
    ScoreSnapshot.objects.filter(campaign=campaign, kind=ScoreKind.COMPANY, company=world.company_y).update(
        score_class=ScoreClass.ELIMINATION
    )
    with pytest.raises(EvaluationError, match="末位候选"):
        _name(world, company=world.company_y)
    assert not Benchmark.objects.exists()


@pytest.mark.django_db
def test_one_live_benchmark_per_company(world):
    closed_and_recomputed(world)
    _name(world)
    with pytest.raises(EvaluationError, match="已是本街道的标杆企业"):
        _name(world)
    assert Benchmark.objects.count() == 1
    # The database holds the rule too, whatever the caller.
    with pytest.raises(IntegrityError), transaction.atomic():
        Benchmark.objects.create(
            street=world.street,
            company=world.company_y,
            reason="x",
            starts_on=TODAY,
            ends_on=TODAY + dt.timedelta(days=1),
            named_by=world.user("leader"),
        )


@pytest.mark.django_db
def test_an_expired_term_can_be_named_again(world):
    closed_and_recomputed(world)
    old = _name(world)
    Benchmark.objects.filter(pk=old.pk).update(
        starts_on=TODAY - dt.timedelta(days=400), ends_on=TODAY - dt.timedelta(days=1)
    )
    new = _name(world)
    old.refresh_from_db()
    assert old.revoked_at is not None and old.revoke_reason == "期满后重新命名"
    assert set(Benchmark.objects.filter(revoked_at__isnull=True).values_list("pk", flat=True)) == {new.pk}


@pytest.mark.django_db
def test_revoke_by_the_leader_only_with_a_reason(world):
    closed_and_recomputed(world)
    benchmark = _name(world)
    with pytest.raises(PermissionDenied):
        services.benchmark_revoke(actor=world.user("admin"), benchmark=benchmark, reason="服务下滑")
    with pytest.raises(EvaluationError, match="撤销理由"):
        services.benchmark_revoke(actor=world.user("leader"), benchmark=benchmark, reason="")
    benchmark.refresh_from_db()
    assert benchmark.revoked_at is None
    services.benchmark_revoke(actor=world.user("leader"), benchmark=benchmark, reason="服务下滑")
    benchmark.refresh_from_db()
    assert benchmark.revoked_by == world.user("leader") and benchmark.revoke_reason == "服务下滑"
    assert selectors_benchmarks.benchmark_company_ids(world.user("admin")) == set()
    with pytest.raises(EvaluationError, match="已撤销"):
        services.benchmark_revoke(actor=world.user("leader"), benchmark=benchmark, reason="再撤")


@pytest.mark.django_db
def test_live_q_agrees_with_the_rule(world):
    closed_and_recomputed(world)
    benchmark = _name(world, starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=10))
    for day in (
        TODAY - dt.timedelta(days=1),
        TODAY,
        TODAY + dt.timedelta(days=10),
        TODAY + dt.timedelta(days=11),
    ):
        expected = rules.is_benchmark_on(day, starts_on=TODAY, ends_on=benchmark.ends_on, revoked_on=None)
        assert (
            world.company_y.pk in selectors_benchmarks.benchmark_company_ids(world.user("admin"), day)
        ) == expected


# ---- pages ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_page_lists_candidates_and_names_one(world, as_user):
    campaign = closed_and_recomputed(world)
    top = ScoreSnapshot.objects.get(campaign=campaign, kind=ScoreKind.COMPANY, rank=1)
    assert top.company == world.company_y and top.score_class == ScoreClass.BENCHMARK
    client = as_user("leader")
    page = client.get(reverse("evaluation:benchmarks"))
    assert page.status_code == 200
    assert page.context["candidates"] == [top]
    assert "命名标杆企业" in page.content.decode()
    response = client.post(
        reverse("evaluation:benchmarks"),
        {
            "company": world.company_y.pk,
            "reason": "测评第一",
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + dt.timedelta(days=364)).isoformat(),
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("evaluation:benchmarks"))
    assert [b.company for b in page.context["live"]] == [world.company_y]
    assert page.context["candidates"] == []
    # The badge on the ranking and on the company page.
    ranking = client.get(reverse("evaluation:ranking", args=[campaign.pk])).content.decode()
    assert ranking.count("标杆企业</span>") == 1
    profile = client.get(reverse("evaluation:company", args=[world.company_y.pk])).content.decode()
    assert "标杆企业</span>" in profile
    profile_x = client.get(reverse("evaluation:company", args=[world.company_x.pk])).content.decode()
    assert "标杆企业</span>" not in profile_x


@pytest.mark.django_db
def test_page_refuses_a_bad_term_with_a_chinese_error(world, as_user):
    closed_and_recomputed(world)
    client = as_user("leader")
    response = client.post(
        reverse("evaluation:benchmarks"),
        {
            "company": world.company_y.pk,
            "reason": "测评第一",
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + dt.timedelta(days=365 * 4)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "最长 3 年" in response.content.decode()
    assert not Benchmark.objects.exists()


@pytest.mark.django_db
def test_admin_reads_the_page_without_forms_and_cannot_post(world, as_user):
    closed_and_recomputed(world)
    benchmark = _name(world)
    client = as_user("admin")
    page = client.get(reverse("evaluation:benchmarks"))
    assert page.status_code == 200 and page.context["form"] is None
    assert "命名标杆企业" not in page.content.decode()
    assert client.post(reverse("evaluation:benchmarks"), {"company": world.company_y.pk}).status_code == 403
    url = reverse("evaluation:benchmark_revoke", args=[benchmark.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    benchmark.refresh_from_db()
    assert benchmark.revoked_at is None


@pytest.mark.django_db
def test_leader_revokes_on_the_page(world, as_user):
    closed_and_recomputed(world)
    benchmark = _name(world)
    client = as_user("leader")
    response = client.post(
        reverse("evaluation:benchmark_revoke", args=[benchmark.pk]), {"reason": "服务下滑"}
    )
    assert response.status_code == 302
    benchmark.refresh_from_db()
    assert benchmark.revoke_reason == "服务下滑"
    page = client.get(reverse("evaluation:benchmarks"))
    assert page.context["live"] == [] and [b.pk for b in page.context["past"]] == [benchmark.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"company": "abc", "reason": "x", "starts_on": "2026-01-01", "ends_on": "2026-12-31"},
        {"company": "", "reason": "", "starts_on": "9999-99-99", "ends_on": "<script>"},
        {"reason": "x" * 5000, "starts_on": "9999-12-01", "ends_on": "9999-12-31"},
        {"reason": "测评第一", "starts_on": "9999-12-01", "ends_on": "9999-12-31"},
    ],
)
def test_hostile_input_from_the_leader_is_refused_and_writes_nothing(world, as_user, data):
    closed_and_recomputed(world)
    data = {"company": world.company_y.pk, **data}
    response = as_user("leader").post(reverse("evaluation:benchmarks"), data)
    assert response.status_code == 400
    assert not Benchmark.objects.exists()
    response = as_user("leader").post(reverse("evaluation:benchmark_revoke", args=[987654]), {"reason": "x"})
    assert response.status_code == 404
