"""党建联建: the street's agreement with a company group, its programme items with progress and evidence, and the
group's pilot company (the work plan's Pilot, linked) — rules at their bounds, services, pages."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.branchwork import partnerships as ps
from gongzhi.branchwork.models import Pilot
from gongzhi.branchwork.rules import pilot_fits_partnership, programme_item_problem, programme_progress
from gongzhi.branchwork.services import BranchworkError
from gongzhi.core.models import AuditEvent
from gongzhi.registry.models import Company

D = dt.date
TODAY = D(2026, 12, 7)


def test_progress_counts_done_underway_and_overdue_at_the_day():
    items = [
        ("done", TODAY - dt.timedelta(days=10)),  # done late: done, not overdue
        ("underway", TODAY),  # due today: not overdue yet
        ("underway", TODAY - dt.timedelta(days=1)),  # due yesterday: overdue
        ("planned", None),  # no due day: never overdue
    ]
    p = programme_progress(items, TODAY)
    assert (p.total, p.done, p.underway, p.overdue, p.percent) == (4, 1, 2, 1, 25)


@pytest.mark.parametrize(
    ("done", "total", "percent"), [(0, 0, 0), (1, 3, 33), (2, 3, 67), (1, 2, 50), (1, 8, 13), (3, 3, 100)]
)
def test_progress_percent_rounds_half_up(done, total, percent):
    items = [("done", None)] * done + [("planned", None)] * (total - done)
    assert programme_progress(items, TODAY).percent == percent


def test_a_done_item_needs_its_day_within_the_agreement_and_evidence():
    signed = D(2025, 3, 1)
    ok = "按季公示物业费收支，照片见附件。"
    assert programme_item_problem("done", ok, signed, signed, TODAY) is None  # the signing day itself
    assert "早于" in programme_item_problem("done", ok, signed - dt.timedelta(days=1), signed, TODAY)
    assert programme_item_problem("done", ok, TODAY, signed, TODAY) is None
    assert "晚于今天" in programme_item_problem("done", ok, TODAY + dt.timedelta(days=1), signed, TODAY)
    assert "佐证" in programme_item_problem("done", "  ", TODAY, signed, TODAY)
    assert "完成日期" in programme_item_problem("done", ok, None, signed, TODAY)
    assert programme_item_problem("underway", "", None, signed, TODAY) is None
    assert programme_item_problem("finished", "", None, signed, TODAY) == "请选择进展。"


def test_pilot_fits_only_a_member_of_the_group():
    assert pilot_fits_partnership(3, 3) and not pilot_fits_partnership(4, 3)
    assert not pilot_fits_partnership(None, 3)


def agreement(world, **kw):
    admin = world.user("admin")
    group = ps.company_group_create(
        actor=admin,
        street=world.street,
        name="浦江国资物业集团",
        ownership="state",
        companies=[world.company_x],
    )
    values = {
        "title": "党建联建协议",
        "signed_on": timezone.localdate() - dt.timedelta(days=100),
        "parties": "街道党工委、浦江国资物业集团党委",
        "items": [
            ("quality", "在管老旧小区统一“四保”标准", timezone.localdate() - dt.timedelta(days=1)),
            ("accounts", "按季公开物业费收支", timezone.localdate() + dt.timedelta(days=30)),
        ],
    }
    return group, ps.partnership_create(actor=admin, street=world.street, group=group, **{**values, **kw})


@pytest.mark.django_db
def test_agreement_items_progress_and_pilot(world):
    admin = world.user("admin")
    group, p = agreement(world)
    world.company_x.refresh_from_db()
    assert world.company_x.group_id == group.pk
    first, second = list(p.items.order_by("due_on"))
    with pytest.raises(BranchworkError, match="佐证"):
        ps.programme_item_update(
            actor=admin, item=first, status="done", evidence="", done_on=timezone.localdate()
        )
    first.refresh_from_db()
    assert first.status == "planned"  # nothing written
    ps.programme_item_update(
        actor=admin,
        item=first,
        status="done",
        evidence="四个小区已统一保洁频次。",
        done_on=timezone.localdate(),
    )
    ps.programme_item_update(actor=admin, item=second, status="underway", evidence="第三季度已公示。")
    other = Company.objects.create(street=world.street, name="不在集团的物业")
    with pytest.raises(BranchworkError, match="成员企业"):
        ps.partnership_pilot_set(
            actor=admin, partnership=p, company=other, programme="试点", since=timezone.localdate()
        )
    pilot = ps.partnership_pilot_set(
        actor=admin, partnership=p, company=world.company_x, programme="提质增效、经费公开", since=p.signed_on
    )
    assert pilot.partnership_id == p.pk and pilot.agreement == "党建联建协议"
    assert Pilot.objects.filter(company=world.company_x).count() == 1
    (row,) = ps.partnerships(admin, timezone.localdate())
    assert (row["progress"].done, row["progress"].underway, row["progress"].percent) == (1, 1, 50)
    assert [x.company_id for x in row["pilots"]] == [world.company_x.pk]
    types = set(
        AuditEvent.objects.filter(
            object_type__in=[
                "branchwork.Partnership",
                "branchwork.ProgrammeItem",
                "branchwork.Pilot",
                "registry.CompanyGroup",
                "registry.Company",
            ]
        ).values_list("object_type", flat=True)
    )
    assert types == {
        "branchwork.Partnership",
        "branchwork.ProgrammeItem",
        "branchwork.Pilot",
        "registry.CompanyGroup",
        "registry.Company",
    }


@pytest.mark.django_db
def test_only_the_street_admin_writes(world):
    group, p = agreement(world)
    for name in ("leader", "secretary_a", "staff_x", "other_admin"):
        with pytest.raises(PermissionDenied):
            ps.programme_item_add(actor=world.user(name), partnership=p, kind="other", title="x")
    with pytest.raises(BranchworkError, match="早于"):
        ps.programme_item_add(
            actor=world.user("admin"),
            partnership=p,
            kind="other",
            title="x",
            due_on=p.signed_on - dt.timedelta(days=1),
        )


@pytest.mark.django_db
def test_pages_read_through_the_door_with_bounded_queries(world, client):
    group, p = agreement(world)
    client.force_login(world.user("admin"))
    with CaptureQueriesContext(connection) as few:
        assert client.get("/plan/partnerships/").status_code == 200
    for n in range(5):
        agreement_n = ps.partnership_create(
            actor=world.user("admin"),
            street=world.street,
            group=group,
            title=f"协议{n}",
            signed_on=timezone.localdate(),
            parties="各方",
            items=[("other", "事项", None)] * 3,
        )
        assert agreement_n.items.count() == 3
    with CaptureQueriesContext(connection) as many:
        page = client.get("/plan/partnerships/")
    assert page.status_code == 200 and "协议4" in page.content.decode()
    assert len(many) == len(few)
    page = client.get(f"/plan/partnerships/{p.pk}/").content.decode()
    assert "在管老旧小区统一“四保”标准" in page and "逾期" in page and "浦江国资物业集团" in page
    client.force_login(world.user("secretary_a"))
    page = client.get(f"/plan/partnerships/{p.pk}/").content.decode()
    assert "登记进展" not in page  # reads, does not write
    client.force_login(world.user("other_admin"))
    assert client.get(f"/plan/partnerships/{p.pk}/").status_code == 404
    page = client.get("/plan/partnerships/").content.decode()
    assert "还没有党建联建协议" in page and "浦江国资物业集团" not in page


@pytest.mark.django_db
def test_a_done_item_from_the_page_without_evidence_is_refused(world, client):
    group, p = agreement(world)
    item = p.items.first()
    client.force_login(world.user("admin"))
    response = client.post(
        f"/plan/partnership-items/{item.pk}/",
        {f"i{item.pk}-status": "done", f"i{item.pk}-done_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200 and "佐证" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "planned"
