"""Checking the rows of owners' committee members and of the joint party branches' members."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.registry import models as r
from gongzhi.registry.importers.places import PlacesCheck
from gongzhi.registry.importers.sheets import Sheet
from gongzhi.registry.importers.tables import Line, Want


class CommitteesCheck(PlacesCheck):
    """Owners' committee members (one director per term) and branch members (members are party members)."""

    def _plan_committee_members(self, spec: Sheet, lines: list[Line]) -> None:
        seen: dict = {}
        terms: dict[tuple, tuple] = {}  # committee key → (term_end, row)
        names = {
            "position": "position",
            "is_party_member": "is_party_member",
            "is_cross_appointed": "is_cross_appointed",
            "phone": "phone",
        }
        committees, members = self.t["业委会"], self.t["业委会委员"]
        for line in lines:
            estate = self._estate_ref(spec, line)
            start, end = line.values.get("term_start"), line.values.get("term_end")
            if start and end and end <= start:
                self.cell_error(
                    spec, line, "term_end", _("任期结束必须晚于任期开始（%(start)s）。") % {"start": start}
                )
            if estate is None or line.bad:
                continue
            committee_key = (estate, start)
            if committee_key in terms and terms[committee_key][0] != end:
                other_end, other_row = terms[committee_key]
                self.cell_error(
                    spec,
                    line,
                    "term_end",
                    _("同一届业委会（任期开始 %(start)s）的任期结束应一致：第 %(row)d 行为 %(other)s。")
                    % {"start": start, "row": other_row, "other": other_end},
                )
                continue
            terms.setdefault(committee_key, (end, line.row))
            if self._duplicate(
                spec,
                line,
                seen,
                (committee_key, line.values["name"]),
                spec.column("name").header,
                gettext_lazy("同一届业委会的同名委员"),
            ):
                continue
            committees.wanted.setdefault(committee_key, Want(spec.title, line.row, {"term_end": end}))
            members.wanted[(committee_key, line.values["name"])] = Want(
                spec.title, line.row, self._fields(line, names)
            )

    def _check_one_director(self, spec: Sheet) -> None:
        members = self.t["业委会委员"]
        directors: dict[tuple, list] = defaultdict(list)
        for committee, name in {*members.existing, *members.wanted}:
            if members.value((committee, name), "position") == r.CommitteePosition.DIRECTOR:
                want = members.wanted.get((committee, name))
                directors[committee].append((name, want.row if want else None))
        for people in directors.values():
            if len(people) < 2:
                continue
            for name, row in people:
                if row is not None:
                    others = "、".join(n for n, _row in people if n != name)
                    self.error(
                        spec,
                        row,
                        spec.column("position").header,
                        _("同一届业委会只能有一名主任，另有主任：%(others)s。") % {"others": others},
                    )

    def _plan_branch_members(self, spec: Sheet, lines: list[Line]) -> None:
        seen: dict = {}
        names = {
            "organisation": "organisation",
            "position": "position",
            "membership": "membership",
            "is_party_member": "is_party_member",
            "phone": "phone",
        }
        table = self.t["支部成员"]
        for line in lines:
            area = self._known_area(spec, line)
            if area is not None and not self.t["联合党支部"].known(area):
                self.cell_error(
                    spec,
                    line,
                    "area",
                    _("居民区“%(name)s”还没有物业治理联合党支部，请先在“居民区”表填写支部名称。")
                    % {"name": area},
                )
                continue
            if area is None or line.bad:
                continue
            key = (area, line.values["name"])
            if self._duplicate(
                spec, line, seen, key, spec.column("name").header, gettext_lazy("同一支部的同名成员")
            ):
                continue
            fields = self._fields(line, names)
            party = fields.get("is_party_member", table.value(key, "is_party_member", True))
            if fields["membership"] == r.BranchMembership.MEMBER and not party:
                self.cell_error(
                    spec,
                    line,
                    "is_party_member" if "is_party_member" in fields else "membership",
                    _("身份为“支部成员”（有表决权）的必须是党员；非党员请填“列席（无表决权）”。"),
                )
                continue
            table.wanted[key] = Want(spec.title, line.row, fields)
