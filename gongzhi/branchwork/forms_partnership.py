"""Forms of the 党建联建 pages (``views/partnerships.py``): plain fields; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.branchwork.models import ProgrammeKind, ProgrammeStatus
from gongzhi.registry.models import CompanyOwnership

DATE = forms.DateInput(attrs={"type": "date"})


class GroupForm(forms.Form):
    name = forms.CharField(label=_("集团名称"), max_length=100)
    ownership = forms.ChoiceField(label=_("企业性质"), choices=CompanyOwnership.choices)
    companies = forms.MultipleChoiceField(
        label=_("成员企业"), required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.company_map = {str(c.pk): c for c in companies}
        self.fields["companies"].choices = [(str(c.pk), c.name) for c in companies]


class PartnershipForm(forms.Form):
    group = forms.ChoiceField(label=_("企业集团"), choices=())
    title = forms.CharField(label=_("协议名称"), max_length=120, initial=_("党建联建协议"))
    signed_on = forms.DateField(label=_("签订日期"), widget=DATE)
    parties = forms.CharField(label=_("协议各方"), max_length=300)
    summary = forms.CharField(
        label=_("主要内容"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = {str(g.pk): g for g in groups}
        self.fields["group"].choices = [("", _("请选择"))] + [(str(g.pk), g.name) for g in groups]


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=ProgrammeKind.choices)
    title = forms.CharField(label=_("事项"), max_length=120)
    due_on = forms.DateField(label=_("计划完成日期"), required=False, widget=DATE)


class ItemProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("进展"), choices=ProgrammeStatus.choices)
    done_on = forms.DateField(label=_("完成日期"), required=False, widget=DATE)
    evidence = forms.CharField(
        label=_("进展说明和佐证"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PilotForm(forms.Form):
    company = forms.ChoiceField(label=_("试点企业"), choices=())
    since = forms.DateField(label=_("试点开始"), widget=DATE)
    programme = forms.CharField(
        label=_("试点方案"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.companies = {str(c.pk): c for c in companies}
        self.fields["company"].choices = [("", _("请选择"))] + [(str(c.pk), c.name) for c in companies]
