"""Survey templates (问卷): create, the default 四保 20 items, edit while unused, copy into a new version."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.models import AuditEvent
from gongzhi.evaluation import permissions, rules
from gongzhi.evaluation.models import CategoryCode, SurveyCategory, SurveyItem, SurveyTemplate
from gongzhi.evaluation.services.common import EvaluationError, _require
from gongzhi.registry.models import Street

# The default questions that ask residents about an item of the platform's default four-services standard
# (fees.rules.DEFAULT_STANDARD): the survey scores the same item the inspection checks and the company commits to.
QUESTION_STANDARD = {
    "楼道及公共部位清洁": "BJ-01",
    "垃圾分类与清运及时": "BJ-02",
    "绿化修剪及时": "LH-01",
    "病虫害防治": "LH-02",
    "门岗值守与来访登记": "BA-01",
    "夜间巡逻": "BA-02",
    "报修响应速度": "BX-01",
}

# 云台二居民区 used "four categories, 20 items" (seed text); this is a plausible such questionnaire.
YUNTAI_TEMPLATE: tuple[rules.CategorySpec, ...] = (
    rules.CategorySpec(
        CategoryCode.CLEANING,
        "保洁",
        Decimal("30"),
        tuple(
            rules.ItemSpec(t, Decimal("1"), QUESTION_STANDARD.get(t, ""))
            for t in (
                "楼道及公共部位清洁",
                "垃圾分类与清运及时",
                "道路与绿地保洁",
                "雨污水井与化粪池清掏",
                "保洁人员工作态度",
            )
        ),
    ),
    rules.CategorySpec(
        CategoryCode.GREENING,
        "保绿",
        Decimal("20"),
        tuple(
            rules.ItemSpec(t, Decimal("1"), QUESTION_STANDARD.get(t, ""))
            for t in ("绿化修剪及时", "病虫害防治", "枯死苗木补种", "绿地无侵占与毁绿", "绿化整体观感")
        ),
    ),
    rules.CategorySpec(
        CategoryCode.SECURITY,
        "保安",
        Decimal("25"),
        tuple(
            rules.ItemSpec(t, Decimal("1"), QUESTION_STANDARD.get(t, ""))
            for t in ("门岗值守与来访登记", "夜间巡逻", "车辆停放管理", "电动车违规充电劝阻", "消防通道畅通")
        ),
    ),
    rules.CategorySpec(
        CategoryCode.REPAIR,
        "保修",
        Decimal("25"),
        tuple(
            rules.ItemSpec(t, Decimal("1"), QUESTION_STANDARD.get(t, ""))
            for t in ("报修响应速度", "维修质量", "公共设施完好", "电梯与水泵运行", "维修收费公开合理")
        ),
    ),
)


def _as_specs(categories: Sequence) -> list[rules.CategorySpec]:
    """Accept CategorySpec objects or plain dicts {code, name, weight, items: [{text, weight}]}."""
    specs = []
    for category in categories:
        if isinstance(category, rules.CategorySpec):
            specs.append(category)
            continue
        items = tuple(
            item
            if isinstance(item, rules.ItemSpec)
            else rules.ItemSpec(
                item.get("text", ""), item.get("weight", 1), (item.get("standard_code") or "").strip()
            )
            for item in category.get("items", ())
        )
        code = category.get("code", "")
        name = category.get("name") or (CategoryCode(code).label if code in CategoryCode.values else "")
        specs.append(rules.CategorySpec(code, str(name), category.get("weight", 0), items))
    return specs


def _write_structure(template: SurveyTemplate, specs: Sequence[rules.CategorySpec]) -> None:
    template.categories.all().delete()
    for order, spec in enumerate(specs):
        category = SurveyCategory.objects.create(
            template=template,
            code=spec.code,
            name=spec.name or CategoryCode(spec.code).label,
            weight=Decimal(str(spec.weight)),
            sort_order=order,
        )
        SurveyItem.objects.bulk_create(
            SurveyItem(
                category=category,
                text=item.text.strip(),
                weight=Decimal(str(item.weight)),
                sort_order=i,
                standard_code=(item.standard_code or "").strip(),
            )
            for i, item in enumerate(spec.items)
        )


def _codes_of(specs: Sequence[rules.CategorySpec]) -> dict:
    """The standard items a template's questions name, for the audit trail (nothing when none do)."""
    codes = sorted({i.standard_code for s in specs for i in s.items if i.standard_code})
    return {"standard_items": codes} if codes else {}


def _validate_template(
    name: str, scale_max: int, specs: Sequence[rules.CategorySpec], street_id: int
) -> None:
    from gongzhi.fees.selectors import standard_services

    errors = []
    if not (name or "").strip():
        errors.append(_("请填写问卷名称。"))
    if scale_max not in (5, 10):
        errors.append(_("评分档数只能是 5 或 10。"))
    errors += rules.template_errors(specs, CategoryCode.values, standard_services(street_id))
    if errors:
        raise EvaluationError(" ".join(errors))


@transaction.atomic
def template_create(
    *,
    actor,
    street: Street,
    name: str,
    categories: Sequence,
    scale_max: int = 5,
    description: str = "",
) -> SurveyTemplate:
    """A new questionnaire (version 1). Category weights must sum to exactly 100 %."""
    _require(permissions.is_street_admin(actor, street.pk))
    specs = _as_specs(categories)
    _validate_template(name, scale_max, specs, street.pk)
    version = (
        SurveyTemplate.objects.filter(street=street, name=name.strip())
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
        or 0
    ) + 1
    template = SurveyTemplate.objects.create(
        street=street,
        name=name.strip(),
        version=version,
        scale_max=scale_max,
        description=description.strip(),
    )
    _write_structure(template, specs)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=template,
        street_id=street.pk,
        changes={"categories": [(s.code, str(s.weight), len(s.items)) for s in specs], **_codes_of(specs)},
    )
    return template


@transaction.atomic
def template_create_default(*, actor, street: Street, name: str = "") -> SurveyTemplate:
    """The four services, 20 items (云台二's structure) — a starting point the admin may copy and edit."""
    from gongzhi.fees.selectors import standard_services

    # A street that keeps no standard (or a changed one) gets the questions without the codes it lacks.
    known = standard_services(street.pk)
    specs = [
        rules.CategorySpec(
            spec.code,
            spec.name,
            spec.weight,
            tuple(
                rules.ItemSpec(
                    i.text, i.weight, i.standard_code if known.get(i.standard_code) == spec.code else ""
                )
                for i in spec.items
            ),
        )
        for spec in YUNTAI_TEMPLATE
    ]
    return template_create(actor=actor, street=street, name=name or _("四保服务满意度测评"), categories=specs)


@transaction.atomic
def template_update(
    *,
    actor,
    template: SurveyTemplate,
    name: str,
    categories: Sequence,
    scale_max: int = 5,
    description: str = "",
) -> SurveyTemplate:
    """Edit a template that no campaign has opened on yet; a used (frozen) one must be copied first."""
    template = SurveyTemplate.objects.select_for_update().get(pk=template.pk)
    _require(permissions.is_street_admin(actor, template.street_id))
    if template.frozen:
        raise EvaluationError(_("该问卷已被测评活动使用，不能修改；请“另存为新版本”后再改。"))
    specs = _as_specs(categories)
    _validate_template(name, scale_max, specs, template.street_id)
    template.name, template.scale_max, template.description = name.strip(), scale_max, description.strip()
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:
        raise EvaluationError(_("本街道已有同名同版本的问卷。")) from None
    _write_structure(template, specs)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=template,
        street_id=template.street_id,
        changes={"categories": [(s.code, str(s.weight), len(s.items)) for s in specs], **_codes_of(specs)},
    )
    return template


@transaction.atomic
def template_new_version(*, actor, template: SurveyTemplate) -> SurveyTemplate:
    """Copy a template into the next free version (editable), keeping the frozen one for its campaigns."""
    _require(permissions.is_street_admin(actor, template.street_id))
    specs = [
        rules.CategorySpec(
            c.code,
            c.name,
            c.weight,
            tuple(rules.ItemSpec(i.text, i.weight, i.standard_code) for i in c.items.all()),
        )
        for c in template.categories.prefetch_related("items")
    ]
    latest = SurveyTemplate.objects.filter(street_id=template.street_id, name=template.name).order_by(
        "-version"
    )
    copy = SurveyTemplate.objects.create(
        street_id=template.street_id,
        name=template.name,
        version=latest.values_list("version", flat=True).first() + 1,
        scale_max=template.scale_max,
        description=template.description,
        previous=template,
    )
    _write_structure(copy, specs)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=copy,
        street_id=template.street_id,
        changes={"copied_from": template.pk},
    )
    return copy
