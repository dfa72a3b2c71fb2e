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


def counted_decision(world, *, matter=4, choice="yes", estate=None, buildings=None, closed_days_ago=None):
    """A decision of estate A1 voted on by all its owners on paper (``choice``) and closed: passed if yes.
    Its 7-day window opens now, or ends ``closed_days_ago`` days before now."""
    import datetime as dt

    from django.utils import timezone

    from gongzhi.voting.models import ElectorateOwner
    from gongzhi.voting.services import ballot_enter_paper, decision_close
    from gongzhi.voting.tests.helpers import published

    window = {}
    if closed_days_ago is not None:
        closes = timezone.now().replace(microsecond=0) - dt.timedelta(days=closed_days_ago)
        window = {"opens_at": closes - dt.timedelta(days=7), "closes_at": closes}
    decision = published(world, matter=matter, estate=estate, buildings=buildings, **window)
    committee = world.user("oc_a1")
    for voter in ElectorateOwner.objects.filter(decision=decision):
        ballot_enter_paper(
            actor=committee,
            decision=decision,
            voter=voter,
            choice=choice,
            collector_name="王建国",
            now=decision.opens_at,
        )
    return decision_close(actor=committee, decision=decision, now=decision.closes_at)


@pytest.fixture
def decision_factory(world):
    return lambda **kw: counted_decision(world, **kw)


def guided_pricing(
    world, *, estates=None, kind="property_residential", unit="yuan_m2_month", low="0.40", high="2.00"
):
    """A government price document (issued 1990-01-01) listing A1 (or ``estates``) under guided pricing."""
    import datetime as dt

    from gongzhi.fees.services import price_document_create

    return price_document_create(
        actor=world.user("admin"),
        street=world.street,
        issuer="区发展改革委",
        number=f"浦价〔2000〕{kind[:4]}号",
        title="售后公房小区收费标准",
        issued_on=dt.date(1990, 1, 1),
        kind=kind,
        unit=unit,
        level="二级",
        low=low,
        high=high,
        estates=estates or [world.estate_a1],
    )


@pytest.fixture
def guided(world):
    """The price document of ``guided_pricing`` for A1's residential property fee."""
    return guided_pricing(world)
