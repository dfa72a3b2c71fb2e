"""Facts about the write endpoints: a street admin writes through the registry services
(validated, audited); read-only roles get 403, anything outside the scope 404."""

import pytest

from gongzhi.core.models import AuditEvent
from gongzhi.registry import models as r

pytestmark = pytest.mark.django_db


def _new_estate(world, **extra):
    return {
        "area_id": world.area_a.pk,
        "name": "甲三小区",
        "address": "甲三路3号",
        "build_year": 1990,
        **extra,
    }


def test_street_admin_creates_an_estate_and_it_is_audited(world, api):
    response = api("admin").post("/estates", _new_estate(world))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["is_old"], body["unit_count"], body["total_area"]) == (
        "甲三小区",
        True,
        0,
        "0.00",
    )
    estate = r.Estate.objects.get(pk=body["id"])
    event = AuditEvent.objects.get(object_type="registry.Estate", object_id=str(estate.pk))
    assert event.action == "create" and event.actor == world.user("admin") and event.street == world.street


@pytest.mark.parametrize(
    "persona", ["leader", "secretary_a", "member_a", "oc_a1", "staff_x", "owner_a1", "outsider"]
)
def test_read_only_roles_get_403_on_create(world, api, persona):
    response = api(persona).post("/estates", _new_estate(world))
    assert response.status_code == 403
    assert response.json() == {"detail": "您没有权限执行此操作。"}
    assert not r.Estate.objects.filter(name="甲三小区").exists()


@pytest.mark.parametrize("persona", ["other_admin", "evaluator_b1", "secretary_b"])
def test_area_outside_scope_is_404_on_create(world, api, persona):
    assert api(persona).post("/estates", _new_estate(world)).status_code == 404
    assert not r.Estate.objects.filter(name="甲三小区").exists()


def test_invalid_estate_is_422_with_chinese_messages(world, api):
    client = api("admin")
    implausible = client.post("/estates", _new_estate(world, build_year=1800))
    assert implausible.status_code == 422
    assert implausible.json()["detail"] == "请求参数有误。"  # the schema states the 1900–2100 window
    duplicate = client.post("/estates", _new_estate(world, name="甲一小区"))
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"]["__all__"]  # the unique name per area, in the model's own words
    missing = client.post("/estates", {"area_id": world.area_a.pk})
    assert missing.status_code == 422 and missing.json()["detail"] == "请求参数有误。"
    assert r.Estate.objects.filter(area=world.area_a).count() == 2


def test_street_admin_updates_an_estate_and_the_change_is_audited(world, api):
    response = api("admin").patch(f"/estates/{world.estate_a2.pk}", {"build_year": 1995})
    assert response.status_code == 200, response.content
    assert response.json()["is_old"] is True
    world.estate_a2.refresh_from_db()
    assert world.estate_a2.build_year == 1995 and world.estate_a2.name == "甲二小区"
    event = AuditEvent.objects.get(
        object_type="registry.Estate", object_id=str(world.estate_a2.pk), action="update"
    )
    assert event.changes == {"build_year": [2005, 1995]}


def test_estate_moves_to_another_area_of_the_same_street(world, api):
    response = api("admin").patch(f"/estates/{world.estate_a2.pk}", {"area_id": world.area_b.pk})
    assert response.status_code == 200
    assert response.json()["area"]["id"] == world.area_b.pk


def test_estate_cannot_move_to_another_street(world, api):
    response = api("admin").patch(f"/estates/{world.estate_a2.pk}", {"area_id": world.other_area.pk})
    assert response.status_code == 404
    world.estate_a2.refresh_from_db()
    assert world.estate_a2.area == world.area_a


def test_update_rights(world, api):
    path = f"/estates/{world.estate_a1.pk}"
    assert api("secretary_a").patch(path, {"name": "改名"}).status_code == 403
    assert api("other_admin").patch(path, {"name": "改名"}).status_code == 404
    assert api("evaluator_b1").patch(path, {"name": "改名"}).status_code == 404
    assert api("outsider").patch(path, {"name": "改名"}).status_code == 403  # no office role at all
    world.estate_a1.refresh_from_db()
    assert world.estate_a1.name == "甲一小区"


def test_update_with_null_name_is_422(world, api):
    response = api("admin").patch(f"/estates/{world.estate_a1.pk}", {"name": None})
    assert response.status_code == 422


def test_street_admin_creates_a_unit(world, api):
    body = {
        "building_id": world.building_a1.pk,
        "number": "401",
        "area": "61.25",
        "owner_id": world.unit_a1.owner_id,
    }
    response = api("admin").post("/units", body)
    assert response.status_code == 201, response.content
    assert response.json()["area"] == "61.25"
    assert response.json()["owner"]["id"] == world.unit_a1.owner_id
    unit = r.Unit.objects.get(pk=response.json()["id"])
    assert AuditEvent.objects.filter(
        object_type="registry.Unit", object_id=str(unit.pk), action="create"
    ).exists()


def test_unit_rights_and_validation(world, api):
    body = {"building_id": world.building_a1.pk, "number": "401", "area": "61.25"}
    assert api("secretary_a").post("/units", body).status_code == 403
    assert api("other_admin").post("/units", body).status_code == 404
    other_owner = r.Owner.objects.filter(street=world.other_street).first()
    assert api("admin").post("/units", {**body, "owner_id": other_owner.pk}).status_code == 404
    assert api("admin").post("/units", {**body, "area": "-3"}).status_code == 422
    assert api("admin").post("/units", {**body, "area": "1.234"}).status_code == 422
    duplicate = api("admin").post("/units", {**body, "number": "101"})
    assert duplicate.status_code == 422
    assert not r.Unit.objects.filter(building=world.building_a1, number="401").exists()


def test_method_not_offered_is_405(world, api):
    assert api("admin").delete(f"/estates/{world.estate_a1.pk}").status_code == 405
    assert api("admin").client.put(f"/api/v1/units/{world.unit_a1.pk}").status_code == 405
