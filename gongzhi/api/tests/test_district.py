"""The district roles through the JSON API: they read every street of their district (another
district's rows are not listed) and write nothing — with a personal token too, where the
read-only middleware never sees a logged-in user and the registry services' own check answers."""

import pytest

from gongzhi.api.tests.conftest import ids
from gongzhi.registry import models as r

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["district_office", "district_admin"])
def test_district_roles_list_their_streets_estates_only(world, district_world, token_client, persona):
    listed = set(ids(token_client(persona).get("/estates", {"limit": 100})))
    assert {world.estate_a1.pk, world.estate_b1.pk, district_world.neighbour_estate.pk} <= listed
    assert world.other_estate.pk not in listed


@pytest.mark.parametrize("persona", ["district_office", "district_admin"])
@pytest.mark.parametrize("client_kind", ["token", "session"])
def test_district_roles_create_and_change_nothing(
    world, district_world, token_client, api, persona, client_kind
):
    client = token_client(persona) if client_kind == "token" else api(persona)
    before = r.Estate.objects.count()
    new = {"area_id": world.area_a.pk, "name": "甲三小区", "address": "甲三路3号", "build_year": 1990}
    assert client.post("/estates", new).status_code == 403
    assert client.patch(f"/estates/{world.estate_a1.pk}", {"name": "改名"}).status_code == 403
    assert r.Estate.objects.count() == before
    assert r.Estate.objects.get(pk=world.estate_a1.pk).name == "甲一小区"
