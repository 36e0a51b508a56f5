"""Forms for signing in, changing one's password, and a clinic admin managing staff and settings."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from checklist.models.content import clean_free_text
from clinic.models import CLINIC_SETTINGS_FIELDS, GRACE_DAYS_MAX, Clinic, Membership


class UsernameLengthCheckedMixin(forms.BaseForm):
    """Refuse an over-long username before anyone authenticates it.

    AuthenticationForm sets the username's max_length after the field is built, so no length
    validator runs: a username of any length reaches authenticate() and django-axes, whose
    failed-attempt row holds 255 characters, and PostgreSQL turns the sign-in into a 500.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = cast(forms.CharField, self.fields["username"])
        username.validators.append(MaxLengthValidator(username.max_length))


class LoginForm(UsernameLengthCheckedMixin, AuthenticationForm):
    """The staff sign-in page's form."""


class AdminLoginForm(UsernameLengthCheckedMixin, AdminAuthenticationForm):
    """The admin sign-in page's form (``admin.site.login_form``)."""


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's form, with the current password checked through the authentication backends.

    Django's own form calls ``check_password()``, which django-axes never sees, so a signed-in
    session could guess the current password without limit (and then change it). Through
    ``authenticate()`` each wrong guess counts towards the sign-in lockout, as at signing.
    """

    def __init__(self, user, *args, request, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if authenticate(self.request, username=self.user.get_username(), password=old_password) is None:
            raise ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class StaffCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        help_text=_("Letters, digits and @ . + - _ only."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.CLINICIAN)
    password = forms.CharField(
        label=_("Temporary password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        help_text=_("Give it to them in person; they can change it after signing in."),
    )

    def clean_username(self):
        # Normalised (NFKC) as create_user() will store it, then checked again: "carol" typed in
        # full-width letters is carol, and one typed character can become several.
        user_model = get_user_model()
        username = user_model.normalize_username(self.cleaned_data["username"])
        cast(models.Field, user_model._meta.get_field(user_model.USERNAME_FIELD)).run_validators(username)
        if user_model.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("That username is taken."))
        return username

    def clean_first_name(self):
        return clean_free_text(self.cleaned_data["first_name"], max_length=150)

    def clean_last_name(self):
        return clean_free_text(self.cleaned_data["last_name"], max_length=150)

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        password = cleaned.get("password")
        if password:
            user = get_user_model()(
                username=cleaned.get("username", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(password, user)
            except ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class StaffUpdateForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)
    is_active = forms.BooleanField(required=False)


class CodeForm(forms.Form):
    """One code: six digits from the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, help_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = help_text


GRACE_RANGE_MESSAGE = _("Enter a whole number of days from 0 to %(max)s (0: such a draft must move at once).")


class ClinicSettingsForm(forms.ModelForm):
    """The clinic-wide settings a clinic admin changes on the app's own pages."""

    class Meta:
        model = Clinic
        fields = CLINIC_SETTINGS_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_field = Clinic._meta.get_field("retired_version_grace_days")
        message = GRACE_RANGE_MESSAGE % {"max": GRACE_DAYS_MAX}
        self.fields["retired_version_grace_days"] = forms.IntegerField(
            label=model_field.verbose_name.capitalize(),
            help_text=model_field.help_text,
            min_value=0,
            max_value=GRACE_DAYS_MAX,
            error_messages={"required": message, "invalid": message, "min_value": message, "max_value": message},
        )
