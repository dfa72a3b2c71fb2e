"""What an import tells the user: counts, and every problem as (sheet, row, column, reason)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from gongzhi.core.excel import (
    ColumnSpec,
    SheetSpec,
    build_workbook,
)

# ---- Report ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem: the sheet, the row as Excel numbers it (None for the whole file), column, reason."""

    sheet: str
    row: int | None
    column: str
    message: str

    def as_list(self) -> list[str]:
        return [self.sheet, "" if self.row is None else str(self.row), self.column, self.message]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    filename: str = ""
    sha256: str = ""
    dry_run: bool = False
    written: bool = False
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, Counts] = field(default_factory=dict)  # by COUNT_LABELS
    rows: dict[str, int] = field(default_factory=dict)  # data rows read, by sheet title

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts_as_dict(self) -> dict[str, dict[str, int]]:
        return {
            label: {"created": c.created, "updated": c.updated, "unchanged": c.unchanged}
            for label, c in self.counts.items()
        }

    def summary_lines(self) -> list[str]:
        return [
            _("%(label)s：新增 %(created)d，更新 %(updated)d，未变 %(unchanged)d")
            % {"label": label, "created": c.created, "updated": c.updated, "unchanged": c.unchanged}
            for label, c in self.counts.items()
            if c.created or c.updated or c.unchanged
        ]

    def error_table(self) -> list[list[str]]:
        """Header + one row per error, for a page, the command line, or an .xlsx error report."""
        return [[_("工作表"), _("行"), _("列"), _("问题")], *(e.as_list() for e in self.errors)]

    def error_workbook(self) -> bytes:
        """The error list as an .xlsx the user can keep beside the file while fixing it."""
        header, *rows = self.error_table()
        return build_workbook([SheetSpec(_("错误清单"), [ColumnSpec(h) for h in header], rows)])
