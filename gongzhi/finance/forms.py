"""The office forms of the ledgers: post an entry, reverse an entry (the rules live in services)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.finance.models import Direction, LedgerEntry


def _label(name: str):
    return LedgerEntry._meta.get_field(name).verbose_name


class PostForm(forms.Form):
    """One entry. ``amount`` stays text so that ``rules.parse_amount`` judges it (never a float)."""

    date = forms.DateField(
        label=_label("date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    direction = forms.ChoiceField(label=_label("direction"), choices=Direction.choices)
    amount = forms.CharField(
        label=_label("amount"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    summary = forms.CharField(label=_label("summary"), max_length=200)
    category = forms.CharField(label=_label("category"), max_length=50, required=False)
    counterparty = forms.CharField(label=_label("counterparty"), max_length=100, required=False)
    reference = forms.CharField(
        label=_label("reference"),
        max_length=100,
        required=False,
        help_text=LedgerEntry._meta.get_field("reference").help_text,
    )
    project = forms.CharField(label=_label("project"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("冲正原因"), max_length=150)
