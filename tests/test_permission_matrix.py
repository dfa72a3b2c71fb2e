"""The permission matrix: every URL of the site, requested as every persona, answers what
the role model (docs/DESIGN.md §3) says — 200 allowed, 403 role may not, 404 out of scope,
302 to the login page for the anonymous.

The expected answers are written out by hand below from the persona world in
``gongzhi/core/testing.py``; they are not derived from the code under test. A URL pattern
that this table does not cover fails ``test_every_url_is_in_the_matrix`` so new pages
cannot skip the matrix. The JSON API has its own matrix in gongzhi/api/tests.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from gongzhi.core.testing import PERSONAS

OFFICE = {
    "admin",
    "leader",
    "secretary_a",
    "secretary_b",
    "member_a",
    "oc_a1",
    "staff_x",
    "evaluator_b1",
    "other_admin",
}
ADMINS = {"admin", "other_admin"}
EVERYONE = set(PERSONAS)

# Who may see the street-A records of the world (known answers, by hand):
SEES_ESTATE_A1 = {"admin", "leader", "secretary_a", "member_a", "oc_a1", "staff_x"}
SEES_AREA_A = SEES_ESTATE_A1
SEES_COMPANY_X = SEES_ESTATE_A1 | {"secretary_b", "evaluator_b1"}

# resource key → (world attribute giving the object, personas who see it)
DETAIL_TARGETS = {
    "areas": (lambda w: w.area_a, SEES_AREA_A),
    "estates": (lambda w: w.estate_a1, SEES_ESTATE_A1),
    "buildings": (lambda w: w.building_a1, SEES_ESTATE_A1),
    "units": (lambda w: w.unit_a1, SEES_ESTATE_A1),
    "owners": (lambda w: w.unit_a1.owner, SEES_ESTATE_A1),
    "companies": (lambda w: w.company_x, SEES_COMPANY_X),
    "contracts": (lambda w: w.contract_a1, SEES_ESTATE_A1),
    "committees": (lambda w: w.committee_a1, SEES_ESTATE_A1),
    "committee-members": (lambda w: w.committee_a1.members.first(), SEES_ESTATE_A1),
    "residents-committees": (lambda w: w.rc_a, SEES_AREA_A),
    "branches": (lambda w: w.branch_a, SEES_AREA_A),
    "branch-members": (lambda w: w.branch_a.members.first(), SEES_AREA_A),
}
# Lists that hold households: an evaluator may not open them at all.
HOUSEHOLD_LISTS = {"units", "owners"}


def list_status(persona: str, key: str) -> int:
    if persona not in OFFICE:
        return 403
    if persona == "evaluator_b1" and key in HOUSEHOLD_LISTS:
        return 403
    return 200


def detail_status(persona: str, key: str, seers: set[str]) -> int:
    if list_status(persona, key) == 403:
        return 403
    return 200 if persona in seers else 404


def write_status(persona: str, key: str, seers: set[str]) -> int:
    """Edit pages: only a street admin of the object's street; outsiders to the object get 404."""
    status = detail_status(persona, key, seers)
    if status != 200:
        return status
    return 200 if persona == "admin" else 403


def cases(world):
    """(url name, url, method, {persona: expected status}) for every page of the site."""
    yield "inbox", "/inbox/", "get", {p: 200 for p in EVERYONE}
    yield "home", "/", "get", {p: (302 if p == "owner_a1" else 200) for p in EVERYONE}
    yield "home", "/?overview=1", "get", {p: (302 if p == "owner_a1" else 200) for p in EVERYONE}
    # the landing page's figures (loaded after today's list): office roles only
    yield (
        "home_overview",
        reverse("home_overview"),
        "get",
        {p: (403 if p in {"owner_a1", "outsider"} else 200) for p in EVERYONE},
    )
    yield "login", reverse("login"), "get", {p: 302 for p in EVERYONE}  # logged in → redirected home
    yield "logout", reverse("logout"), "get", {p: 405 for p in EVERYONE}
    yield "set_language", reverse("set_language"), "get", {p: 302 for p in EVERYONE}
    yield "javascript-catalog", reverse("javascript-catalog"), "get", {p: 200 for p in EVERYONE}
    yield "healthz", reverse("healthz"), "get", {p: 200 for p in EVERYONE}
    # the doctor's checks (core/doctor.py): street admins only; the anonymous still get the terse "ok"
    yield (
        "healthz",
        reverse("healthz") + "?verbose",
        "get",
        {p: (200 if p in ADMINS else 403) for p in EVERYONE},
    )
    yield "audit_log", reverse("audit_log"), "get", {p: (200 if p in ADMINS else 403) for p in EVERYONE}
    yield (
        "registry:import",
        reverse("registry:import"),
        "get",
        {p: (200 if p in ADMINS else 403) for p in EVERYONE},
    )
    yield (
        "registry:template",
        reverse("registry:template", args=["units"]),
        "get",
        {p: (200 if p in ADMINS else 403) for p in EVERYONE},
    )
    for key, (target, seers) in DETAIL_TARGETS.items():
        obj = target(world)
        yield (
            "registry:list",
            reverse("registry:list", args=[key]),
            "get",
            {p: list_status(p, key) for p in EVERYONE},
        )
        yield (
            "registry:export",
            reverse("registry:export", args=[key]),
            "get",
            {p: list_status(p, key) for p in EVERYONE},
        )
        yield (
            "registry:create",
            reverse("registry:create", args=[key]),
            "get",
            {
                p: (list_status(p, key) if list_status(p, key) != 200 else (200 if p in ADMINS else 403))
                for p in EVERYONE
            },
        )
        yield (
            "registry:detail",
            reverse("registry:detail", args=[key, obj.pk]),
            "get",
            {p: detail_status(p, key, seers) for p in EVERYONE},
        )
        yield (
            "registry:edit",
            reverse("registry:edit", args=[key, obj.pk]),
            "get",
            {p: write_status(p, key, seers) for p in EVERYONE},
        )
        yield (
            "registry:delete",
            reverse("registry:delete", args=[key, obj.pk]),
            "get",
            {p: 405 for p in EVERYONE},
        )
    yield from district_cases(world)


# The district tier's pages (evaluation, mounted at /evaluation/district/): for the district's roles
# only. The world's street is in 浦东新区; everyone who reads that street reads the district's name
# (so 403), the other street's admin and the outsider do not (404). No persona of the world holds a
# district role; the district personas' answers (with the ``district_world`` fixture) are given too
# and checked by ``test_district_pages``: the world has no district round, so a company profile is 404.
def district_cases(world):
    district = world.street.district
    readers = EVERYONE - {"outsider", "other_admin"}
    street_answer = {p: (403 if p in readers else 404) for p in EVERYONE}
    both = {"district_office": 200, "district_admin": 200}
    yield (
        "evaluation:district_index",
        reverse("evaluation:district_index"),
        "get",
        ({p: 403 for p in EVERYONE} | {"district_office": 302, "district_admin": 302}),
    )
    yield (
        "evaluation:district_league",
        reverse("evaluation:district_league", args=[district.pk]),
        "get",
        street_answer | both,
    )
    yield (
        "evaluation:district_league_export",
        reverse("evaluation:district_league_export", args=[district.pk]),
        "get",
        street_answer | both,
    )
    yield (
        "evaluation:district_company",
        reverse("evaluation:district_company", args=[district.pk, world.company_x.credit_code]),
        "get",
        street_answer | {"district_office": 404, "district_admin": 404},
    )
    yield (
        "evaluation:district_campaign_create",
        reverse("evaluation:district_campaign_create", args=[district.pk]),
        "get",
        street_answer | {"district_office": 403, "district_admin": 200},
    )


# Each app adds the cases of its own URLs in ``gongzhi/<app>/tests/matrix_cases.py`` (a generator
# taking the world, yielding the same 4-tuples as ``cases``), so apps can be built side by side.
def app_case_modules() -> list[str]:
    from importlib.util import find_spec

    from django.apps import apps

    return [
        f"{config.name}.tests.matrix_cases"
        for config in apps.get_app_configs()
        if config.name.startswith("gongzhi.")
        and find_spec(f"{config.name}.tests") is not None
        and find_spec(f"{config.name}.tests.matrix_cases") is not None
    ]


def case_groups() -> dict[str, Callable]:
    """The cases by group: "site" (the pages above) and one group per app that brings its own, named
    after the app ("finance" …), so ``pytest -k finance tests/test_permission_matrix.py`` runs one app's."""
    groups: dict[str, Callable] = {"site": cases}
    for module in app_case_modules():
        groups[module.split(".")[1]] = import_module(module).cases
    return groups


GROUPS = list(case_groups())


def all_cases(world):
    for group_cases in case_groups().values():
        yield from group_cases(world)


def test_the_apps_that_own_urls_bring_their_cases():
    modules = app_case_modules()
    for app in (
        "problems",
        "portal",
        "finance",
        "voting",
        "evaluation",
        "branchwork",
        "elections",
        "training",
    ):
        assert f"gongzhi.{app}.tests.matrix_cases" in modules


def _pattern_names(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("api/"):
                continue  # the API's own matrix: gongzhi/api/tests
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _pattern_names(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else f"<unnamed {prefix}{entry.pattern}>"


def test_every_url_is_in_the_matrix(world):
    covered = {name for name, *_rest in all_cases(world)}
    site = set(_pattern_names(get_resolver().url_patterns))
    assert site - covered == set(), "URL patterns missing from the permission matrix"
    assert covered - site == set(), "matrix cases named after no URL pattern"


# One test per group and persona (a POST of one persona must not change what the next one gets).
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("group", GROUPS)
def test_matrix(client, world, group, persona):
    client.force_login(world.user(persona))
    failures = []
    for name, url, method, expected in case_groups()[group](world):
        response = getattr(client, method)(url)
        if response.status_code != expected[persona]:
            failures.append(
                f"{name} {method} {url}: expected {expected[persona]}, got {response.status_code}"
            )
    assert failures == []


# What a visitor who is not logged in gets on the public pages: (status, where a redirect leads).
# Every other page sends them to the login page.
OUTSIDER = object()  # the same status as a logged-in user without any role (a draft stays hidden)
ANONYMOUS = {
    "login": (200, None),
    "logout": (405, None),
    "set_language": (302, "/"),
    "javascript-catalog": (200, None),
    "healthz": (200, None),
    "metrics": (200, None),  # by address, not login: the test client's 127.0.0.1 is allowed
    "board:estate": (200, None),
    "board:photo": (200, None),
    "ledgers:estate": (200, None),
    "ledgers:download": (200, None),
    # resident survey with a household code (no login)
    "survey:start": (200, None),
    "survey:thanks": (200, None),
    "survey:answer": (200, None),
    # owners' decisions: public pages and owner account activation (no login)
    "decide:estate": (OUTSIDER, None),
    "decide:decision": (OUTSIDER, None),
    "decide:receipt": (OUTSIDER, None),
    "decide:ballot_file": (OUTSIDER, None),
    "decide:attachment": (OUTSIDER, None),
    "portal:activate": (200, None),
    "portal:activate_account": (302, "portal:activate"),
    "duty:board": (200, None),
    "duty:photo": (200, None),
    "duty:outcome": (200, None),
    "duty:rate": (200, None),
    "duty:result": (200, None),
    "book:estate": (200, None),
    "book:pdf": (202, None),  # "being prepared": a visitor never renders; the worker does (jobs/pdf.py)
    # the big screen's display link (a live link for anyone, an unknown one 404) and the public wall
    "wall:screen_display": (OUTSIDER, None),
    "wall:public": (OUTSIDER, None),
}


def anonymous_answer(name: str, expected: dict[str, int]) -> tuple[int, str | None]:
    """(status, redirect target) for the anonymous visitor; a target is a path or a URL name."""
    status, target = ANONYMOUS.get(name, (302, "login"))
    if status is OUTSIDER:
        status = expected["outsider"]
    return status, target


@pytest.mark.parametrize("group", GROUPS)
def test_anonymous_is_sent_to_login(client, world, group):
    failures = []
    for name, url, method, expected in case_groups()[group](world):
        response = getattr(client, method)(url)
        status, target = anonymous_answer(name, expected)
        location = response.get("Location", "")
        if target == "login":  # with ?next=…
            arrived = location.startswith(reverse("login"))
        else:
            arrived = target is None or location == (target if target.startswith("/") else reverse(target))
        if response.status_code != status or not arrived:
            failures.append(
                f"{name} {method} {url}: expected {status} {target or ''}, got {response.status_code} {location}"
            )
    assert failures == []


@pytest.mark.parametrize("key", sorted(DETAIL_TARGETS))
def test_other_street_admin_cannot_post_changes(client, world, key):
    """A street admin of another street gets 404 on POSTs against this street's records."""
    target, _seers = DETAIL_TARGETS[key]
    obj = target(world)
    model = type(obj)
    client.force_login(world.user("other_admin"))
    assert client.post(reverse("registry:edit", args=[key, obj.pk]), {}).status_code == 404
    assert client.post(reverse("registry:delete", args=[key, obj.pk])).status_code == 404
    assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("persona", ["leader", "secretary_a", "oc_a1", "staff_x"])
def test_readers_cannot_delete(client, world, persona):
    client.force_login(world.user(persona))
    response = client.post(reverse("registry:delete", args=["estates", world.estate_a1.pk]))
    assert response.status_code == 403
    assert type(world.estate_a1).objects.filter(pk=world.estate_a1.pk).exists()


# ---- The district tier (区): district personas on top of the world (a separate fixture) ----------
#
# 区房管局 (district_office) and 区管理员 (district_admin) of 浦东新区 read street A (示例街道) and the
# neighbour street (邻近街道), never 另一街道 (徐汇区), and change nothing anywhere. Known answers by hand.


@pytest.mark.parametrize("persona", ["district_office", "district_admin"])
def test_district_role_reads_its_streets_and_nothing_else(client, world, district_world, persona):
    client.force_login(world.user(persona))
    mine = {
        "estates": [world.estate_a1, world.estate_b1, district_world.neighbour_estate],
        "areas": [world.area_a, district_world.neighbour_area],
        "companies": [world.company_x, district_world.neighbour_company],
        "units": [world.unit_a1],
    }
    theirs = {
        "estates": [world.other_estate],
        "areas": [world.other_area],
        "companies": [world.other_company],
        "units": [world.other_unit],
    }
    failures = []
    for key, objects in mine.items():
        for obj in objects:
            url = reverse("registry:detail", args=[key, obj.pk])
            if (status := client.get(url).status_code) != 200:
                failures.append(f"{url}: expected 200, got {status}")
            url = reverse("registry:edit", args=[key, obj.pk])
            if (status := client.get(url).status_code) != 403:
                failures.append(f"{url}: expected 403, got {status}")
    for key, objects in theirs.items():
        for obj in objects:
            url = reverse("registry:detail", args=[key, obj.pk])
            if (status := client.get(url).status_code) != 404:
                failures.append(f"{url}: expected 404, got {status}")
    assert failures == []
    listed = client.get(reverse("registry:list", args=["estates"]))
    names = listed.content.decode()
    assert "甲一小区" in names and "丁一小区" in names and "丙一小区" not in names
    # No registry import for the district: it is the street admin's.
    assert client.get(reverse("registry:import")).status_code == 403


def test_street_admin_still_sees_only_its_street(client, world, district_world):
    client.force_login(world.user("admin"))
    neighbour = district_world.neighbour_estate
    assert client.get(reverse("registry:detail", args=["estates", neighbour.pk])).status_code == 404
    assert client.get(reverse("registry:detail", args=["estates", world.estate_a1.pk])).status_code == 200
    names = client.get(reverse("registry:list", args=["estates"])).content.decode()
    assert "甲一小区" in names and "丁一小区" not in names


@pytest.mark.parametrize("persona", ["district_office", "district_admin"])
def test_district_pages(client, world, district_world, persona):
    """The district's own pages answer the district personas as written in ``district_cases``; the
    other district's league is 404 to them."""
    client.force_login(world.user(persona))
    failures = []
    for name, url, method, expected in district_cases(world):
        response = getattr(client, method)(url)
        if response.status_code != expected[persona]:
            failures.append(f"{name} {url}: expected {expected[persona]}, got {response.status_code}")
    other = reverse("evaluation:district_league", args=[district_world.other_district.pk])
    if (status := client.get(other).status_code) != 404:
        failures.append(f"{other}: expected 404, got {status}")
    assert failures == []


@pytest.mark.parametrize("persona", ["district_office", "district_admin"])
@pytest.mark.parametrize("group", GROUPS)
def test_district_role_reads_no_more_than_the_leadership(client, world, district_world, group, persona):
    """On every page of the site a district role reads at most what the street's leadership group
    reads (200 only where the leader's known answer is 200): never a page of the other street, never
    a page the street's roles alone may open (the district's own pages are in the evaluation group,
    where the leader is refused and the district is not — their known answers are in matrix_cases)."""
    client.force_login(world.user(persona))
    failures = []
    for name, url, method, expected in case_groups()[group](world):
        if method != "get" or persona in expected:
            continue
        status = client.get(url).status_code
        if status == 200 and expected["leader"] != 200:
            failures.append(f"{name} {url}: got 200, the leader gets {expected['leader']}")
        if status >= 500:
            failures.append(f"{name} {url}: got {status}")
    assert failures == []


@pytest.mark.parametrize("persona", ["district_office", "district_admin"])
@pytest.mark.parametrize("group", GROUPS)
def test_district_role_changes_nothing(client, world, district_world, group, persona):
    """Every URL of the site answers a district role's POST with 403 (nothing changed) — but
    logging out, the language, and the district campaign form (whose view checks the district admin
    itself: ``test_district_campaign_form_*`` in gongzhi/evaluation/tests/test_district.py)."""
    from gongzhi.registry.models import Estate

    client.force_login(world.user(persona))
    before = list(Estate.objects.order_by("pk").values_list("pk", "name"))
    failures = []
    for name, url, _method, _expected in case_groups()[group](world):
        if name in {"logout", "set_language", "evaluation:district_campaign_create"}:
            continue
        status = client.post(url, {"name": "改了"}).status_code
        if status != 403:
            failures.append(f"{name} {url}: expected 403, got {status}")
    assert failures == []
    assert list(Estate.objects.order_by("pk").values_list("pk", "name")) == before


@pytest.mark.parametrize("persona", ["district_office", "district_admin"])
def test_district_roles_read_personal_data_masked(client, world, district_world, persona):
    """Owners' names and phones stay masked for the district (the street admin reads them in full)."""
    owner = world.unit_a1.owner
    url = reverse("registry:detail", args=["owners", owner.pk])
    client.force_login(world.user("admin"))
    assert owner.phone in client.get(url).content.decode()  # the known answer shows in full here
    client.force_login(world.user(persona))
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert owner.phone not in page and owner.name not in page
    listed = client.get(reverse("registry:list", args=["owners"])).content.decode()
    assert owner.phone not in listed and owner.name not in listed
