"""Property: any valid set of unit rows imports, exports back to the same values, and imports
again without a change (Hypothesis drives the rows)."""

import io
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.registry.exporters import export_rows, street_queryset
from gongzhi.registry.importers import registry_import
from gongzhi.registry.tests import db_state, xlsx

HEADER = [
    "居民区",
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
code = st.text(alphabet="0123456789ABC-号室", min_size=1, max_size=8)
unit = st.fixed_dictionaries(
    {
        "building": code,
        "number": code,
        "area": st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999.99"), places=2),
        "source": st.sampled_from(["不动产登记面积", "测绘面积", "买卖合同面积"]),
        "owner": st.none() | st.sampled_from(["P-1", "P-2", "DEV"]),
    }
)
OWNERS = {
    "P-1": ("张三", "个人", "13900000001"),
    "P-2": ("李四", "单位", ""),
    "DEV": ("开发公司", "建设单位（未售/未交付）", ""),
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(unit, min_size=1, max_size=12, unique_by=lambda u: (u["building"], u["number"])))
def test_valid_unit_rows_round_trip(world, units):
    admin = world.user("admin")
    rows = [
        ["甲居民区", "甲二小区", u["building"], None, u["number"], u["area"], u["source"], u["owner"],
         *(OWNERS[u["owner"]] if u["owner"] else (None, None, None))]
        for u in units
    ]  # fmt: skip
    with transaction.atomic():
        report = registry_import(
            actor=admin, street=world.street, fileobj=xlsx({"房屋": [HEADER, *rows]}), filename="p"
        )
        assert report.ok, report.errors
        exported = export_rows("units", street_queryset("units", world.street).filter(building__estate=world.estate_a2),
                               user=admin)  # fmt: skip
        got = {(row[2], row[4]): (row[5], row[6], row[7], row[8], row[9], row[10] or "") for row in exported}
        for u in units:
            name, kind, phone = OWNERS[u["owner"]] if u["owner"] else (None, None, "")
            assert got[(u["building"], u["number"])] == (
                u["area"],
                u["source"],
                u["owner"],
                name,
                kind,
                phone,
            )
        state = db_state()
        again = registry_import(actor=admin, street=world.street, fileobj=io.BytesIO(xlsx({"房屋": [HEADER, *rows]})),
                                filename="p")  # fmt: skip
        assert again.ok and db_state() == state
        transaction.set_rollback(True)  # each example starts from the same world
