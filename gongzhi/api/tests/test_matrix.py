"""The API permission matrix: every GET path in the schema × every persona.

Who may open a kind of record at all is the web pages' rule, written out here by hand: office
roles only, and evaluators see no households (403 otherwise). For each list a persona may open,
the ids returned are exactly ``visible(user, Model)`` and every object named inside an item (its
estate, company, owner, members …) is visible too. For each detail path, every object in the
database, in or out of scope, answers 200 exactly when it is visible and 404 otherwise. Known
answers for street A's records, by hand, guard against the door itself drifting. A GET path
added without an entry here fails the first test.
"""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.api.tests.conftest import API
from gongzhi.api.urls import api as ninja_api
from gongzhi.core.scopes import forget_scope, visible
from gongzhi.core.testing import PERSONAS
from gongzhi.registry import models as r

pytestmark = pytest.mark.django_db


def _refs(*pairs):
    """Extract (Model, id) pairs from one item: pairs of (Model, getter)."""

    def extract(item):
        found = []
        for model, get in pairs:
            for value in get(item):
                if value is not None:
                    found.append((model, value))
        return found

    return extract


def _one(key, sub="id"):
    return lambda item: [item[key][sub]] if item[key] else []


def _many(key, sub="id"):
    return lambda item: [x[sub] for x in item[key]]


RESOURCES = {
    "/streets": (r.Street, _refs()),
    "/areas": (r.Area, _refs((r.Street, _one("street")))),
    "/estates": (r.Estate, _refs((r.Area, _one("area")), (r.Company, _one("current_company")))),
    "/buildings": (r.Building, _refs((r.Estate, _one("estate")))),
    "/units": (
        r.Unit,
        _refs((r.Building, _one("building")), (r.Estate, _one("estate")), (r.Owner, _one("owner"))),
    ),
    "/owners": (
        r.Owner,
        _refs((r.Unit, _many("units")), (r.Estate, lambda i: [u["estate"]["id"] for u in i["units"]])),
    ),
    "/companies": (r.Company, _refs()),
    "/contracts": (r.Contract, _refs((r.Company, _one("company")), (r.Estate, _one("estate")))),
    "/owners-committees": (
        r.OwnersCommittee,
        _refs((r.Estate, _one("estate")), (r.CommitteeMember, _many("members"))),
    ),
    "/residents-committees": (r.ResidentsCommittee, _refs((r.Area, _one("area")))),
    "/branches": (r.Branch, _refs((r.Area, _one("area")), (r.BranchMember, _many("members")))),
}
NOT_REGISTRY = {"/me"}

# Known answers, by hand (the same as the web pages' matrix in tests/test_permission_matrix.py).
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
HOUSEHOLDS = {"/units", "/owners"}
SEES_ESTATE_A1 = {"admin", "leader", "secretary_a", "member_a", "oc_a1", "staff_x"}
SEES_STREET = OFFICE - {"other_admin"}
SEES_COMPANY_X = SEES_ESTATE_A1 | {"secretary_b", "evaluator_b1"}
STREET_A_TARGETS = {
    "/streets": (lambda w: w.street, SEES_STREET),
    "/areas": (lambda w: w.area_a, SEES_ESTATE_A1),
    "/estates": (lambda w: w.estate_a1, SEES_ESTATE_A1),
    "/buildings": (lambda w: w.building_a1, SEES_ESTATE_A1),
    "/units": (lambda w: w.unit_a1, SEES_ESTATE_A1),
    "/owners": (lambda w: w.unit_a1.owner, SEES_ESTATE_A1),
    "/companies": (lambda w: w.company_x, SEES_COMPANY_X),
    "/contracts": (lambda w: w.contract_a1, SEES_ESTATE_A1),
    "/owners-committees": (lambda w: w.committee_a1, SEES_ESTATE_A1),
    "/residents-committees": (lambda w: w.rc_a, SEES_ESTATE_A1),
    "/branches": (lambda w: w.branch_a, SEES_ESTATE_A1),
}


def may_open(persona: str, path: str) -> bool:
    return persona in OFFICE and not (persona == "evaluator_b1" and path in HOUSEHOLDS)


@pytest.fixture
def fuller_world(world):
    """The persona world plus committees and branches in the other street and more members."""
    today = timezone.localdate()
    oc = r.OwnersCommittee.objects.create(
        estate=world.other_estate,
        term_start=today - dt.timedelta(days=30),
        term_end=today + dt.timedelta(days=1000),
    )
    r.CommitteeMember.objects.create(committee=oc, name="远方委员", phone="13911112222")
    r.ResidentsCommittee.objects.create(area=world.other_area, name="丙居民区居委会")
    other_branch = r.Branch.objects.create(area=world.other_area, name="丙居民区物业治理联合党支部")
    r.BranchMember.objects.create(
        branch=other_branch, name="丙书记", organisation="party", membership="member"
    )
    r.BranchMember.objects.create(
        branch=world.branch_b, name="周书记", organisation="party", membership="member"
    )
    oc_b1 = r.OwnersCommittee.objects.create(
        estate=world.estate_b1,
        term_start=today - dt.timedelta(days=30),
        term_end=today + dt.timedelta(days=1000),
    )
    r.CommitteeMember.objects.create(committee=oc_b1, name="乙委员", phone="13933334444")
    return world


def _get_paths():
    from gongzhi.api.tests.test_finance import FINANCE_GET_PATHS  # their own matrix: test_finance.py

    schema = ninja_api.get_openapi_schema()
    return {
        path.removeprefix(API) for path, ops in schema["paths"].items() if "get" in ops
    } - FINANCE_GET_PATHS


def test_every_get_path_is_in_the_matrix():
    lists = set(RESOURCES)
    assert set(STREET_A_TARGETS) == lists
    details = {p for p in _get_paths() if "{" in p}
    assert _get_paths() == lists | NOT_REGISTRY | details
    assert {p.rsplit("/", 1)[0] for p in details} == lists  # one detail per list, no other


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_return_exactly_the_visible_rows_and_nothing_outside(fuller_world, api, persona):
    user = fuller_world.user(persona)
    client = api(persona)
    for path, (model, refs) in RESOURCES.items():
        response = client.get(path, {"limit": 200})
        if not may_open(persona, path):
            assert response.status_code == 403, (persona, path)
            assert response.json() == {"detail": "您没有权限执行此操作。"}
            continue
        assert response.status_code == 200, (persona, path)
        body = response.json()
        expected = set(visible(user, model).values_list("pk", flat=True))
        assert {item["id"] for item in body["items"]} == expected, (persona, path)
        assert body["count"] == len(expected), (persona, path)
        for item in body["items"]:
            for ref_model, ref_id in refs(item):
                assert visible(user, ref_model).filter(pk=ref_id).exists(), (persona, path, ref_model, ref_id)
        forget_scope(user)


@pytest.mark.parametrize("persona", PERSONAS)
def test_details_answer_200_inside_scope_and_404_outside(fuller_world, api, persona):
    user = fuller_world.user(persona)
    client = api(persona)
    for path, (model, refs) in RESOURCES.items():
        allowed = set(visible(user, model).values_list("pk", flat=True))
        for pk in model.objects.values_list("pk", flat=True):
            response = client.get(f"{path}/{pk}")
            if not may_open(persona, path):
                assert response.status_code == 403, (persona, path, pk)
            elif pk in allowed:
                assert response.status_code == 200, (persona, path, pk)
                for ref_model, ref_id in refs(response.json()):
                    assert visible(user, ref_model).filter(pk=ref_id).exists(), (
                        persona,
                        path,
                        ref_model,
                        ref_id,
                    )
            else:
                assert response.status_code == 404, (persona, path, pk)
                assert response.json() == {"detail": "记录不存在。"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_known_answers_for_street_a_records(world, api, persona):
    client = api(persona)
    for path, (target, seers) in STREET_A_TARGETS.items():
        obj = target(world)
        expected = 403 if not may_open(persona, path) else (200 if persona in seers else 404)
        assert client.get(f"{path}/{obj.pk}").status_code == expected, (persona, path)
        listed = client.get(path, {"limit": 200})
        if expected == 403:
            assert listed.status_code == 403, (persona, path)
        else:
            assert (obj.pk in {i["id"] for i in listed.json()["items"]}) == (expected == 200), (persona, path)


def test_the_matrix_is_not_vacuous(fuller_world, api):
    # Facts the sweep above relies on: some personas see much, some little.
    assert len(api("admin").get("/units").json()["items"]) == 9
    assert len(api("secretary_b").get("/units").json()["items"]) == 3
    other = api("other_admin")
    assert {e["id"] for e in other.get("/estates").json()["items"]} == {fuller_world.other_estate.pk}
    assert other.get(f"/branches/{fuller_world.branch_a.pk}").status_code == 404
    assert api("outsider").get("/me").json()["roles"] == []
