"""Third-party inspections: checklist lines (score out of max) and photos → a 0–100 mark."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.models import AuditEvent
from gongzhi.evaluation import permissions, rules
from gongzhi.evaluation.models import Campaign, CategoryCode, Inspection, InspectionItem, InspectionPhoto
from gongzhi.evaluation.services.common import EvaluationError, _open_for_marks, _require
from gongzhi.registry.models import Estate


@dataclass(frozen=True)
class ChecklistLine:
    category: str
    label: str
    score: Decimal
    max_score: Decimal
    remark: str = ""
    standard_code: str = ""  # the four-services standard item the line checks (fees.StandardItem.code)


@transaction.atomic
def inspection_record(
    *,
    actor,
    campaign: Campaign,
    estate: Estate,
    inspected_on: dt.date,
    lines: Sequence,
    note: str = "",
    photos: Sequence = (),
) -> Inspection:
    """A third-party inspection of an assigned estate: checklist lines (score out of max) → 0–100."""
    _require(permissions.may_inspect(actor, campaign, estate))
    _open_for_marks(campaign)
    from gongzhi.fees.selectors import standard_services

    standard = standard_services(campaign.street_id)
    errors, cleaned = [], []
    if not lines:
        errors.append(_("请至少填写一个检查项。"))
    for number, line in enumerate(lines, start=1):
        if isinstance(line, Mapping):
            line = ChecklistLine(
                line.get("category", ""),
                line.get("label", ""),
                line.get("score"),
                line.get("max_score"),
                line.get("remark", ""),
                line.get("standard_code", ""),
            )
        score, max_score = rules._decimal(line.score), rules._decimal(line.max_score)
        if line.category not in CategoryCode.values:
            errors.append(_("第 %(n)d 项：请选择类别。") % {"n": number})
        if not (line.label or "").strip():
            errors.append(_("第 %(n)d 项：请填写检查项。") % {"n": number})
        if max_score is None or max_score <= 0:
            errors.append(_("第 %(n)d 项：满分必须大于 0。") % {"n": number})
        elif score is None or not 0 <= score <= max_score:
            errors.append(
                _("第 %(n)d 项：得分应在 0 到 %(m)s 之间。") % {"n": number, "m": rules.plain(max_score)}
            )
        code = (line.standard_code or "").strip()
        if code and code not in standard:
            errors.append(
                _("第 %(n)d 项：本街道的四保标准中没有编号 %(code)s。") % {"n": number, "code": code}
            )
        elif code and standard[code] != line.category:
            errors.append(_("第 %(n)d 项：四保标准 %(code)s 不属于所选类别。") % {"n": number, "code": code})
        cleaned.append((line, score, max_score))
    if inspected_on is None or inspected_on > timezone.localdate():
        errors.append(_("检查日期不能晚于今天。"))
    if errors:
        raise EvaluationError(" ".join(errors))
    from gongzhi.core.images import ImageRejected, clean_image

    images = []
    if len(photos) > 9:
        raise EvaluationError(_("最多上传 9 张照片。"))
    for upload in photos:
        try:
            images.append(clean_image(upload))
        except ImageRejected as exc:
            raise EvaluationError(exc.message) from exc
    total = sum(s for _l, s, _m in cleaned)
    maximum = sum(m for _l, _s, m in cleaned)
    inspection = Inspection.objects.create(
        campaign=campaign,
        estate=estate,
        evaluator=actor,
        inspected_on=inspected_on,
        note=note.strip(),
        score=(total * 100 / maximum).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
    )
    InspectionItem.objects.bulk_create(
        InspectionItem(
            inspection=inspection,
            category=line.category,
            label=line.label.strip()[:120],
            standard_code=(line.standard_code or "").strip(),
            score=score,
            max_score=max_score,
            remark=(line.remark or "").strip()[:200],
        )
        for line, score, max_score in cleaned
    )
    for index, image in enumerate(images, start=1):
        photo = InspectionPhoto(inspection=inspection, width=image.width, height=image.height)
        photo.image.save(f"{inspection.pk}-{index}.jpg", ContentFile(image.content), save=False)
        photo.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=inspection,
        street_id=campaign.street_id,
        changes={
            "score": str(inspection.score),
            "lines": len(cleaned),
            "standard_items": sorted(
                {c for c in ((line.standard_code or "").strip() for line, _s, _m in cleaned) if c}
            ),
            "photos": len(images),
        },
    )
    return inspection
