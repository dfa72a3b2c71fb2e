"""This app's permission-matrix cases on their own (the site-wide matrix runs them too): every persona
gets the hand-written answer, and the anonymous are sent to the login page."""

import pytest
from django.urls import reverse

from gongzhi.core.testing import PERSONAS
from gongzhi.training.tests.matrix_cases import cases


@pytest.mark.parametrize("persona", PERSONAS)
def test_matrix(client, world, persona):
    client.force_login(world.user(persona))
    failures = []
    for name, url, method, expected in cases(world):
        response = getattr(client, method)(url)
        if response.status_code != expected[persona]:
            failures.append(
                f"{name} {method} {url}: expected {expected[persona]}, got {response.status_code}"
            )
    assert failures == []


def test_anonymous_is_sent_to_login(client, world):
    for _name, url, method, _expected in cases(world):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
