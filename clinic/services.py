"""Writes for clinic staff: adding a member, changing their role or access, their second factor."""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from checklist.audit import audit_log
from clinic.models import CLINIC_SETTINGS_FIELDS, Clinic, Membership


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


@transaction.atomic
def clinic_settings_update(*, clinic: Clinic, actor, data: dict) -> list[str]:
    """Change the clinic's settings (``CLINIC_SETTINGS_FIELDS``) and log what changed, from what
    to what. Returns the names of the settings changed; nothing changed writes nothing."""
    clinic = Clinic.objects.select_for_update().get(pk=clinic.pk)
    changes = [
        (name, getattr(clinic, name), data[name])
        for name in CLINIC_SETTINGS_FIELDS
        if name in data and getattr(clinic, name) != data[name]
    ]
    if not changes:
        return []
    for name, _before, after in changes:
        setattr(clinic, name, after)
    clinic.full_clean()
    clinic.save(update_fields=[name for name, _b, _a in changes])
    audit_log(
        clinic=clinic,
        actor=actor,
        action="clinic.settings_changed",
        changes=[[name, before, after] for name, before, after in changes],
    )
    return [name for name, _b, _a in changes]


class CodeThrottled(Exception):
    """Too many wrong codes in a row: no code is checked until ``locked_until``."""

    def __init__(self, locked_until):
        super().__init__(f"No code is checked until {locked_until:%H:%M:%S}.")
        self.locked_until = locked_until


def _checked(device, code: str) -> bool:
    """``device.verify_token`` (which throttles on its own), refusing early while throttled."""
    allowed, detail = device.verify_is_allowed()
    if not allowed:
        raise CodeThrottled(detail["locked_until"])
    return device.verify_token(code)


def normalise_code(code: str) -> str:
    """A code as typed on a phone or copied from the recovery list: no spaces or dashes, any case."""
    return "".join(code.split()).replace("-", "").lower()


def second_factor_enrol_start(*, user) -> TOTPDevice:
    """The authenticator being set up: the same secret on every visit until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def second_factor_enrol_confirm(*, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the authenticator with a code it made; return the new recovery codes (shown once).

    ``None`` when the code is wrong. Raises :class:`CodeThrottled` after too many wrong codes.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, confirmed=False)
    if not _checked(device, normalise_code(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=device.user).delete()
    recovery = StaticDevice.objects.create(user=device.user, name="Recovery codes")
    codes = [StaticToken.random_token() for _ in range(settings.SECOND_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=token) for token in codes)
    _second_factor_audit(user=device.user, actor=device.user, action="staff.second_factor_enrolled")
    return codes


def second_factor_check(*, user, code: str):
    """The device that accepts this code (a six-digit app code or a recovery code), else ``None``.

    A recovery code works once: django-otp deletes it when it is used. Every wrong code makes the
    device wait longer before it checks another (django-otp's throttling, kept in the database, so
    a new session does not start afresh); while it waits this raises :class:`CodeThrottled`.
    """
    code = normalise_code(code)
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is not None and _checked(device, code):
            return device
    return None


@transaction.atomic
def second_factor_reset(*, user, actor) -> int:
    """Remove every second-factor device of ``user``; they enrol again at their next sign-in."""
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    _second_factor_audit(user=user, actor=actor, action="staff.second_factor_reset")
    return removed


def _second_factor_audit(*, user, actor, action: str) -> None:
    """In the clinic's audit log for clinic staff, and in the admin's log for everyone (editors
    belong to no clinic)."""
    membership = Membership.objects.filter(user=user).select_related("clinic").first()
    if membership is not None:
        audit_log(clinic=membership.clinic, actor=actor, action=action, member=user.get_username())
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[user],
        action_flag=CHANGE,
        change_message=action.removeprefix("staff.").replace("_", " ").capitalize(),
        single_object=True,
    )
