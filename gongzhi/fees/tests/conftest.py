import pytest


@pytest.fixture
def record(world):
    """Record a month through the service: ``record("2026-01", "100.00", "85.00")``."""
    from gongzhi.fees.rules import parse_month
    from gongzhi.fees.services import collection_record

    def _record(month, billed, collected, *, user="staff_x", estate=None, **kw):
        return collection_record(
            actor=world.user(user),
            estate=estate or world.estate_a1,
            month=parse_month(month),
            billed=billed,
            collected=collected,
            **kw,
        )

    return _record
