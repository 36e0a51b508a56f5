"""Forms for red flags: the clinician's resolutions, and what the consent adds when flags exist.

The consent form here extends :class:`checklist.forms.ConsentForm`: "go ahead" is offered disabled
while a red flag is unresolved, the patient ticks each risk they accept, and a second clinician
co-signs where the clinic asks for it. The server checks the same again when signing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from checklist.forms import ConsentForm
from checklist.models import Decision, FlagResolution
from checklist.red_flags import GoAheadCheck
from checklist.services.red_flags import RESOLUTION_NOTE_MAX_LENGTH, ResolutionInput
from checklist.spec import clean_free_text


def outcome_field_name(code: str) -> str:
    return f"resolution-{code}"


def note_field_name(code: str) -> str:
    return f"resolution-note-{code}"


class RedFlagsForm(forms.Form):
    """One resolution (three choices) and a note for every red flag the answers raise."""

    def __init__(self, *args: Any, check: GoAheadCheck, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.check = check
        for state in check.flags:
            code = state.finding.code
            self.fields[outcome_field_name(code)] = forms.ChoiceField(
                label=_("Resolution"),
                choices=FlagResolution.Outcome.choices,
                required=False,
                initial=state.outcome or None,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            self.fields[note_field_name(code)] = forms.CharField(
                label=_("What you saw or discussed"),
                required=False,
                max_length=RESOLUTION_NOTE_MAX_LENGTH,
                initial=state.resolution.note if state.resolution else "",
                help_text=_("Required for “resolved”: for example, the batch's sterility test report, seen."),
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control", "maxlength": 1000}),
            )

    def cards(self) -> list[dict[str, Any]]:
        """Each flag with its two fields, in the order the flags are listed."""
        return [
            {
                "state": state,
                "outcome": self[outcome_field_name(state.finding.code)],
                "note": self[note_field_name(state.finding.code)],
            }
            for state in self.check.flags
        ]

    def resolutions(self) -> dict[str, ResolutionInput]:
        """The resolutions chosen (flags left without one are left as they were)."""
        out = {}
        for state in self.check.flags:
            code = state.finding.code
            outcome = self.cleaned_data.get(outcome_field_name(code))
            if outcome:
                out[code] = ResolutionInput(outcome, self.cleaned_data.get(note_field_name(code)) or "")
        return out

    def add_service_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for code, errors in exc.message_dict.items():
                self.add_error(note_field_name(code) if outcome_field_name(code) in self.fields else None, errors)
        else:
            self.add_error(None, exc)


class GoAheadRadioSelect(forms.RadioSelect):
    """The decision's radios, with "go ahead" disabled while the red flags do not allow it."""

    def __init__(self, *args: Any, blocked: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.blocked = blocked

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if self.blocked and value == Decision.PROCEED:
            option["attrs"]["disabled"] = True
            option["attrs"]["aria-describedby"] = "go-ahead-blocked"
        return option


class DecisionConsentForm(ConsentForm):
    """The consent, with the red flags' part: disabled "go ahead", accepted risks, co-signature."""

    def __init__(self, *args: Any, check: GoAheadCheck, cosign_required: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.check = check
        decision = self.fields["decision"]
        decision.widget = GoAheadRadioSelect(attrs={"class": "form-check-input"}, blocked=not check.allowed)
        decision.widget.choices = decision.choices  # type: ignore[attr-defined]
        self.cosign_required = cosign_required and bool(check.accepted)
        if check.accepted:
            self.fields["accepted_risks"] = forms.MultipleChoiceField(
                label=_("Risks you accept"),
                choices=[(f.code, f.patient_text) for f in check.accepted],
                required=False,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            )
        if self.cosign_required:
            self.fields["cosigner_username"] = forms.CharField(
                label=_("Second clinician: username"),
                required=False,
                max_length=150,
                widget=forms.TextInput(attrs={"autocomplete": "off", "class": "form-control"}),
            )
            self.fields["cosigner_password"] = forms.CharField(
                label=_("Second clinician: password"),
                required=False,
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "off", "class": "form-control"}),
            )

    def clean_decision(self):
        decision = self.cleaned_data["decision"]
        if decision == Decision.PROCEED and not self.check.allowed:
            raise ValidationError(self.check.reason)
        return decision

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        cleaned["cosigned_by"] = None
        going_ahead = cleaned.get("decision") == Decision.PROCEED
        accepted = {f.code for f in self.check.accepted}
        if not going_ahead:
            cleaned["accepted_risks"] = []
            return cleaned
        if accepted and set(cleaned.get("accepted_risks") or ()) != accepted:
            self.add_error("accepted_risks", _("To go ahead, tick each risk you accept."))
        if self.cosign_required:
            cleaned["cosigned_by"] = self._cosigner(cleaned)
        return cleaned

    def _cosigner(self, cleaned: dict[str, Any]):
        username = clean_free_text(cleaned.get("cosigner_username") or "", max_length=150)
        password = cleaned.get("cosigner_password") or ""
        if not username or not password:
            self.add_error("cosigner_username", _("A second clinician types their username and password to co-sign."))
            return None
        if username == self.user.get_username():
            self.add_error("cosigner_username", _("The co-signer must be another clinician, not you."))
            return None
        # Through the authentication backends, so failed attempts count towards that user's lockout.
        user = authenticate(self.request, username=username, password=password)
        membership = getattr(user, "membership", None) if user is not None else None
        if membership is None or membership.clinic_id != self.request.membership.clinic_id:
            self.add_error("cosigner_password", _("That is not the username and password of a clinician here."))
            return None
        return user
