"""Known answers for the input bounds of issue 11 hole 8: ids, money and counts a database cannot hold,
unicode digits and NaN are refused or read as "no such record" — never an HTTP 500."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.core.models import AuditEvent
from gongzhi.core.validators import DB_INT_MAX, bounded_decimal, is_id, parse_id
from gongzhi.fees.forms import CollectionForm
from gongzhi.fees.models import MonthlyCollection
from gongzhi.fees.rules import FeeError, parse_money

TWENTY_NINES = "9" * 20


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        (" 42 ", 42),
        (str(DB_INT_MAX), DB_INT_MAX),
        (str(DB_INT_MAX + 1), None),
        (TWENTY_NINES, None),
        ("0", None),
        ("-1", None),
        ("1e3", None),
        ("NaN", None),
        ("²", None),  # "²".isdigit() is True, int("²") raises
        ("٣", None),  # an Arabic-Indic three: int() reads 3, but nobody typed an id
        ("", None),
        (None, None),
        (True, None),
        (7, 7),
        ("9" * 5000, None),  # int() would refuse more than 4300 digits with a ValueError
    ],
)
def test_parse_id(raw, expected):
    assert parse_id(raw) == expected
    assert is_id(raw) is (expected is not None)


def test_bounded_decimal_checks_the_size_before_rounding():
    assert bounded_decimal("12.5", max_abs=100) == Decimal("12.5")
    assert bounded_decimal("1e30", max_abs=10**12) is None
    assert bounded_decimal("NaN", max_abs=1) is None
    assert bounded_decimal("-Infinity", max_abs=1) is None
    assert bounded_decimal("1,5", max_abs=100) == Decimal(15)
    assert bounded_decimal(0.5, max_abs=1) is None  # a float is never exact money


@pytest.mark.parametrize("value", ["1e30", "1E+40", "99999999999999999999999999999.99"])
def test_parse_money_refuses_huge_amounts_before_quantize(value):
    with pytest.raises(FeeError, match="过大"):
        parse_money(value, label="应收金额")


def test_collection_form_bounds_household_counts():
    form = CollectionForm(
        data={"month": "2024-03", "billed": "100.00", "collected": "90.00", "households_billed": 10**30}
    )
    assert not form.is_valid()
    assert "households_billed" in form.errors


def test_collection_page_refuses_a_huge_amount_and_household_count(as_user, world):
    client = as_user("staff_x")
    url = reverse("fees:collection_new", args=[world.estate_a1.pk])
    before = (AuditEvent.objects.count(), MonthlyCollection.objects.count())
    for data in (
        {"month": "2024-03", "billed": "1e30", "collected": "1"},
        {"month": "2024-03", "billed": "10", "collected": "1", "households_billed": "1" + "0" * 30},
    ):
        response = client.post(url, data)
        assert response.status_code == 200
    assert (AuditEvent.objects.count(), MonthlyCollection.objects.count()) == before


@pytest.mark.parametrize("value", [TWENTY_NINES, "²", "-1", "1e30", "NaN"])
def test_registry_list_filters_read_a_bad_id_as_no_such_record(as_user, world, value):
    client = as_user("admin")
    response = client.get(reverse("registry:list", args=["units"]), {"estate": value})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []


def test_api_list_filter_beyond_the_database_range_is_a_422_not_a_500(world):
    from gongzhi.api.services import api_token_create

    _token, secret = api_token_create(user=world.user("admin"), name="bounds")
    client = Client(headers={"Authorization": f"Bearer {secret}"}, raise_request_exception=False)
    response = client.get("/api/v1/units", {"estate": TWENTY_NINES})
    assert response.status_code == 422
    assert response.json()["detail"] == "请求参数有误。"


def test_an_exam_answer_in_unicode_digits_counts_as_unanswered(client, world):
    from gongzhi.training.models import Attempt
    from gongzhi.training.tests.helpers import make_bank, make_exam

    exam = make_exam(world, make_bank(world))
    client.force_login(world.user("oc_a1"))
    participant = exam.participants.get(user=world.user("oc_a1"))
    client.post(reverse("training:start", args=[participant.pk]))
    attempt = Attempt.objects.get()
    data = {f"q{qid}": ["²", "٣"] for qid in attempt.question_ids}
    data["confirm_unanswered"] = "1"  # all blank: the page asks first, this paper says yes
    response = client.post(reverse("training:take", args=[attempt.pk]), data)
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and attempt.correct_count == 0


def test_a_multiple_choice_of_ids_beyond_the_database_range_is_a_form_error(world):
    from django.core.exceptions import ValidationError

    from gongzhi.core.validators import IdMultipleChoiceField
    from gongzhi.registry.models import Area

    field = IdMultipleChoiceField(queryset=Area.objects.all())
    assert list(field.clean([str(world.area_a.pk)])) == [world.area_a]
    for bad in (TWENTY_NINES, "²", "-1"):
        with pytest.raises(ValidationError) as refused:
            field.clean([str(world.area_a.pk), bad])
        assert refused.value.code == "invalid_pk_value"


def test_a_nul_character_is_refused_before_any_query(as_user, world):
    client = as_user("admin")
    response = client.get(reverse("registry:list", args=["owners"]), {"q": "a\x00b"})
    assert response.status_code == 400
    assert "空字符" in response.content.decode()
    before = AuditEvent.objects.count()
    response = client.post(reverse("registry:create", args=["estates"]), {"name": "新\x00小区"})
    assert response.status_code == 400
    assert AuditEvent.objects.count() == before


def test_parse_day_reads_only_real_days_within_the_window():
    import datetime as dt

    from gongzhi.core.validators import parse_day

    assert parse_day("2024-02-29") == dt.date(2024, 2, 29)
    assert parse_day("2024-02-30") is None  # django's parse_date raises ValueError here
    assert parse_day("0001-01-01") is None
    assert parse_day("9999-12-31") is None
    assert parse_day("²") is None and parse_day("") is None and parse_day(None) is None


def test_problem_statistics_with_a_day_that_does_not_exist(as_user, world):
    response = as_user("admin").get(reverse("problems:stats"), {"from": "2024-02-30", "to": "0001-01-01"})
    assert response.status_code == 200
