"""Facts about the loaded demo street, its users, and loading it again (small scale)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Avg, Count, Max, Min, Q
from django.utils import timezone

from gongzhi.core.models import AuditEvent, Role, RoleGrant, User
from gongzhi.core.scopes import scope_for, visible
from gongzhi.demo.generator import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    SMALL_SCALE,
    STREET_NAME,
    DemoError,
    demo_logins,
    demo_street_delete,
    demo_street_ensure,
    find_demo_street,
    logins_table,
    street_fingerprint,
)
from gongzhi.registry import models as r

DAY = dt.date(2026, 3, 1)
REGISTRY_MODELS = [
    r.Street, r.Area, r.Estate, r.Building, r.Unit, r.Owner, r.Company, r.Contract,
    r.OwnersCommittee, r.CommitteeMember, r.ResidentsCommittee, r.Branch, r.BranchMember,
]  # fmt: skip


def rows_of(models_and_pks=None):
    """Every row of the registry and of users/grants, as plain values keyed by model."""
    snapshot = {}
    for model in [*REGISTRY_MODELS, User, RoleGrant]:
        queryset = model.objects.order_by("pk")
        if models_and_pks is not None:
            queryset = queryset.filter(pk__in=models_and_pks[model])
        snapshot[model] = list(queryset.values())
    return snapshot


def pks(snapshot):
    return {model: [row["id"] for row in rows] for model, rows in snapshot.items()}


def active_contracts(street):
    return r.Contract.objects.active().filter(estate__area__street=street)


# ---- the street ---------------------------------------------------------------------------------


def test_demo_street_has_32_areas_76_estates_51_old_and_28_companies(demo):
    street = demo.street
    assert street.is_demo
    assert street.name == STREET_NAME
    assert r.Area.objects.filter(street=street).count() == 32
    assert r.Estate.objects.filter(area__street=street).count() == 76
    assert r.Estate.objects.filter(area__street=street).old().count() == 51
    assert r.Company.objects.filter(street=street).count() == 28


def test_state_company_manages_exactly_26_old_estates_through_active_contracts(demo):
    state = r.Company.objects.get(street=demo.street, ownership="state")
    managed = r.Estate.objects.filter(contracts__in=r.Contract.objects.active().filter(company=state))
    assert managed.count() == 26
    assert managed.old().count() == 26
    assert r.Company.objects.filter(street=demo.street, ownership="state").count() == 1


def test_every_estate_has_one_active_contract_and_none_overlap(demo):
    active = active_contracts(demo.street)
    assert active.count() == 76
    assert active.values("estate").distinct().count() == 76
    expired = r.Contract.objects.filter(estate__area__street=demo.street, end_date__lt=timezone.localdate())
    assert expired.exists()
    for estate in r.Estate.objects.filter(area__street=demo.street).prefetch_related("contracts"):
        periods = sorted((c.start_date, c.end_date) for c in estate.contracts.all())
        assert all(earlier[1] < later[0] for earlier, later in zip(periods, periods[1:], strict=False))


def test_fees_average_about_08_yuan_and_collection_rates_lie_in_50_to_99(demo):
    active = active_contracts(demo.street)
    figures = active.aggregate(
        fee=Avg("fee_standard"), low=Min("fee_standard"), high=Max("fee_standard"),
        rate_low=Min("collection_rate"), rate_high=Max("collection_rate"),
    )  # fmt: skip
    assert Decimal("0.70") <= figures["fee"] <= Decimal("0.90")
    assert figures["low"] >= Decimal("0.45")
    assert figures["high"] <= Decimal("1.60")
    assert figures["rate_low"] >= Decimal("50.00")
    assert figures["rate_high"] <= Decimal("99.00")
    old_fee = active.filter(estate__build_year__lt=1996).aggregate(v=Avg("fee_standard"))["v"]
    new_fee = active.filter(estate__build_year__gte=1996).aggregate(v=Avg("fee_standard"))["v"]
    assert old_fee < new_fee


def test_every_estate_has_units_with_positive_area_and_an_owner(demo):
    estates = r.Estate.objects.filter(area__street=demo.street).annotate(
        units=Count("buildings__units"), smallest=Min("buildings__units__area")
    )
    assert all(e.units > 0 for e in estates)
    assert all(e.smallest > 0 for e in estates)
    assert not r.Unit.objects.filter(building__estate__area__street=demo.street, owner__isnull=True).exists()


def test_owners_mostly_hold_one_unit_and_the_developer_holds_several(demo):
    owners = r.Owner.objects.filter(street=demo.street).annotate(n=Count("units"))
    assert not owners.filter(n=0).exists()
    persons = owners.filter(kind="person")
    two = persons.filter(n=2).count()
    assert 0 < two < persons.count() * 0.06
    assert not persons.filter(n__gt=2).exists()
    assert owners.filter(kind="developer", n__gte=2).exists()
    sources = set(
        r.Unit.objects.filter(building__estate__area__street=demo.street).values_list(
            "area_source", flat=True
        )
    )
    assert sources == {"registered", "surveyed", "contract"}


def test_most_estates_have_an_owners_committee_of_odd_size_with_one_director(demo):
    today = timezone.localdate()
    committees = r.OwnersCommittee.objects.filter(
        estate__area__street=demo.street, term_start__lte=today, term_end__gte=today
    ).annotate(size=Count("members"), directors=Count("members", filter=Q(members__position="director")))
    assert 60 <= committees.count() < 76  # one sitting committee per estate that has one
    for committee in committees:
        assert committee.size in (3, 5, 7, 9)
        assert committee.directors == 1
        assert committee.term_start < committee.term_end
    members = r.CommitteeMember.objects.filter(committee__estate__area__street=demo.street)
    party_share = members.filter(is_party_member=True).count() / members.count()
    assert 0.3 <= party_share <= 0.8


def test_each_area_has_a_residents_committee_and_a_branch_of_the_three_carriages(demo):
    areas = r.Area.objects.filter(street=demo.street).select_related("residents_committee", "branch")
    attendees = 0
    for area in areas:
        members = {m.name: m for m in area.branch.members.all()}
        secretary = members[area.branch.secretary_name]
        assert (secretary.membership, secretary.is_party_member) == ("member", True)
        assert members[area.residents_committee.director_name].organisation == "residents_committee"
        today = timezone.localdate()
        for committee in r.OwnersCommittee.objects.filter(estate__area=area, term_end__gte=today):
            director = committee.members.get(position="director")  # the sitting director has the seat
            assert members[director.name].organisation == "owners_committee"
        managers = [m for m in members.values() if m.organisation == "company"]
        assert len(managers) == area.estates.count()
        attendees += sum(m.membership == "attendee" for m in members.values())
    assert attendees > 0  # non-party heads attend without a vote (列席)


def test_one_audit_event_records_the_whole_import(demo):
    events = AuditEvent.objects.filter(street=demo.street)
    assert events.count() == 1
    event = events.get()
    assert (event.action, event.object_type) == ("import", "registry.Street")
    counts = event.changes["counts"]
    assert counts["units"] == r.Unit.objects.filter(building__estate__area__street=demo.street).count()
    assert counts["owners"] == r.Owner.objects.filter(street=demo.street).count()
    assert counts == demo.counts


# ---- the demo users -----------------------------------------------------------------------------


def test_every_role_has_a_demo_user_with_a_non_empty_scope(demo):
    assert {login.role for login in DEMO_LOGINS} == set(Role)
    for login in DEMO_LOGINS:
        user = User.objects.get(username=login.username)
        scope = scope_for(user)
        assert login.role in scope.roles
        assert scope.all_estate_ids or scope.street_ids or scope.district_street_ids
        assert user.check_password(DEMO_PASSWORD)
        assert user.display_name


def test_the_demo_district_logins_read_the_demo_street_and_change_nothing(demo):
    street = demo.street
    for name in ("demo_district_office", "demo_district_admin"):
        scope = scope_for(User.objects.get(username=name))
        assert scope.is_district_reader(street.district_id) and scope.reads_street(street.pk)
        assert scope.is_read_only() and not scope.is_street_wide() and not scope.sees_personal_data(None)
        assert not scope.personal_data_estate_ids and not scope.estate_ids
    assert scope_for(User.objects.get(username="demo_district_admin")).is_district_admin(street.district_id)
    assert not scope_for(User.objects.get(username="demo_district_office")).is_district_admin()


def test_demo_users_reach_the_part_of_the_street_their_role_names(demo):
    def user(name):
        return User.objects.get(username=name)

    state = r.Company.objects.get(street=demo.street, ownership="state")
    assert visible(user("demo_admin"), r.Estate).count() == 76
    assert visible(user("demo_leader"), r.Estate).count() == 76
    secretary = scope_for(user("demo_secretary"))
    (area_id,) = secretary.area_ids
    assert len(secretary.estate_ids) >= 2
    assert scope_for(user("demo_branch")).area_ids == {area_id}
    (oc_estate,) = scope_for(user("demo_oc")).estate_ids
    assert r.Estate.objects.get(pk=oc_estate).area_id == area_id
    assert scope_for(user("demo_company")).company_ids == {state.pk}
    assert len(scope_for(user("demo_company")).estate_ids) == 26
    evaluator = user("demo_evaluator")
    assert len(scope_for(evaluator).evaluator_estate_ids) == 3
    assert not visible(evaluator, r.Unit).exists()
    owner = scope_for(user("demo_owner"))
    assert owner.home_estate_ids == {oc_estate}
    (unit_id,) = owner.unit_ids
    assert r.Owner.objects.get(units=unit_id).units.count() == 1


def test_demo_logins_name_what_each_login_sees(demo):
    rows = {row.username: row for row in demo_logins()}
    assert list(rows) == list(DEMO_USERNAMES)
    area = r.Area.objects.get(pk=RoleGrant.objects.get(user__username="demo_secretary").area_id)
    assert rows["demo_secretary"].sees.startswith(area.name)
    assert "浦江城发物业（26 个小区）" in rows["demo_company"].sees
    assert all(row.password == DEMO_PASSWORD for row in rows.values())
    lines = logins_table(list(rows.values())).splitlines()
    assert len(lines) == 2 + len(DEMO_LOGINS)
    assert all("gongzhi-demo-2026" in line for line in lines[2:])


def test_demo_logins_without_a_demo_street_are_generic(db):
    rows = demo_logins()
    assert [row.username for row in rows] == list(DEMO_USERNAMES)
    assert not any(":" in row.sees for row in rows)


# ---- loading again ------------------------------------------------------------------------------


def test_second_run_creates_nothing(demo):
    before = rows_of()
    again = demo_street_ensure(scale=SMALL_SCALE)
    assert not again.created
    assert again.street == demo.street
    assert rows_of() == before
    assert AuditEvent.objects.filter(action="import").count() == 1


def test_same_seed_and_day_give_the_same_rows_and_another_seed_does_not(demo_copy):
    first = demo_copy(today=DAY)
    print_one = street_fingerprint(first.street)
    second = demo_street_ensure(scale=SMALL_SCALE, today=DAY, reset=True)
    assert second.street.pk != first.street.pk
    assert street_fingerprint(second.street) == print_one
    other = demo_street_ensure(seed=7, scale=SMALL_SCALE, today=DAY, reset=True)
    assert street_fingerprint(other.street) != print_one


def test_reset_regenerates_and_leaves_another_street_untouched(world, demo_copy):
    before = rows_of()
    first = demo_copy()
    second = demo_street_ensure(scale=SMALL_SCALE, reset=True)
    assert second.created
    assert second.deleted["registry.Unit"] == first.counts["units"]
    assert not r.Street.objects.filter(pk=first.street.pk).exists()
    assert r.Street.objects.filter(name=STREET_NAME).get() == second.street
    assert rows_of(pks(before)) == before
    assert r.Area.objects.filter(street=world.street).count() == 2
    assert User.objects.filter(username__in=DEMO_USERNAMES).count() == len(DEMO_USERNAMES)


def test_reset_refuses_to_delete_a_row_of_another_street(world, demo_copy):
    demo = demo_copy()
    company = r.Company.objects.filter(street=demo.street).first()
    foreign = r.Contract.objects.create(
        company=company, estate=world.estate_a2, start_date=DAY, end_date=DAY + dt.timedelta(days=30),
        fee_standard=Decimal("1.00"),
    )  # fmt: skip
    with pytest.raises(DemoError):
        demo_street_ensure(scale=SMALL_SCALE, reset=True)
    assert r.Contract.objects.filter(pk=foreign.pk).exists()
    assert r.Street.objects.filter(pk=demo.street.pk).exists()


def test_reset_refuses_when_a_demo_login_would_take_another_streets_row_with_it(world, demo_copy):
    from gongzhi.training.models import Exam, Participant

    demo = demo_copy()
    exam = Exam.objects.create(street=world.street, title="外街道考试", time_limit_minutes=30, pass_mark=60)
    user = User.objects.get(username="demo_owner")
    taking = Participant.objects.create(exam=exam, user=user, name="外街道考生", group="oc_members")
    with pytest.raises(DemoError):
        demo_street_ensure(scale=SMALL_SCALE, reset=True)
    assert Participant.objects.filter(pk=taking.pk).exists()
    assert r.Street.objects.filter(pk=demo.street.pk).exists()


def test_a_real_street_bearing_the_demo_name_is_never_touched(db):
    real = r.Street.objects.create(name=STREET_NAME, district=r.District.objects.create(name="真实区"))
    assert find_demo_street() is None
    for reset in (False, True):
        with pytest.raises(DemoError):
            demo_street_ensure(scale=SMALL_SCALE, reset=reset)
    with pytest.raises(DemoError):
        demo_street_delete(street=real)
    assert r.Street.objects.get(pk=real.pk).is_demo is False
    assert r.Area.objects.count() == 0


def test_a_demo_username_in_use_elsewhere_is_refused(world):
    taken = User.objects.create_user(username="demo_admin", password="another-password-1")
    RoleGrant.objects.create(user=taken, role=Role.STREET_ADMIN, street=world.other_street)
    with pytest.raises(DemoError):
        demo_street_ensure(scale=SMALL_SCALE)
    with pytest.raises(DemoError):
        demo_street_ensure(scale=SMALL_SCALE, reset=True)
    assert not r.Street.objects.filter(name=STREET_NAME).exists()
    assert RoleGrant.objects.filter(user=taken, street=world.other_street).exists()


def test_the_plan_names_the_street_that_demo_mode_looks_for():
    from gongzhi.demo import names

    assert names.STREET_NAME == STREET_NAME  # gongzhi.core.demo_mode's, which the login page reads
