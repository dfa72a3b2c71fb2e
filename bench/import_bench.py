"""Benchmark of the registry's Excel import: a street of 40,000 units, read + checked + written.

    .venv/bin/python bench/import_bench.py [--units 40000]

Runs on SQLite (a fresh database in a temporary folder, with the production pragmas) and, when
DATABASE_URL is set, again on PostgreSQL (in a throw-away test database that Django creates and
drops). Prints seconds and rows per second for each step. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_workbook(units: int) -> bytes:
    """Areas, estates and ``units`` units (50 a building), as a person would type them: plain cells."""
    from openpyxl import Workbook

    per_building, buildings_per_estate, estates_per_area = 50, 20, 5
    per_estate = per_building * buildings_per_estate
    estates = max(1, -(-units // per_estate))
    areas = max(1, -(-estates // estates_per_area))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("居民区")
    sheet.append(["居民区名称", "办公地址", "居委会名称", "支部名称"])
    for a in range(areas):
        sheet.append(
            [f"第{a + 1}居民区", f"测试路{a + 1}号", f"第{a + 1}居民区居委会", f"第{a + 1}居民区联合党支部"]
        )
    sheet = workbook.create_sheet("小区")
    sheet.append(["居民区", "小区名称", "地址", "建成年份"])
    for e in range(estates):
        sheet.append(
            [f"第{e // estates_per_area + 1}居民区", f"测试{e + 1}小区", f"测试路{e + 1}弄", 1980 + e % 40]
        )
    sheet = workbook.create_sheet("房屋")
    sheet.append(
        [
            "居民区",
            "小区",
            "楼号",
            "层数",
            "室号",
            "专有部分面积(m²)",
            "面积来源",
            "业主编号",
            "业主姓名",
            "业主类型",
            "联系电话",
        ]
    )
    for i in range(units):
        e, rest = divmod(i, per_estate)
        b, u = divmod(rest, per_building)
        floor, door = divmod(u, 2)
        owner = i - i % 3 if i % 10 == 0 else i  # some buyers hold several units
        sheet.append(
            [
                f"第{e // estates_per_area + 1}居民区",
                f"测试{e + 1}小区",
                f"{b + 1}号",
                25,
                f"{floor + 1}{door + 1:02d}",
                round(45 + (i * 7919) % 9000 / 100, 2),
                "不动产登记面积",
                f"Y{owner:06d}",
                f"业主{owner}",
                "个人",
                f"139{owner:08d}",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def excel_like(data: bytes) -> bytes:
    """The same workbook as Excel or WPS would save it: a shared-string table and a <dimension>
    in every sheet (openpyxl's streaming writer emits inline strings and no dimension)."""
    import re
    import zipfile

    strings: dict[str, int] = {}

    def shared(match: re.Match) -> str:
        text = match.group(3)
        index = strings.setdefault(text, len(strings))
        return f'<c r="{match.group(1)}"{match.group(2) or ""} t="s"><v>{index}</v></c>'

    cell = re.compile(r'<c r="([A-Z]+\d+)"( s="\d+")? t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>')
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                xml = cell.sub(shared, content.decode())
                rows = re.findall(r'<row r="(\d+)"', xml)
                last = max(re.findall(r'<c r="([A-Z]+)\d+"', xml), key=lambda c: (len(c), c))
                xml = xml.replace("<sheetViews>", f'<dimension ref="A1:{last}{rows[-1]}"/><sheetViews>', 1)
                content = xml.encode()
            elif info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif info.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
                )
            target.writestr(info.filename, content)
        table = "".join(f"<si><t>{text}</t></si>" for text in strings)  # copied from XML: still escaped
        target.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{len(strings)}" uniqueCount="{len(strings)}">{table}</sst>',
        )
    return out.getvalue()


def timed(label: str, rows: int, fn):
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"  {label:<34} {seconds:7.2f} s  {rows / seconds:10,.0f} rows/s")
    return result


def run_backend(units: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    postgres = bool(os.environ.get("DATABASE_URL"))
    if postgres:
        old = setup_databases(verbosity=0, interactive=False)
    else:
        call_command("migrate", verbosity=0)

    from gongzhi.core.excel import read_workbook
    from gongzhi.core.models import Role, RoleGrant, User
    from gongzhi.registry import models as r
    from gongzhi.registry.exporters import export_workbook
    from gongzhi.registry.importers import registry_import

    try:
        street = r.Street.objects.create(name="基准街道")
        admin = User.objects.create_user(username="bench_admin", password="bench-not-a-secret-1")  # noqa: S106
        RoleGrant.objects.create(user=admin, role=Role.STREET_ADMIN, street=street)

        streamed = timed("generate workbook", units, lambda: make_workbook(units))
        data = excel_like(streamed)
        assert read_workbook(data) == read_workbook(streamed)
        print(f"  workbook as Excel saves it: {len(data) / 1024 / 1024:.1f} MB, {connection.vendor}")

        def do(dry_run=False, content=data):
            report = registry_import(
                actor=admin, street=street, fileobj=content, filename="bench.xlsx", dry_run=dry_run
            )
            assert report.ok, report.errors[:5]
            return report

        timed("read workbook (openpyxl)", units, lambda: read_workbook(data))
        timed("read workbook as openpyxl writes it", units, lambda: read_workbook(streamed))
        timed("read + validate (dry run)", units, lambda: do(dry_run=True))
        report = timed("read + validate + write (import)", units, do)
        assert report.counts["房屋"].created == units, report.counts["房屋"]
        report = timed("re-import, nothing changes", units, do)
        assert report.counts["房屋"].unchanged == units
        exported = timed("export whole registry", units, lambda: export_workbook(user=admin, street=street))
        report = timed("import the export as written", units, lambda: do(content=exported))
        assert sum(c.created + c.updated for c in report.counts.values()) == 0
        resaved = excel_like(exported)
        report = timed("import the export saved by Excel", units, lambda: do(content=resaved))
        assert sum(c.created + c.updated for c in report.counts.values()) == 0
        print(
            f"  units in database: {r.Unit.objects.filter(building__estate__area__street=street).count():,}"
        )
    finally:
        if postgres:
            teardown_databases(old, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=40_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.backend:
        run_backend(args.units)
        return
    backends = ["sqlite"] + (["postgresql"] if os.environ.get("DATABASE_URL") else [])
    for backend in backends:
        print(f"{backend}: {args.units:,} units")
        with tempfile.TemporaryDirectory() as var_dir:
            env = dict(os.environ, GONGZHI_VAR_DIR=var_dir)
            if backend == "sqlite":
                env.pop("DATABASE_URL", None)
            command = [sys.executable, __file__, "--units", str(args.units), "--backend", backend]
            subprocess.run(command, env=env, check=True, cwd=ROOT)  # noqa: S603 (our own script)


if __name__ == "__main__":
    main()
