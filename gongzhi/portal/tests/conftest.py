import pytest


@pytest.fixture
def categories(world):
    from gongzhi.problems.services import category_defaults_ensure

    return {c.code: c for c in category_defaults_ensure(street=world.street)}
