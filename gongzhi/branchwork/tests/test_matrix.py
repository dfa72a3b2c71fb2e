"""This app's rows of the permission matrix, run on their own (the site-wide run is
tests/test_permission_matrix.py): every URL of the app is covered, every persona gets the
hand-written answer, and the anonymous are sent to the login page except on the public pages."""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

from gongzhi.branchwork.tests import matrix_cases
from gongzhi.core.testing import PERSONAS


def test_every_branchwork_url_is_in_the_matrix(world):
    covered = {name for name, *_rest in matrix_cases.cases(world)}
    names = set()
    for namespace in ("branchwork", "duty"):
        resolver = get_resolver().namespace_dict[namespace][1]
        names |= {f"{namespace}:{p.name}" for p in resolver.url_patterns}
    assert names - covered == set()


@pytest.mark.parametrize("persona", PERSONAS)
def test_matrix(client, world, persona):
    client.force_login(world.user(persona))
    failures = []
    for name, url, method, expected in matrix_cases.cases(world):
        response = getattr(client, method)(url)
        if response.status_code != expected[persona]:
            failures.append(
                f"{name} {method} {url}: expected {expected[persona]}, got {response.status_code}"
            )
    assert failures == []


def test_anonymous(client, world):
    for name, url, method, _expected in matrix_cases.cases(world):
        response = getattr(client, method)(url)
        if name.startswith("duty:"):
            assert response.status_code == 200, url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login")), url
