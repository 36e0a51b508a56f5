"""Clinic-level models: the clinic itself and who works there."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class PaperSize(models.TextChoices):
    LETTER = "letter", _("US Letter")
    A4 = "a4", _("A4")


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
    retired_version_grace_days = models.PositiveSmallIntegerField(
        _("days a draft may still be finished under a retired checklist"),
        default=30,
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
