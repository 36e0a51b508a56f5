"""Shared material for the hostile-input tests: nasty strings, hypothesis strategies and profiles,
a fingerprint of the rows a refused request must leave alone, and a per-example rollback.

Hypothesis settings live in named profiles used as decorators, never loaded globally, so other
tests keep hypothesis's defaults. ``EXOSAFE_HOSTILE_PROFILE=hostile-thorough`` runs many more
examples, for a slow hunt before a release.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from checklist.models import Answer, AuditEvent, Screening
from clinic.models import Clinic, Membership

settings.register_profile(
    "hostile",
    max_examples=25,
    deadline=None,
    database=None,
    # The db and client fixtures are per test, and every example rolls its writes back itself.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("hostile-thorough", parent=settings.get_profile("hostile"), max_examples=500)
HOSTILE = settings.get_profile(os.environ.get("EXOSAFE_HOSTILE_PROFILE", "hostile"))
# For tests whose every example signs in or hashes a password: fewer, still varied.
HOSTILE_FEW = settings(HOSTILE, max_examples=max(10, HOSTILE.max_examples // 2))

# The same rule as checklist.models.content.clean_free_text.
FORBIDDEN_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

SCRIPT = '<script>alert("x")</script>'

# Text that has broken real applications. Lone surrogates are left out: no browser can send them
# (they are not encodable as UTF-8) and Django's test client refuses them too.
NASTY_STRINGS = [
    "",
    " ",
    "\t\n\r ",
    "x" * 201,
    "x" * 5000,
    "é" * 1001,
    "\x00",
    "Pat\x00Example",
    "%00",
    "\x1b[31mred\x1b[0m",
    "bell\x07",
    "\x7f",
    "line\x0bbreak",
    "\u202eevil.exe\u202c",
    "\u200fמטופל\u200f",  # noqa: RUF001 - look-alike letters on purpose
    "مريض",
    "\ufeffBOM",
    "zero\u200bwidth",
    "A\u0301\u0301\u0301\u0301",
    "\u2028\u2029",
    "🧪💉🩸 👩🏽‍⚕️",
    "𝕻𝖆𝖙",  # noqa: RUF001 - look-alike letters on purpose
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{ 7*7 }} {% debug %}",
    "${7*7}",
    "' OR '1'='1",
    "Robert'); DROP TABLE checklist_screening;--",
    "1; SELECT * FROM auth_user",
    "../../../../etc/passwd",
    "file:///etc/passwd",
    "\\\\server\\share",
    "NaN",
    "-1",
    "99999999999999999999999999",
]

# Every character a browser could send except surrogates, weighted towards the troublesome.
_any_char = st.characters(codec="utf-8", exclude_categories=("Cs",))
_odd_char = st.sampled_from(
    ["\x00", "\x01", "\x1b", "\x7f", "\u202e", "\u200f", "\u200b", "\ufeff", "<", ">", "&", '"', "'", "\\", "\n", "🧪"]
)
hostile_text = st.one_of(
    st.sampled_from(NASTY_STRINGS),
    st.text(alphabet=st.one_of(_any_char, _odd_char), max_size=300),
    st.builds(lambda c, n: c * n, st.sampled_from(["x", "é", "🧪", " ", "\x00"]), st.integers(190, 2100)),
)

hostile_dates = st.one_of(
    st.sampled_from(
        [
            "2024-02-30",
            "2023-02-29",
            "0000-01-01",
            "0001-01-01",
            "1899-12-31",
            "2101-01-01",
            "9999-12-31",
            "10000-01-01",
            "-2000-01-01",
            "2024-13-01",
            "2024-00-10",
            "2024-1-1",
            "01/02/03",
            "1e5",
            "NaN",
            "2024-01-01T00:00:00",
            "2024-01-01\x00",
            "１９８０-０５-１７",  # noqa: RUF001 - look-alike letters on purpose
            "9" * 400,
            "",
            " ",
        ]
    ),
    st.dates().map(lambda d: d.isoformat()),
    hostile_text,
)

hostile_integers = st.one_of(
    st.sampled_from(["-1", "-0", "0", "1.5", "1e3", "0x10", " 1", "abc", "", "null", "2147483648", "9" * 30]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    hostile_text,
)


def accepted_text(value: str, *, max_length: int, required: bool) -> str | None:
    """What a text field stores for ``value``, or None when the form must refuse it.

    Django strips surrounding whitespace (Python's idea of it, which includes a few control
    characters), then the app refuses NUL and other control characters, and anything too long.
    """
    stripped = value.strip()
    if FORBIDDEN_CONTROL.search(stripped) or len(stripped) > max_length:
        return None
    if required and not stripped:
        return None
    return stripped


def rows_fingerprint(*querysets) -> str:
    """A hash of every column of every row of the querysets, in primary key order."""
    digest = hashlib.sha256()
    for queryset in querysets:
        digest.update(queryset.model._meta.label.encode())
        for row in queryset.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def world_fingerprint() -> str:
    """Everything a refused request must not touch: screenings, answers, the audit trail, their
    history, and the people and clinics."""
    return rows_fingerprint(
        Screening.objects.all(),
        Answer.objects.all(),
        AuditEvent.objects.all(),
        Screening.history.all(),
        Answer.history.all(),
        Clinic.objects.all(),
        Membership.objects.all(),
        get_user_model().objects.all(),
    )


@contextmanager
def rolled_back() -> Iterator[None]:
    """Undo whatever one hypothesis example wrote, so every example starts from the same rows."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def assert_no_server_error(response) -> None:
    assert response.status_code < 500, (response.status_code, response.content[:500])
