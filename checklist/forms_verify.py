"""The public form that checks a consent document: a verification code and, optionally, the PDF."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
CODE_LENGTH = 10

# Codes use Crockford's alphabet; read aloud or retyped, I and L mean 1 and O means 0.
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS = re.compile(r"[\s\-_.]+")
_CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{10}$")


def normalise_code(value: str) -> str:
    """The canonical form of a typed code: upper case, no spaces or dashes, confusables fixed."""
    return _SEPARATORS.sub("", value or "").upper().translate(_CONFUSABLE)


def is_valid_code(value: str) -> bool:
    return bool(_CODE.match(value))


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("The 10-character code printed on the document, next to the QR code."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    document = forms.FileField(
        label=_("The PDF to check (optional)"),
        required=False,
        help_text=_(
            "Choose the PDF file to find out whether it is exactly the document the clinic issued (10 MB at most)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not is_valid_code(code):
            raise forms.ValidationError(
                _("A verification code has 10 letters and digits, like 7K3M9QX2TB. Check it and try again."),
                code="bad_code",
            )
        return code

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document and document.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _(
                    "That file is larger than 10 MB, so it cannot be a document ExoSafe issued. "
                    "Choose the PDF you were given."
                ),
                code="too_large",
            )
        return document
