"""Writes for clinic staff: adding a member and changing their role or access."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from checklist.audit import audit_log
from clinic.models import Clinic, Membership


@transaction.atomic
def staff_member_create(
    *, clinic: Clinic, actor, username: str, first_name: str, last_name: str, email: str, role: str, password: str
) -> Membership:
    user = get_user_model().objects.create_user(
        username=username, email=email, password=password, first_name=first_name, last_name=last_name
    )
    membership = Membership.objects.create(user=user, clinic=clinic, role=role)
    audit_log(clinic=clinic, actor=actor, action="staff.added", member=username, role=role)
    return membership


@transaction.atomic
def staff_member_update(*, membership: Membership, actor, role: str, is_active: bool) -> Membership:
    membership.role = role
    membership.full_clean()
    membership.save()
    user = membership.user
    if user.is_active != is_active:
        user.is_active = is_active
        user.save(update_fields=["is_active"])
    audit_log(
        clinic=membership.clinic,
        actor=actor,
        action="staff.changed",
        member=user.get_username(),
        role=role,
        active=is_active,
    )
    return membership
