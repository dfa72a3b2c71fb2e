"""Registry office pages: lists, search, filters, masking, edits through services, audit,
clear Chinese errors on bad input, and bounded query counts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core.models import AuditEvent
from gongzhi.registry import models as r
from gongzhi.registry.resources import RESOURCES


def test_estate_list_shows_scope_totals_and_company(as_user, world):
    page = as_user("secretary_a").get(reverse("registry:list", args=["estates"]))
    html = page.content.decode()
    assert "甲一小区" in html and "甲二小区" in html
    assert "乙一小区" not in html
    assert "195.80" in html  # 68.50 + 72.30 + 55.00 m²
    assert "星河物业" in html and "月湾物业" in html


def test_search_and_filter_narrow_the_list(as_user, world):
    client = as_user("admin")
    html = client.get(reverse("registry:list", args=["estates"]), {"q": "乙"}).content.decode()
    assert "乙一小区" in html and "甲一小区" not in html
    html = client.get(reverse("registry:list", args=["estates"]), {"old": "0"}).content.decode()
    assert "甲二小区" in html and "甲一小区" not in html
    html = client.get(
        reverse("registry:list", args=["estates"]), {"company": world.company_y.pk}
    ).content.decode()
    assert "甲二小区" in html and "乙一小区" not in html


def test_a_search_counts_its_matches_up_to_the_cap(as_user, world, monkeypatch):
    """Beyond the cap a search says "超过 N 条" and pages through the first N; below it, the exact count."""
    from gongzhi.registry.models import Unit
    from gongzhi.registry.views import office

    client = as_user("admin")
    matches = Unit.objects.filter(building__estate__area__street=world.street, number__icontains="0").count()
    assert matches >= 3  # the world has units numbered with a 0: the cap below is passed
    monkeypatch.setattr(office.SearchPaginator, "cap", 2)
    monkeypatch.setattr(office, "PAGE_SIZE", 1)
    response = client.get(reverse("registry:list", args=["units"]), {"q": "0"})
    html = response.content.decode()
    assert "超过 2 条，只列出前 2 条" in html and "第 1 / 2 页" in html
    assert response.context["page"].paginator.count == 2
    monkeypatch.setattr(office.SearchPaginator, "cap", matches)
    html = client.get(reverse("registry:list", args=["units"]), {"q": "0"}).content.decode()
    assert f"共 {matches} 条" in html and "超过" not in html


def test_bad_filter_value_gives_empty_list_not_error(as_user, world):
    response = as_user("admin").get(
        reverse("registry:list", args=["estates"]), {"area": "abc", "o": "nonsense"}
    )
    assert response.status_code == 200
    assert "没有符合条件的记录" in response.content.decode()


def test_sorting_by_column(as_user, world):
    html = (
        as_user("admin")
        .get(reverse("registry:list", args=["estates"]), {"o": "-build_year"})
        .content.decode()
    )
    assert html.index("甲二小区") < html.index("乙一小区") < html.index("甲一小区")


def test_owner_names_are_masked_for_company_staff(as_user, world):
    owner = world.unit_a1.owner
    html = (
        as_user("staff_x")
        .get(reverse("registry:list", args=["units"]), {"estate": world.estate_a1.pk})
        .content.decode()
    )
    assert owner.name not in html
    assert owner.name[0] + "*" * (len(owner.name) - 1) in html
    html = (
        as_user("oc_a1")
        .get(reverse("registry:list", args=["units"]), {"estate": world.estate_a1.pk})
        .content.decode()
    )
    assert owner.name in html


def test_export_is_the_filtered_list_as_xlsx(as_user, world, tmp_path):
    response = as_user("secretary_a").get(reverse("registry:export", args=["estates"]), {"old": "1"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"".join(response.streaming_content))  # sent from a temporary file
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][0] == "小区"
    assert [row[0] for row in rows[1:]] == ["甲一小区"]


def test_admin_creates_estate_and_it_is_audited(as_user, world):
    response = as_user("admin").post(
        reverse("registry:create", args=["estates"]),
        {"area": world.area_b.pk, "name": "乙二小区", "address": "乙路2号", "build_year": "1994"},
    )
    estate = r.Estate.objects.get(name="乙二小区")
    assert response.status_code == 302 and response["Location"].endswith(f"/estates/{estate.pk}/")
    event = AuditEvent.objects.get(action="create", object_type="registry.Estate", object_id=str(estate.pk))
    assert event.actor == world.user("admin") and event.street == world.street
    assert event.changes["build_year"] == 1994


def test_edit_records_only_what_changed(as_user, world):
    as_user("admin").post(
        reverse("registry:edit", args=["contracts", world.contract_a1.pk]),
        {
            "estate": world.estate_a1.pk,
            "company": world.company_x.pk,
            "start_date": world.contract_a1.start_date.isoformat(),
            "end_date": world.contract_a1.end_date.isoformat(),
            "fee_standard": "0.95",
            "service_level": "",
            "collection_rate": "85.00",
        },
    )
    world.contract_a1.refresh_from_db()
    assert world.contract_a1.fee_standard == Decimal("0.95")
    event = AuditEvent.objects.get(action="update", object_type="registry.Contract")
    assert event.changes == {"fee_standard": ["0.80", "0.95"]}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("area", "-3", "专有部分面积必须大于 0"),
        ("area", "abc", "输入一个数字"),
        ("number", "101", "该楼栋已有相同室号的房屋"),
    ],
)
def test_bad_unit_input_is_refused_in_chinese_and_changes_nothing(as_user, world, field, value, message):
    before = r.Unit.objects.count()
    data = {
        "building": world.building_a1.pk,
        "number": "999",
        "area": "50.00",
        "area_source": "registered",
        "owner_ref": "",
    }
    data[field] = value
    response = as_user("admin").post(reverse("registry:create", args=["units"]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert r.Unit.objects.count() == before
    assert not AuditEvent.objects.filter(action="create").exists()


def test_zero_area_is_refused_by_the_constraint_even_without_a_form(world):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    unit = r.Unit(building=world.building_a1, number="999", area=Decimal("0"))
    with pytest.raises(ValidationError, match="专有部分面积必须大于 0"):
        unit.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        unit.save()  # the database refuses it too
    assert not r.Unit.objects.filter(number="999").exists()


def test_unknown_owner_number_is_named(as_user, world):
    response = as_user("admin").post(
        reverse("registry:create", args=["units"]),
        {
            "building": world.building_a1.pk,
            "number": "999",
            "area": "50",
            "area_source": "registered",
            "owner_ref": "NOPE",
        },
    )
    assert "本街道没有编号为“NOPE”的业主" in response.content.decode()


def test_overlapping_contract_is_refused(as_user, world):
    before = r.Contract.objects.count()
    response = as_user("admin").post(
        reverse("registry:create", args=["contracts"]),
        {
            "estate": world.estate_a1.pk,
            "company": world.company_y.pk,
            "start_date": world.contract_a1.start_date.isoformat(),
            "end_date": world.contract_a1.end_date.isoformat(),
            "fee_standard": "1.00",
        },
    )
    assert "合同期不能重叠" in response.content.decode()
    assert r.Contract.objects.count() == before


def test_contract_dates_must_be_in_order(as_user, world):
    response = as_user("admin").post(
        reverse("registry:create", args=["contracts"]),
        {
            "estate": world.estate_a2.pk,
            "company": world.company_y.pk,
            "start_date": "2030-01-01",
            "end_date": "2029-01-01",
            "fee_standard": "1.00",
        },
    )
    assert response.status_code == 200
    assert not r.Contract.objects.filter(start_date="2030-01-01").exists()


def test_cannot_pick_another_streets_area(as_user, world):
    response = as_user("admin").post(
        reverse("registry:create", args=["estates"]),
        {"area": world.other_area.pk, "name": "越界小区", "build_year": "1990"},
    )
    assert "选择一个有效的选项" in response.content.decode()
    assert not r.Estate.objects.filter(name="越界小区").exists()


def test_delete_refused_while_records_depend_on_it(as_user, world):
    client = as_user("admin")
    response = client.post(reverse("registry:delete", args=["estates", world.estate_a1.pk]), follow=True)
    assert "仍有关联的" in response.content.decode()
    assert r.Estate.objects.filter(pk=world.estate_a1.pk).exists()


def test_delete_of_free_record_is_audited(as_user, world):
    member = world.branch_a.members.get(name="刘经理")
    as_user("admin").post(reverse("registry:delete", args=["branch-members", member.pk]))
    assert not r.BranchMember.objects.filter(pk=member.pk).exists()
    event = AuditEvent.objects.get(action="delete")
    assert event.object_id == str(member.pk) and event.changes["name"] == "刘经理"


def test_audit_log_lists_changes_for_admin(as_user, world):
    client = as_user("admin")
    client.post(
        reverse("registry:create", args=["estates"]),
        {"area": world.area_a.pk, "name": "新小区", "build_year": "2001"},
    )
    html = client.get(reverse("audit_log"), {"action": "create"}).content.decode()
    assert "新小区" in html and "街道管理员" in html


def _grow(world, extra_estates: int):
    for i in range(extra_estates):
        estate = r.Estate.objects.create(area=world.area_a, name=f"扩展小区{i}", build_year=1990 + i)
        building = r.Building.objects.create(estate=estate, number="1号")
        owner = r.Owner.objects.create(street=world.street, ref=f"X{i}", name=f"扩展{i}")
        r.Unit.objects.create(building=building, number="101", area=Decimal("60"), owner=owner)
        r.Contract.objects.create(
            company=world.company_y,
            estate=estate,
            start_date=world.contract_a1.start_date,
            end_date=world.contract_a1.end_date,
            fee_standard=Decimal("0.8"),
        )
        committee = r.OwnersCommittee.objects.create(
            estate=estate, term_start=world.committee_a1.term_start, term_end=world.committee_a1.term_end
        )
        r.CommitteeMember.objects.create(committee=committee, name=f"委员{i}")


@pytest.mark.parametrize("resource", [res.key for res in RESOURCES])
def test_list_pages_have_bounded_query_counts(as_user, world, resource):
    """The number of queries of a list page does not grow with its rows (no N+1)."""
    client = as_user("admin")
    url = reverse("registry:list", args=[resource])
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _grow(world, 12)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 20


def test_home_page_query_count_is_bounded(as_user, world):
    """The landing page is today's list (a fixed number per plug-in, whatever the data;
    gongzhi/home/tests/test_today.py checks it does not grow) and the figures and charts come in their
    own request: each within the office pages' budget of 20 statements, on more data as on less."""
    client = as_user("admin")
    counts = {}
    for size in ("few", "many"):
        if size == "many":
            _grow(world, 8)
        for url in ("/", reverse("home_overview")):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts[size, url] = len(queries)
    assert counts["few", "/"] == counts["many", "/"] <= 20, counts
    assert counts["few", reverse("home_overview")] == counts["many", reverse("home_overview")] <= 20, counts


def test_numbers_stay_numbers_in_the_list_export(as_user, world, tmp_path):
    response = as_user("admin").get(reverse("registry:export", args=["estates"]), {"q": "甲一"})
    path = tmp_path / "estates.xlsx"
    path.write_bytes(b"".join(response.streaming_content))  # sent from a temporary file
    header, row = list(load_workbook(path).active.iter_rows(values_only=True))
    assert row[header.index("户数")] == 3
    assert Decimal(str(row[header.index("专有面积（m²）")])) == Decimal("195.80")


def test_import_format_export_of_a_filtered_list_imports_back_unchanged(as_user, world):
    from io import BytesIO

    from gongzhi.registry import importers

    client = as_user("admin")
    response = client.get(
        reverse("registry:export", args=["units"]), {"estate": world.estate_a1.pk, "format": "import"}
    )
    assert response.status_code == 200
    report = importers.registry_import(
        actor=world.user("admin"),
        street=world.street,
        fileobj=BytesIO(response.content),
        filename="units.xlsx",
    )
    assert report.ok, report.errors
    assert all(c.created == 0 and c.updated == 0 for c in report.counts.values())
    assert sum(c.unchanged for c in report.counts.values()) >= 3


def test_upload_page_reports_errors_and_imports_nothing(as_user, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = r.Estate.objects.count()
    upload = SimpleUploadedFile("bad.xlsx", b"name,build_year\n", content_type="text/csv")
    from gongzhi.jobs.worker import run_burst

    client = as_user("admin")
    response = client.post(reverse("registry:import"), {"file": upload})
    assert response.status_code == 302 and response.url.startswith("/jobs/")  # the worker imports it
    run_burst()
    html = client.get(response.url).content.decode()
    assert "没有导入任何数据" in html
    assert "不是有效的 Excel" in html
    assert r.Estate.objects.count() == before


def test_unit_is_created_and_reassigned_by_owner_number(as_user, world):
    client = as_user("admin")
    other_owner = world.unit_a1_other.owner
    client.post(
        reverse("registry:create", args=["units"]),
        {
            "building": world.building_a1.pk,
            "number": "601",
            "area": "61.25",
            "area_source": "surveyed",
            "owner_ref": world.unit_a1.owner.ref,
        },
    )
    unit = r.Unit.objects.get(building=world.building_a1, number="601")
    assert unit.owner == world.unit_a1.owner and unit.area == Decimal("61.25")
    client.post(
        reverse("registry:edit", args=["units", unit.pk]),
        {
            "building": world.building_a1.pk,
            "number": "601",
            "area": "61.25",
            "area_source": "surveyed",
            "owner_ref": other_owner.ref,
        },
    )
    unit.refresh_from_db()
    assert unit.owner == other_owner
    event = AuditEvent.objects.get(action="update", object_type="registry.Unit")
    assert event.changes == {"owner_id": [world.unit_a1.owner.pk, other_owner.pk]}


def test_the_import_help_follows_the_readers_language(as_user, settings):
    """The workbook stays Chinese (its headers are the exchange format), but the page that explains it is in the
    reader's language: each sheet's name and note are rendered from the catalogue."""
    client = as_user("admin")
    html = client.get(reverse("registry:import")).content.decode()
    assert "每行一套房屋（专有部分），连同楼栋和业主。" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("registry:import")).content.decode()
    assert "One unit (exclusive part) per row, with its building and owner." in html
    assert '<td class="nowrap">Unit</td>' in html and "每行一套房屋" not in html
