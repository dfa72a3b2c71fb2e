"""The evaluation and survey rows of the permission matrix, run on their own (fast feedback while the
site-wide matrix in tests/test_permission_matrix.py runs every app), plus the anonymous visitor."""

import pytest
from django.urls import reverse

from gongzhi.core.testing import PERSONAS
from gongzhi.evaluation.tests.matrix_cases import cases

PUBLIC = {"survey:start", "survey:thanks", "survey:answer"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_evaluation_url_answers_each_persona_as_the_role_model_says(client, world, persona):
    client.force_login(world.user(persona))
    failures = []
    for name, url, method, expected in cases(world):
        status = getattr(client, method)(url).status_code
        if status != expected[persona]:
            failures.append(f"{name} {url}: expected {expected[persona]}, got {status}")
    assert failures == []


def test_the_anonymous_visitor_reaches_only_the_code_pages(client, world):
    for name, url, method, _expected in cases(world):
        response = getattr(client, method)(url)
        if name in PUBLIC:
            assert response.status_code == 200, url
        else:
            assert response.status_code in {302, 405}, url
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("login")), url
