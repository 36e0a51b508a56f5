"""The append-only audit log: who did what to which record, and when (pretix's ``log_action``).

Every write that a clinic must be able to account for calls :func:`audit_log` inside its own
transaction, so the event and the change it describes commit together or not at all.
"""

from __future__ import annotations

from typing import Any

from checklist.models import AuditEvent, Screening


def audit_log(*, clinic, action: str, actor=None, screening: Screening | None = None, **detail: Any) -> AuditEvent:
    """Append to the audit log. ``detail`` holds identifiers and counts, never answers or secrets."""
    return AuditEvent.objects.create(clinic=clinic, screening=screening, actor=actor, action=action, detail=detail)
