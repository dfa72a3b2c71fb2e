"""Edit forms for registry records, generated from ``resources.py``. Every choice of a
related record is limited to what the editing street admin may see (the scoping door)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.scopes import scope_for, visible
from gongzhi.registry import models as r
from gongzhi.registry.resources import Resource


class RegistryForm(forms.ModelForm):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        admin_streets = scope_for(user).admin_street_ids
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                options = visible(user, field.queryset.model)
                if field.queryset.model is r.Street:
                    options = options.filter(pk__in=admin_streets)
                if hasattr(field.queryset.model, "estate"):
                    options = options.select_related("estate")
                field.queryset = options
            if isinstance(field.widget, forms.DateInput):
                field.widget.input_type = "date"
                field.widget.format = "%Y-%m-%d"
        if "street" in self.fields and len(admin_streets) == 1:
            self.fields["street"].initial = next(iter(admin_streets))

    def extra_data(self) -> dict:
        """Values of fields that are not model fields (none by default)."""
        return {}


class UnitForm(RegistryForm):
    """A unit's owner is chosen by owner number: a street has tens of thousands of owners."""

    owner_ref = forms.CharField(
        label=_("业主编号"), max_length=40, required=False, help_text=_("留空表示业主未登记")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.owner_id:
            self.fields["owner_ref"].initial = self.instance.owner.ref

    def clean(self):
        cleaned = super().clean()
        ref = (cleaned.get("owner_ref") or "").strip()
        building = cleaned.get("building")
        self._owner = None
        if ref and building is not None:
            street_id = building.estate.area.street_id
            self._owner = r.Owner.objects.filter(street_id=street_id, ref=ref).first()
            if self._owner is None:
                self.add_error(
                    "owner_ref", _("本街道没有编号为“%(ref)s”的业主，请先在“业主”中登记。") % {"ref": ref}
                )
        self.instance.owner = self._owner
        return cleaned

    def extra_data(self) -> dict:
        return {"owner": self._owner}


SPECIAL_FORMS = {r.Unit: (UnitForm, ("building", "number", "area", "area_source"))}


def form_for(resource: Resource) -> type[RegistryForm]:
    base, fields = SPECIAL_FORMS.get(resource.model, (RegistryForm, resource.form_fields))
    return forms.modelform_factory(resource.model, form=base, fields=fields)
