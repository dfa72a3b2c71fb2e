"""Importing the registry (台账) from an Excel workbook, all or nothing (docs/DESIGN.md §4.1).

One workbook holds up to seven sheets (``SHEETS``, in dependency order). Every row of every
sheet is checked first and every problem is reported as (sheet, row as Excel shows it, column,
reason in plain Chinese). Only a workbook without a single problem is written, inside one
transaction, with bulk inserts/updates and one audit event.

Records are matched by natural key within the street, so importing the same file twice changes
nothing, and an exported sheet imports back unchanged (``exporters.py`` writes this format):

    居民区      area name                       小区       area + estate name
    楼栋        estate + building number        房屋       building + unit number
    业主        owner ref (业主编号)             物业企业   company name
    物业合同    estate + start date             业委会     estate + term start
    业委会委员  committee + member name          支部成员   area (its branch) + member name

Nothing is ever deleted. A blank cell in a column that is present clears that value (or sets
the field's default); a column that is absent leaves the stored value as it is.

The package, by topic: ``sheets`` (the sheets and their columns), ``reading`` (sheets, header rows
and cells → lines), ``places`` / ``contracts`` / ``committees`` (the checks of each topic's rows),
``tables`` (wanted vs stored, and the bulk write), ``report``, ``service`` (``registry_import``)
and ``templates`` (the empty workbook).
"""

from gongzhi.registry.importers.report import ImportReport, RowError
from gongzhi.registry.importers.service import import_start, import_upload, registry_import
from gongzhi.registry.importers.sheets import SHEET_KEYS, SHEETS, sheet, sheets
from gongzhi.registry.importers.templates import (
    column_specs,
    notes_rows,
    template_response,
    template_workbook,
)

__all__ = [
    "SHEETS",
    "SHEET_KEYS",
    "ImportReport",
    "RowError",
    "column_specs",
    "import_start",
    "import_upload",
    "notes_rows",
    "registry_import",
    "sheet",
    "sheets",
    "template_response",
    "template_workbook",
]
