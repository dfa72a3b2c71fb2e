import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture
def day():
    """A past day to post on (postings may not be dated in the future)."""
    return timezone.localdate() - dt.timedelta(days=30)


@pytest.fixture
def post(world, day):
    """Post through the service with sensible defaults: ``post("in", "100.00")``."""
    from gongzhi.finance.services import ledger_post

    def _post(direction="in", amount="100.00", *, user="oc_a1", estate=None, ledger="maintenance_fund", **kw):
        return ledger_post(
            actor=world.user(user),
            estate=estate or world.estate_a1,
            ledger=ledger,
            date=kw.pop("date", day),
            direction=direction,
            amount=amount,
            summary=kw.pop("summary", "测试记账"),
            **kw,
        )

    return _post
