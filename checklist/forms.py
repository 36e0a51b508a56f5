"""Forms of the clinician's workflow. Step forms are built from the question rows of a section."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checklist.models import Decision, Jurisdiction, Screening
from checklist.records import (
    INTERPRETER,
    SIGNER_PATIENT,
    SIGNER_REPRESENTATIVE,
    WITNESS,
    CompanionRecord,
    names_match,
)
from checklist.services.screenings import NOTE_MAX_LENGTH, START_FIELDS, name_mismatch_message
from checklist.signatures import signature_from_data_url
from checklist.spec import TEXT_ANSWER_MAX_LENGTH, QuestionSpec, SectionSpec, clean_free_text
from checklist.vocabulary import AnswerType, IntendedUse, RiskLevel, Route


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CleanTextMixin(forms.BaseForm):
    """Refuse control characters in every typed text field, with a message the user can act on."""

    text_limits: dict[str, int] = {}

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for name, value in list(cleaned.items()):
            if isinstance(value, str):
                field = self.fields[name]
                try:
                    cleaned[name] = clean_free_text(value, max_length=getattr(field, "max_length", None) or 10_000)
                except ValidationError as exc:
                    self.add_error(name, exc)
        return cleaned


class ScreeningDetailsForm(CleanTextMixin, forms.ModelForm):
    """The patient and the proposed treatment: the first page of a new screening."""

    class Meta:
        model = Screening
        fields = list(START_FIELDS)
        widgets = {
            "patient_dob": DateInput(attrs={"autocomplete": "off"}),
            "planned_date": DateInput(),
            # The checklist's answer buttons (partials/choice_buttons.html), the same size on every page.
            "intended_use": forms.RadioSelect(attrs={"class": "btn-check"}),
            "route": forms.RadioSelect(attrs={"class": "btn-check"}),
        }
        help_texts = {
            "patient_reference": _("Optional: the clinic's own record number."),
            "intended_use_other": _("Only if you chose Other."),
            "route_other": _("Only if you chose Other."),
            "jurisdiction": _("Where the patient lives. The rules and the place to report side effects depend on it."),
        }

    def __init__(self, *args: Any, clinic=None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        jurisdiction = cast(forms.ModelChoiceField, self.fields["jurisdiction"])
        jurisdiction.queryset = Jurisdiction.objects.order_by("position", "name")
        jurisdiction.empty_label = None
        cast(forms.ChoiceField, self.fields["intended_use"]).choices = IntendedUse.choices
        cast(forms.ChoiceField, self.fields["route"]).choices = Route.choices
        if clinic is not None and not self.initial.get("jurisdiction") and clinic.default_jurisdiction_id:
            self.initial["jurisdiction"] = clinic.default_jurisdiction_id
        self.fields["patient_name"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean_patient_dob(self):
        dob = self.cleaned_data["patient_dob"]
        today = timezone.localdate()
        if dob > today:
            raise ValidationError(_("The date of birth cannot be in the future."))
        if dob < dt.date(today.year - 120, 1, 1):
            raise ValidationError(_("Check the year: that is more than 120 years ago."))
        return dob

    def clean_planned_date(self):
        planned = self.cleaned_data.get("planned_date")
        if planned is None:
            return planned
        today = timezone.localdate()
        if planned < today - dt.timedelta(days=365) or planned > today + dt.timedelta(days=3 * 365):
            raise ValidationError(_("Enter a date within a year before or three years after today."))
        return planned

    def clean(self):
        """An "Other" text is required with "Other" and dropped without it: the page hides the box
        unless "Other" is chosen, so a leftover text would be kept where nobody sees it."""
        cleaned = super().clean()
        for choice, other_value, other, message in (
            ("intended_use", IntendedUse.OTHER, "intended_use_other", _("Say what the treatment is for.")),
            ("route", Route.OTHER, "route_other", _("Say how the product is given.")),
        ):
            if cleaned.get(choice) != other_value:
                cleaned[other] = ""
            elif not cleaned.get(other):
                self.add_error(other, message)
        return cleaned


def answer_field_name(code: str) -> str:
    return f"q__{code}"


def note_field_name(code: str) -> str:
    return f"note__{code}"


class SectionAnswersForm(forms.Form):
    """The questions of one section. Every field is optional here: partial progress can always be
    saved, and required questions are enforced at review, before signing."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    def __init__(self, *args: Any, section: SectionSpec, answers: dict, notes: dict, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.section = section
        for question in section.questions:
            self.fields[answer_field_name(question.code)] = self._answer_field(question)
            self.fields[note_field_name(question.code)] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=NOTE_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 1, "class": "form-control note-input"}),
            )
            value = answers.get(question.code)
            if value is not None:
                self.initial[answer_field_name(question.code)] = value
            if notes.get(question.code):
                self.initial[note_field_name(question.code)] = notes[question.code]

    @staticmethod
    def _answer_field(question: QuestionSpec) -> forms.Field:
        label = question.prompt
        if question.answer_type in (AnswerType.YES_NO_UNSURE, AnswerType.SINGLE):
            return forms.ChoiceField(
                label=label,
                required=False,
                choices=[(c.value, c.label) for c in question.choices],
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
            )
        if question.answer_type == AnswerType.MULTIPLE:
            return forms.MultipleChoiceField(
                label=label,
                required=False,
                choices=[(c.value, c.label) for c in question.choices],
                widget=forms.CheckboxSelectMultiple(attrs={"class": "btn-check"}),
            )
        if question.answer_type == AnswerType.DATE:
            return forms.DateField(label=label, required=False, widget=DateInput(attrs={"class": "form-control"}))
        return forms.CharField(
            label=label,
            required=False,
            max_length=TEXT_ANSWER_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        )

    def answers(self) -> dict[str, tuple[Any, str]]:
        """Cleaned (value, note) per question code, in the form the services expect."""
        out = {}
        for question in self.section.questions:
            value = self.cleaned_data.get(answer_field_name(question.code))
            if isinstance(value, dt.date):
                value = value.isoformat()
            out[question.code] = (value, self.cleaned_data.get(note_field_name(question.code)) or "")
        return out


SIGNING_TEXT_FIELDS = (
    "representative_name",
    "representative_relationship",
    "interpreter_name",
    "interpreter_language",
    "witness_name",
)


class ConsentForm(forms.Form):
    """What the patient ticks and signs, then the clinician's attestation with their own password."""

    acknowledgements = forms.MultipleChoiceField(
        label=_("I have read and understood each statement"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Every statement must be read and ticked before signing.")},
    )
    decision = forms.ChoiceField(
        label=_("My decision"),
        choices=Decision.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Choose a decision: go ahead, wait, or decline.")},
    )
    signer = forms.ChoiceField(
        label=_("Who is signing"),
        choices=[
            (SIGNER_PATIENT, _("The patient")),
            (SIGNER_REPRESENTATIVE, _("A legally authorised representative, for the patient")),
        ],
        initial=SIGNER_PATIENT,
        widget=forms.RadioSelect(attrs={"class": "form-check-input", "data-signer": ""}),
        error_messages={"required": _("Say who is signing: the patient or a legally authorised representative.")},
    )
    patient_signed_name = forms.CharField(
        label=_("Patient: type your full name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "form-control"}),
    )
    representative_name = forms.CharField(
        label=_("Representative: type your full name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "form-control"}),
    )
    representative_relationship = forms.CharField(
        label=_("Relationship to the patient, or authority to decide for them"),
        max_length=200,
        required=False,
        help_text=_("For example: parent, legal guardian, holds a lasting power of attorney for health."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "form-control"}),
    )
    interpreter_name = forms.CharField(
        label=_("Interpreter's full name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "form-control"}),
    )
    interpreter_language = forms.CharField(
        label=_("Language interpreted"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "form-control"}),
    )
    witness_name = forms.CharField(
        label=_("Witness's full name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "form-control"}),
    )
    signature = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-signature-input": ""}))
    clinician_attestation = forms.BooleanField(
        label=_(
            "I explained each finding and statement to the patient, answered their questions, "
            "and the answers recorded are true to the best of my knowledge."
        ),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Tick the attestation to sign as the clinician.")},
    )
    clinician_password = forms.CharField(
        label=_("Clinician: your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "form-control"}),
        strip=False,
    )

    def __init__(
        self, *args: Any, acknowledgements: list[tuple[str, str]], request, patient_name: str = "", **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.patient_name = patient_name
        self.request = request
        self.user = request.user
        cast(forms.MultipleChoiceField, self.fields["acknowledgements"]).choices = acknowledgements
        self.required_codes = {code for code, _text in acknowledgements}

    def clean_acknowledgements(self):
        ticked = set(self.cleaned_data["acknowledgements"])
        if ticked != self.required_codes:
            raise ValidationError(_("Every statement must be read and ticked before signing."))
        return sorted(ticked)

    def clean_patient_signed_name(self):
        return clean_free_text(self.cleaned_data["patient_signed_name"], max_length=200)

    def clean(self) -> dict[str, Any]:
        """The patient signs under the name on the record; a representative gives their own name
        and their relationship; an interpreter is recorded with the language interpreted."""
        super().clean()
        cleaned = self.cleaned_data
        for name in SIGNING_TEXT_FIELDS:
            if isinstance(cleaned.get(name), str):
                try:
                    cleaned[name] = clean_free_text(cleaned[name], max_length=self.fields[name].max_length)  # type: ignore[attr-defined]
                except ValidationError as exc:
                    self.add_error(name, exc)
        signer = cleaned.get("signer")
        if signer == SIGNER_PATIENT and "patient_signed_name" in cleaned:
            typed = cleaned["patient_signed_name"]
            if not typed:
                self.add_error("patient_signed_name", _("The patient types their full name to sign."))
            elif self.patient_name and not names_match(typed, self.patient_name):
                self.add_error("patient_signed_name", name_mismatch_message(typed, self.patient_name))
        if signer == SIGNER_REPRESENTATIVE:
            if not cleaned.get("representative_name") and "representative_name" not in self.errors:
                self.add_error("representative_name", _("The representative types their full name to sign."))
            if not cleaned.get("representative_relationship") and "representative_relationship" not in self.errors:
                self.add_error(
                    "representative_relationship", _("Say how the representative is related to the patient.")
                )
        if cleaned.get("interpreter_language") and not cleaned.get("interpreter_name"):
            self.add_error("interpreter_name", _("Give the interpreter's full name, or leave the language empty."))
        if cleaned.get("interpreter_name") and not cleaned.get("interpreter_language"):
            self.add_error("interpreter_language", _("Say which language the interpreter interpreted."))
        return cleaned

    @property
    def representative_fields(self) -> list[forms.BoundField]:
        return [self["representative_name"], self["representative_relationship"]]

    @property
    def companion_fields(self) -> list[forms.BoundField]:
        return [self["interpreter_name"], self["interpreter_language"], self["witness_name"]]

    @property
    def signer_choice_open(self) -> bool:
        """Whether "who is signing" shows open: a representative was chosen, or the typed name did
        not match the record (the question the page then asks), or one of its fields was refused."""
        fields = [self["signer"], self["patient_signed_name"], *self.representative_fields]
        return self["signer"].value() == SIGNER_REPRESENTATIVE or any(field.errors for field in fields)

    @property
    def companions_given(self) -> bool:
        """Whether an interpreter or witness was entered (or refused): their fields then show open."""
        return any(field.value() or field.errors for field in self.companion_fields)

    def signing(self) -> dict[str, Any]:
        """Who signs and who took part, as ``screening_sign`` takes them."""
        data = self.cleaned_data
        by_representative = data["signer"] == SIGNER_REPRESENTATIVE
        companions = []
        if data.get("interpreter_name"):
            companions.append(
                CompanionRecord(role=INTERPRETER, name=data["interpreter_name"], language=data["interpreter_language"])
            )
        if data.get("witness_name"):
            companions.append(CompanionRecord(role=WITNESS, name=data["witness_name"]))
        return {
            "signer": data["signer"],
            "patient_signed_name": data["representative_name"] if by_representative else data["patient_signed_name"],
            "representative_relationship": data["representative_relationship"] if by_representative else "",
            "companions": companions,
        }

    def clean_signature(self):
        return signature_from_data_url(self.cleaned_data.get("signature") or "")

    def clean_clinician_password(self):
        password = self.cleaned_data["clinician_password"]
        # Through the authentication backends, so failed attempts count towards the sign-in lockout.
        if authenticate(self.request, username=self.user.get_username(), password=password) is None:
            raise ValidationError(_("That is not your password."))
        return password


def error_summary(form: forms.Form, targets: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """Each error of a refused form with the id of the field to move to, in the form's order.

    A group of radios or boxes is reached through its first input; ``targets`` names another
    element where a field has no input of its own (a drawn signature). Errors of the whole form
    have no field: their id is "".
    """
    targets = targets or {}
    summary = [(str(message), "") for message in form.non_field_errors()]
    for name in form.fields:
        if name not in form.errors:
            continue
        bound = form[name]
        is_group = isinstance(form.fields[name].widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
        target = targets.get(name) or (f"{bound.auto_id}_0" if is_group else bound.auto_id)
        summary.extend((str(message), target) for message in form.errors[name])
    return summary


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this screening void?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The reason is kept with the record and shown wherever it appears."),
    )

    def clean_reason(self):
        return clean_free_text(self.cleaned_data["reason"], max_length=1000)


class DashboardFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Screening.Status.choices]
    )
    risk = forms.ChoiceField(
        label=_("Risk"),
        required=False,
        choices=[("", _("Any risk")), *((level.value, level.label) for level in reversed(RiskLevel))],
    )

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].replace("\x00", "").split())
