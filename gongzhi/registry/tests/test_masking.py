"""Owners' names and phones are masked by construction (issue 11, hole 6): an owner printed as text
is 罗**; the full name comes only through the scoped accessor ``Owner.name_for(scope)``."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from gongzhi.core.scopes import scope_for


def _title_and_heading(html: str) -> tuple[str, str, str]:
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    crumb = re.search(r'<div class="breadcrumb">(.*?)</div>', html, re.S).group(1)
    return title, heading, crumb


def test_an_owner_as_text_is_masked(world):
    owner = world.unit_a1.owner
    assert owner.name == "业主A11"
    assert str(owner) == "业****"
    assert f"{owner}" == "业****"


@pytest.mark.parametrize(
    ("persona", "full"),
    [
        ("admin", True),
        ("secretary_a", True),
        ("member_a", True),
        ("oc_a1", True),
        ("leader", False),
        ("staff_x", False),
    ],
)
def test_name_for_follows_the_personal_data_scope(world, persona, full):
    owner = world.unit_a1.owner
    scope = scope_for(world.user(persona))
    assert owner.name_for(scope) == ("业主A11" if full else "业****")
    assert owner.phone_for(scope) == ("13800000001" if full else "138****0001")


@pytest.mark.parametrize("persona", ["leader", "staff_x"])
def test_owner_page_title_breadcrumb_and_heading_are_masked_outside_the_scope(as_user, world, persona):
    owner = world.unit_a1.owner
    response = as_user(persona).get(reverse("registry:detail", args=["owners", owner.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "业主A11" not in html
    assert "13800000001" not in html
    title, heading, crumb = _title_and_heading(html)
    assert "业****" in title and heading.strip() == "业****" and "业****" in crumb


def test_the_street_admin_reads_the_full_name_on_the_owner_pages(as_user, world):
    owner = world.unit_a1.owner
    client = as_user("admin")
    for name in ("registry:detail", "registry:edit"):
        html = client.get(reverse(name, args=["owners", owner.pk])).content.decode()
        title, heading, crumb = _title_and_heading(html)
        assert "业主A11" in title and "业主A11" in heading and "业主A11" in crumb


def test_an_owner_without_units_is_shown_in_full_to_the_street_admin_only(as_user, world):
    from gongzhi.registry.models import Owner

    lone = Owner.objects.create(street=world.street, ref="X-1", name="孤独业主", phone="13911112222")
    assert lone.name_for(scope_for(world.user("admin"))) == "孤独业主"
    assert lone.name_for(scope_for(world.user("secretary_a"))) == "孤***"
    assert lone.name_for(scope_for(world.user("other_admin"))) == "孤***"
    html = as_user("leader").get(reverse("registry:detail", args=["owners", lone.pk])).content.decode()
    assert "孤独业主" not in html and "13911112222" not in html
