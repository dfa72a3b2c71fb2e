import pytest

from gongzhi.demo.generator import SMALL_SCALE, demo_street_ensure


@pytest.fixture
def demo(db):
    """The small demo street (same areas, estates, companies and contracts; fewer units)."""
    return demo_street_ensure(scale=SMALL_SCALE)
