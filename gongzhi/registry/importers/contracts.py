"""Checking the rows of property companies and their contracts (no overlapping terms)."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.registry.importers.places import PlacesCheck
from gongzhi.registry.importers.sheets import Sheet
from gongzhi.registry.importers.tables import Line, Period, Want


class ContractsCheck(PlacesCheck):
    """Companies, and contracts whose terms never overlap within one estate."""

    def _plan_companies(self, spec: Sheet, lines: list[Line]) -> None:
        seen: dict = {}
        names = {
            "credit_code": "credit_code",
            "ownership": "ownership",
            "contact_name": "contact_name",
            "contact_phone": "contact_phone",
        }
        for line in lines:
            name = line.values.get("name")
            if not line.ok("name") or self._duplicate(
                spec, line, seen, name, spec.column("name").header, gettext_lazy("企业名称")
            ):
                continue
            self.t["物业企业"].wanted[name] = Want(spec.title, line.row, self._fields(line, names))

    def _plan_contracts(self, spec: Sheet, lines: list[Line]) -> None:
        seen: dict = {}
        names = {
            "company": "company",
            "end_date": "end_date",
            "fee_standard": "fee_standard",
            "service_level": "service_level",
            "collection_rate": "collection_rate",
        }
        for line in lines:
            estate = self._estate_ref(spec, line)
            company = line.values.get("company")
            if company and line.ok("company") and not self.t["物业企业"].known(company):
                self.cell_error(
                    spec,
                    line,
                    "company",
                    _("未找到物业企业“%(name)s”，请先在“物业企业”表中填写或检查名称。") % {"name": company},
                )
            start, end = line.values.get("start_date"), line.values.get("end_date")
            if start and end and end <= start:
                self.cell_error(
                    spec, line, "end_date", _("结束日期必须晚于开始日期（%(start)s）。") % {"start": start}
                )
            if estate is None or not start or line.bad:
                continue
            key = (estate, start)
            if self._duplicate(
                spec,
                line,
                seen,
                key,
                spec.column("start_date").header,
                gettext_lazy("同一小区同一开始日期的合同"),
            ):
                continue
            self.t["物业合同"].wanted[key] = Want(spec.title, line.row, self._fields(line, names))

    def _check_contract_overlaps(self, spec: Sheet) -> None:
        """An estate has at most one contract in force on any day (as ``services._check_contract``)."""
        table = self.t["物业合同"]
        by_estate: dict[tuple, list[Period]] = defaultdict(list)
        for estate, start in {*table.existing, *table.wanted}:
            key = (estate, start)
            want = table.wanted.get(key)
            by_estate[estate].append(
                Period(
                    start,
                    table.value(key, "end_date"),
                    table.value(key, "company"),
                    want.row if want else None,
                )
            )
        for periods in by_estate.values():
            periods.sort(key=lambda p: p.start)
            flagged: set[int] = set()
            for j, later in enumerate(periods):
                for earlier in periods[:j]:
                    if earlier.end < later.start:
                        continue
                    row, other = (later.row, earlier) if later.row is not None else (earlier.row, later)
                    if row is None or row in flagged:
                        continue  # two stored contracts: not this file's problem
                    flagged.add(row)
                    where = (
                        _("第 %(row)d 行的合同") % {"row": other.row} if other.row else _("系统中已有的合同")
                    )
                    self.error(
                        spec,
                        row,
                        spec.column("start_date").header,
                        _(
                            "合同期与%(where)s（%(company)s,%(start)s 至 %(end)s）重叠；同一小区的合同期不能重叠。"
                        )
                        % {"where": where, "company": other.company, "start": other.start, "end": other.end},
                    )
