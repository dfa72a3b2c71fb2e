"""Every list endpoint runs a fixed number of queries, however many rows it returns."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.api.tests.test_matrix import RESOURCES
from gongzhi.registry import models as r

pytestmark = pytest.mark.django_db

MAX_QUERIES = 12  # session + user + scope (a handful) + count + page + prefetches


def _grow(world, n=12):
    """n more areas, each with a branch (2 members), a residents' committee and an estate with
    a building of 3 units and owners, a contract with company X and an OC with 2 members."""
    today = timezone.localdate()
    for i in range(n):
        area = r.Area.objects.create(street=world.street, name=f"新{i}居民区")
        r.ResidentsCommittee.objects.create(area=area, name=f"新{i}居委会")
        branch = r.Branch.objects.create(area=area, name=f"新{i}支部")
        r.BranchMember.objects.create(
            branch=branch, name="书记", organisation="party", membership="member", phone="13700000000"
        )
        r.BranchMember.objects.create(
            branch=branch, name="经理", organisation="company", membership="attendee", is_party_member=False
        )
        estate = r.Estate.objects.create(area=area, name=f"新{i}小区", build_year=1980 + i)
        building = r.Building.objects.create(estate=estate, number="1号")
        for j in range(3):
            owner = r.Owner.objects.create(
                street=world.street, ref=f"N{i}-{j}", name=f"新业主{i}{j}", phone="13800009999"
            )
            r.Unit.objects.create(building=building, number=f"{j}01", area=Decimal("50.00"), owner=owner)
        r.Contract.objects.create(
            company=world.company_x,
            estate=estate,
            start_date=today - dt.timedelta(days=10),
            end_date=today + dt.timedelta(days=300),
            fee_standard=Decimal("0.80"),
        )
        r.Company.objects.create(street=world.street, name=f"新{i}物业")
        oc = r.OwnersCommittee.objects.create(
            estate=estate, term_start=today, term_end=today + dt.timedelta(days=1000)
        )
        r.CommitteeMember.objects.create(committee=oc, name="主任", phone="13900000000")
        r.CommitteeMember.objects.create(committee=oc, name="委员", phone="13900000001")


def _count_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, {"limit": 200})
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.json()["items"])


@pytest.mark.parametrize("persona", ["admin", "staff_x"])
def test_list_queries_do_not_grow_with_rows(world, api, persona, django_assert_max_num_queries):
    client = api(persona)
    small = {path: _count_queries(client, path) for path in RESOURCES}
    _grow(world)
    for path in RESOURCES:
        with django_assert_max_num_queries(MAX_QUERIES):
            many, rows = _count_queries(client, path)
        assert many == small[path][0], (path, small[path], many)
        if persona == "admin" and path != "/streets":
            assert rows > small[path][1] + 5, path  # the comparison is between few and many rows
