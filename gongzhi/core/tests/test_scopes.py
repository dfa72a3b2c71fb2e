"""Facts about who sees what: the one door (core/scopes.py)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from gongzhi.core.scopes import get_for_user, scope_for, visible
from gongzhi.registry import models as r


def names(qs):
    return sorted(o.name for o in qs)


def test_street_admin_sees_own_street_only(world):
    admin = world.user("admin")
    assert names(visible(admin, r.Estate)) == ["乙一小区", "甲一小区", "甲二小区"]
    assert world.other_estate not in visible(admin, r.Estate)


def test_area_secretary_sees_own_area(world):
    assert names(visible(world.user("secretary_a"), r.Estate)) == ["甲一小区", "甲二小区"]
    assert names(visible(world.user("secretary_b"), r.Estate)) == ["乙一小区"]
    assert names(visible(world.user("secretary_b"), r.Area)) == ["乙居民区"]


def test_company_staff_sees_contracted_estates_and_own_company(world):
    staff = world.user("staff_x")
    assert names(visible(staff, r.Estate)) == ["乙一小区", "甲一小区"]
    assert names(visible(staff, r.Company)) == ["星河物业"]


def test_owner_sees_own_unit_but_not_neighbours(world):
    owner = world.user("owner_a1")
    assert list(visible(owner, r.Unit)) == [world.unit_a1]
    assert names(visible(owner, r.Estate)) == ["甲一小区"]
    assert list(visible(owner, r.Owner)) == [world.unit_a1.owner]


def test_evaluator_sees_estate_but_no_households(world):
    evaluator = world.user("evaluator_b1")
    assert names(visible(evaluator, r.Estate)) == ["乙一小区"]
    assert not visible(evaluator, r.Unit).exists()
    assert not visible(evaluator, r.Owner).exists()


def test_outsider_sees_nothing(world):
    outsider = world.user("outsider")
    for model in (r.Street, r.Area, r.Estate, r.Unit, r.Company, r.Contract, r.Branch):
        assert not visible(outsider, model).exists()


def test_out_of_scope_object_is_404_and_readonly_write_is_403(world):
    with pytest.raises(Http404):
        get_for_user(world.user("secretary_b"), r.Estate, world.estate_a1.pk)
    with pytest.raises(PermissionDenied):
        get_for_user(world.user("secretary_a"), r.Estate, world.estate_a1.pk, require="write")
    assert get_for_user(world.user("admin"), r.Estate, world.estate_a1.pk, require="write") == world.estate_a1
    with pytest.raises(Http404):
        get_for_user(world.user("admin"), r.Estate, world.other_estate.pk, require="write")


def test_personal_data_reach(world):
    assert scope_for(world.user("oc_a1")).sees_personal_data(world.estate_a1.pk)
    assert not scope_for(world.user("staff_x")).sees_personal_data(world.estate_a1.pk)
    assert not scope_for(world.user("leader")).sees_personal_data(world.estate_a1.pk)
    assert scope_for(world.user("secretary_a")).sees_personal_data(world.estate_a2.pk)
