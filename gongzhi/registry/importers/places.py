"""Checking the rows of areas, estates, buildings, units and their owners."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.registry.importers.reading import Reader
from gongzhi.registry.importers.sheets import Sheet
from gongzhi.registry.importers.tables import Line, Table, Want


class PlacesCheck(Reader):
    """Areas (with their residents' committee and branch), estates, buildings, units, owners."""

    def _plan_areas(self, spec: Sheet, lines: list[Line]) -> None:
        seen: dict = {}
        for line in lines:
            name = line.values.get("name")
            if not line.ok("name") or self._duplicate(
                spec, line, seen, name, spec.column("name").header, gettext_lazy("居民区名称")
            ):
                continue
            self.t["居民区"].wanted[name] = Want(
                spec.title, line.row, self._fields(line, {"address": "address"})
            )
            for label, name_field, extra in (
                ("居委会", "rc_name", {"rc_director": "director_name", "rc_phone": "phone"}),
                (
                    "联合党支部",
                    "branch_name",
                    {"branch_secretary": "secretary_name", "branch_founded": "founded_on"},
                ),
            ):
                if line.values.get(name_field):
                    fields = {"name": line.values[name_field], **self._fields(line, extra)}
                    self.t[label].wanted[name] = Want(spec.title, line.row, fields)
                elif any(line.values.get(k) for k in extra):
                    self.error(
                        spec,
                        line.row,
                        spec.column(name_field).header,
                        _("填写了%(what)s的其他信息，请同时填写“%(column)s”。")
                        % {"what": label, "column": spec.column(name_field).header},
                    )

    def _known_area(self, spec: Sheet, line: Line) -> str | None:
        name = line.values.get("area")
        if not line.ok("area") or not name:
            return None
        if not self.t["居民区"].known(name):
            self.cell_error(
                spec,
                line,
                "area",
                _("未找到居民区“%(name)s”，请先在“居民区”表中填写或检查名称。") % {"name": name},
            )
            return None
        return name

    def _plan_estates(self, spec: Sheet, lines: list[Line]) -> None:
        seen: dict = {}
        for line in lines:
            area = self._known_area(spec, line)
            name = line.values.get("name")
            if area is None or not line.ok("name"):
                continue
            key = (area, name)
            if self._duplicate(
                spec, line, seen, key, spec.column("name").header, gettext_lazy("同一居民区的同名小区")
            ):
                continue
            fields = self._fields(line, {"address": "address", "build_year": "build_year"})
            if not line.ok("build_year"):
                fields.pop("build_year", None)
            self.t["小区"].wanted[key] = Want(spec.title, line.row, fields)

    def _estate_index(self) -> dict[str, list[str]]:
        """Estate name → the areas that have an estate of that name (stored or in this file)."""
        if self._estates_by_name is None:
            index: dict[str, set[str]] = defaultdict(set)
            for area, name in [*self.t["小区"].existing, *self.t["小区"].wanted]:
                index[name].add(area)
            self._estates_by_name = {name: sorted(areas) for name, areas in index.items()}
        return self._estates_by_name

    def _estate_ref(self, spec: Sheet, line: Line) -> tuple[str, str] | None:
        name = line.values.get("estate")
        if not line.ok("estate", "area") or not name:
            return None
        if line.values.get("area"):
            area = self._known_area(spec, line)
            if area is None:
                return None
            if not self.t["小区"].known((area, name)):
                self.cell_error(
                    spec,
                    line,
                    "estate",
                    _("居民区“%(area)s”下没有小区“%(name)s”，请先在“小区”表中填写或检查名称。")
                    % {"area": area, "name": name},
                )
                return None
            return (area, name)
        areas = self._estate_index().get(name, [])
        if not areas:
            self.cell_error(
                spec,
                line,
                "estate",
                _("未找到小区“%(name)s”，请先在“小区”表中填写或检查名称。") % {"name": name},
            )
            return None
        if len(areas) > 1:
            hint = (
                _("请在“居民区”列注明") if "area" in self.present[spec.key] else _("请增加“居民区”列并注明")
            )
            self.cell_error(
                spec,
                line,
                "estate",
                _("有多个居民区都有名为“%(name)s”的小区（%(areas)s），%(hint)s是哪个居民区的。")
                % {"name": name, "areas": "、".join(areas), "hint": hint},
            )
            return None
        return (areas[0], name)

    def _plan_units(self, spec: Sheet, lines: list[Line]) -> None:
        seen: dict = {}
        floors: dict[tuple, tuple[int, int]] = {}  # building → (floors, row that said so)
        owners: dict[str, tuple[int, dict[str, Any]]] = {}  # ref → (first row, fields)
        has_owner = "owner_ref" in self.present[spec.key]
        buildings, units, owner_table = self.t["楼栋"], self.t["房屋"], self.t["业主"]
        for line in lines:
            estate = self._estate_ref(spec, line)
            if estate is None or not line.ok("building", "number"):
                continue
            building_key = (*estate, line.values["building"])
            unit_key = (*building_key, line.values["number"])
            if self._duplicate(
                spec,
                line,
                seen,
                unit_key,
                spec.column("number").header,
                gettext_lazy("同一小区、同一楼号的同一室号"),
            ):
                continue
            # The building: one row per unit carries the building's floors.
            want = buildings.wanted.get(building_key)
            if want is None:
                want = buildings.wanted[building_key] = Want(spec.title, line.row, {})
                if "floors" in line.values:
                    want.fields["floors"] = None
            value = line.values.get("floors")
            if value is not None and line.ok("floors"):
                if building_key in floors and floors[building_key][0] != value:
                    first_value, first_row = floors[building_key]
                    self.cell_error(
                        spec,
                        line,
                        "floors",
                        _("同一楼栋的层数应一致：第 %(row)d 行为 %(other)d，本行为 %(value)d。")
                        % {"row": first_row, "other": first_value, "value": value},
                    )
                else:
                    floors.setdefault(building_key, (value, line.row))
                    want.fields["floors"] = value
            # The owner, shared by every unit with the same ref.
            fields = {"area": line.values.get("floor_area")} if line.ok("floor_area") else {}
            if "area_source" in line.values:
                fields["area_source"] = line.values["area_source"]
            if has_owner and line.ok("owner_ref"):
                ref = line.values["owner_ref"]
                fields["owner"] = ref
                if ref is None:
                    if any(line.values.get(k) for k in ("owner_name", "owner_phone")):
                        self.cell_error(
                            spec,
                            line,
                            "owner_ref",
                            _("填写了业主信息，请同时填写业主编号（同一业主的多套房屋用同一编号）。"),
                        )
                else:
                    self._plan_owner(spec, line, ref, owners, owner_table)
            units.wanted[unit_key] = Want(spec.title, line.row, fields)

    def _plan_owner(self, spec: Sheet, line: Line, ref: str, owners: dict, owner_table: Table) -> None:
        names = {"owner_name": "name", "owner_kind": "kind", "owner_phone": "phone"}
        if not line.ok(*names):
            return
        fields = self._fields(line, names)
        if "name" in fields and not fields["name"]:
            self.cell_error(spec, line, "owner_name", _("填写了业主编号时，业主姓名必填。"))
            return
        if "name" not in fields and not owner_table.known(ref):
            self.error(
                spec,
                line.row,
                spec.column("owner_ref").header,
                _("业主编号“%(ref)s”是新业主，表中需要有“业主姓名”列。") % {"ref": ref},
            )
            return
        if ref in owners:
            first_row, first = owners[ref]
            for name, value in fields.items():
                if first.get(name) != value:
                    key = next(k for k, f in names.items() if f == name)
                    self.cell_error(
                        spec,
                        line,
                        key,
                        _("业主编号“%(ref)s”在第 %(row)d 行的%(column)s不同；同一业主的信息应一致。")
                        % {"ref": ref, "row": first_row, "column": spec.column(key).header},
                    )
                    return
            return
        owners[ref] = (line.row, fields)
        owner_table.wanted[ref] = Want(spec.title, line.row, fields)
