"""Keeping the book's own records: who may, validation, versions and the audit trail."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.disclosure.models import EstateRules, MajorMatter, ServiceContent
from gongzhi.disclosure.services import (
    estate_rules_create,
    major_matter_create,
    major_matter_update,
    service_content_set,
)

pytestmark = pytest.mark.django_db


def test_owners_committee_keeps_matters_and_rules_the_company_does_not(world):
    today = timezone.localdate()
    matter = major_matter_create(
        actor=world.user("oc_a1"), estate=world.estate_a1, date=today, title="化粪池清掏"
    )
    with pytest.raises(PermissionDenied):
        major_matter_create(actor=world.user("staff_x"), estate=world.estate_a1, date=today, title="x")
    with pytest.raises(PermissionDenied):
        major_matter_create(actor=world.user("other_admin"), estate=world.estate_a1, date=today, title="x")
    major_matter_update(actor=world.user("admin"), matter=matter, data={"title": "化粪池全面清掏"})
    audit = AuditEvent.objects.filter(object_type="disclosure.MajorMatter", action="update").get()
    assert audit.changes == {"title": ["化粪池清掏", "化粪池全面清掏"]}


def test_a_matter_in_the_future_or_without_title_is_refused(world):
    oc = world.user("oc_a1")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        major_matter_create(actor=oc, estate=world.estate_a1, date=tomorrow, title="x")
    assert "日期不能晚于今天" in str(caught.value)
    with pytest.raises(ValidationError):
        major_matter_create(actor=oc, estate=world.estate_a1, date=timezone.localdate(), title="  ")
    assert not MajorMatter.objects.exists()


def test_rules_keep_every_version(world):
    oc = world.user("oc_a1")
    estate_rules_create(
        actor=oc,
        estate=world.estate_a1,
        kind="assembly_rules",
        adopted_on=dt.date(2019, 1, 1),
        summary="旧版",
    )
    estate_rules_create(
        actor=oc,
        estate=world.estate_a1,
        kind="assembly_rules",
        adopted_on=dt.date(2024, 1, 1),
        summary="新版",
    )
    with pytest.raises(ValidationError):
        estate_rules_create(
            actor=oc,
            estate=world.estate_a1,
            kind="assembly_rules",
            adopted_on=dt.date(2024, 1, 1),
            summary="重复",
        )
    assert list(EstateRules.objects.order_by("adopted_on").values_list("summary", flat=True)) == [
        "旧版",
        "新版",
    ]
    from gongzhi.disclosure.selectors import book

    rules = {r["kind"]: r for r in book(world.estate_a1)["rules"]}
    assert rules["assembly_rules"]["current"].summary == "新版" and rules["assembly_rules"]["versions"] == 2


def test_the_company_keeps_the_four_services_and_changes_are_audited(world):
    staff = world.user("staff_x")
    service_content_set(
        actor=staff,
        estate=world.estate_a1,
        service="security",
        standard="24 小时值守",
        staffing=6,
        hours="24 小时",
    )
    service_content_set(
        actor=staff,
        estate=world.estate_a1,
        service="security",
        standard="24 小时值守",
        staffing=8,
        hours="24 小时",
    )
    assert ServiceContent.objects.get().staffing == 8
    update = AuditEvent.objects.filter(object_type="disclosure.ServiceContent", action="update").get()
    assert update.changes == {"staffing": [6, 8]}
    with pytest.raises(PermissionDenied):
        service_content_set(
            actor=world.user("oc_a1"),
            estate=world.estate_a1,
            service="security",
            standard="x",
            staffing=1,
            hours="x",
        )
    with pytest.raises(PermissionDenied):  # company X does not manage A2
        service_content_set(
            actor=staff, estate=world.estate_a2, service="security", standard="x", staffing=1, hours="x"
        )


def test_office_forms_save_and_show_errors(as_user, world):
    client = as_user("oc_a1")
    url = reverse("book:matter_new", args=[world.estate_a1.pk])
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(url, {"date": future, "title": "停车方案"})
    assert response.status_code == 200 and "日期不能晚于今天" in response.content.decode()
    assert (
        client.post(url, {"date": timezone.localdate().isoformat(), "title": "停车方案"}).status_code == 302
    )
    page = client.get(reverse("book:edit", args=[world.estate_a1.pk]))
    assert "停车方案" in page.content.decode()
    staff = as_user("staff_x")
    url = reverse("book:service_edit", args=[world.estate_a1.pk, "greening"])
    assert (
        staff.post(url, {"standard": "草坪每年修剪六次", "staffing": "2", "hours": "工作日"}).status_code
        == 302
    )
    bad = staff.post(url, {"standard": "", "staffing": "-1", "hours": ""})
    assert bad.status_code == 200 and ServiceContent.objects.get().staffing == 2


def test_office_index_query_count_is_bounded(as_user, world, django_assert_max_num_queries):
    client = as_user("admin")
    client.get(reverse("book:office"))
    with django_assert_max_num_queries(14):
        response = client.get(reverse("book:office"))
    assert len(response.context["rows"]) == 3
