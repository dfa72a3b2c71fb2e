"""The fee and disclosure pages answer the permission matrix of their matrix_cases, persona by persona (the
same cases tests/test_permission_matrix.py sweeps for the whole site)."""

import pytest
from django.urls import reverse

from gongzhi.core.testing import PERSONAS
from gongzhi.disclosure.tests import matrix_cases as disclosure_cases
from gongzhi.fees.tests import matrix_cases as fees_cases

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", PERSONAS)
def test_fee_and_book_pages_answer_the_matrix(client, world, persona):
    client.force_login(world.user(persona))
    failures = []
    for module in (fees_cases, disclosure_cases):
        for name, url, method, expected in module.cases(world):
            response = getattr(client, method)(url)
            if response.status_code != expected[persona]:
                failures.append(
                    f"{name} {method} {url}: expected {expected[persona]}, got {response.status_code}"
                )
    assert failures == []


def test_every_fee_and_book_url_has_cases(world):
    from django.urls import get_resolver

    from gongzhi.disclosure import urls_public
    from gongzhi.fees import urls

    get_resolver()
    names = {f"fees:{p.name}" for p in urls.urlpatterns} | {f"book:{p.name}" for p in urls_public.urlpatterns}
    covered = {c[0] for c in fees_cases.cases(world)} | {c[0] for c in disclosure_cases.cases(world)}
    assert names == covered


def test_anonymous_reads_the_book_and_is_sent_to_login_elsewhere(client, world):
    for module in (fees_cases, disclosure_cases):
        for name, url, method, _expected in module.cases(world):
            response = getattr(client, method)(url)
            if name in {"book:estate", "book:pdf"}:
                assert response.status_code == 200, url
            else:
                assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
