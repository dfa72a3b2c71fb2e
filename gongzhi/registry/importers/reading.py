"""Step 1: the workbook's sheets and header rows, and each row's cells parsed into a line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from gongzhi.core.excel import (
    CellError,
    HeaderMap,
    Row,
    helper_sheet,
    map_header,
    normalise_header,
)
from gongzhi.registry import models as r
from gongzhi.registry.importers.report import RowError
from gongzhi.registry.importers.sheets import Sheet, sheets
from gongzhi.registry.importers.tables import Line, Table


class Reader:
    """One workbook against one street: the errors found, the parsed lines, the wanted-vs-stored tables."""

    def __init__(
        self,
        street: r.Street,
        workbook: dict[str, list[Row]],
        progress: Callable[[int, int], None] | None = None,
    ):
        self.street = street
        self.workbook = workbook
        # progress(rows checked, rows in the file): the background import's progress bar (jobs.py)
        self.progress = progress
        self.rows_total = sum(max(0, len(rows) - 1) for rows in workbook.values())
        self.rows_checked = 0
        self.errors: list[RowError] = []
        self.specs = {s.key: s for s in sheets()}
        self.lines: dict[str, list[Line]] = {}
        self.present: dict[str, set[str]] = {}
        self.rows: dict[str, int] = {}
        self._estates_by_name: dict[str, list[str]] | None = None
        self.file_errors = False  # a sheet or a header is wrong: rows are not checked further
        self.t = {
            label: Table(label, model)
            for label, model in (
                ("居民区", r.Area),
                ("居委会", r.ResidentsCommittee),
                ("联合党支部", r.Branch),
                ("小区", r.Estate),
                ("物业企业", r.Company),
                ("业主", r.Owner),
                ("楼栋", r.Building),
                ("房屋", r.Unit),
                ("物业合同", r.Contract),
                ("业委会", r.OwnersCommittee),
                ("业委会委员", r.CommitteeMember),
                ("支部成员", r.BranchMember),
            )
        }

    # -- errors
    def error(self, spec: Sheet | None, row: int | None, column: str, message: str) -> None:
        self.errors.append(RowError(spec.title if spec else "", row, column, message))

    def cell_error(self, spec: Sheet, line: Line, key: str, message: str) -> None:
        line.bad.add(key)
        self.error(spec, line.row, spec.column(key).header, message)

    # -- step 1: sheets and headers
    def read_sheets(self) -> None:
        by_title = {normalise_header(s.title): s for s in self.specs.values()}
        seen: set[str] = set()
        for title, rows in self.workbook.items():
            spec = by_title.get(normalise_header(title))
            if spec is None:
                if rows and not helper_sheet(title):
                    self.file_errors = True
                    self.error(
                        None,
                        None,
                        "",
                        _("无法识别的工作表“%(title)s”。工作表名称应为：%(titles)s。")
                        % {"title": title, "titles": "、".join(s.title for s in self.specs.values())},
                    )
                continue
            if not rows:
                continue
            if spec.key in seen:
                self.file_errors = True
                self.error(spec, None, "", _("文件中有两个“%(title)s”工作表。") % {"title": spec.title})
                continue
            seen.add(spec.key)
            mapped = self._map_header(spec, rows[0])
            if mapped is None:
                self.file_errors = True
            else:
                self.present[spec.key] = set(mapped.positions)
                self.lines[spec.key] = self._parse_rows(spec, mapped, rows[1:])
                self.rows[spec.title] = len(rows) - 1
        if not self.errors and not any(self.lines.values()):
            self.error(
                None,
                None,
                "",
                _(
                    "文件中没有可导入的数据。工作表名称应为：%(titles)s，第一行为列名，从第二行起每行一条记录。"
                )
                % {"titles": "、".join(s.title for s in self.specs.values())},
            )

    def _map_header(self, spec: Sheet, header: Row) -> HeaderMap | None:
        mapped = map_header(header, {c.key: (c.header, *c.aliases) for c in spec.columns})
        mapping = mapped.positions
        ok = not mapped.repeated and not mapped.unknown
        for key, _index in mapped.repeated:
            self.error(spec, header.number, spec.column(key).header, _("这一列出现了两次。"))
        for _index, text in mapped.unknown:
            self.error(
                spec,
                header.number,
                text,
                _("无法识别的列名“%(name)s”。本表可用的列：%(headers)s。")
                % {"name": text, "headers": "、".join(spec.headers)},
            )
        for column in spec.columns:
            if column.required and column.key not in mapping:
                ok = False
                self.error(
                    spec, header.number, column.header, _("缺少必填列“%(name)s”。") % {"name": column.header}
                )
        if spec.key == "units" and "owner_ref" not in mapping:
            for key in ("owner_name", "owner_kind", "owner_phone"):
                if key in mapping:
                    ok = False
                    self.error(
                        spec,
                        header.number,
                        spec.column(key).header,
                        _("有业主信息的列时，必须同时有“业主编号”列。"),
                    )
        return mapped if ok else None

    def _parse_rows(self, spec: Sheet, mapped: HeaderMap, rows: list[Row]) -> list[Line]:
        columns = [(spec.column(key), index) for key, index in mapped.positions.items()]
        lines = []
        for row in rows:
            line = Line(row.number, {})
            cells = row.values
            for column, index in columns:
                raw = cells[index] if index < len(cells) else None
                if raw is None:
                    if column.required:
                        self.cell_error(spec, line, column.key, _("必填，不能为空。"))
                        line.values[column.key] = None
                    else:
                        line.values[column.key] = column.blank
                    continue
                try:
                    line.values[column.key] = column.parse(raw)
                except CellError as exc:
                    self.cell_error(spec, line, column.key, exc.message)
                    line.values[column.key] = None
            stray = mapped.stray_cell(row)
            if stray is not None:
                self.error(
                    spec,
                    row.number,
                    get_column_letter(stray + 1),
                    _("这一列没有列名，但填了内容。请删除或补上列名。"),
                )
            lines.append(line)
            if self.progress is not None:
                self.rows_checked += 1
                self.progress(self.rows_checked, self.rows_total)
        return lines

    @staticmethod
    def _fields(line: Line, names: dict[str, str]) -> dict[str, Any]:
        """Model field → value for the columns present in the sheet (``names``: column key → field)."""
        return {f: line.values[k] for k, f in names.items() if k in line.values}

    def _duplicate(self, spec: Sheet, line: Line, seen: dict, key, column: str, what: str) -> bool:
        if key in seen:
            self.error(
                spec,
                line.row,
                column,
                _("与第 %(row)d 行重复：%(what)s只能出现一次。") % {"row": seen[key], "what": what},
            )
            return True
        seen[key] = line.row
        return False
