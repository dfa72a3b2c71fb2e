"""Fee standards take effect between 1990-01-01 and two years from today (issue 11: 0001-01-01 and
9999-12-31 were accepted), in the service (API, import, demo) and on the office form; a refused date
names the field and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.validators import add_years
from gongzhi.fees.models import FeeStandard
from gongzhi.fees.rules import FeeError
from gongzhi.fees.services import fee_standard_create

pytestmark = pytest.mark.django_db


def _create(world, day: dt.date, label: str = ""):
    return fee_standard_create(
        actor=world.user("admin"),
        estate=world.estate_a1,
        kind="property_residential",
        label=label,
        amount="0.80",
        unit="yuan_m2_month",
        effective_from=day,
        basis="price_bureau",
        basis_document=_document(world),
    )


def _document(world):
    from gongzhi.fees.models import PriceDocument
    from gongzhi.fees.tests.conftest import guided_pricing

    return PriceDocument.objects.first() or guided_pricing(world)


@pytest.mark.parametrize(
    "day",
    [
        dt.date(1, 1, 1),
        dt.date(1989, 12, 31),
        dt.date(9999, 12, 31),
        "after two years",
    ],
)
def test_a_date_outside_the_window_is_refused(world, day):
    if day == "after two years":
        day = add_years(timezone.localdate(), 2) + dt.timedelta(days=1)
    with pytest.raises(FeeError, match="执行日期应在 1990-01-01 至 "):
        _create(world, day)
    assert not FeeStandard.objects.exists()


def test_the_bounds_themselves_are_accepted(world):
    _create(world, dt.date(1990, 1, 1), label="首日")
    _create(world, add_years(timezone.localdate(), 2), label="两年后")
    assert FeeStandard.objects.count() == 2


@pytest.mark.parametrize("typed", ["0001-01-01", "9999-12-31"])
def test_the_form_names_the_field_and_keeps_nothing(client, world, typed):
    client.force_login(world.user("admin"), backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        reverse("fees:standard_new", args=[world.estate_a1.pk]),
        {
            "kind": "property_residential",
            "label": "",
            "amount": "0.80",
            "unit": "yuan_m2_month",
            "effective_from": typed,
            "basis": "contract",
            "basis_reference": "",
        },
    )
    assert response.status_code == 200
    assert "执行日期应在 1990-01-01 至" in response.content.decode()
    assert not FeeStandard.objects.exists()
