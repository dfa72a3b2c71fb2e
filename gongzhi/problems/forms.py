"""Forms of the office pages. They check shape only (required, lengths, choices); the workflow,
the acting party and the photos' content are checked by the services, whose Chinese
``ProblemError.message`` the views put back on the form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.scopes import visible
from gongzhi.core.validators import parse_id
from gongzhi.problems import rules
from gongzhi.problems.models import Carriage, Category, Problem, Source
from gongzhi.problems.selectors import OFFICE_SOURCES
from gongzhi.registry.models import Building, Estate


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to six photos in one input. Their content is checked by core/images.py in the service."""

    widget = MultipleFileInput(attrs={"accept": "image/*"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("照片"))
        kwargs.setdefault(
            "help_text", _("最多 %(n)d 张，JPEG、PNG 等照片；位置信息会被去除。") % {"n": rules.MAX_PHOTOS}
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > rules.MAX_PHOTOS:
            raise forms.ValidationError(_("最多上传 %(n)d 张照片。") % {"n": rules.MAX_PHOTOS})
        return files


def _note(required: bool, label=None) -> forms.CharField:
    return forms.CharField(
        label=label or _("说明"),
        required=required,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
    )


class AcceptForm(forms.Form):
    carriage = forms.ChoiceField(label=_("责任方"), choices=Carriage.choices)
    deadline_days = forms.IntegerField(
        label=_("整改期限（工作日）"),
        min_value=1,
        max_value=60,
        help_text=_("按国家法定节假日和调休计算工作日"),
    )
    note = _note(False, _("受理意见"))

    def __init__(self, *args, problem: Problem, **kwargs):
        kwargs.setdefault(
            "initial",
            {"carriage": problem.category.carriage, "deadline_days": problem.category.deadline_days},
        )
        super().__init__(*args, **kwargs)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("不予受理理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300})
    )

    def __init__(self, *args, problem: Problem, **kwargs):
        super().__init__(*args, **kwargs)


class NoteForm(forms.Form):
    note = _note(True)

    def __init__(self, *args, problem: Problem, **kwargs):
        super().__init__(*args, **kwargs)


class EvidenceForm(NoteForm):
    """整改进展: a note on the way, photos optional; the problem stays with the assignee."""

    note = _note(True, _("进展说明"))
    photos = PhotosField()


class SubmitForm(NoteForm):
    """提交验收: the work is done and goes to the branch for on-site verification. The branch
    closes on the strength of this evidence, so a photo is required (the service enforces it too)."""

    note = _note(True, _("完成情况"))
    photos = PhotosField(
        required=True,
        label=_("整改后照片"),
        error_messages={"required": _("提交验收须附至少一张整改后的现场照片。")},
    )

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        if not photos:
            raise forms.ValidationError(_("提交验收须附至少一张整改后的现场照片。"))
        return photos


class CloseForm(forms.Form):
    note = _note(False, _("验收意见"))

    def __init__(self, *args, problem: Problem, **kwargs):
        super().__init__(*args, **kwargs)


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "accept": AcceptForm,
    "reject": RejectForm,
    "progress": EvidenceForm,
    "submit": SubmitForm,
    "send_back": NoteForm,
    "close": CloseForm,
}


class EstateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Estate) -> str:
        return f"{obj.area.name} · {obj.name}"


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.name}({_('紧急')})" if obj.urgent else obj.name


class ProblemCreateForm(forms.Form):
    """Office filing: a patrol, hearing, meeting, survey or inspection finding."""

    estate = EstateChoiceField(label=_("小区"), queryset=Estate.objects.none(), empty_label=_("请选择小区"))
    source = forms.ChoiceField(label=_("来源"))
    category = CategoryChoiceField(
        label=_("类别"), queryset=Category.objects.none(), empty_label=_("请选择类别")
    )
    building = forms.ModelChoiceField(
        label=_("楼栋"), queryset=Building.objects.none(), required=False, empty_label=_("不指定楼栋")
    )
    location = forms.CharField(
        label=_("位置"), max_length=100, required=False, help_text=_("如：3号楼北侧非机动车棚")
    )
    description = forms.CharField(
        label=_("问题描述"),
        min_length=4,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 1000}),
    )
    photos = PhotosField()

    def __init__(self, *args, user, filing: dict[int, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        estates = Estate.objects.filter(pk__in=filing).select_related("area").order_by("area__name", "name")
        self.fields["estate"].queryset = estates
        sources = {s for allowed in filing.values() for s in allowed}
        self.fields["source"].choices = [(s, Source(s).label) for s in OFFICE_SOURCES if s in sources]
        street_ids = set(estates.values_list("area__street_id", flat=True))
        self.fields["category"].queryset = Category.objects.filter(street_id__in=street_ids).order_by(
            "street", "sort_order", "pk"
        )
        estate_id = str(self.data.get("estate") or self.initial.get("estate") or "")
        if len(filing) == 1 and not estate_id:
            estate_id = str(next(iter(filing)))
            self.initial["estate"] = estate_id
        self.fields["building"].queryset = (
            visible(user, Building).filter(estate_id=estate_id).order_by("number")
            if parse_id(estate_id) in filing
            else Building.objects.none()
        )


class CategoryForm(forms.Form):
    deadline_days = forms.IntegerField(label=_("默认整改期限（工作日）"), min_value=1, max_value=60)
    carriage = forms.ChoiceField(label=_("默认责任方"), choices=Carriage.choices)
    urgent = forms.BooleanField(label=_("紧急"), required=False)
