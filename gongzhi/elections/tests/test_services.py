"""Slate review through the services and pages: checks block submission and approval, the leadership
decides, everything leaves a status history, audit rows and notifications."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import AuditEvent, Notification
from gongzhi.elections import selectors, services
from gongzhi.elections.models import Slate, SlateStatus
from gongzhi.registry.models import Building, Unit

CLEAR = {"unpaid_fees": "clear", "illegal_construction": "clear", "close_relative": "clear"}


def _slate(world, size=5, party=3, cross=2, n=5, checks=CLEAR):
    secretary = world.user("secretary_a")
    slate = services.slate_create(
        actor=secretary,
        estate=world.estate_a1,
        election_date=timezone.localdate() + dt.timedelta(days=20),
        planned_size=size,
    )
    for i in range(n):
        services.candidate_save(
            actor=secretary,
            slate=slate,
            name=f"候选人{i}",
            is_party_member=i < party,
            is_cross_appointed=i < cross,
            checks=checks,
        )
    return slate


def test_shares_and_checks_on_a_full_slate(world):
    review = selectors.review(_slate(world))
    assert (review.party_percent, review.party_ok) == (Decimal("60.0"), True)
    assert (review.cross_percent, review.cross_ok) == (Decimal("40.0"), True)
    assert review.blockers() == []


def test_shares_just_below_the_targets_are_red_but_do_not_block(world):
    review = selectors.review(_slate(world, party=2, cross=1))
    assert review.party_ok is False and review.cross_ok is False
    assert review.blockers() == []  # targets are policy: the leadership decides


def test_a_street_may_set_other_targets(world):
    services.targets_set(actor=world.user("admin"), street=world.street, party_share="60", cross_share="40")
    assert selectors.review(_slate(world)).party_ok is True  # 3/5 = 60 % ≥ 60 %
    services.targets_set(
        actor=world.user("admin"), street=world.street, party_share="60.01", cross_share="40"
    )
    assert selectors.review(Slate.objects.get()).party_ok is False
    with pytest.raises(services.SlateError):
        services.targets_set(
            actor=world.user("admin"), street=world.street, party_share="101", cross_share="40"
        )
    with pytest.raises(PermissionDenied):
        services.targets_set(
            actor=world.user("other_admin"), street=world.street, party_share="50", cross_share="40"
        )


def test_missing_check_blocks_submission(world):
    slate = _slate(world, checks={"unpaid_fees": "clear", "illegal_construction": "clear"})
    with pytest.raises(services.SlateError) as error:
        services.slate_submit(actor=world.user("secretary_a"), slate=slate)
    assert "5 项资格核查未完成" in error.value.message
    assert Slate.objects.get().status == SlateStatus.DRAFT


def test_even_size_is_refused(world):
    slate = _slate(world, size=6, n=6)
    with pytest.raises(services.SlateError) as error:
        services.slate_submit(actor=world.user("secretary_a"), slate=slate)
    assert "单数" in error.value.message


def _estate_area(world, total: str):
    """Make estate A1's registered area exactly ``total`` m² (units summed)."""
    Unit.objects.filter(building__estate=world.estate_a1).update(area=Decimal("1.00"))
    unit = Unit.objects.filter(building__estate=world.estate_a1).first()
    others = Unit.objects.filter(building__estate=world.estate_a1).count() - 1
    unit.area = Decimal(total) - others
    unit.save()


def test_three_members_only_strictly_under_ten_thousand(world):
    _estate_area(world, "9999.99")
    slate = _slate(world, size=3, n=3, party=2, cross=2)
    assert selectors.review(slate).size.ok is True
    _estate_area(world, "10000.00")
    assert selectors.review(slate).size.ok is False
    with pytest.raises(services.SlateError):
        services.slate_submit(actor=world.user("secretary_a"), slate=slate)


def test_excluded_candidate_blocks(world):
    slate = _slate(world)
    candidate = slate.candidates.first()
    services.candidate_save(
        actor=world.user("secretary_a"),
        slate=slate,
        candidate=candidate,
        name=candidate.name,
        checks={**CLEAR, "unpaid_fees": "found"},
    )
    blockers = selectors.review(slate).blockers()
    assert any(candidate.name in b for b in blockers)


def test_checks_are_signed_by_who_and_when(world):
    slate = _slate(world, n=1)
    check = slate.candidates.get().checks.get(kind="close_relative")
    assert check.signed_by == world.user("secretary_a")
    assert check.basis == "declared"
    assert abs((timezone.now() - check.signed_at).total_seconds()) < 60


def test_linked_owner_must_own_a_unit_in_the_estate(world):
    slate = _slate(world, n=0)
    services.candidate_save(actor=world.user("secretary_a"), slate=slate, name="业主A11", owner_ref="A1-1")
    assert slate.candidates.get().unit.building.estate_id == world.estate_a1.pk
    with pytest.raises(services.SlateError) as error:
        services.candidate_save(actor=world.user("secretary_a"), slate=slate, name="外人", owner_ref="B1-1")
    assert "没有登记的房屋" in error.value.message
    with pytest.raises(services.SlateError):
        services.candidate_save(actor=world.user("secretary_a"), slate=slate, name="无人", owner_ref="NOPE")


def test_submit_approve_flow_with_history_audit_and_notifications(world):
    slate = _slate(world)
    services.slate_submit(actor=world.user("secretary_a"), slate=slate)
    assert Notification.objects.filter(user=world.user("leader")).count() == 1
    with pytest.raises(services.SlateError):  # submitted: no more edits
        services.candidate_save(actor=world.user("secretary_a"), slate=slate, name="晚到的人")
    with pytest.raises(PermissionDenied):  # the admin enters slates but does not decide them
        services.slate_approve(actor=world.user("admin"), slate=slate)
    services.slate_approve(actor=world.user("leader"), slate=slate, comment="同意")
    slate.refresh_from_db()
    assert slate.status == SlateStatus.APPROVED and slate.decided_by == world.user("leader")
    assert [e.action for e in slate.events.all()] == ["create", "submit", "approve"]
    assert AuditEvent.objects.filter(object_type="elections.Slate", object_id=str(slate.pk)).count() == 3
    assert Notification.objects.filter(user=world.user("secretary_a")).count() == 1


def test_return_needs_a_comment_and_allows_resubmission(world):
    slate = _slate(world, party=2)
    services.slate_submit(actor=world.user("secretary_a"), slate=slate)
    with pytest.raises(services.SlateError):
        services.slate_return(actor=world.user("leader"), slate=slate, comment="  ")
    services.slate_return(actor=world.user("leader"), slate=slate, comment="党员占比未达 55%")
    slate.refresh_from_db()
    assert slate.status == SlateStatus.RETURNED
    services.candidate_save(
        actor=world.user("secretary_a"), slate=slate, name="新增党员", is_party_member=True, checks=CLEAR
    )
    services.slate_submit(actor=world.user("secretary_a"), slate=slate)
    assert Slate.objects.get().status == SlateStatus.SUBMITTED


def test_approval_is_blocked_when_a_check_goes_missing_after_submission(world):
    slate = _slate(world)
    services.slate_submit(actor=world.user("secretary_a"), slate=slate)
    slate.candidates.first().checks.first().delete()  # e.g. a withdrawn declaration
    with pytest.raises(services.SlateError) as error:
        services.slate_approve(actor=world.user("leader"), slate=slate)
    assert "资格核查未完成" in error.value.message
    assert Slate.objects.get().status == SlateStatus.SUBMITTED


def test_other_area_secretary_may_not_enter(world):
    with pytest.raises(PermissionDenied):
        services.slate_create(
            actor=world.user("secretary_b"),
            estate=world.estate_a1,
            election_date=timezone.localdate(),
            planned_size=5,
        )
    with pytest.raises(PermissionDenied):
        services.slate_create(
            actor=world.user("member_a"),
            estate=world.estate_a1,
            election_date=timezone.localdate(),
            planned_size=5,
        )


def test_pages_show_the_checks_and_the_decision_buttons(as_user, world):
    slate = _slate(world)
    services.slate_submit(actor=world.user("secretary_a"), slate=slate)
    page = as_user("leader").get(reverse("elections:detail", args=[slate.pk])).content.decode()
    assert "审核通过" in page and "60.0%" in page and "✓" in page
    response = as_user("leader").post(
        reverse("elections:act", args=[slate.pk, "approve"]), {"comment": "同意"}
    )
    assert response.status_code == 302
    assert Slate.objects.get().status == SlateStatus.APPROVED


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_and_export(as_user, world):
    for i in range(4):
        _slate(world, n=5, party=i)
    client = as_user("admin")
    response = client.get(reverse("elections:list"))
    assert response.status_code == 200 and response.content.decode().count("甲一小区") >= 4
    export = client.get(reverse("elections:export"))
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][6] == "党员占比" and len(rows) == 5
    assert {r[6] for r in rows[1:]} == {"0.0%", "20.0%", "40.0%", "60.0%"}


def test_list_query_count_does_not_grow_with_slates(as_user, world):
    _slate(world, n=3)
    client = as_user("leader")
    client.get(reverse("elections:list"))
    one = _queries(client, reverse("elections:list"))
    for _ in range(12):
        _slate(world, n=3)
    Building.objects.create(estate=world.estate_a2, number="9号")
    assert _queries(client, reverse("elections:list")) == one
    assert one <= 40
