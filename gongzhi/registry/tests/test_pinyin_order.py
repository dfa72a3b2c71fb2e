"""Lists the database sorts and pages, in the order people count (issue #15): estates and names by
pinyin (李 li < 王 wang < 张 zhang), building and unit numbers by value (2号 < 10号) — through the
"pinyin" collation, an ICU collation on PostgreSQL (migration registry 0005) and a collation over
core.ordering.name_key on SQLite. Run on both databases."""

import re

import pytest
from django.urls import reverse

from gongzhi.core.ordering import name_key, pinyin_order
from gongzhi.registry import models as r

pytestmark = pytest.mark.django_db

NAMES = ["张家花园", "王家小区", "李家新村", "10号院", "2号院"]
EXPECTED = ["2号院", "10号院", "李家新村", "王家小区", "张家花园"]


@pytest.fixture
def estates(world):
    return [r.Estate.objects.create(area=world.area_a, name=name, build_year=1990) for name in NAMES]


def test_the_database_sorts_by_pinyin_and_numbers_by_value(estates):
    queryset = r.Estate.objects.filter(pk__in=[e.pk for e in estates])
    assert list(queryset.order_by(*pinyin_order(r.Estate, "name")).values_list("name", flat=True)) == EXPECTED
    backwards = queryset.order_by(*pinyin_order(r.Estate, "-name")).values_list("name", flat=True)
    assert list(backwards) == EXPECTED[::-1]
    assert sorted(NAMES, key=name_key) == EXPECTED  # the same order as the Python sort of bounded lists


def test_a_path_through_a_relation_and_a_number_field(world, estates):
    for number in ["10号", "2号", "1号楼"]:
        r.Building.objects.create(estate=estates[0], number=number, floors=6)
    rows = (
        r.Building.objects.filter(estate=estates[0])
        .order_by(*pinyin_order(r.Building, "estate__name", "number", "floors", "pk"))
        .values_list("number", flat=True)
    )
    assert list(rows) == ["1号楼", "2号", "10号"]


def _names_in_list(html: str) -> list[str]:
    return [name for name in re.findall(r'<td class=""><a href="/registry/estates/\d+/">([^<]+)</a>', html)]


def test_the_paginated_estate_list_is_in_pinyin_order(as_user, world, estates):
    html = as_user("admin").get(reverse("registry:list", args=["estates"]), {"area": world.area_a.pk}).text
    shown = [name for name in _names_in_list(html) if name in NAMES]
    assert shown == EXPECTED
    html = as_user("admin").get(reverse("registry:list", args=["estates"]), {"o": "-name"}).text
    shown = [name for name in _names_in_list(html) if name in NAMES]
    assert shown == EXPECTED[::-1]


def test_buildings_of_an_estate_in_natural_order(as_user, world):
    for number in ["10号", "2号", "11号"]:
        r.Building.objects.create(estate=world.estate_a2, number=number, floors=6)
    html = (
        as_user("admin")
        .get(reverse("registry:list", args=["buildings"]), {"estate": world.estate_a2.pk})
        .text
    )
    numbers = re.findall(r'<a href="/registry/buildings/\d+/">([^<]+)</a>', html)
    assert numbers == ["1号", "2号", "10号", "11号"]
