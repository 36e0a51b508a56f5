"""System checks of the settings that end up inside signed documents, and of the database roles.

Every signed PDF prints ``EXOSAFE_PUBLIC_URL`` in its verification link and QR code, and a
signed PDF never changes: a wrong address in production is wrong in every document for good.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning

HINT = "Set EXOSAFE_PUBLIC_URL to the https:// address patients reach the app at, e.g. https://clinic.example."


def is_loopback_host(host: str) -> bool:
    """True for localhost names and for loopback or unspecified addresses (127.0.0.1, ::1, 0.0.0.0)."""
    host = host.rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified


def public_url_errors(public_url: str) -> list[Error]:
    """What is wrong with ``public_url`` as the address printed in production documents."""
    if not public_url:
        return [Error("EXOSAFE_PUBLIC_URL is not set.", hint=HINT, id="checklist.E001")]
    try:
        parts = urlsplit(public_url)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if parts is None or parts.scheme != "https" or not host:
        return [
            Error(
                f"EXOSAFE_PUBLIC_URL must be an https:// address; got {public_url!r}.",
                hint=HINT,
                id="checklist.E002",
            )
        ]
    if is_loopback_host(host):
        return [
            Error(
                f"EXOSAFE_PUBLIC_URL points at this machine ({host}), which no patient can reach.",
                hint=HINT,
                id="checklist.E003",
            )
        ]
    return []


def check_public_url(app_configs, **kwargs) -> list[Error]:
    """Deploy check: production prints a reachable https address into every signed PDF."""
    if settings.DEBUG:
        return []
    return public_url_errors(getattr(settings, "EXOSAFE_PUBLIC_URL", ""))


def check_not_a_demo(app_configs, **kwargs) -> list[Error]:
    """Deploy check: the demo's plain-http settings (cookies without Secure, no https) are for demos only."""
    if not getattr(settings, "DEMO", False):
        return []
    return [
        Error(
            "EXOSAFE_DEMO is on: cookies are sent without the Secure flag and plain http is allowed.",
            hint="Unset EXOSAFE_DEMO in production; it is for `make run` demos only.",
            id="checklist.E004",
        )
    ]


def database_roles_warnings(engine: str, roles: dict | None) -> list[Warning]:
    """On PostgreSQL the app should connect as a role that cannot switch the triggers off."""
    if engine != "django.db.backends.postgresql" or roles:
        return []
    return [
        Warning(
            "The app connects to PostgreSQL with one role for everything: as the tables' owner, whoever "
            "holds its credentials can switch off the triggers that freeze signed records.",
            hint="Set DATABASE_URL to a runtime role and DATABASE_MIGRATE_URL to the tables' owner "
            "(docs/security.md, 'Database roles').",
            id="checklist.W001",
        )
    ]


def check_database_roles(app_configs, **kwargs) -> list[Warning]:
    """Deploy check: two database roles on PostgreSQL."""
    return database_roles_warnings(settings.DATABASES["default"]["ENGINE"], getattr(settings, "DATABASE_ROLES", None))
