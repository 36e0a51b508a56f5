"""The audit trail's hash chain: a canonical serialisation of one event and its SHA-256.

Pure, so that the writer (``checklist.audit``), the verifier and the migration that hashed the
events recorded before the chain existed all compute the same digest. Changing this function
breaks every stored chain: never do it without a migration that re-hashes and says so.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

# The "previous hash" of a clinic's first event.
GENESIS_SHA256 = "0" * 64


def canonical_time(at: datetime) -> str:
    """UTC to the microsecond, the precision both databases store."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def event_sha256(
    *,
    clinic_id: int,
    screening_reference: str | None,
    actor_id: int | None,
    action: str,
    at: datetime,
    detail: dict[str, Any],
    previous_sha256: str,
) -> str:
    """The digest of one event's content, chained to the event before it."""
    content = {
        "clinic": clinic_id,
        "screening": screening_reference,
        "actor": actor_id,
        "action": action,
        "at": canonical_time(at),
        "detail": detail,
        "previous": previous_sha256,
    }
    serialised = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(serialised.encode("utf-8")).hexdigest()
