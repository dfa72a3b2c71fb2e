"""The registry (台账): streets → areas → estates → buildings → units, owners, companies,
contracts, committees and branches (docs/DESIGN.md §2–§4.1).

Invariants live in the database as constraints, not only in forms: unique unit numbers per
building, positive areas, term and contract dates in order, members of a branch with a vote
are party members.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.core.masking import mask_name, mask_phone

OLD_ESTATE_BEFORE_YEAR = 1996  # "老旧小区": built before 1996 (seed text)


class District(models.Model):
    """A district (区) above its streets: the district housing office reads every street in it and
    ranks companies across them (the street's own ranking stays the street's)."""

    name = models.CharField(_("区名称"), max_length=60, unique=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("区")
        verbose_name_plural = _("区")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Street(models.Model):
    name = models.CharField(_("街道名称"), max_length=60, unique=True)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="streets",
        verbose_name=_("所属区"),
    )
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("街道")
        verbose_name_plural = _("街道")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="areas", verbose_name=_("街道"))
    name = models.CharField(_("居民区名称"), max_length=60)
    address = models.CharField(_("办公地址"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("居民区")
        verbose_name_plural = _("居民区")
        ordering = ["street", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "name"],
                name="area_name_unique_in_street",
                violation_error_message=_("本街道已有同名的居民区。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class EstateQuerySet(models.QuerySet):
    def old(self) -> "EstateQuerySet":
        return self.filter(build_year__lt=OLD_ESTATE_BEFORE_YEAR)


class Estate(models.Model):
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="estates", verbose_name=_("居民区"))
    name = models.CharField(_("小区名称"), max_length=60)
    address = models.CharField(_("地址"), max_length=120, blank=True)
    build_year = models.PositiveSmallIntegerField(_("建成年份"))

    objects = EstateQuerySet.as_manager()

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        ordering = ["area__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "name"],
                name="estate_name_unique_in_area",
                violation_error_message=_("该居民区已有同名的小区。"),
            ),
            models.CheckConstraint(
                condition=Q(build_year__gte=1900) & Q(build_year__lte=2100),
                name="estate_build_year_plausible",
                violation_error_message=_("建成年份应在 1900 至 2100 年之间。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_old(self) -> bool:
        return self.build_year < OLD_ESTATE_BEFORE_YEAR


class Building(models.Model):
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("小区")
    )
    number = models.CharField(_("楼号"), max_length=20)
    floors = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["estate", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "number"],
                name="building_number_unique_in_estate",
                violation_error_message=_("该小区已有相同楼号的楼栋。"),
            ),
            models.CheckConstraint(
                condition=Q(floors__isnull=True) | Q(floors__gte=1),
                name="building_floors_positive",
                violation_error_message=_("层数至少为 1。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.estate.name} {self.number}"


class OwnerKind(models.TextChoices):
    PERSON = "person", _("个人")
    DEVELOPER = "developer", _("建设单位（未售/未交付）")
    ORGANISATION = "organisation", _("单位")


class Owner(models.Model):
    """A buyer: one owner for the vote count however many units they hold (SPC interpretation art. 9)."""

    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, related_name="owners", verbose_name=_("街道")
    )
    ref = models.CharField(
        _("业主编号"), max_length=40, help_text=_("同一编号视为同一业主（一人多套计一人）")
    )
    name = models.CharField(_("业主姓名"), max_length=60)
    kind = models.CharField(_("业主类型"), max_length=20, choices=OwnerKind.choices, default=OwnerKind.PERSON)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("业主")
        verbose_name_plural = _("业主")
        ordering = ["ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "ref"],
                name="owner_ref_unique_in_street",
                violation_error_message=_("本街道已有相同编号的业主。"),
            )
        ]

    def __str__(self) -> str:
        # Masked by construction: whatever prints an owner (page titles, breadcrumbs, select
        # options, messages, audit labels) shows 罗**. The full name only via ``name_for(scope)``.
        return mask_name(self.name)

    def personal_data_visible_to(self, scope, estate_ids=None) -> bool:
        """The street's admin, or whoever reads personal data in an estate where this owner holds a
        unit (the area's branch, the estate's OC; ``Scope.sees_personal_data``). ``estate_ids``
        defaults to the estate annotated by the registry list (``estate_pk``), else all of them."""
        if self.street_id in scope.admin_street_ids:
            return True
        if estate_ids is None:
            if hasattr(self, "estate_pk"):
                estate_ids = [self.estate_pk]
            else:
                estate_ids = self.units.values_list("building__estate_id", flat=True).distinct()
        return any(scope.sees_personal_data(estate_id) for estate_id in estate_ids)

    def name_for(self, scope, estate_ids=None) -> str:
        """The name as ``scope`` may read it: full, or masked (王建国 → 王**)."""
        return self.name if self.personal_data_visible_to(scope, estate_ids) else mask_name(self.name)

    def phone_for(self, scope, estate_ids=None) -> str:
        """The phone as ``scope`` may read it: full, or masked (138****1234)."""
        return self.phone if self.personal_data_visible_to(scope, estate_ids) else mask_phone(self.phone)


class AreaSource(models.TextChoices):
    """Which area counts, in this order (SPC interpretation art. 8)."""

    REGISTERED = "registered", _("不动产登记面积")
    SURVEYED = "surveyed", _("测绘面积")
    CONTRACT = "contract", _("买卖合同面积")


class Unit(models.Model):
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("楼栋")
    )
    number = models.CharField(_("室号"), max_length=20)
    area = models.DecimalField(_("专有部分面积（m²）"), max_digits=9, decimal_places=2)
    area_source = models.CharField(
        _("面积来源"), max_length=20, choices=AreaSource.choices, default=AreaSource.REGISTERED
    )
    owner = models.ForeignKey(
        Owner, on_delete=models.PROTECT, related_name="units", null=True, blank=True, verbose_name=_("业主")
    )

    class Meta:
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        ordering = ["building", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "number"],
                name="unit_number_unique_in_building",
                violation_error_message=_("该楼栋已有相同室号的房屋。"),
            ),
            models.CheckConstraint(
                condition=Q(area__gt=Decimal("0")),
                name="unit_area_positive",
                violation_error_message=_("专有部分面积必须大于 0。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.building} {self.number}"


class CompanyOwnership(models.TextChoices):
    STATE = "state", _("国有")
    PRIVATE = "private", _("民营")
    OTHER = "other", _("其他")


class CompanyGroup(models.Model):
    """A group of property companies (企业集团, e.g. a state-owned group such as 浦发集团) as the street records
    it: the street may hold a 党建联建 agreement with the group (branchwork.Partnership) and mark one of its
    companies as the pilot."""

    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, related_name="company_groups", verbose_name=_("街道")
    )
    name = models.CharField(_("集团名称"), max_length=100)
    ownership = models.CharField(
        _("企业性质"), max_length=20, choices=CompanyOwnership.choices, default=CompanyOwnership.STATE
    )

    class Meta:
        verbose_name = _("企业集团")
        verbose_name_plural = _("企业集团")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "name"],
                name="company_group_name_unique_in_street",
                violation_error_message=_("本街道已有同名的企业集团。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Company(models.Model):
    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, related_name="companies", verbose_name=_("街道")
    )
    name = models.CharField(_("企业名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    ownership = models.CharField(
        _("企业性质"), max_length=20, choices=CompanyOwnership.choices, default=CompanyOwnership.PRIVATE
    )
    contact_name = models.CharField(_("负责人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    group = models.ForeignKey(
        CompanyGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="companies",
        verbose_name=_("所属集团"),
    )

    class Meta:
        verbose_name = _("物业服务企业")
        verbose_name_plural = _("物业服务企业")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "name"],
                name="company_name_unique_in_street",
                violation_error_message=_("本街道已有同名的物业服务企业。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ContractQuerySet(models.QuerySet):
    def active(self, on=None) -> "ContractQuerySet":
        day = on or timezone.localdate()
        return self.filter(start_date__lte=day, end_date__gte=day)


class Contract(models.Model):
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("物业服务企业")
    )
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("小区")
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    fee_standard = models.DecimalField(_("物业费标准（元/m²/月）"), max_digits=6, decimal_places=2)
    service_level = models.CharField(_("服务等级"), max_length=20, blank=True)
    collection_rate = models.DecimalField(
        _("收缴率（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("最近一个收费年度"),
    )

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("物业服务合同")
        verbose_name_plural = _("物业服务合同")
        ordering = ["estate", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")),
                name="contract_dates_in_order",
                violation_error_message=_("合同结束日期必须晚于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(fee_standard__gt=Decimal("0")),
                name="contract_fee_positive",
                violation_error_message=_("物业费标准必须大于 0。"),
            ),
            models.CheckConstraint(
                condition=Q(collection_rate__isnull=True)
                | (Q(collection_rate__gte=Decimal("0")) & Q(collection_rate__lte=Decimal("100"))),
                name="contract_collection_rate_percent",
                violation_error_message=_("收缴率应在 0 到 100 之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.estate.name} · {self.company.name}"


class OwnersCommittee(models.Model):
    """An owners' committee for one term (3–5 years, Shanghai 住宅物业管理规定)."""

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="committees", verbose_name=_("小区")
    )
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"))
    # Set when the committee is installed from an election (elections.services.committee_install_from_election):
    # the owners' vote that elected it (Civil Code art. 278 (3)), its day, and the day it was filed with the street.
    elected_on = models.DateField(_("选举日期"), null=True, blank=True)
    election_vote = models.ForeignKey(
        "voting.Decision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("选举表决"),
    )
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("业委会")
        verbose_name_plural = _("业委会")
        ordering = ["estate", "-term_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gt=models.F("term_start")),
                name="committee_term_in_order",
                violation_error_message=_("任期结束日期必须晚于任期开始日期。"),
            ),
            models.UniqueConstraint(
                fields=["estate", "term_start"],
                name="committee_term_unique_in_estate",
                violation_error_message=_("该小区已有同一日期开始的业委会任期。"),
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(estate)s业委会（%(start)s–%(end)s）") % {
            "estate": self.estate.name,
            "start": self.term_start.year,
            "end": self.term_end.year,
        }


class CommitteePosition(models.TextChoices):
    DIRECTOR = "director", _("主任")
    DEPUTY = "deputy", _("副主任")
    MEMBER = "member", _("委员")


class CommitteeMember(models.Model):
    committee = models.ForeignKey(
        OwnersCommittee, on_delete=models.CASCADE, related_name="members", verbose_name=_("业委会")
    )
    name = models.CharField(_("姓名"), max_length=60)
    position = models.CharField(
        _("职务"), max_length=20, choices=CommitteePosition.choices, default=CommitteePosition.MEMBER
    )
    is_party_member = models.BooleanField(_("党员"), default=False)
    is_cross_appointed = models.BooleanField(_("与居委会交叉任职"), default=False)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("业委会委员")
        verbose_name_plural = _("业委会委员")
        ordering = ["committee", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "name"],
                name="committee_member_unique",
                violation_error_message=_("该业委会已有同名委员。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ResidentsCommittee(models.Model):
    area = models.OneToOneField(
        Area, on_delete=models.PROTECT, related_name="residents_committee", verbose_name=_("居民区")
    )
    name = models.CharField(_("名称"), max_length=80)
    director_name = models.CharField(_("主任"), max_length=60, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("居委会")
        verbose_name_plural = _("居委会")
        ordering = ["area__name"]

    def __str__(self) -> str:
        return self.name


class Branch(models.Model):
    """物业治理联合党支部: one per area, its secretary the area's party secretary."""

    area = models.OneToOneField(
        Area, on_delete=models.PROTECT, related_name="branch", verbose_name=_("居民区")
    )
    name = models.CharField(_("支部名称"), max_length=80)
    secretary_name = models.CharField(_("支部书记"), max_length=60, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("联合党支部")
        verbose_name_plural = _("联合党支部")
        ordering = ["area__name"]

    def __str__(self) -> str:
        return self.name


class BranchOrganisation(models.TextChoices):
    PARTY = "party", _("居民区党总支")
    RESIDENTS_COMMITTEE = "residents_committee", _("居委会")
    OWNERS_COMMITTEE = "owners_committee", _("业委会")
    COMPANY = "company", _("物业公司")
    OTHER = "other", _("其他")


class BranchMembership(models.TextChoices):
    MEMBER = "member", _("支部成员")
    ATTENDEE = "attendee", _("列席（无表决权）")


class BranchMember(models.Model):
    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="members", verbose_name=_("联合党支部")
    )
    name = models.CharField(_("姓名"), max_length=60)
    organisation = models.CharField(_("所在组织"), max_length=30, choices=BranchOrganisation.choices)
    position = models.CharField(_("职务"), max_length=60, blank=True)
    membership = models.CharField(_("身份"), max_length=20, choices=BranchMembership.choices)
    is_party_member = models.BooleanField(_("党员"), default=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("支部成员")
        verbose_name_plural = _("支部成员")
        ordering = ["branch", "membership", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "name"],
                name="branch_member_unique",
                violation_error_message=_("该支部已有同名成员。"),
            ),
            # Non-party heads of the three carriages attend without a vote (列席), per the seed.
            models.CheckConstraint(
                condition=~Q(membership="member") | Q(is_party_member=True),
                name="branch_voting_member_is_party_member",
                violation_error_message=_("非党员只能列席（无表决权），不能作为支部成员。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name
