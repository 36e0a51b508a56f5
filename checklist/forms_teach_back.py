"""The teach-back step's form: one group of radios for each question not yet answered right."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from checklist.teach_back import RIGHT, TeachBackCheck


def answer_field_name(code: str) -> str:
    return f"teach-back-{code}"


class TeachBackForm(forms.Form):
    """The patient's answer to each open or wrongly answered question; right ones are done."""

    def __init__(self, *args: Any, check: TeachBackCheck, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.check = check
        for state in check.questions:
            if state.status == RIGHT:
                continue
            self.fields[answer_field_name(state.question.code)] = forms.ChoiceField(
                label=state.question.prompt,
                choices=[(c.value, c.label) for c in state.question.choices],
                required=False,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )

    def cards(self) -> list[dict[str, Any]]:
        """Each question with its state and, unless answered right, its radios."""
        cards = []
        for state in self.check.questions:
            name = answer_field_name(state.question.code)
            cards.append({"state": state, "field": self[name] if name in self.fields else None})
        return cards

    def answers(self) -> dict[str, str]:
        """The answers picked in this submission, by question code."""
        if not hasattr(self, "cleaned_data"):
            return {}
        return {
            state.question.code: value
            for state in self.check.questions
            if (value := self.cleaned_data.get(answer_field_name(state.question.code)))
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for code, errors in exc.message_dict.items():
                name = answer_field_name(code)
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, exc)
