"""The treatment day's time-out and the patient's withdrawal, as forms the clinician fills in."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checklist.models import TIME_OUT_ITEMS, ConsentWithdrawal
from checklist.spec import clean_free_text


def time_out_item_labels(screening, lot_screened: str, expiry: str, clinician_name: str) -> dict[str, str]:
    """The five items, read aloud, with what the screening recorded."""
    product = screening.product_name
    lot = _("lot %(lot)s") % {"lot": lot_screened} if lot_screened else _("the lot recorded at screening")
    return {
        "same_patient": _("Same patient: %(name)s, born %(dob)s, says their name and date of birth.")
        % {"name": screening.patient_name, "dob": screening.patient_dob.strftime("%-d %B %Y")},
        "same_product_and_lot": _("Same product and lot as screened: %(product)s, %(lot)s, not expired%(expiry)s.")
        % {"product": product, "lot": lot, "expiry": _(" (use by %(date)s)") % {"date": expiry} if expiry else ""},
        "still_wishes": str(_("The patient still wishes to go ahead, asked today in their own words.")),
        "emergency_plan": str(_("Emergency plan ready: what to do and whom to call if the patient reacts badly.")),
        "treating_clinician": _("Treating clinician: %(name)s (you).") % {"name": clinician_name},
    }


class TimeOutForm(forms.Form):
    lot_number = forms.CharField(
        label=_("Lot number printed on the vial"),
        max_length=100,
        help_text=_("Type it from the vial itself, not from the screening."),
    )

    def __init__(self, *args, labels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for code in TIME_OUT_ITEMS:
            self.fields[code] = forms.BooleanField(label=labels[code], required=True)
        self.order_fields([*TIME_OUT_ITEMS, "lot_number"])

    @property
    def confirmed(self) -> list[str]:
        return [code for code in TIME_OUT_ITEMS if self.cleaned_data.get(code)]

    def clean_lot_number(self):
        return clean_free_text(self.cleaned_data["lot_number"], max_length=100)


class WithdrawalForm(forms.Form):
    withdrawn_at = forms.DateTimeField(
        label=_("When the patient withdrew"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    how = forms.ChoiceField(
        label=_("How the patient told the clinic"), choices=ConsentWithdrawal.How.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note (optional): the reason, if the patient gave one"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("withdrawn_at", timezone.localtime().replace(second=0, microsecond=0))

    def clean_note(self):
        return clean_free_text(self.cleaned_data["note"], max_length=1000)
