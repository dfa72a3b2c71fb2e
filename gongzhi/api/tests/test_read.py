"""Facts about each read endpoint: its content, filters, paging, scope and masking."""

import pytest

from gongzhi.api.tests.conftest import ids
from gongzhi.registry import models as r

pytestmark = pytest.mark.django_db


# ---- estates ------------------------------------------------------------------------------------


def test_estate_figures_and_current_company(world, api):
    estate = api("admin").get(f"/estates/{world.estate_a1.pk}").json()
    assert estate == {
        "id": world.estate_a1.pk,
        "name": "甲一小区",
        "address": "甲一小区路1号",
        "build_year": 1988,
        "is_old": True,
        "area": {"id": world.area_a.pk, "name": "甲居民区"},
        "unit_count": 3,
        "total_area": "195.80",
        "owner_count": 3,
        "current_company": {"id": world.company_x.pk, "name": "星河物业"},
    }


def test_owner_count_counts_one_buyer_once(world, api):
    # The owner of 101 also buys 201: still 3 owners, now 4 units (SPC interpretation art. 9).
    r.Unit.objects.create(building=world.building_a1, number="401", area="40.00", owner=world.unit_a1.owner)
    estate = api("admin").get(f"/estates/{world.estate_a1.pk}").json()
    assert (estate["unit_count"], estate["owner_count"], estate["total_area"]) == (4, 3, "235.80")


def test_estate_without_contract_in_force_has_no_current_company(world, api):
    world.contract_a2.delete()
    assert api("admin").get(f"/estates/{world.estate_a2.pk}").json()["current_company"] is None


def test_estate_filters(world, api):
    client = api("admin")
    assert ids(client.get("/estates", {"area": world.area_a.pk})) == [world.estate_a1.pk, world.estate_a2.pk]
    assert sorted(ids(client.get("/estates", {"company": world.company_x.pk}))) == sorted(
        [world.estate_a1.pk, world.estate_b1.pk]
    )
    assert sorted(ids(client.get("/estates", {"is_old": "true"}))) == sorted(
        [world.estate_a1.pk, world.estate_b1.pk]
    )
    assert ids(client.get("/estates", {"is_old": "false"})) == [world.estate_a2.pk]
    assert ids(client.get("/estates", {"q": "乙一"})) == [world.estate_b1.pk]


def test_estate_list_is_scoped(world, api):
    assert sorted(ids(api("staff_x").get("/estates"))) == sorted([world.estate_a1.pk, world.estate_b1.pk])
    assert ids(api("other_admin").get("/estates")) == [world.other_estate.pk]


def test_out_of_scope_estate_is_the_same_404_as_a_missing_one(world, api):
    client = api("other_admin")
    hidden = client.get(f"/estates/{world.estate_a1.pk}")
    missing = client.get("/estates/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert hidden.json() == {"detail": "记录不存在。"}


# ---- paging -------------------------------------------------------------------------------------


def test_paging_counts_everything_and_returns_a_window(world, api):
    client = api("admin")
    first = client.get("/estates", {"limit": 2}).json()
    second = client.get("/estates", {"limit": 2, "offset": 2}).json()
    assert (first["count"], first["limit"], first["offset"]) == (3, 2, 0)
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert {e["id"] for e in first["items"] + second["items"]} == {
        world.estate_a1.pk,
        world.estate_a2.pk,
        world.estate_b1.pk,
    }


def test_default_limit_is_50_and_more_than_200_is_refused(world, api):
    client = api("admin")
    assert client.get("/units").json()["limit"] == 50
    assert client.get("/units", {"limit": 200}).status_code == 200
    refused = client.get("/units", {"limit": 201})
    assert refused.status_code == 422
    assert refused.json()["detail"] == "请求参数有误。"
    assert client.get("/estates", {"q": "甲" * 101}).status_code == 422


# ---- streets, areas, buildings, units -----------------------------------------------------------


def test_streets_and_areas(world, api):
    client = api("secretary_a")
    assert client.get("/streets").json()["items"] == [
        {"id": world.street.pk, "name": "示例街道", "district": "浦东新区", "is_demo": False}
    ]
    assert ids(client.get("/areas")) == [world.area_a.pk]
    assert client.get(f"/areas/{world.area_b.pk}").status_code == 404
    assert ids(api("admin").get("/areas", {"q": "乙"})) == [world.area_b.pk]
    assert api("other_admin").get(f"/streets/{world.street.pk}").status_code == 404


def test_buildings_with_unit_count_and_filters(world, api):
    client = api("admin")
    building = client.get(f"/buildings/{world.building_a1.pk}").json()
    assert building["unit_count"] == 3 and building["estate"]["id"] == world.estate_a1.pk
    assert ids(client.get("/buildings", {"estate": world.estate_b1.pk})) == [world.building_b1.pk]
    assert len(ids(client.get("/buildings", {"area": world.area_a.pk}))) == 2
    assert ids(api("secretary_b").get("/buildings")) == [world.building_b1.pk]


def test_units_area_is_a_two_place_string_and_filters_work(world, api):
    client = api("admin")
    unit = client.get(f"/units/{world.unit_a1.pk}").json()
    assert unit["area"] == "68.50"
    assert unit["building"] == {"id": world.building_a1.pk, "name": "1号"}
    assert len(ids(client.get("/units", {"estate": world.estate_a1.pk}))) == 3
    assert len(ids(client.get("/units", {"building": world.building_b1.pk}))) == 3
    assert ids(client.get("/units", {"estate": world.estate_a1.pk, "q": "201"})) == [world.unit_a1_other.pk]
    assert ids(client.get("/units", {"owner": world.unit_a1.owner_id})) == [world.unit_a1.pk]


def test_roles_the_registry_pages_refuse_are_refused_here_too(world, api):
    # Like the web pages: the registry is for office roles; evaluators see no households.
    for persona in ("outsider", "owner_a1"):
        response = api(persona).get("/estates")
        assert response.status_code == 403
        assert response.json() == {"detail": "您没有权限执行此操作。"}
        assert api(persona).get(f"/units/{world.unit_a1.pk}").status_code == 403
    evaluator = api("evaluator_b1")
    assert evaluator.get("/units").status_code == 403
    assert evaluator.get("/owners").status_code == 403
    assert ids(evaluator.get("/estates")) == [world.estate_b1.pk]


# ---- masking ------------------------------------------------------------------------------------


def test_company_staff_reads_owner_names_and_phones_masked(world, api):
    owner = api("staff_x").get(f"/owners/{world.unit_a1.owner_id}").json()
    assert owner["name"] == "业****" and owner["phone"] == "138****0001"
    unit = api("staff_x").get(f"/units/{world.unit_a1.pk}").json()
    assert unit["owner"]["name"] == "业****"


def test_owners_committee_reads_names_unmasked_in_its_estate_only(world, api):
    client = api("oc_a1")
    owner = client.get(f"/owners/{world.unit_a1.owner_id}").json()
    assert owner["name"] == "业主A11" and owner["phone"] == "13800000001"
    assert client.get(f"/units/{world.unit_a1.pk}").json()["owner"]["name"] == "业主A11"
    # staff_x reaches estate B1 too, and still reads it masked; oc_a1 does not reach it at all.
    assert client.get(f"/owners/{world.unit_b1.owner_id}").status_code == 404


def test_street_admin_and_area_secretary_read_unmasked(world, api):
    assert api("admin").get(f"/owners/{world.unit_b1.owner_id}").json()["name"] == "业主B11"
    assert api("secretary_b").get(f"/owners/{world.unit_b1.owner_id}").json()["name"] == "业主B11"
    assert api("leader").get(f"/owners/{world.unit_b1.owner_id}").json()["name"] == "业****"


def test_search_by_name_does_not_reveal_masked_names(world, api):
    assert ids(api("staff_x").get("/owners", {"q": "业主A11"})) == []
    assert ids(api("staff_x").get("/owners", {"q": "A1-1"})) == [world.unit_a1.owner_id]
    assert ids(api("oc_a1").get("/owners", {"q": "业主A11"})) == [world.unit_a1.owner_id]
    assert ids(api("admin").get("/owners", {"q": "业主B11"})) == [world.unit_b1.owner_id]


def test_owner_lists_only_units_the_reader_may_see(world, api):
    # One buyer with a unit in A1 and one in B1: oc_a1 sees the owner, but only the A1 unit.
    owner = world.unit_a1.owner
    r.Unit.objects.create(building=world.building_b1, number="901", area="50.00", owner=owner)
    seen = api("oc_a1").get(f"/owners/{owner.pk}").json()
    assert [u["id"] for u in seen["units"]] == [world.unit_a1.pk]
    assert len(api("admin").get(f"/owners/{owner.pk}").json()["units"]) == 2


def test_owner_filters(world, api):
    client = api("admin")
    assert len(ids(client.get("/owners", {"estate": world.estate_b1.pk}))) == 3
    assert len(ids(client.get("/owners", {"area": world.area_a.pk}))) == 6


def test_committee_member_phones_masked_outside_personal_reach(world, api):
    committee = f"/owners-committees/{world.committee_a1.pk}"
    masked = api("staff_x").get(committee).json()
    unmasked = api("oc_a1").get(committee).json()
    assert masked["members"][0]["phone"] == "139****1111"
    assert masked["members"][0]["name"] == "王建国"  # an office holder's name is public
    assert unmasked["members"][0]["phone"] == "13900001111"
    assert masked["is_current"] is True and masked["term_start"] == world.committee_a1.term_start.isoformat()


def test_branch_member_phones_unmasked_only_for_street_admin_and_the_area(world, api):
    r.BranchMember.objects.filter(branch=world.branch_a).update(phone="13700001234")
    path = f"/branches/{world.branch_a.pk}"
    for persona, phone in [
        ("admin", "13700001234"),
        ("secretary_a", "13700001234"),
        ("member_a", "13700001234"),
        ("leader", "137****1234"),
        ("oc_a1", "137****1234"),
        ("staff_x", "137****1234"),
    ]:
        members = api(persona).get(path).json()["members"]
        assert {m["phone"] for m in members} == {phone}, persona
    assert api("secretary_b").get(path).status_code == 404


def test_branch_lists_members_and_attendees(world, api):
    branch = api("secretary_a").get(f"/branches/{world.branch_a.pk}").json()
    assert {(m["name"], m["membership"], m["is_party_member"]) for m in branch["members"]} == {
        ("陈书记", "member", True),
        ("刘经理", "attendee", False),
    }
    assert ids(api("admin").get("/branches", {"area": world.area_b.pk})) == [world.branch_b.pk]


# ---- companies and contracts --------------------------------------------------------------------


def test_company_counts_estates_under_contract_in_force(world, api):
    client = api("admin")
    assert client.get(f"/companies/{world.company_x.pk}").json()["estate_count"] == 2
    r.Contract.objects.filter(pk=world.contract_b1.pk).update(start_date="2001-01-01", end_date="2003-12-31")
    assert client.get(f"/companies/{world.company_x.pk}").json()["estate_count"] == 1
    assert ids(client.get("/companies", {"estate": world.estate_a2.pk})) == [world.company_y.pk]
    assert ids(client.get("/companies", {"q": "星河"})) == [world.company_x.pk]


def test_contract_money_is_a_two_place_string_and_dates_iso(world, api):
    contract = api("admin").get(f"/contracts/{world.contract_a1.pk}").json()
    assert contract["fee_standard"] == "0.80"
    assert contract["collection_rate"] == "85.00"
    assert contract["start_date"] == world.contract_a1.start_date.isoformat()
    assert contract["is_active"] is True


def test_contract_filters(world, api):
    client = api("admin")
    assert sorted(ids(client.get("/contracts", {"company": world.company_x.pk}))) == sorted(
        [world.contract_a1.pk, world.contract_b1.pk]
    )
    assert ids(client.get("/contracts", {"estate": world.estate_a2.pk})) == [world.contract_a2.pk]
    assert len(ids(client.get("/contracts", {"active": "true"}))) == 3
    assert ids(client.get("/contracts", {"active": "false"})) == []
    world.contract_a2.delete()
    old = r.Contract.objects.create(
        company=world.company_y,
        estate=world.estate_a2,
        start_date="2001-01-01",
        end_date="2003-12-31",
        fee_standard="0.50",
    )
    assert ids(client.get("/contracts", {"active": "false"})) == [old.pk]
    assert client.get(f"/contracts/{old.pk}").json()["collection_rate"] is None


def test_residents_committees(world, api):
    assert ids(api("secretary_a").get("/residents-committees")) == [world.rc_a.pk]
    committee = api("admin").get(f"/residents-committees/{world.rc_a.pk}").json()
    assert committee["director_name"] == "李红" and committee["area"]["id"] == world.area_a.pk
    assert api("other_admin").get(f"/residents-committees/{world.rc_a.pk}").status_code == 404


def test_non_integer_id_is_a_422_in_json(world, api):
    response = api("admin").get("/estates/abc")
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["path", "estate_id"]
    assert "请求参数有误".encode() in response.content  # UTF-8, not \u escapes
