"""The four services standard by service level (四保标准): the street's items per level, and the company's
commitment at an estate checked item by item against the level its contract names."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.core.models import AuditEvent
from gongzhi.fees.models import ServiceCommitment, StandardItem
from gongzhi.fees.rules import DEFAULT_STANDARD, FeeError, check_commitments, commitment_status, level_of
from gongzhi.fees.services import (
    commitments_set,
    service_standard_item_update,
    service_standard_load_defaults,
)
from gongzhi.registry.models import Contract

D = Decimal


@pytest.mark.parametrize(
    ("measure", "value", "status"),
    [
        ("frequency", "5", "met"),  # the bound itself
        ("frequency", "4.99", "below"),
        ("frequency", "6", "met"),
        ("staffing", "1.2", "met"),
        ("staffing", "1.19", "below"),
        ("response", "12", "met"),  # a response time at the bound
        ("response", "12.01", "below"),
        ("response", "0.5", "met"),
        ("frequency", None, "missing"),
    ],
)
def test_commitment_status_at_its_bounds(measure, value, status):
    required = {"frequency": D("5"), "staffing": D("1.2"), "response": D("12")}[measure]
    assert commitment_status(measure, required, D(value) if value is not None else None) == status


def test_check_commitments_item_by_item():
    items = [
        ("BJ-01", "楼道清扫", "cleaning", "frequency", "次/周", D("5")),
        ("BX-01", "报修上门响应", "repair", "response", "小时", D("12")),
        ("LH-01", "绿化修剪", "greening", "frequency", "次/年", D("6")),
    ]
    checks = check_commitments(items, {"BJ-01": D("7"), "BX-01": D("24"), "XX-99": D("1")})
    assert [(c.code, c.status) for c in checks] == [
        ("BJ-01", "met"),
        ("BX-01", "below"),
        ("LH-01", "missing"),
    ]


def test_level_of_reads_the_contracts_text():
    assert level_of("三级") == "三级" and level_of(" 一级资质") == "一级"
    assert level_of("") is None and level_of("未定级") is None and level_of("六级") is None


def test_the_defaults_are_stricter_or_equal_at_higher_levels():
    for code, _service, _title, measure, _unit, values in DEFAULT_STANDARD:
        numbers = [D(v) for v in values]
        ordered = sorted(numbers) if measure == "response" else sorted(numbers, reverse=True)
        assert numbers == ordered, code


@pytest.fixture
def standard(world):
    Contract.objects.filter(pk=world.contract_a1.pk).update(service_level="三级")
    assert service_standard_load_defaults(actor=world.user("admin"), street=world.street) == 50
    return world


@pytest.mark.django_db
def test_defaults_load_once_and_only_the_admin_keeps_them(standard):
    world = standard
    assert service_standard_load_defaults(actor=world.user("admin"), street=world.street) == 0
    for name in ("leader", "oc_a1", "staff_x", "other_admin"):
        with pytest.raises(PermissionDenied):
            service_standard_load_defaults(actor=world.user(name), street=world.street)
    item = StandardItem.objects.get(street=world.street, level="三级", code="BJ-01")
    with pytest.raises(FeeError):
        service_standard_item_update(actor=world.user("admin"), item=item, required="0")
    item = service_standard_item_update(actor=world.user("admin"), item=item, required="6")
    assert item.required == D("6")
    assert AuditEvent.objects.filter(object_type="fees.StandardItem", action="update").count() == 1


@pytest.mark.django_db
def test_commitments_are_all_or_nothing_and_checked_at_the_contracts_level(standard):
    world = standard
    estate = world.estate_a1
    with pytest.raises(FeeError, match="不是数字"):
        commitments_set(actor=world.user("staff_x"), estate=estate, values={"BJ-01": "7", "BX-01": "很快"})
    assert not ServiceCommitment.objects.exists()
    with pytest.raises(PermissionDenied):
        commitments_set(actor=world.user("oc_a1"), estate=estate, values={"BJ-01": "7"})
    commitments_set(
        actor=world.user("staff_x"), estate=estate, values={"BJ-01": "5", "BX-01": "24", "BA-01": ""}
    )
    from gongzhi.fees.selectors import commitment_check

    data = commitment_check(estate)
    assert data["level"] == "三级" and len(data["checks"]) == 10
    status = {c.code: c.status for c in data["checks"]}
    assert status["BJ-01"] == "met" and status["BX-01"] == "below" and status["BA-01"] == "missing"
    assert data["counts"] == {"met": 1, "below": 1, "missing": 8}
    commitments_set(actor=world.user("staff_x"), estate=estate, values={"BJ-01": ""})  # removes it
    assert not ServiceCommitment.objects.filter(code="BJ-01").exists()


@pytest.mark.django_db
def test_pages(standard, client):
    world = standard
    commitments_set(actor=world.user("staff_x"), estate=world.estate_a1, values={"BJ-01": "7"})
    client.force_login(world.user("oc_a1"))
    page = client.get(f"/fees/{world.estate_a1.pk}/services/").content.decode()
    assert "合同约定服务等级：三级" in page and "达标 1 项，低于标准 0 项，未承诺 9 项" in page
    assert "保存服务承诺" not in page  # the committee reads
    assert client.post(f"/fees/{world.estate_a1.pk}/services/", {"c-BJ-01": "1"}).status_code == 403
    client.force_login(world.user("staff_x"))
    response = client.post(f"/fees/{world.estate_a1.pk}/services/", {"c-BJ-01": "x"})
    assert response.status_code == 200 and "不是数字" in response.content.decode()
    assert ServiceCommitment.objects.get(code="BJ-01").value == D("7")  # nothing changed
    client.force_login(world.user("admin"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/fees/service-standard/").content.decode()
    assert "五级" in page and "报修上门响应" in page
    assert len(queries) < 20
    client.force_login(world.user("secretary_b"))
    assert client.get(f"/fees/{world.estate_a1.pk}/services/").status_code == 404


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (D("20.00"), "20"),
        (D("10"), "10"),
        (D("0.50"), "0.5"),
        (D("12.25"), "12.25"),
        (D("0"), "0"),
        (None, ""),
    ],
)
def test_requirements_and_commitments_print_as_people_write_them(value, shown):
    from gongzhi.fees.templatetags.fees_format import measure

    assert measure(value) == shown  # Decimal("20.00").normalize() alone prints "2E+1"


@pytest.mark.django_db
def test_a_refused_commitment_keeps_what_the_company_typed_and_round_numbers_read_plainly(standard, client):
    world = standard
    item = StandardItem.objects.get(street=world.street, level="三级", code="LH-01")
    service_standard_item_update(actor=world.user("admin"), item=item, required="10")
    commitments_set(actor=world.user("staff_x"), estate=world.estate_a1, values={"LH-01": "20"})
    client.force_login(world.user("staff_x"))
    page = client.get(f"/fees/{world.estate_a1.pk}/services/").content.decode()
    assert 'name="c-LH-01" value="20"' in page and "10 次/年" in page and "E+" not in page
    response = client.post(f"/fees/{world.estate_a1.pk}/services/", {"c-LH-01": "30", "c-BJ-01": "五次"})
    page = response.content.decode()
    assert response.status_code == 200 and "不是数字" in page
    # both entries come back as typed, the refused one and the good one beside it; nothing was written
    assert 'name="c-LH-01" value="30"' in page and 'name="c-BJ-01" value="五次"' in page
    assert ServiceCommitment.objects.get(estate=world.estate_a1, code="LH-01").value == D("20")
    client.force_login(world.user("admin"))
    assert "E+" not in client.get("/fees/service-standard/").content.decode()
