"""Facts about the registry import (registry/importers/): what a good workbook writes, that
every bad input is reported by sheet/row/column in Chinese, and that a refused import writes
nothing at all."""

import datetime as dt
import hashlib
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.registry import models as r
from gongzhi.registry.importers import registry_import, sheet
from gongzhi.registry.tests import db_state, find_error, row_counts, xlsx

AREAS = [
    "居民区名称",
    "办公地址",
    "居委会名称",
    "居委会主任",
    "居委会联系电话",
    "支部名称",
    "支部书记",
    "支部成立日期",
]
ESTATES = ["居民区", "小区名称", "地址", "建成年份"]
UNITS = [
    "小区",
    "楼号",
    "层数",
    "室号",
    "专有部分面积（m²）",
    "面积来源",
    "业主编号",
    "业主姓名",
    "业主类型",
    "联系电话",
]
COMPANIES = ["企业名称", "统一社会信用代码", "企业性质", "负责人", "联系电话"]
CONTRACTS = [
    "小区",
    "物业服务企业",
    "开始日期",
    "结束日期",
    "物业费标准（元/m²/月）",
    "服务等级",
    "收缴率（%）",
]
MEMBERS = ["小区", "任期开始", "任期结束", "姓名", "职务", "党员", "交叉任职", "联系电话"]
BRANCH = ["居民区", "姓名", "所在组织", "职务", "身份", "党员", "联系电话"]

SHORT_UNITS = ["居民区", "小区", "楼号", "室号", "专有部分面积（m²）"]


def excel_datetime(year, month, day):
    """What openpyxl returns for a date cell: a naive datetime (Excel has no time zone)."""
    return dt.datetime.combine(dt.date(year, month, day), dt.time())


def good_workbook() -> bytes:
    """A new area with its committee and branch, two estates and their units, a company,
    contracts, an owners' committee and branch members — new estates referenced in the same file."""
    return xlsx(
        {
            "居民区": [
                AREAS,
                [
                    "丁居民区",
                    "丁路8号",
                    "丁居民区居委会",
                    "孙丽",
                    "021-58880000",
                    "丁居民区物业治理联合党支部",
                    "吴书记",
                    dt.date(2023, 7, 1),
                ],
            ],
            "小区": [
                ESTATES,
                ["丁居民区", "丁一小区", "丁路10弄", 1991],
                ["丁居民区", "丁二小区", "丁路20弄", "2008年"],
            ],
            "房屋": [
                UNITS,
                ["丁一小区", "1号", 6, "101", 68.5, "不动产登记面积", "D-001", "张三", "个人", "13900000001"],
                ["丁一小区", "1号", None, "102", "72.30", "测绘面积", "D-001", "张三", "个人", "13900000001"],
                [],
                ["丁一小区", "2号", 5, "101", 55, None, "DEV", "丁房地产开发公司", "建设单位", "021-1234"],
                ["丁二小区", "1号", 18, "1801", 90.25, "买卖合同面积", None, None, None, None],
            ],
            "物业企业": [COMPANIES, ["丁丁物业", "91310115MA1K000009", "民营", "钱经理", "13700000000"]],
            "物业合同": [
                CONTRACTS,
                ["丁一小区", "丁丁物业", dt.date(2024, 1, 1), "2026/12/31", 0.8, "二级", "85%"],
                ["丁二小区", "星河物业", "2024年1月1日", dt.date(2025, 12, 31), "1.50", None, 96.5],
            ],
            "业委会委员": [
                MEMBERS,
                [
                    "丁一小区",
                    dt.date(2024, 3, 1),
                    dt.date(2029, 2, 28),
                    "周主任",
                    "主任",
                    "是",
                    "是",
                    "13600000001",
                ],
                ["丁一小区", dt.date(2024, 3, 1), dt.date(2029, 2, 28), "郑委员", "委员", "否", "否", None],
            ],
            "支部成员": [
                BRANCH,
                ["丁居民区", "吴书记", "居民区党总支", "书记", "支部成员", "是", None],
                ["丁居民区", "钱经理", "物业公司", "项目经理", "列席", "否", "13700000000"],
                ["甲居民区", "新成员", "业委会", "委员", "支部成员", None, None],
            ],
        }
    )


def run(world, data: bytes, *, user="admin", street=None, **kwargs):
    return registry_import(
        actor=world.user(user),
        street=street or world.street,
        fileobj=io.BytesIO(data),
        filename="台账.xlsx",
        **kwargs,
    )


# ---- a good workbook -------------------------------------------------------------------------------


def test_good_workbook_creates_every_record(world):
    before = row_counts()
    report = run(world, good_workbook())
    assert report.ok, report.errors
    assert report.written
    after = row_counts()
    assert {name: after[name] - before[name] for name in after} == {
        "Area": 1, "ResidentsCommittee": 1, "Branch": 1, "Estate": 2, "Company": 1, "Owner": 2, "Building": 3,
        "Unit": 4, "Contract": 2, "OwnersCommittee": 1, "CommitteeMember": 2, "BranchMember": 3,
    }  # fmt: skip
    assert report.counts["房屋"].created == 4 and report.counts["业主"].created == 2
    assert report.rows == {
        "居民区": 1,
        "小区": 2,
        "房屋": 4,
        "物业企业": 1,
        "物业合同": 2,
        "业委会委员": 2,
        "支部成员": 3,
    }


def test_good_workbook_values_land_in_the_right_fields(world):
    assert run(world, good_workbook()).ok
    area = r.Area.objects.get(street=world.street, name="丁居民区")
    assert area.address == "丁路8号"
    assert (
        area.residents_committee.director_name == "孙丽" and area.residents_committee.phone == "021-58880000"
    )
    assert area.branch.secretary_name == "吴书记" and area.branch.founded_on == dt.date(2023, 7, 1)
    estate = r.Estate.objects.get(area=area, name="丁一小区")
    assert estate.build_year == 1991 and estate.is_old
    assert r.Estate.objects.get(area=area, name="丁二小区").build_year == 2008

    u101 = r.Unit.objects.get(building__estate=estate, building__number="1号", number="101")
    u102 = r.Unit.objects.get(building__estate=estate, building__number="1号", number="102")
    assert (u101.area, u101.area_source) == (Decimal("68.50"), "registered")
    assert (u102.area, u102.area_source) == (Decimal("72.30"), "surveyed")
    assert u101.owner_id == u102.owner_id  # one buyer of two units is one owner
    assert u101.owner.name == "张三" and u101.owner.street == world.street
    assert u101.building.floors == 6  # the floors given on one row of the building
    developer_unit = r.Unit.objects.get(building__estate=estate, building__number="2号")
    assert developer_unit.owner.kind == "developer" and developer_unit.area_source == "registered"
    assert r.Unit.objects.get(number="1801").owner is None

    contract = r.Contract.objects.get(estate=estate)
    assert contract.company.name == "丁丁物业" and contract.end_date == dt.date(2026, 12, 31)
    assert (contract.fee_standard, contract.collection_rate) == (Decimal("0.80"), Decimal("85.00"))
    other = r.Contract.objects.get(estate__name="丁二小区")
    assert other.company == world.company_x and other.start_date == dt.date(2024, 1, 1)

    committee = r.OwnersCommittee.objects.get(estate=estate)
    assert committee.term_end == dt.date(2029, 2, 28)
    director = committee.members.get(name="周主任")
    assert (director.position, director.is_party_member, director.is_cross_appointed) == (
        "director",
        True,
        True,
    )
    assert committee.members.get(name="郑委员").is_party_member is False

    attendee = r.BranchMember.objects.get(branch=area.branch, name="钱经理")
    assert (attendee.membership, attendee.is_party_member, attendee.organisation) == (
        "attendee",
        False,
        "company",
    )
    assert (
        r.BranchMember.objects.get(branch=world.branch_a, name="新成员").is_party_member is True
    )  # blank → 是


def test_reimporting_the_same_file_changes_nothing(world):
    data = good_workbook()
    assert run(world, data).ok
    state = db_state()
    report = run(world, data)
    assert report.ok
    assert db_state() == state
    assert all(c.created == 0 and c.updated == 0 for c in report.counts.values())
    assert report.counts["房屋"].unchanged == 4


def test_existing_records_are_updated_by_natural_key_and_nothing_else_moves(world):
    state = db_state()
    data = xlsx({"房屋": [SHORT_UNITS, ["甲居民区", "甲一小区", "1号", "101", 70]]})
    report = run(world, data)
    assert report.ok
    assert (report.counts["房屋"].created, report.counts["房屋"].updated) == (0, 1)
    world.unit_a1.refresh_from_db()
    assert world.unit_a1.area == Decimal("70.00")
    assert world.unit_a1.owner.ref == "A1-1"  # no owner columns: the owner stays
    after = db_state()
    changed = [
        (name, row["id"])
        for name, rows in after.items()
        for row, old in zip(rows, state[name], strict=True)
        if row != old
    ]
    assert changed == [("Unit", world.unit_a1.pk)]


def test_blank_optional_cell_clears_and_absent_column_keeps(world):
    header = ["居民区", "小区名称", "地址", "建成年份"]
    assert run(world, xlsx({"小区": [header, ["甲居民区", "甲一小区", None, 1988]]})).ok
    world.estate_a1.refresh_from_db()
    assert world.estate_a1.address == ""
    assert run(world, xlsx({"小区": [["居民区", "小区名称", "建成年份"], ["甲居民区", "甲二小区", 2005]]})).ok
    world.estate_a2.refresh_from_db()
    assert world.estate_a2.address == "甲二小区路1号"


def test_headers_match_loosely_and_columns_may_be_reordered(world):
    header = ["室号", " 小区 ", "专有面积(㎡)", "楼号"]  # alias, full-width brackets, ㎡, spaces, any order
    report = run(world, xlsx({"房屋": [header, ["301", "乙一小区", "60.5", "9号"]]}))
    assert report.ok, report.errors
    assert r.Unit.objects.get(
        building__estate=world.estate_b1, building__number="9号", number="301"
    ).area == Decimal("60.50")


def test_dry_run_counts_but_writes_nothing(world):
    state = db_state()
    report = run(world, good_workbook(), dry_run=True)
    assert report.ok and not report.written
    assert report.counts["房屋"].created == 4
    assert db_state() == state
    assert not AuditEvent.objects.filter(action="import").exists()


def test_one_audit_event_per_import_with_file_hash_and_counts(world):
    data = good_workbook()
    run(world, data)
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.actor == world.user("admin") and event.street == world.street
    assert event.changes["file"] == "台账.xlsx"
    assert event.changes["sha256"] == hashlib.sha256(data).hexdigest()
    assert event.changes["counts"]["房屋"] == {"created": 4, "updated": 0, "unchanged": 0}
    assert AuditEvent.objects.count() == 1  # one event for the whole import, not one per row


def test_bulk_writes_keep_queries_flat_as_rows_grow(world):
    def workbook(n):
        rows = [[
            "甲居民区", "甲二小区", f"{i % 7}号", f"{i}", 50 + i % 40, f"Q-{i}", f"业主{i}", "13900000000",
        ] for i in range(n)]  # fmt: skip
        header = ["居民区", "小区", "楼号", "室号", "专有部分面积（m²）", "业主编号", "业主姓名", "联系电话"]
        return xlsx({"房屋": [header, *rows]})

    with CaptureQueriesContext(connection) as small:
        assert run(world, workbook(20)).ok
    with CaptureQueriesContext(connection) as large:
        assert run(world, workbook(900), street=world.street).ok
    # Inserts go in batches (SQLite: 999 parameters a statement, ~200 rows): 900 units and 900
    # owners take a few more statements than 20 of each, never one per row.
    assert len(large) - len(small) <= 10
    assert len(large) < 40


def test_a_file_made_with_the_old_half_width_headers_still_imports(world):
    """The labels became full-width (专有部分面积（m²）, 建设单位（未售/未交付）); files people saved from the older
    template write them half-width. Headers and choices compare loosely, so those files import unchanged."""
    header = ["居民区", "小区", "楼号", "室号", "专有部分面积(m²)", "业主编号", "业主姓名", "业主类型"]
    rows = [
        ["甲居民区", "甲二小区", "8号", "101", 70, "Q-1", "王一", "个人"],
        ["甲居民区", "甲二小区", "8号", "102", 71, "Q-2", "某建设单位", "建设单位(未售/未交付)"],
    ]
    report = run(world, xlsx({"房屋": [header, *rows]}))
    assert report.ok, report.errors
    built = r.Unit.objects.filter(building__estate=world.estate_a2, building__number="8号").order_by("number")
    assert [(u.number, u.area, u.owner.kind) for u in built] == [
        ("101", Decimal("70.00"), r.OwnerKind.PERSON),
        ("102", Decimal("71.00"), r.OwnerKind.DEVELOPER),
    ]


# ---- every bad input: reported by sheet/row/column in Chinese, nothing written ---------------------

GOOD_UNIT = ["甲居民区", "甲二小区", "3号", "601", 80]


def units(*rows, header=SHORT_UNITS):
    return xlsx({"房屋": [header, GOOD_UNIT, *rows]})


BAD = {
    "missing and unknown columns": (
        xlsx({"房屋": [["小区", "楼号", "面积2", "专有部分面积（m²）"], ["甲二小区", "3号", 1, 80]]}),
        [("房屋", 1, "室号", "缺少必填列“室号”"), ("房屋", 1, "面积2", "无法识别的列名“面积2”")],
    ),
    "text as area": (
        units(["甲居民区", "甲二小区", "3号", "602", "六十八"]),
        [("房屋", 3, "专有部分面积（m²）", "面积必须是大于 0 的数字，最多两位小数")],
    ),
    "zero area": (
        units(["甲居民区", "甲二小区", "3号", "602", 0]),
        [("房屋", 3, "专有部分面积（m²）", "面积必须是大于 0 的数字")],
    ),
    "negative area": (
        units(["甲居民区", "甲二小区", "3号", "602", -5]),
        [("房屋", 3, "专有部分面积（m²）", "大于 0")],
    ),
    "three decimals": (
        units(["甲居民区", "甲二小区", "3号", "602", 68.555]),
        [("房屋", 3, "专有部分面积（m²）", "最多两位小数")],
    ),
    "missing required cell": (
        units(["甲居民区", "甲二小区", "3号", None, 60]),
        [("房屋", 3, "室号", "必填，不能为空")],
    ),
    "unknown estate": (
        units(["", "不存在小区", "3号", "602", 60]),
        [("房屋", 3, "小区", "未找到小区“不存在小区”")],
    ),
    "estate not in that area": (
        units(["乙居民区", "甲一小区", "3号", "602", 60]),
        [("房屋", 3, "小区", "居民区“乙居民区”下没有小区“甲一小区”")],
    ),
    "unknown area": (
        units(["戊居民区", "甲一小区", "3号", "602", 60]),
        [("房屋", 3, "居民区", "未找到居民区“戊居民区”")],
    ),
    "duplicate unit": (units(GOOD_UNIT), [("房屋", 3, "室号", "与第 2 行重复")]),
    "duplicate of a unit after a blank row": (
        units([], [], GOOD_UNIT),
        [("房屋", 5, "室号", "与第 2 行重复")],
    ),
    "Excel turned a unit number into a date": (
        units(["甲居民区", "甲二小区", excel_datetime(2024, 1, 2), "1", 60]),
        [("房屋", 3, "楼号", "自动识别成了日期")],
    ),
    "floors disagree": (
        xlsx(
            {
                "房屋": [
                    ["小区", "楼号", "层数", "室号", "专有部分面积（m²）"],
                    ["甲二小区", "5号", 6, "101", 60],
                    ["甲二小区", "5号", 7, "102", 60],
                ]
            }
        ),
        [("房屋", 3, "层数", "第 2 行为 6")],
    ),
    "owner differs between rows": (
        xlsx(
            {
                "房屋": [
                    ["小区", "楼号", "室号", "专有部分面积（m²）", "业主编号", "业主姓名"],
                    ["甲二小区", "5号", "101", 60, "X-1", "张三"],
                    ["甲二小区", "5号", "102", 60, "X-1", "李四"],
                ]
            }
        ),
        [("房屋", 3, "业主姓名", "业主编号“X-1”在第 2 行的业主姓名不同")],
    ),
    "owner name without ref": (
        xlsx(
            {
                "房屋": [
                    ["小区", "楼号", "室号", "专有部分面积（m²）", "业主编号", "业主姓名"],
                    ["甲二小区", "5号", "101", 60, None, "张三"],
                ]
            }
        ),
        [("房屋", 2, "业主编号", "请同时填写业主编号")],
    ),
    "owner columns without the ref column": (
        xlsx(
            {
                "房屋": [
                    ["小区", "楼号", "室号", "专有部分面积（m²）", "业主姓名"],
                    ["甲二小区", "5号", "101", 60, "张三"],
                ]
            }
        ),
        [("房屋", 1, "业主姓名", "必须同时有“业主编号”列")],
    ),
    "masked phone from an export": (
        xlsx(
            {
                "房屋": [
                    ["小区", "楼号", "室号", "专有部分面积（m²）", "业主编号", "业主姓名", "联系电话"],
                    ["甲一小区", "1号", "101", 68.5, "A1-1", "业主A11", "138****0001"],
                ]
            }
        ),
        [("房屋", 2, "联系电话", "打码")],
    ),
    "masked name": (
        xlsx(
            {
                "房屋": [
                    ["小区", "楼号", "室号", "专有部分面积（m²）", "业主编号", "业主姓名"],
                    ["甲一小区", "1号", "101", 68.5, "A1-1", "业**"],
                ]
            }
        ),
        [("房屋", 2, "业主姓名", "打码")],
    ),
    "bad choice": (
        xlsx(
            {
                "房屋": [
                    ["小区", "楼号", "室号", "专有部分面积（m²）", "面积来源"],
                    ["甲二小区", "5号", "101", 60, "估算"],
                ]
            }
        ),
        [("房屋", 2, "面积来源", "“估算”不是可选的值,可选:不动产登记面积、测绘面积、买卖合同面积")],
    ),
    "text where a date belongs": (
        xlsx(
            {
                "物业合同": [
                    CONTRACTS,
                    ["甲二小区", "月湾物业", "明年一月", dt.date(2030, 1, 1), 1.2, None, None],
                ]
            }
        ),
        [("物业合同", 2, "开始日期", "“明年一月”不是日期")],
    ),
    "contract ends before it starts": (
        xlsx(
            {"物业合同": [CONTRACTS, ["甲二小区", "月湾物业", "2031-01-01", "2030-01-01", 1.2, None, None]]}
        ),
        [("物业合同", 2, "结束日期", "结束日期必须晚于开始日期")],
    ),
    "contract overlaps a stored one": (
        xlsx(
            {
                "物业合同": [
                    CONTRACTS,
                    ["甲一小区", "月湾物业", timezone.localdate(), "2099-01-01", 1.2, None, None],
                ]
            }
        ),
        [("物业合同", 2, "开始日期", "系统中已有的合同(星河物业")],
    ),
    "two contracts in the file overlap": (
        xlsx(
            {
                "物业合同": [
                    CONTRACTS,
                    ["甲一小区", "月湾物业", "2040-01-01", "2042-12-31", 1.2, None, None],
                    ["甲一小区", "星河物业", "2042-06-01", "2044-12-31", 1.2, None, None],
                ]
            }
        ),
        [("物业合同", 3, "开始日期", "第 2 行的合同")],
    ),
    "unknown company": (
        xlsx(
            {"物业合同": [CONTRACTS, ["甲二小区", "无名物业", "2040-01-01", "2041-01-01", 1.2, None, None]]}
        ),
        [("物业合同", 2, "物业服务企业", "未找到物业企业“无名物业”")],
    ),
    "fee zero and rate over 100": (
        xlsx({"物业合同": [CONTRACTS, ["甲二小区", "月湾物业", "2040-01-01", "2041-01-01", 0, None, 120]]}),
        [("物业合同", 2, "物业费标准（元/m²/月）", "大于 0"), ("物业合同", 2, "收缴率（%）", "0 到 100")],
    ),
    "committee term out of order": (
        xlsx(
            {
                "业委会委员": [
                    MEMBERS,
                    ["甲二小区", "2024-03-01", "2023-03-01", "孙委员", "委员", "否", "否", None],
                ]
            }
        ),
        [("业委会委员", 2, "任期结束", "任期结束必须晚于任期开始")],
    ),
    "voting member not in the party": (
        xlsx({"支部成员": [BRANCH, ["甲居民区", "马经理", "物业公司", "经理", "支部成员", "否", None]]}),
        [("支部成员", 2, "党员", "必须是党员")],
    ),
    "area without a branch": (
        xlsx(
            {
                "居民区": [["居民区名称"], ["戊居民区"]],
                "支部成员": [BRANCH, ["戊居民区", "马", "其他", "", "列席", "否", ""]],
            }
        ),
        [("支部成员", 2, "居民区", "还没有物业治理联合党支部")],
    ),
    "build year out of range": (
        xlsx({"小区": [ESTATES, ["甲居民区", "甲三小区", "", 1850]]}),
        [("小区", 2, "建成年份", "1900–2100")],
    ),
    "estate in an unknown area": (
        xlsx({"小区": [ESTATES, ["戊居民区", "戊一小区", "", 1990]]}),
        [("小区", 2, "居民区", "未找到居民区“戊居民区”")],
    ),
    "committee fields without a name": (
        xlsx({"居民区": [AREAS, ["甲居民区", "", None, "新主任", None, None, None, None]]}),
        [("居民区", 2, "居委会名称", "请同时填写“居委会名称”")],
    ),
    "unknown sheet": (
        xlsx({"房屋信息": [SHORT_UNITS, GOOD_UNIT]}),
        [("", None, "", "无法识别的工作表“房屋信息”")],
    ),
    "data under no header": (
        xlsx({"房屋": [SHORT_UNITS, [*GOOD_UNIT, "备注内容"]]}),
        [("房屋", 2, "F", "没有列名")],
    ),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_input_is_reported_precisely_and_nothing_is_written(world, case):
    data, expected = BAD[case]
    state = db_state()
    report = run(world, data)
    assert not report.ok and not report.written
    for where in expected:
        find_error(report, *where)
    assert db_state() == state
    assert not AuditEvent.objects.filter(action="import").exists()


def test_a_single_bad_row_anywhere_blocks_every_good_sheet(world):
    data = xlsx(
        {
            "居民区": [AREAS, ["戊居民区", "", "戊居委会", "", "", "", "", None]],
            "小区": [ESTATES, ["戊居民区", "戊一小区", "", 1990]],
            "房屋": [
                SHORT_UNITS,
                ["戊居民区", "戊一小区", "1号", "101", 60],
                ["戊居民区", "戊一小区", "1号", "102", -1],
            ],
        }
    )
    counts = row_counts()
    report = run(world, data)
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("房屋", 3, "专有部分面积（m²）")]
    assert row_counts() == counts
    assert not r.Area.objects.filter(name="戊居民区").exists()


def test_every_error_is_collected_not_just_the_first(world):
    rows = [["甲居民区", "甲二小区", "3号", f"{i}", -i] for i in range(1, 6)]
    report = run(world, xlsx({"房屋": [SHORT_UNITS, *rows]}))
    assert [e.row for e in report.errors] == [2, 3, 4, 5, 6]


def test_cell_reference_and_duplicate_errors_come_in_one_report(world):
    data = xlsx(
        {"房屋": [
            SHORT_UNITS,
            ["甲居民区", "甲二小区", "3号", "601", "abc"],
            ["甲居民区", "无此小区", "3号", "602", 60],
            ["甲居民区", "甲二小区", "3号", "603", 60],
            ["甲居民区", "甲二小区", "3号", "603", 61],
        ]}
    )  # fmt: skip
    report = run(world, data)
    assert [(e.row, e.column) for e in report.errors] == [(2, "专有部分面积（m²）"), (3, "小区"), (5, "室号")]


def test_errors_are_listed_in_sheet_then_row_order(world):
    data = xlsx(
        {
            "房屋": [SHORT_UNITS, GOOD_UNIT, ["甲居民区", "甲二小区", "3号", "602", -1]],
            "小区": [ESTATES, ["戊居民区", "戊一小区", "", 1990]],
        }
    )
    report = run(world, data)
    assert [(e.sheet, e.row) for e in report.errors] == [("小区", 2), ("房屋", 3)]


def test_ambiguous_estate_name_asks_for_the_area_column(world):
    r.Estate.objects.create(area=world.area_b, name="甲一小区", build_year=2001)
    header = ["小区", "楼号", "室号", "专有部分面积（m²）"]
    report = run(world, xlsx({"房屋": [header, ["甲一小区", "1号", "999", 60]]}))
    find_error(
        report, "房屋", 2, "小区", "有多个居民区都有名为“甲一小区”的小区(乙居民区、甲居民区),请增加“居民区”列"
    )
    ok = run(world, xlsx({"房屋": [["居民区", *header], ["甲居民区", "甲一小区", "1号", "999", 60]]}))
    assert ok.ok
    assert r.Unit.objects.get(number="999").building.estate == world.estate_a1


def test_second_director_in_one_committee_is_refused(world):
    term = world.committee_a1
    data = xlsx(
        {
            "业委会委员": [
                MEMBERS,
                ["甲一小区", term.term_start, term.term_end, "孙主任", "主任", "是", "否", None],
            ]
        }
    )
    report = run(world, data)
    find_error(report, "业委会委员", 2, "职务", "同一届业委会只能有一名主任,另有主任:王建国")
    # Making the old director a member in the same file is fine.
    fixed = xlsx(
        {"业委会委员": [
            MEMBERS,
            ["甲一小区", term.term_start, term.term_end, "孙主任", "主任", "是", "否", None],
            ["甲一小区", term.term_start, term.term_end, "王建国", "委员", "是", "否", "13900001111"],
        ]}
    )  # fmt: skip
    assert run(world, fixed).ok
    assert term.members.get(name="王建国").position == "member"


def test_committee_term_end_must_agree_between_rows(world):
    data = xlsx(
        {"业委会委员": [
            MEMBERS,
            ["甲二小区", "2024-01-01", "2028-12-31", "甲", "主任", "是", "否", None],
            ["甲二小区", "2024-01-01", "2029-12-31", "乙", "委员", "是", "否", None],
        ]}
    )  # fmt: skip
    find_error(run(world, data), "业委会委员", 3, "任期结束", "第 2 行为 2028-12-31")


# ---- files that are not workbooks ------------------------------------------------------------------


def zip_bomb() -> bytes:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(120):
                member.write(bytes(1024 * 1024))
    return bomb.getvalue()


FILES = {
    "50 MB": (lambda: bytes(50 * 1024 * 1024), "文件大小 50.0 MB 超过上限 10 MB"),
    "csv renamed .xlsx": (
        lambda: "居民区,小区\n甲居民区,甲一小区\n".encode(),
        "不是有效的 Excel（.xlsx）文件",
    ),
    "random bytes": (lambda: bytes(range(256)) * 40, "不是有效的 Excel（.xlsx）文件"),
    "zip bomb": (zip_bomb, "压缩炸弹"),
    "empty template": (lambda: xlsx({"房屋": [SHORT_UNITS]}), "文件中没有可导入的数据"),
}


@pytest.mark.parametrize("case", list(FILES), ids=list(FILES))
def test_unreadable_files_are_refused_with_a_file_level_error(world, case):
    make, text = FILES[case]
    state = db_state()
    report = run(world, make())
    assert len(report.errors) == 1
    find_error(report, "", None, "", text)
    assert db_state() == state


# ---- who may import --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "username", ["leader", "secretary_a", "member_a", "oc_a1", "staff_x", "owner_a1", "outsider"]
)
def test_only_a_street_admin_may_import(world, username):
    state = db_state()
    with pytest.raises(PermissionDenied):
        run(world, good_workbook(), user=username)
    assert db_state() == state


def test_a_street_admin_cannot_import_into_another_street(world):
    with pytest.raises(PermissionDenied):
        run(world, good_workbook(), user="other_admin")
    with pytest.raises(PermissionDenied):
        run(world, good_workbook(), user="admin", street=world.other_street)
    assert not r.Area.objects.filter(name="丁居民区").exists()


def test_permission_is_checked_before_the_file_is_read(world):
    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("must not read the upload of an unauthorised user")

    with pytest.raises(PermissionDenied):
        registry_import(
            actor=world.user("outsider"), street=world.street, fileobj=Unreadable(), filename="x.xlsx"
        )


def test_import_only_touches_its_own_street(world):
    # Same names as the other street's records: they are matched within this street only.
    data = xlsx({"居民区": [["居民区名称"], ["丙居民区"]], "物业企业": [["企业名称"], ["远方物业"]]})
    assert run(world, data).ok
    assert r.Area.objects.filter(name="丙居民区").count() == 2
    assert r.Company.objects.get(street=world.street, name="远方物业").ownership == "private"
    assert r.Company.objects.get(pk=world.other_company.pk).street == world.other_street


def test_sheet_titles_follow_the_model_labels(world):
    # The Chinese of the file is the Chinese of the UI (verbose names and choice labels).
    assert sheet("units").column("floor_area").header == str(r.Unit._meta.get_field("area").verbose_name)
    assert "建设单位（未售/未交付）" in sheet("units").column("owner_kind").choices
    assert sheet("units").headers == ["居民区", *UNITS]
    assert sheet("committee_members").headers == ["居民区", *MEMBERS[:6], "与居委会交叉任职", "联系电话"]


# ---- what the web pages call -----------------------------------------------------------------------


def test_import_upload_takes_a_django_upload_and_a_street_id(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongzhi.registry.importers import import_upload

    upload = SimpleUploadedFile("新台账.xlsx", good_workbook(), content_type="application/octet-stream")
    report = import_upload(actor=world.user("admin"), street_id=world.street.pk, upload=upload)
    assert report.ok and report.filename == "新台账.xlsx"
    assert AuditEvent.objects.get(action="import").changes["file"] == "新台账.xlsx"


def test_error_report_downloads_as_a_workbook(world):
    from gongzhi.core.excel import read_workbook

    report = run(world, xlsx({"房屋": [SHORT_UNITS, ["甲居民区", "甲二小区", "3号", "602", 0]]}))
    rows = [row.values for row in read_workbook(report.error_workbook())["错误清单"]]
    assert rows[0] == ("工作表", "行", "列", "问题")
    assert rows[1][:3] == ("房屋", "2", "专有部分面积（m²）") and "大于 0" in rows[1][3]


def test_template_response_is_an_xlsx_download(world):
    from gongzhi.registry.importers import template_response

    response = template_response("all")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''%E5%8F%B0%E8%B4%A6" in response["Content-Disposition"]  # 台账导入模板.xlsx
    assert (
        "UTF-8''%E6%88%BF%E5%B1%8B" in template_response("units")["Content-Disposition"]
    )  # 房屋导入模板.xlsx
    with pytest.raises(KeyError):
        template_response("nonsense")
