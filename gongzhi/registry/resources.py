"""The registry's record types as the office pages see them: columns, filters, search,
form fields and annotations, declared once per type.

The generic views in ``views.py`` read these declarations, and every queryset they build
starts from ``gongzhi.core.scopes.visible`` — the one door. Annotations are subqueries,
so a list page runs a constant number of queries however many rows it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.masking import mask_phone
from gongzhi.core.models import Role
from gongzhi.core.scopes import Scope
from gongzhi.core.validators import parse_id
from gongzhi.registry import models as r

# ---- columns ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""
    css: str = ""  # "num", or a badge colour: "badge red|green|amber|blue"


def _path(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if obj is None:
            return None
        try:
            obj = getattr(obj, part)
        except ObjectDoesNotExist:  # an empty one-to-one (an area without a residents' committee yet)
            return None
    return obj


_CHOICE_LABELS: dict[tuple[type, str, str | None], dict[Any, str]] = {}


def choice_label(obj: Any, name: str) -> Any:
    """What ``obj.get_<name>_display()`` answers, from a table built once per field and language:
    Django's builds and hashes the field's whole choice list on every call (one translation look-up
    per choice), which a list of 36,000 units pays 36,000 times (issue 17)."""
    model = type(obj)
    key = (model, name, translation.get_language())
    labels = _CHOICE_LABELS.get(key)
    if labels is None:
        labels = {value: str(label) for value, label in model._meta.get_field(name).flatchoices}
        _CHOICE_LABELS[key] = labels
    value = getattr(obj, name)
    return labels.get(value, value)


def fmt(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("是")) if value else str(_("否"))
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@dataclass(frozen=True)
class Column:
    key: str  # dotted attribute path, or the name for ``value``
    label: Any
    sort: str = ""  # order_by expression; empty = not sortable
    num: bool = False
    link: bool = False  # link to the row's detail page
    value: Callable[[Any, Scope], Cell | str | None] | None = None
    digits: bool = True  # thousands separators (not for years)

    def cell(self, obj: Any, scope: Scope, detail_url: str) -> Cell:
        raw = self.value(obj, scope) if self.value else _path(obj, self.key)
        if isinstance(raw, Cell):
            return raw
        if not self.value and hasattr(obj, f"get_{self.key}_display"):
            raw = choice_label(obj, self.key)
        text = str(raw) if (not self.digits and raw is not None) else fmt(raw)
        return Cell(text, url=detail_url if self.link else "", css="num" if self.num else "")

    def export_value(self, obj: Any, scope: Scope) -> Any:
        """What an Excel cell gets: numbers stay numbers (so they sum), the rest as shown."""
        if self.num and not self.value:
            return _path(obj, self.key)
        text = self.cell(obj, scope, "").text
        return "" if text == "—" else text


def badge(text: Any, colour: str) -> Cell:
    return Cell(str(text), css=f"badge {colour}")


# ---- filters ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    key: str  # GET parameter
    label: Any
    lookup: str = ""  # queryset lookup taking the chosen id/value
    model: type | None = None  # choices are the visible rows of this model
    choices: tuple[tuple[str, Any], ...] = ()
    apply: Callable[[QuerySet, str], QuerySet] | None = None
    hidden: bool = False  # usable as a URL parameter (links from detail pages) but not offered as a menu
    needs: tuple[str, str] = ()  # (other filter, lookup on this model): offered once that one is chosen

    def filter(self, queryset: QuerySet, raw: str) -> QuerySet:
        if self.apply:
            return self.apply(queryset, raw)
        if self.model is not None:
            pk = parse_id(raw)
            return queryset.none() if pk is None else queryset.filter(**{self.lookup: pk})
        if self.choices and raw not in {c[0] for c in self.choices}:
            return queryset.none()
        return queryset.filter(**{self.lookup: raw})


YES_NO = (("1", _("是")), ("0", _("否")))

# ---- annotations -----------------------------------------------------------------------------------


def _sub(queryset: QuerySet, value, output_field):
    return Coalesce(
        Subquery(queryset.values(value)[:1], output_field=output_field), Value(0), output_field=output_field
    )


def _per_estate_units(estate_ref: str) -> QuerySet:
    return r.Unit.objects.filter(building__estate=OuterRef(estate_ref)).order_by().values("building__estate")


def annotate_estates(qs: QuerySet) -> QuerySet:
    units = _per_estate_units("pk")
    active = r.Contract.objects.active().filter(estate=OuterRef("pk")).order_by("-start_date")
    buildings = r.Building.objects.filter(estate=OuterRef("pk")).order_by().values("estate")
    return qs.select_related("area").annotate(
        unit_count=_sub(units.annotate(n=Count("pk")), "n", IntegerField()),
        owner_count=_sub(units.annotate(n=Count("owner", distinct=True)), "n", IntegerField()),
        total_area=_sub(units.annotate(s=Sum("area")), "s", DecimalField(max_digits=14, decimal_places=2)),
        building_count=_sub(buildings.annotate(n=Count("pk")), "n", IntegerField()),
        company_name=Subquery(active.values("company__name")[:1]),
        company_pk=Subquery(active.values("company_id")[:1]),
        fee_standard=Subquery(
            active.values("fee_standard")[:1], output_field=DecimalField(max_digits=6, decimal_places=2)
        ),
        collection_rate=Subquery(
            active.values("collection_rate")[:1], output_field=DecimalField(max_digits=5, decimal_places=2)
        ),
    )


def annotate_areas(qs: QuerySet) -> QuerySet:
    estates = r.Estate.objects.filter(area=OuterRef("pk")).order_by().values("area")
    return qs.select_related("street", "residents_committee", "branch").annotate(
        estate_count=_sub(estates.annotate(n=Count("pk")), "n", IntegerField()),
        old_count=_sub(estates.old().annotate(n=Count("pk")), "n", IntegerField()),
    )


def annotate_buildings(qs: QuerySet) -> QuerySet:
    units = r.Unit.objects.filter(building=OuterRef("pk")).order_by().values("building")
    return qs.select_related("estate").annotate(
        unit_count=_sub(units.annotate(n=Count("pk")), "n", IntegerField()),
        total_area=_sub(units.annotate(s=Sum("area")), "s", DecimalField(max_digits=14, decimal_places=2)),
    )


def annotate_owners(qs: QuerySet) -> QuerySet:
    units = r.Unit.objects.filter(owner=OuterRef("pk")).order_by().values("owner")
    first_estate = r.Unit.objects.filter(owner=OuterRef("pk")).order_by("pk")
    return qs.annotate(
        unit_count=_sub(units.annotate(n=Count("pk")), "n", IntegerField()),
        total_area=_sub(units.annotate(s=Sum("area")), "s", DecimalField(max_digits=14, decimal_places=2)),
        estate_pk=Subquery(first_estate.values("building__estate_id")[:1]),
        estate_name=Subquery(first_estate.values("building__estate__name")[:1]),
    )


def annotate_companies(qs: QuerySet) -> QuerySet:
    active = r.Contract.objects.active().filter(company=OuterRef("pk")).order_by().values("company")
    return qs.annotate(
        estate_count=_sub(active.annotate(n=Count("estate", distinct=True)), "n", IntegerField()),
        old_estate_count=_sub(
            active.filter(estate__build_year__lt=r.OLD_ESTATE_BEFORE_YEAR).annotate(
                n=Count("estate", distinct=True)
            ),
            "n",
            IntegerField(),
        ),
    )


def annotate_committees(qs: QuerySet) -> QuerySet:
    members = r.CommitteeMember.objects.filter(committee=OuterRef("pk")).order_by().values("committee")
    return qs.select_related("estate", "estate__area").annotate(
        member_count=_sub(members.annotate(n=Count("pk")), "n", IntegerField()),
        party_count=_sub(members.filter(is_party_member=True).annotate(n=Count("pk")), "n", IntegerField()),
        cross_count=_sub(
            members.filter(is_cross_appointed=True).annotate(n=Count("pk")), "n", IntegerField()
        ),
    )


def annotate_branches(qs: QuerySet) -> QuerySet:
    members = r.BranchMember.objects.filter(branch=OuterRef("pk")).order_by().values("branch")
    return qs.select_related("area").annotate(
        member_count=_sub(members.filter(membership="member").annotate(n=Count("pk")), "n", IntegerField()),
        attendee_count=_sub(
            members.filter(membership="attendee").annotate(n=Count("pk")), "n", IntegerField()
        ),
    )


# ---- cell helpers ----------------------------------------------------------------------------------


def _share(part: int, whole: int) -> str:
    return "—" if not whole else f"{Decimal(part * 100) / Decimal(whole):.0f}%"


def _owner_name(owner: r.Owner | None, scope: Scope, estate_id: int | None) -> str:
    if owner is None:
        return "—"
    return owner.name_for(scope, [estate_id])


def _owner_phone(owner: r.Owner, scope: Scope, estate_id: int | None) -> str:
    return owner.phone_for(scope, [estate_id]) if owner.phone else "—"


def _phone(phone: str, scope: Scope, estate_id: int | None) -> str:
    if not phone:
        return "—"
    return phone if scope.sees_personal_data(estate_id) else mask_phone(phone)


def _area_phone(phone: str, scope: Scope, area_id: int) -> str:
    # Members of an area's branch: unmasked for the street admin and the area's own roles.
    if not phone:
        return "—"
    return phone if (area_id in scope.area_ids or scope.admin_street_ids) else mask_phone(phone)


def contract_status(contract: r.Contract) -> Cell:
    today = timezone.localdate()
    if contract.end_date < today:
        return badge(_("已到期"), "")
    if contract.start_date > today:
        return badge(_("未开始"), "blue")
    if (contract.end_date - today).days <= 90:
        return badge(_("90天内到期"), "amber")
    return badge(_("履行中"), "green")


def committee_status(committee: r.OwnersCommittee) -> Cell:
    """The committee reports to the street 5 months before its term ends (Shanghai rules)."""
    today = timezone.localdate()
    if committee.term_end < today:
        return badge(_("任期已满"), "red")
    if committee.term_start > today:
        return badge(_("未开始"), "blue")
    if (committee.term_end - today).days <= 150:
        return badge(_("5个月内换届"), "amber")
    return badge(_("任期内"), "green")


def committee_election(committee: r.OwnersCommittee, scope: Scope) -> Cell:
    """The owners' vote that elected the committee (elections.services.committee_install_from_election), as a
    link to its public result; "—" for a committee recorded without one (an import of older terms)."""
    if committee.election_vote_id is None:
        return Cell("—")
    text = _("%(day)s业主大会选举") % {
        "day": committee.elected_on.isoformat() if committee.elected_on else ""
    }
    if committee.filed_on:
        text += _("（%(day)s备案）") % {"day": committee.filed_on.isoformat()}
    return Cell(str(text), url=reverse("decide:decision", args=[committee.election_vote_id]))


def _estate_old(estate: r.Estate, scope: Scope) -> Cell:
    return badge(_("老旧小区"), "amber") if estate.is_old else Cell("")


def _collection(estate: r.Estate, scope: Scope) -> Cell:
    rate = getattr(estate, "collection_rate", None)
    if rate is None:
        return Cell("—", css="num")
    colour = "red" if rate < 70 else ("amber" if rate < 90 else "green")
    return Cell(f"{rate:.2f}%", css=f"num rate-{colour}")


def _membership(member: r.BranchMember, scope: Scope) -> Cell:
    if member.membership == r.BranchMembership.ATTENDEE:
        return badge(member.get_membership_display(), "blue")
    return badge(member.get_membership_display(), "red")


def _contract_collection(contract: r.Contract, scope: Scope) -> Cell:
    return Cell("—" if contract.collection_rate is None else f"{contract.collection_rate:.2f}%", css="num")


def _company_link(estate: r.Estate, scope: Scope) -> Cell:
    from django.urls import reverse

    if not getattr(estate, "company_pk", None):
        return badge(_("无在管合同"), "red")
    return Cell(estate.company_name, url=reverse("registry:detail", args=["companies", estate.company_pk]))


# ---- the resources --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    key: str
    model: type
    title: Any
    columns: tuple[Column, ...]
    form_fields: tuple[str, ...]
    search: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ()
    annotate: Callable[[QuerySet], QuerySet] | None = None
    select_related: tuple[str, ...] = ()
    default_sort: str = "pk"  # order_by paths, comma-separated; text through the pinyin collation
    estate_path: str = ""  # attribute path to the estate id (for masking), if any
    import_sheet: str = ""  # key of the Excel sheet in registry/importers/sheets.py
    children: tuple[tuple[str, str], ...] = ()  # (resource key, filter parameter) shown on the detail page
    hidden_from: frozenset[str] = field(default_factory=frozenset)  # roles that may not open this list at all
    detail_fields: tuple[str, ...] = ()
    label: Callable[[Any, Scope], str] | None = None  # the record as a title; default ``str(obj)``

    @property
    def title_singular(self):
        return self.model._meta.verbose_name

    def label_for(self, obj: Any, scope: Scope) -> str:
        """The record's name in titles and breadcrumbs, as this scope may read it."""
        return self.label(obj, scope) if self.label else str(obj)

    def readable_by(self, scope: Scope) -> bool:
        if not scope.is_office:
            return False
        return not (scope.roles and scope.roles <= self.hidden_from)

    def queryset(self, base: QuerySet) -> QuerySet:
        qs = base.select_related(*self.select_related) if self.select_related else base
        return self.annotate(qs) if self.annotate else qs


def _fk_filter(key: str, label, lookup: str, model) -> Filter:
    return Filter(key, label, lookup=lookup, model=model)


def _owner_estate(qs: QuerySet, raw: str) -> QuerySet:
    pk = parse_id(raw)
    if pk is None:
        return qs.none()
    return qs.filter(pk__in=r.Unit.objects.filter(building__estate_id=pk).values("owner_id"))


def _estate_company(qs: QuerySet, raw: str) -> QuerySet:
    pk = parse_id(raw)
    if pk is None:
        return qs.none()
    return qs.filter(pk__in=r.Contract.objects.active().filter(company_id=pk).values("estate_id"))


def _contract_status(qs: QuerySet, raw: str) -> QuerySet:
    today = timezone.localdate()
    return {
        "active": qs.filter(start_date__lte=today, end_date__gte=today),
        "expired": qs.filter(end_date__lt=today),
        "future": qs.filter(start_date__gt=today),
    }.get(raw, qs.none())


def _committee_status(qs: QuerySet, raw: str) -> QuerySet:
    import datetime as dt

    today = timezone.localdate()
    return {
        "current": qs.filter(term_start__lte=today, term_end__gte=today),
        "due": qs.filter(
            term_start__lte=today, term_end__gte=today, term_end__lte=today + dt.timedelta(days=150)
        ),
        "expired": qs.filter(term_end__lt=today),
    }.get(raw, qs.none())


NO_HOUSEHOLDS = frozenset({Role.EVALUATOR})

RESOURCES: tuple[Resource, ...] = (
    Resource(
        key="areas",
        model=r.Area,
        title=pgettext_lazy("list title", "居民区"),
        columns=(
            Column("name", _("居民区"), sort="name", link=True),
            Column("estate_count", _("小区数"), sort="estate_count", num=True),
            Column("old_count", _("其中老旧小区"), sort="old_count", num=True),
            Column("residents_committee.name", _("居委会")),
            Column("branch.secretary_name", _("支部书记")),
            Column("address", _("办公地址")),
        ),
        form_fields=("street", "name", "address"),
        search=("name", "address"),
        annotate=annotate_areas,
        default_sort="name",
        import_sheet="areas",
        children=(("estates", "area"), ("residents-committees", "area"), ("branches", "area")),
    ),
    Resource(
        key="estates",
        model=r.Estate,
        title=pgettext_lazy("list title", "小区"),
        columns=(
            Column("name", _("小区"), sort="name", link=True),
            Column("area.name", _("居民区"), sort="area__name"),
            Column("build_year", _("建成年份"), sort="build_year", num=True, digits=False),
            Column("old", _("类型"), value=_estate_old),
            Column("building_count", _("楼栋"), sort="building_count", num=True),
            Column("unit_count", _("户数"), sort="unit_count", num=True),
            Column("owner_count", _("业主数"), sort="owner_count", num=True),
            Column("total_area", _("专有面积（m²）"), sort="total_area", num=True),
            Column("company", _("物业服务企业"), sort="company_name", value=_company_link),
            Column("fee_standard", _("物业费（元/m²/月）"), sort="fee_standard", num=True),
            Column("collection", _("收缴率"), sort="collection_rate", value=_collection),
        ),
        form_fields=("area", "name", "address", "build_year"),
        search=("name", "address", "area__name"),
        filters=(
            _fk_filter("area", _("居民区"), "area_id", r.Area),
            Filter("company", _("物业服务企业"), model=r.Company, apply=_estate_company),
            Filter(
                "old",
                _("老旧小区"),
                choices=YES_NO,
                apply=lambda qs, v: (
                    qs.old() if v == "1" else qs.filter(build_year__gte=r.OLD_ESTATE_BEFORE_YEAR)
                ),
            ),
        ),
        annotate=annotate_estates,
        default_sort="name",
        estate_path="pk",
        import_sheet="estates",
        children=(("buildings", "estate"), ("contracts", "estate"), ("committees", "estate")),
    ),
    Resource(
        key="buildings",
        model=r.Building,
        title=pgettext_lazy("list title", "楼栋"),
        columns=(
            Column("number", _("楼号"), sort="number", link=True),
            Column("estate.name", _("小区"), sort="estate__name"),
            Column("floors", _("层数"), sort="floors", num=True),
            Column("unit_count", _("户数"), sort="unit_count", num=True),
            Column("total_area", _("专有面积（m²）"), sort="total_area", num=True),
        ),
        form_fields=("estate", "number", "floors"),
        search=("number", "estate__name"),
        filters=(
            _fk_filter("area", _("居民区"), "estate__area_id", r.Area),
            _fk_filter("estate", _("小区"), "estate_id", r.Estate),
        ),
        annotate=annotate_buildings,
        default_sort="estate__name,number",
        estate_path="estate_id",
        children=(("units", "building"),),
    ),
    Resource(
        key="units",
        model=r.Unit,
        title=pgettext_lazy("list title", "房屋"),
        columns=(
            Column("number", _("室号"), sort="number", link=True),
            Column("building.number", _("楼号"), sort="building__number"),
            Column("building.estate.name", _("小区"), sort="building__estate__name"),
            Column("area", _("专有面积（m²）"), sort="area", num=True),
            Column("area_source", _("面积来源")),
            Column("owner", _("业主"), value=lambda u, s: _owner_name(u.owner, s, u.building.estate_id)),
            Column(
                "owner.kind",
                _("业主类型"),
                value=lambda u, s: choice_label(u.owner, "kind") if u.owner else None,
            ),
        ),
        form_fields=("building", "number", "area", "area_source", "owner"),
        search=("number", "building__number", "building__estate__name", "owner__ref"),
        filters=(
            _fk_filter("area", _("居民区"), "building__estate__area_id", r.Area),
            _fk_filter("estate", _("小区"), "building__estate_id", r.Estate),
            Filter(
                "building", _("楼栋"), lookup="building_id", model=r.Building, needs=("estate", "estate_id")
            ),
            Filter("owner", _("业主"), lookup="owner_id", model=r.Owner, hidden=True),
            Filter("source", _("面积来源"), lookup="area_source", choices=tuple(r.AreaSource.choices)),
        ),
        select_related=("building", "building__estate", "owner"),
        default_sort="building__estate__name,building__number,number",
        estate_path="building.estate_id",
        import_sheet="units",
        hidden_from=NO_HOUSEHOLDS,
    ),
    Resource(
        key="owners",
        model=r.Owner,
        title=pgettext_lazy("list title", "业主"),
        columns=(
            Column("ref", _("业主编号"), sort="ref", link=True),
            Column("name", _("业主姓名"), value=lambda o, s: _owner_name(o, s, o.estate_pk)),
            Column("kind", _("业主类型"), sort="kind"),
            Column("estate_name", _("小区"), sort="estate_name"),
            Column("unit_count", _("房屋套数"), sort="unit_count", num=True),
            Column("total_area", _("专有面积（m²）"), sort="total_area", num=True),
            Column("phone", _("联系电话"), value=lambda o, s: _owner_phone(o, s, o.estate_pk)),
        ),
        form_fields=("street", "ref", "name", "kind", "phone"),
        search=("ref",),
        filters=(
            Filter("estate", _("小区"), model=r.Estate, apply=_owner_estate),
            Filter("kind", _("业主类型"), lookup="kind", choices=tuple(r.OwnerKind.choices)),
        ),
        annotate=annotate_owners,
        default_sort="ref",
        estate_path="estate_pk",
        label=lambda o, s: o.name_for(s),
        hidden_from=NO_HOUSEHOLDS,
        children=(("units", "owner"),),
    ),
    Resource(
        key="companies",
        model=r.Company,
        title=pgettext_lazy("list title", "物业服务企业"),
        columns=(
            Column("name", _("企业名称"), sort="name", link=True),
            Column("ownership", _("企业性质"), sort="ownership"),
            Column("estate_count", _("在管小区"), sort="estate_count", num=True),
            Column("old_estate_count", _("其中老旧小区"), sort="old_estate_count", num=True),
            Column("credit_code", _("统一社会信用代码")),
            Column("contact_name", _("负责人")),
            Column("contact_phone", _("联系电话")),
        ),
        form_fields=("street", "name", "credit_code", "ownership", "contact_name", "contact_phone"),
        search=("name", "credit_code", "contact_name"),
        filters=(
            Filter("ownership", _("企业性质"), lookup="ownership", choices=tuple(r.CompanyOwnership.choices)),
        ),
        annotate=annotate_companies,
        default_sort="name",
        import_sheet="companies",
        children=(("contracts", "company"),),
    ),
    Resource(
        key="contracts",
        model=r.Contract,
        title=pgettext_lazy("list title", "物业服务合同"),
        columns=(
            Column("estate.name", _("小区"), sort="estate__name", link=True),
            Column("company.name", _("物业服务企业"), sort="company__name"),
            Column("start_date", _("开始日期"), sort="start_date"),
            Column("end_date", _("结束日期"), sort="end_date"),
            Column("status", _("状态"), value=lambda c, s: contract_status(c)),
            Column("fee_standard", _("物业费（元/m²/月）"), sort="fee_standard", num=True),
            Column("service_level", _("服务等级")),
            Column("collection_rate", _("收缴率"), sort="collection_rate", value=_contract_collection),
        ),
        form_fields=(
            "estate",
            "company",
            "start_date",
            "end_date",
            "fee_standard",
            "service_level",
            "collection_rate",
        ),
        search=("estate__name", "company__name"),
        filters=(
            _fk_filter("area", _("居民区"), "estate__area_id", r.Area),
            _fk_filter("estate", _("小区"), "estate_id", r.Estate),
            _fk_filter("company", _("物业服务企业"), "company_id", r.Company),
            Filter(
                "status",
                _("状态"),
                choices=(("active", _("履行中")), ("expired", _("已到期")), ("future", _("未开始"))),
                apply=_contract_status,
            ),
        ),
        select_related=("estate", "company"),
        default_sort="estate__name",
        estate_path="estate_id",
        import_sheet="contracts",
    ),
    Resource(
        key="committees",
        model=r.OwnersCommittee,
        title=pgettext_lazy("list title", "业委会"),
        columns=(
            Column("estate.name", _("小区"), sort="estate__name", link=True),
            Column("estate.area.name", _("居民区"), sort="estate__area__name"),
            Column("term_start", _("任期开始"), sort="term_start"),
            Column("term_end", _("任期结束"), sort="term_end"),
            Column("status", _("状态"), value=lambda c, s: committee_status(c)),
            Column("member_count", _("委员人数"), sort="member_count", num=True),
            Column(
                "party",
                _("党员占比"),
                value=lambda c, s: Cell(_share(c.party_count, c.member_count), css="num"),
            ),
            Column(
                "cross",
                _("交叉任职占比"),
                value=lambda c, s: Cell(_share(c.cross_count, c.member_count), css="num"),
            ),
            Column("election", _("选举依据"), value=committee_election),
        ),
        form_fields=("estate", "term_start", "term_end"),
        search=("estate__name",),
        filters=(
            _fk_filter("area", _("居民区"), "estate__area_id", r.Area),
            _fk_filter("estate", _("小区"), "estate_id", r.Estate),
            Filter(
                "status",
                _("状态"),
                choices=(("current", _("任期内")), ("due", _("5个月内换届")), ("expired", _("任期已满"))),
                apply=_committee_status,
            ),
        ),
        annotate=annotate_committees,
        default_sort="estate__name",
        estate_path="estate_id",
        children=(("committee-members", "committee"),),
    ),
    Resource(
        key="committee-members",
        model=r.CommitteeMember,
        title=pgettext_lazy("list title", "业委会委员"),
        columns=(
            Column("name", _("姓名"), sort="name", link=True),
            Column("committee.estate.name", _("小区"), sort="committee__estate__name"),
            Column("position", _("职务"), sort="position"),
            Column("is_party_member", _("党员"), sort="is_party_member"),
            Column("is_cross_appointed", _("交叉任职"), sort="is_cross_appointed"),
            Column("phone", _("联系电话"), value=lambda m, s: _phone(m.phone, s, m.committee.estate_id)),
        ),
        form_fields=("committee", "name", "position", "is_party_member", "is_cross_appointed", "phone"),
        search=("name", "committee__estate__name"),
        filters=(
            _fk_filter("estate", _("小区"), "committee__estate_id", r.Estate),
            _fk_filter("committee", _("业委会"), "committee_id", r.OwnersCommittee),
            Filter("party", _("党员"), lookup="is_party_member", choices=YES_NO),
        ),
        select_related=("committee", "committee__estate"),
        default_sort="committee__estate__name",
        estate_path="committee.estate_id",
        import_sheet="committee_members",
    ),
    Resource(
        key="residents-committees",
        model=r.ResidentsCommittee,
        title=pgettext_lazy("list title", "居委会"),
        columns=(
            Column("name", _("名称"), sort="name", link=True),
            Column("area.name", _("居民区"), sort="area__name"),
            Column("director_name", _("主任")),
            Column("phone", _("联系电话")),
        ),
        form_fields=("area", "name", "director_name", "phone"),
        search=("name", "area__name", "director_name"),
        filters=(_fk_filter("area", _("居民区"), "area_id", r.Area),),
        select_related=("area",),
        default_sort="area__name",
    ),
    Resource(
        key="branches",
        model=r.Branch,
        title=pgettext_lazy("list title", "联合党支部"),
        columns=(
            Column("name", _("支部名称"), sort="name", link=True),
            Column("area.name", _("居民区"), sort="area__name"),
            Column("secretary_name", _("支部书记")),
            Column("member_count", _("支部成员"), sort="member_count", num=True),
            Column("attendee_count", _("列席"), sort="attendee_count", num=True),
            Column("founded_on", _("成立日期"), sort="founded_on"),
        ),
        form_fields=("area", "name", "secretary_name", "founded_on"),
        search=("name", "area__name", "secretary_name"),
        filters=(_fk_filter("area", _("居民区"), "area_id", r.Area),),
        annotate=annotate_branches,
        default_sort="area__name",
        children=(("branch-members", "branch"),),
    ),
    Resource(
        key="branch-members",
        model=r.BranchMember,
        title=pgettext_lazy("list title", "支部成员"),
        columns=(
            Column("name", _("姓名"), sort="name", link=True),
            Column("branch.area.name", _("居民区"), sort="branch__area__name"),
            Column("organisation", _("所在组织"), sort="organisation"),
            Column("position", _("职务")),
            Column("membership", _("身份"), sort="membership", value=_membership),
            Column("is_party_member", _("党员"), sort="is_party_member"),
            Column("phone", _("联系电话"), value=lambda m, s: _area_phone(m.phone, s, m.branch.area_id)),
        ),
        form_fields=("branch", "name", "organisation", "position", "membership", "is_party_member", "phone"),
        search=("name", "branch__area__name", "position"),
        filters=(
            _fk_filter("area", _("居民区"), "branch__area_id", r.Area),
            _fk_filter("branch", _("联合党支部"), "branch_id", r.Branch),
            Filter("membership", _("身份"), lookup="membership", choices=tuple(r.BranchMembership.choices)),
        ),
        select_related=("branch", "branch__area"),
        default_sort="branch__area__name",
        import_sheet="branch_members",
    ),
)

BY_KEY = {res.key: res for res in RESOURCES}
BY_MODEL = {res.model: res for res in RESOURCES}


def resources_for(scope: Scope) -> list[Resource]:
    return [res for res in RESOURCES if res.readable_by(scope)]


def search_q(resource: Resource, text: str) -> Q:
    condition = Q()
    for lookup in resource.search:
        condition |= Q(**{f"{lookup}__icontains": text})
    return condition
