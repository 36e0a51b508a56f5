"""Reads of clinic-level records, scoped to one clinic."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.models import Clinic, Membership


def clinic_staff(*, clinic: Clinic) -> QuerySet[Membership]:
    """The clinic's members with their user, and whether each has a confirmed second factor."""
    return (
        Membership.objects.filter(clinic=clinic)
        .select_related("user")
        .annotate(second_factor=Exists(TOTPDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True)))
        .order_by("user__username")
    )
