"""The clinic admin's dossier forms: the dossier's own fields (ModelForms) and its answers to the
questions of its scope, built from the published version's questions as a screening step is."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from checklist.forms import DateInput, SectionAnswersForm, answer_field_name
from checklist.spec import QuestionSpec
from dossiers.models import ClinicProfile, Lot, Product
from dossiers.services import LOT_FIELDS, PRODUCT_FIELDS, PROFILE_FIELDS


class ProductForm(forms.ModelForm):
    registry_link = forms.URLField(label=_("Registry link"), required=False, assume_scheme="https")

    class Meta:
        model = Product
        fields = PRODUCT_FIELDS
        widgets = {
            "regulatory_documents": forms.Textarea(attrs={"rows": 2}),
            "evidence": forms.Textarea(attrs={"rows": 3}),
        }


class LotForm(forms.ModelForm):
    class Meta:
        model = Lot
        fields = LOT_FIELDS
        widgets = {
            "expiry_date": DateInput(),
            "received_on": DateInput(),
            "storage_log": forms.Textarea(attrs={"rows": 3}),
        }


class ClinicProfileForm(forms.ModelForm):
    class Meta:
        model = ClinicProfile
        fields = PROFILE_FIELDS
        widgets = {
            "practitioners": forms.Textarea(attrs={"rows": 3}),
            "emergency_plan": forms.Textarea(attrs={"rows": 3}),
            "out_of_hours_advice": forms.Textarea(attrs={"rows": 2}),
            "adverse_event_reporting": forms.Textarea(attrs={"rows": 2}),
        }


class DossierAnswersForm(forms.Form):
    """The dossier's answers to the checklist questions of its scope, all optional (a dossier with
    gaps is allowed; the screening then shows the gap and the risk rules see no answer)."""

    def __init__(self, *args: Any, questions: tuple[QuestionSpec, ...], answers: dict[str, Any], **kwargs: Any):
        kwargs.setdefault("prefix", "answers")
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            name = answer_field_name(question.code)
            self.fields[name] = SectionAnswersForm._answer_field(question)
            if question.code in answers:
                self.initial[name] = answers[question.code]

    def answers(self) -> dict[str, Any]:
        out = {}
        for question in self.questions:
            value = self.cleaned_data.get(answer_field_name(question.code))
            out[question.code] = value.isoformat() if isinstance(value, dt.date) else value
        return out


class DocumentUploadForm(forms.Form):
    title = forms.CharField(label=_("What the document is"), max_length=200)
    file = forms.FileField(
        label=_("File"),
        help_text=_("A PDF, PNG or JPEG, checked by its content; at most 20 MB."),
        allow_empty_file=False,
    )


class LotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Lot) -> str:
        text = _("%(product)s, lot %(number)s (expires %(expiry)s)") % {
            "product": obj.product.name,
            "number": obj.lot_number,
            "expiry": obj.expiry_date.isoformat(),
        }
        warnings = obj.warnings
        return f"{text}: {', '.join(warnings)}" if warnings else str(text)


class ScreeningDossierChoiceForm(forms.Form):
    """On the start page: the product and lot of this clinic the patient would get, or none of them
    (a product not in our list: every question is asked, as before dossiers)."""

    lot = LotChoiceField(
        label=_("Product and lot"),
        queryset=Lot.objects.none(),
        required=False,
        empty_label=_("A product not in our list"),
        blank=True,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        help_text=_("A product and lot from the clinic's dossiers answer their questions for you to confirm."),
    )

    def __init__(self, *args: Any, clinic, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["lot"])
        field.queryset = (
            Lot.objects.filter(clinic=clinic, revisions__isnull=False, product__revisions__isnull=False)
            .select_related("product")
            .distinct()
            .order_by("product__name", "-expiry_date", "lot_number")
        )
        self.initial.setdefault("lot", "")

    @property
    def has_lots(self) -> bool:
        queryset = cast(forms.ModelChoiceField, self.fields["lot"]).queryset
        return queryset is not None and queryset.exists()
