"""Initiative counted (主动提升): a company improved its four services or disclosed its service items before the
street asked — recorded with its day and evidence by the street admin, counted by company."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.fees.models import Initiative
from gongzhi.fees.rules import FeeError, initiative_count, initiative_problem, is_initiative
from gongzhi.fees.services import initiative_record
from gongzhi.registry.models import Company

DAY = dt.date(2026, 6, 1)


def test_initiative_is_strictly_before_being_asked():
    assert is_initiative(DAY, None)  # never asked
    assert is_initiative(DAY, DAY + dt.timedelta(days=1))  # the day before the ask
    assert not is_initiative(DAY, DAY)  # the day it was asked is already asked
    assert not is_initiative(DAY + dt.timedelta(days=1), DAY)


def test_initiative_problem_bounds():
    ok = {"summary": "保洁由每日一次增至两次", "evidence": "业委会确认函", "asked_on": None}
    assert initiative_problem(done_on=DAY, today=DAY, **ok) is None  # today itself
    assert "晚于今天" in initiative_problem(done_on=DAY + dt.timedelta(days=1), today=DAY, **ok)
    assert "日期" in initiative_problem(done_on=None, today=DAY, **ok)
    assert "佐证" in initiative_problem(done_on=DAY, today=DAY, **{**ok, "evidence": " "})
    assert "做了什么" in initiative_problem(done_on=DAY, today=DAY, **{**ok, "summary": ""})
    later = {**ok, "asked_on": DAY + dt.timedelta(days=1)}
    assert "要求的日期" in initiative_problem(done_on=DAY, today=DAY, **later)


def test_count_is_by_company_and_only_what_counts():
    rows = [
        (1, DAY, None),
        (1, DAY, None),  # the same company twice: one
        (2, DAY, DAY),  # asked that day: not initiative
        (3, DAY, DAY + dt.timedelta(days=3)),
    ]
    assert initiative_count(rows) == 2
    assert initiative_count([]) == 0


def record(world, user="admin", **kw):
    values = {
        "company": world.company_x,
        "kind": "improved",
        "done_on": timezone.localdate() - dt.timedelta(days=10),
        "summary": "保洁由每日一次增至两次",
        "evidence": "业委会 2026 年 11 月确认函；巡查照片 12 张",
    }
    return initiative_record(actor=world.user(user), **{**values, **kw})


@pytest.mark.django_db
def test_the_street_admin_records_and_it_is_audited(world):
    row = record(world, estate=world.estate_a1)
    assert row.counts
    assert AuditEvent.objects.filter(object_type="fees.Initiative", object_id=str(row.pk)).count() == 1
    for name in ("leader", "oc_a1", "staff_x", "other_admin"):
        with pytest.raises(PermissionDenied):
            record(world, user=name)
    with pytest.raises(FeeError, match="佐证"):
        record(world, evidence="")
    assert Initiative.objects.count() == 1


@pytest.mark.django_db
def test_pages_count_companies_with_bounded_queries(world, client):
    record(world)
    asked = timezone.localdate() - dt.timedelta(days=20)
    other = Company.objects.create(street=world.street, name="后知后觉物业")
    record(world, company=other, asked_on=asked)  # done after the ask: recorded, not counted
    client.force_login(world.user("leader"))
    page = client.get("/fees/initiative/").content.decode()
    assert "主动提升的企业：<strong>1</strong> 家" in page and "后知后觉物业" in page and "街道已要求" in page
    assert "登记主动提升" not in page  # the leader reads
    assert "主动提升的企业 1 家" in client.get("/fees/quality/").content.decode()
    with CaptureQueriesContext(connection) as few:
        client.get("/fees/initiative/")
    for n in range(6):
        company = Company.objects.create(street=world.street, name=f"企业{n}")
        record(world, company=company)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/fees/initiative/").content.decode()
    assert "主动提升的企业：<strong>7</strong> 家" in page
    assert len(many) == len(few)
    client.force_login(world.user("other_admin"))
    assert "后知后觉物业" not in client.get("/fees/initiative/").content.decode()


@pytest.mark.django_db
def test_the_form_refuses_bad_input_and_writes_nothing(world, client):
    client.force_login(world.user("admin"))
    response = client.post(
        "/fees/initiative/",
        {
            "company": world.company_x.pk,
            "kind": "disclosed",
            "done_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
            "summary": "公开四保服务事项",
            "evidence": "公告栏照片",
        },
    )
    assert response.status_code == 200 and "不能晚于今天" in response.content.decode()
    assert not Initiative.objects.exists()
    response = client.post(
        "/fees/initiative/",
        {
            "company": world.company_x.pk,
            "kind": "disclosed",
            "done_on": timezone.localdate().isoformat(),
            "summary": "公开四保服务事项",
            "evidence": "公告栏照片",
        },
    )
    assert response.status_code == 302 and Initiative.objects.get().kind == "disclosed"
