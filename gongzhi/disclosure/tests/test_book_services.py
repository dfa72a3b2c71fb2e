"""The public disclosure book shows the company's 四保 commitment checked item by item against the street's
standard for the level its contract names (docs/FEES.md §9) — on the phone page and in the PDF, for any
visitor, and the cached page follows a changed commitment at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.core.pdf import pdf_text
from gongzhi.fees.services import commitments_set, service_standard_load_defaults
from gongzhi.registry.models import Contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def level_three(world):
    Contract.objects.filter(pk=world.contract_a1.pk).update(service_level="三级")
    service_standard_load_defaults(actor=world.user("admin"), street=world.street)
    return world


def test_residents_read_the_check_and_the_cached_book_follows_a_new_commitment(client, level_three):
    world = level_three
    url = reverse("book:estate", args=[world.estate_a1.pk])
    page = client.get(url).content.decode()
    assert "服务承诺与四保标准对照（三级）" in page and "达标 0 项，低于标准 0 项，未承诺 10 项。" in page
    commitments_set(actor=world.user("staff_x"), estate=world.estate_a1, values={"BJ-01": "3", "BX-01": "2"})
    page = client.get(url).content.decode()  # the same public URL: the commitment's audit row moves the mark
    assert "达标 1 项，低于标准 1 项，未承诺 8 项。" in page
    row = page.split("楼道清扫", 1)[1].split("</tr>", 1)[0]
    assert "5 次/周" in row and "3 次/周" in row and "低于标准" in row
    assert "E+" not in page


def test_the_pdf_book_carries_the_same_check(as_user, level_three):
    world = level_three
    commitments_set(actor=world.user("staff_x"), estate=world.estate_a1, values={"BJ-01": "7"})
    response = as_user("admin").get(reverse("book:pdf", args=[world.estate_a1.pk]))
    text = "".join(pdf_text(response.content).split())
    assert "服务承诺与四保标准对照（三级）" in text and "达标1项，低于标准0项，未承诺9项。" in text


def test_a_contract_without_a_level_says_so_instead_of_a_table(client, world):
    Contract.objects.filter(pk=world.contract_a1.pk).update(service_level="")
    service_standard_load_defaults(actor=world.user("admin"), street=world.street)
    page = client.get(reverse("book:estate", args=[world.estate_a1.pk])).content.decode()
    assert "物业服务合同没有写明服务等级，暂不能对照四保标准。" in page
    assert "服务承诺与四保标准对照" not in page
