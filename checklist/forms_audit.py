"""The audit log's filters: a person, a screening's reference, a kind of event, a date range."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from checklist.audit_text import EVENT_LABELS

_REFERENCE = re.compile(r"EXO-[0-9A-Z]{4}-[0-9A-Z]{4}")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class AuditFilterForm(forms.Form):
    person = PersonChoiceField(
        label=_("Person"), required=False, queryset=get_user_model().objects.none(), empty_label=_("Anyone")
    )
    reference = forms.CharField(
        label=_("Screening reference"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "EXO-XXXX-XXXX", "autocapitalize": "characters"}),
    )
    kind = forms.ChoiceField(label=_("Kind of event"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, clinic, **kwargs: Any):
        super().__init__(*args, **kwargs)
        people = get_user_model().objects.filter(membership__clinic=clinic).order_by("first_name", "last_name")
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = people
        kinds = sorted(((kind, str(label)) for kind, label in EVENT_LABELS.items()), key=lambda pair: pair[1])
        cast(forms.ChoiceField, self.fields["kind"]).choices = [("", _("Any kind")), *kinds]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean_reference(self) -> str:
        reference = "".join(self.cleaned_data["reference"].split()).upper()
        if reference and not _REFERENCE.fullmatch(reference):
            raise ValidationError(_("Enter a whole reference, like EXO-7K2M-Q9PD."))
        return reference

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned
