"""The voting and activation rows of the permission matrix on their own (tests/test_permission_matrix.py
runs them with every other app's rows): quick to run while working on these pages."""

import pytest
from django.urls import reverse

from gongzhi.core.testing import PERSONAS
from gongzhi.voting.tests.matrix_cases import cases


@pytest.mark.parametrize("persona", PERSONAS)
def test_voting_matrix(client, world, persona):
    client.force_login(world.user(persona))
    failures = []
    for name, url, method, expected in cases(world):
        response = getattr(client, method)(url)
        if response.status_code != expected[persona]:
            failures.append(
                f"{name} {method} {url}: expected {expected[persona]}, got {response.status_code}"
            )
    assert failures == []


PUBLIC = {"decide:estate", "decide:decision", "decide:receipt", "decide:ballot_file", "decide:attachment"}


def test_anonymous_visitors(client, world):
    for name, url, method, expected in cases(world):
        response = getattr(client, method)(url)
        if name in PUBLIC:
            # as for a role-less user, except a draft's attachment (404 for everyone outside the office)
            assert response.status_code == expected["outsider"], url
        elif name == "portal:activate":
            assert response.status_code == 200
        elif name == "portal:activate_account":
            assert response.status_code == 302 and response["Location"] == reverse("portal:activate")
        elif method == "get" and expected["outsider"] == 405:
            assert response.status_code in {302, 405}, url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login")), url
