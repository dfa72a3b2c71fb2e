"""Office list pages run a bounded number of queries, whatever the number of rows they show (issue 17).

On the demo street (every app's demo data), as its street admin: each list page stays within the issue's
city-scale budget of 20 queries, and the registry's lists run exactly as many queries for a full page
of 50 rows as for the one or two rows a search leaves — a query per row (an N+1) would show as a
difference."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.core.scopes import scope_for, visible
from gongzhi.registry.resources import RESOURCES, search_q
from gongzhi.registry.views.office import PAGE_SIZE

pytestmark = pytest.mark.django_db

BUDGET = 20  # the budget for an office list page at city scale

LIST_PAGES = [
    *[("registry:list", [res.key]) for res in RESOURCES],
    ("problems:list", []),
    ("problems:stats", []),
    ("finance:disclosures", []),
    ("finance:alerts", []),
    ("voting:index", []),
    ("evaluation:index", []),
    ("elections:list", []),
    ("training:questions", []),
    ("branchwork:meetings", []),
    ("audit_log", []),
]


@pytest.fixture
def admin_client(client, demo):
    from gongzhi.core.models import User

    client.force_login(User.objects.get(username="demo_admin"))
    return client


def _queries(client, url: str, params: dict | None = None) -> tuple[int, str]:
    client.get(url, params)  # the first request computes the scope; count a steady one
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, (url, params, response.status_code)
    return len(queries), response.content.decode()


@pytest.mark.parametrize(("name", "args"), LIST_PAGES, ids=[f"{n}{a}" for n, a in LIST_PAGES])
def test_an_office_list_page_stays_within_the_query_budget(admin_client, name, args):
    count, _html = _queries(admin_client, reverse(name, args=args))
    assert count <= BUDGET, f"{name}{args}: {count} queries"


def _search_text(resource, user) -> str:
    """A search that leaves fewer rows of ``resource`` than a page holds (but some): the value of one of
    its search fields on its newest visible row."""
    rows = visible(user, resource.model)
    newest = rows.order_by("pk").values(*resource.search).last()
    for lookup in resource.search:
        text = str(newest[lookup])
        if 0 < rows.filter(search_q(resource, text)).count() < PAGE_SIZE:
            return text
    raise AssertionError(f"no narrow search for {resource.key}")


@pytest.mark.parametrize("resource", [res for res in RESOURCES if res.search], ids=lambda res: res.key)
def test_a_registry_list_runs_the_same_queries_for_fifty_rows_as_for_one(admin_client, resource):
    from gongzhi.core.models import User

    user = User.objects.get(username="demo_admin")
    assert resource.readable_by(scope_for(user))
    url = reverse("registry:list", args=[resource.key])
    full, full_html = _queries(admin_client, url)
    few, few_html = _queries(admin_client, url, {"q": _search_text(resource, user)})
    full_rows, few_rows = full_html.count("<tr>") - 1, few_html.count("<tr>") - 1
    assert few_rows < full_rows, (resource.key, few_rows, full_rows)  # the comparison means something
    assert few == full, f"{resource.key}: {full} queries for {full_rows} rows, {few} for {few_rows}"


def test_the_units_export_runs_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("registry:export", args=["units"]))
        body = b"".join(response.streaming_content)
    assert response.status_code == 200 and body.startswith(b"PK")
