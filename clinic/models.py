"""Clinic-level models: the clinic itself and who works there."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class PaperSize(models.TextChoices):
    LETTER = "letter", _("US Letter")
    A4 = "a4", _("A4")


class ReflectionPeriod(models.TextChoices):
    """The least time between signing a "go ahead" and the treatment (issue 14: time to reflect)."""

    NONE = "none", _("None: the treatment may follow the signing")
    HOURS_24 = "24h", _("24 hours")
    DAYS_7 = "7d", _("7 days")


# A draft under a retired checklist may be finished under it for at most a year: longer, and its
# patient would sign content the clinic stopped using long ago.
GRACE_DAYS_MAX = 365

REFLECTION_HOURS = {ReflectionPeriod.NONE: 0, ReflectionPeriod.HOURS_24: 24, ReflectionPeriod.DAYS_7: 24 * 7}


class Clinic(models.Model):
    """A clinic that screens patients. Every screening and every staff member belongs to one."""

    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    adverse_event_contact = models.TextField(
        help_text=_("Who a patient contacts at the clinic about a side effect: name, phone, hours."),
    )
    default_jurisdiction = models.ForeignKey(
        "checklist.Jurisdiction", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    paper_size = models.CharField(max_length=6, choices=PaperSize.choices, default=PaperSize.A4)
    logo = models.ImageField(upload_to="clinic-logos/", blank=True)
    cosign_accepted_red_flags = models.BooleanField(
        _("a second clinician co-signs a “go ahead” with accepted red flags"),
        default=False,
        help_text=_(
            "When the patient accepts the risk of a red flag and goes ahead, a second clinician of the clinic "
            "confirms it with their own password."
        ),
    )
    # Both default to 24 hours. The GMC asks for time to reflect before cosmetic interventions; no
    # guidance sets a period for joints or wounds, but the products are the same unapproved ones and
    # the treatment is elective, never urgent, so a day to reflect costs the patient nothing. A
    # clinic whose wound care a day's wait would harm can set "none" for those uses alone.
    reflection_period_cosmetic = models.CharField(
        _("time to reflect before a cosmetic treatment (skin, hair, other uses)"),
        max_length=4,
        choices=ReflectionPeriod.choices,
        default=ReflectionPeriod.HOURS_24,
        help_text=_("The least time between signing a “go ahead” and the treatment day's time-out."),
    )
    reflection_period_medical = models.CharField(
        _("time to reflect before a treatment of a joint or a wound"),
        max_length=4,
        choices=ReflectionPeriod.choices,
        default=ReflectionPeriod.HOURS_24,
        help_text=_("The least time between signing a “go ahead” and the treatment day's time-out."),
    )
    retired_version_grace_days = models.PositiveSmallIntegerField(
        _("days a draft may still be finished under a retired checklist"),
        default=30,
        validators=[
            MaxValueValidator(
                GRACE_DAYS_MAX,
                _("Choose at most %(limit_value)s days: a draft can wait a year at most under a retired checklist."),
            )
        ],
        help_text=_(
            "When a new checklist version is published, a draft started under the old one can still be finished "
            "under it for this many days; after that it must move to the new version first."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def reflection_period_for(self, intended_use: str) -> str:
        """The period for a use: joints and wounds are medical; skin, hair and any other use are
        taken as cosmetic, the stricter reading of an unknown use."""
        if intended_use in ("joint", "wound"):
            return self.reflection_period_medical
        return self.reflection_period_cosmetic


# What a clinic admin sets for the whole clinic on the app's settings page (clinic.views_staff).
CLINIC_SETTINGS_FIELDS = (
    "reflection_period_cosmetic",
    "reflection_period_medical",
    "cosign_accepted_red_flags",
    "retired_version_grace_days",
)


class Membership(models.Model):
    """A user's place in a clinic. A user works for one clinic; what they may do follows the role."""

    class Role(models.TextChoices):
        CLINICIAN = "clinician", _("Clinician")
        ADMIN = "admin", _("Clinic admin")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.CLINICIAN)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["clinic", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.clinic})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN
