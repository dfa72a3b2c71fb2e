import pytest


@pytest.fixture
def categories(world):
    from gongzhi.problems.services import category_defaults_ensure

    return {c.code: c for c in category_defaults_ensure(street=world.street)}


@pytest.fixture(autouse=True)
def _fresh_time_anchor():
    from gongzhi.problems.tests.office_helpers import anchor_reset

    anchor_reset()
