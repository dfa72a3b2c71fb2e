"""The finance rows of the permission matrix, persona by persona (fast; tests/test_permission_matrix.py runs
the same cases with every other app's)."""

import pytest

from gongzhi.core.testing import PERSONAS
from gongzhi.finance.tests.matrix_cases import cases


@pytest.mark.parametrize("persona", PERSONAS)
def test_finance_matrix(client, world, persona):
    client.force_login(world.user(persona))
    failures = []
    for name, url, method, expected in cases(world):
        response = getattr(client, method)(url)
        if response.status_code != expected[persona]:
            failures.append(
                f"{name} {method} {url}: expected {expected[persona]}, got {response.status_code}"
            )
    assert failures == []
