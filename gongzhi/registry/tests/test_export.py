"""Facts about the registry export (registry/exporters.py) and the import templates: the export is
the import format, round-trips with zero changes, masks personal data, and costs a fixed number
of queries however many rows it holds."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from gongzhi.core.excel import read_workbook
from gongzhi.core.ordering import name_key
from gongzhi.core.scopes import visible
from gongzhi.registry import models as r
from gongzhi.registry.exporters import (
    export_filename,
    export_rows,
    export_sheet,
    export_workbook,
    street_queryset,
)
from gongzhi.registry.importers import SHEET_KEYS, registry_import, sheets, template_workbook
from gongzhi.registry.tests import db_state, xlsx


def import_bytes(world, data, user="admin"):
    return registry_import(
        actor=world.user(user), street=world.street, fileobj=io.BytesIO(data), filename="导出.xlsx"
    )


def rows_of(data: bytes, title: str) -> list[tuple]:
    return [row.values for row in read_workbook(data)[title]]


def test_export_has_exactly_the_import_headers_for_every_sheet(world):
    data = export_workbook(user=world.user("admin"), street=world.street)
    workbook = read_workbook(data)
    assert list(workbook) == [s.title for s in sheets()] + ["填写说明"]
    for spec in sheets():
        assert workbook[spec.title][0].values == tuple(spec.headers)


def test_export_then_import_changes_nothing(world):
    state = db_state()
    report = import_bytes(world, export_workbook(user=world.user("admin"), street=world.street))
    assert report.ok, report.errors
    assert db_state() == state
    assert sum(c.created + c.updated for c in report.counts.values()) == 0
    assert report.counts["房屋"].unchanged == 9 and report.counts["支部成员"].unchanged == 2


def test_round_trip_after_a_full_import_is_also_unchanged(world):
    from gongzhi.registry.tests.test_import import good_workbook

    assert import_bytes(world, good_workbook()).ok
    state = db_state()
    report = import_bytes(world, export_workbook(user=world.user("admin"), street=world.street))
    assert report.ok and db_state() == state
    assert sum(c.created + c.updated for c in report.counts.values()) == 0


def test_an_edited_export_changes_only_the_edit(world):
    data = export_sheet("units", street_queryset("units", world.street), user=world.user("admin"))
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["房屋"]
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == "甲一小区" and row[4].value == "101":
            row[5].value = 70.25
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_bytes(world, buffer.getvalue())
    assert report.ok
    assert (report.counts["房屋"].updated, report.counts["房屋"].unchanged) == (1, 8)
    world.unit_a1.refresh_from_db()
    assert world.unit_a1.area == Decimal("70.25")


def test_unit_rows_in_import_order_with_labels(world):
    rows = export_rows("units", street_queryset("units", world.street), user=world.user("admin"))
    row = next(row for row in rows if row[7] == "B1-1")
    assert row == ["乙居民区", "乙一小区", "1号", 6, "101", Decimal("68.50"), "不动产登记面积", "B1-1", "业主B11", "个人",
                   "13800000001"]  # fmt: skip
    assert len(rows) == 9


def test_areas_and_estates_sort_by_pinyin_not_by_code_point(world):
    # 甲 (jia) comes before 乙 (yi) as a clerk reads them, though 乙 (U+4E59) has the lower code point.
    rows = export_rows("units", street_queryset("units", world.street), user=world.user("admin"))
    areas = [row[0] for row in rows]
    assert areas.index("乙居民区") > max(i for i, area in enumerate(areas) if area == "甲居民区")
    estates = [
        row[1]
        for row in export_rows("estates", street_queryset("estates", world.street), user=world.user("admin"))
    ]
    assert estates == sorted(estates, key=name_key) and estates.index("甲一小区") < estates.index("乙一小区")


def test_buildings_sort_naturally(world):
    for number in ["10号", "2号"]:
        building = r.Building.objects.create(estate=world.estate_a2, number=number)
        r.Unit.objects.create(building=building, number="101", area=Decimal("50"))
    rows = export_rows(
        "units", r.Unit.objects.filter(building__estate=world.estate_a2), user=world.user("admin")
    )
    assert [row[2] for row in rows] == ["1号", "1号", "1号", "2号", "10号"]


def test_personal_data_is_masked_for_users_without_that_reach(world):
    queryset = street_queryset("units", world.street)
    leader_rows = export_rows("units", queryset, user=world.user("leader"))
    assert len(leader_rows) == 9
    assert "业****" in {row[8] for row in leader_rows}  # 业主A11 → 业****
    assert all("****" in row[10] for row in leader_rows)
    admin_rows = export_rows("units", queryset, user=world.user("admin"))
    assert "业主A11" in {row[8] for row in admin_rows}

    members = export_rows(
        "committee_members", street_queryset("committee_members", world.street), user=world.user("leader")
    )
    assert members[0][4] == "王建国" and members[0][8] == "139****1111"
    secretary = export_rows("committee_members", street_queryset("committee_members", world.street),
                            user=world.user("secretary_a"))  # fmt: skip
    assert secretary[0][8] == "13900001111"


def test_branch_member_phones_are_masked_outside_the_area(world):
    r.BranchMember.objects.filter(name="陈书记").update(phone="13512345678")
    queryset = street_queryset("branch_members", world.street)
    assert export_rows("branch_members", queryset, user=world.user("leader"))[0][6] == "135****5678"
    assert export_rows("branch_members", queryset, user=world.user("secretary_a"))[0][6] == "13512345678"


def test_export_holds_only_what_the_user_may_read(world):
    rows = export_rows("units", street_queryset("units", world.street), user=world.user("secretary_b"))
    assert {row[1] for row in rows} == {"乙一小区"}
    assert export_rows("units", street_queryset("units", world.street), user=world.user("outsider")) == []
    assert export_rows("units", street_queryset("units", world.street), user=world.user("evaluator_b1")) == []


def test_a_masked_export_cannot_be_imported_over_real_data(world):
    state = db_state()
    masked = export_workbook(user=world.user("leader"), street=world.street, sheet_keys=["units"])
    report = import_bytes(world, masked)
    assert not report.ok
    assert {e.column for e in report.errors} == {"业主姓名", "联系电话"}
    assert db_state() == state


def test_export_queries_do_not_grow_with_rows(world, django_assert_max_num_queries):
    user = world.user("leader")

    def export_everything():
        return export_workbook(user=user, street=world.street)

    export_everything()  # the user's scope is computed once and cached on the user
    with CaptureQueriesContext(connection) as few:
        export_everything()
    for i in range(40):
        building = r.Building.objects.create(estate=world.estate_b1, number=f"{i + 2}号")
        owner = r.Owner.objects.create(street=world.street, ref=f"N-{i}", name=f"新业主{i}")
        r.Unit.objects.create(building=building, number="101", area=Decimal("60"), owner=owner)
        r.BranchMember.objects.create(branch=world.branch_b, name=f"成员{i}", organisation="other", membership="attendee",
                                      is_party_member=False)  # fmt: skip
        committee = r.OwnersCommittee.objects.create(estate=world.estate_b1, term_start=f"{1950 + i}-01-01",
                                                     term_end=f"{1950 + i}-12-31")  # fmt: skip
        r.CommitteeMember.objects.create(committee=committee, name=f"委员{i}")
    with django_assert_max_num_queries(len(few)):
        data = export_everything()
    assert len(read_workbook(data)["房屋"]) == 1 + 9 + 40
    assert len(few) <= len(SHEET_KEYS) + 2  # one query a sheet (plus the scope's subqueries)


def test_template_has_every_sheet_headers_notes_and_drop_downs():
    workbook = load_workbook(io.BytesIO(template_workbook()))
    assert workbook.sheetnames == [s.title for s in sheets()] + ["填写说明"]
    units = workbook["房屋"]
    assert [c.value for c in units[1]] == next(s for s in sheets() if s.key == "units").headers
    assert units.max_row == 1  # no example rows that could be imported by mistake
    lists = {str(v.sqref): v.formula1 for v in units.data_validations.dataValidation}
    assert lists["G2:G1048576"] == '"不动产登记面积,测绘面积,买卖合同面积"'
    assert lists["J2:J1048576"] == '"个人,建设单位（未售/未交付）,单位"'
    notes = [[c.value for c in row] for row in workbook["填写说明"].iter_rows()]
    assert [
        "房屋",
        "专有部分面积（m²）",
        "必填",
        "平方米，大于 0，最多两位小数；表决时按此面积计算。",
    ] in notes
    assert units.column_dimensions["K"].number_format == "@"  # phones typed later stay text


def test_single_sheet_template_and_its_notes():
    workbook = load_workbook(io.BytesIO(template_workbook("branch_members")))
    assert workbook.sheetnames == ["支部成员", "填写说明"]
    notes_sheets = {row[0].value for row in workbook["填写说明"].iter_rows(min_row=2)}
    assert notes_sheets == {None, "支部成员"}


def test_a_filled_template_imports(world):
    workbook = load_workbook(io.BytesIO(template_workbook("companies")))
    workbook["物业企业"].append(["新桥物业", None, "国有", None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert import_bytes(world, buffer.getvalue()).ok
    assert r.Company.objects.get(street=world.street, name="新桥物业").ownership == "state"


def test_export_filename_names_street_and_sheet(world):
    assert export_filename(world.street, "units").startswith("示例街道-房屋-")
    assert export_filename(world.street).startswith("示例街道-台账-")


@pytest.mark.parametrize("key", SHEET_KEYS)
def test_every_sheet_round_trips_alone(world, key):
    state = db_state()
    data = export_sheet(key, street_queryset(key, world.street), user=world.user("admin"))
    report = import_bytes(world, data)
    assert report.ok, report.errors
    assert db_state() == state


def test_visible_is_applied_even_to_a_broad_queryset(world):
    everything = r.Estate.objects.all()
    rows = export_rows("estates", everything, user=world.user("admin"))
    assert {row[1] for row in rows} == {e.name for e in visible(world.user("admin"), r.Estate)}
    assert "丙一小区" not in {row[1] for row in rows}


def test_helper_xlsx_builder_is_read_back_identically():
    # The test helper itself: what it writes is what read_workbook returns.
    assert rows_of(xlsx({"表": [["a", "b"], [1, "x"]]}), "表") == [("a", "b"), (1, "x")]


def test_export_response_downloads_the_sheet_with_a_chinese_name(world):
    from gongzhi.registry.exporters import export_response

    response = export_response("units", None, user=world.user("admin"), street=world.street)
    assert (
        "filename*=UTF-8''%E7%A4%BA%E4%BE%8B%E8%A1%97%E9%81%93-%E6%88%BF%E5%B1%8B-"
        in response["Content-Disposition"]
    )
    assert response["Cache-Control"] == "private, no-store"
    assert len(read_workbook(response.content)["房屋"]) == 10


def test_the_notes_follow_the_readers_language_and_the_headers_do_not(world):
    """In English mode the 填写说明 sheet explains in English, while the sheet and column names it refers to
    stay the Chinese the sheets carry (the file's exchange format), so the filled template still imports."""
    from django.utils import translation

    from gongzhi.fees.importers import template_bytes as fees_template
    from gongzhi.finance.importers import template_bytes as finance_template
    from gongzhi.training.importers import template_bytes as training_template

    with translation.override("en"):
        workbook = load_workbook(io.BytesIO(template_workbook("units")))
        fees = load_workbook(io.BytesIO(fees_template([world.estate_a1])))
        finance = load_workbook(io.BytesIO(finance_template()))
        training = load_workbook(io.BytesIO(training_template()))
    notes = [[c.value for c in row] for row in workbook["填写说明"].iter_rows()]
    assert notes[0] == ["Sheet", "Column", "Required?", "Notes"]
    area = next(row for row in notes if row[1] == "专有部分面积（m²）")
    assert area == [
        "房屋",
        "专有部分面积（m²）",
        "Required",
        "Square metres, greater than 0, at most two decimals; votes are counted by this area.",
    ]
    kind = next(row for row in notes if row[1] == "业主类型")
    # the values to pick stay as the sheet spells them
    assert kind[3] == "Choose from the drop-down list: 个人、建设单位（未售/未交付）、单位."
    assert [c.value for c in workbook["房屋"][1]] == next(s for s in sheets() if s.key == "units").headers
    fee_notes = {row[0].value: row[1].value for row in fees["填写说明"].iter_rows(min_row=2)}
    assert fee_notes["应收金额（元）"] == "Required, greater than 0, at most two decimals."
    assert fee_notes["Import rule"].startswith("The file is imported only if all of it is correct")
    finance_notes = {row[0].value: row[1].value for row in finance["填写说明"].iter_rows(min_row=2)}
    assert finance_notes["类别"].startswith(
        "Optional. For the maintenance fund's first collection write “首期归集”"
    )
    assert finance_notes["All or nothing"].startswith("If any row has an error")
    training_notes = {row[0].value: row[1].value for row in training["填写说明"].iter_rows(min_row=2)}
    assert training_notes["正确答案"].startswith("Single choice: one letter")
    assert "物业法规" in training_notes["专题"]  # the topics to type, in Chinese
