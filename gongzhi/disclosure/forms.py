"""Office forms of the disclosure book's own records (validation by the model; writes by services)."""

from __future__ import annotations

from django import forms

from gongzhi.disclosure.models import EstateRules, MajorMatter, ServiceContent

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MatterForm(forms.ModelForm):
    class Meta:
        model = MajorMatter
        fields = ["date", "title", "body", "reference"]
        widgets = {"date": DATE, "body": forms.Textarea(attrs={"rows": 4})}


class RulesForm(forms.ModelForm):
    class Meta:
        model = EstateRules
        fields = ["kind", "adopted_on", "summary", "text"]
        widgets = {
            "adopted_on": DATE,
            "summary": forms.Textarea(attrs={"rows": 4}),
            "text": forms.Textarea(attrs={"rows": 8}),
        }


class ServiceForm(forms.ModelForm):
    class Meta:
        model = ServiceContent
        fields = ["standard", "staffing", "hours"]
        widgets = {"standard": forms.Textarea(attrs={"rows": 4})}
