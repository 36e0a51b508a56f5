"""Every kind of audit event the code writes has words for the admin, and no words wait for a kind
that nothing writes. The kinds are found in the source itself, so a new one cannot slip past."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from checklist.audit import PDF_STORED
from checklist.audit_text import EVENT_LABELS, event_sentence

ROOT = Path(settings.BASE_DIR)
# An audit kind is written as the action of audit_log (or of a helper passing it on), or kept in
# a module constant as PDF_STORED is.
_ACTION_ARGUMENT = re.compile(r"""\baction\s*=\s*["']([a-z_]+\.[a-z_]+)["']""")
_CONSTANT = re.compile(r"""^[A-Z_]+\s*=\s*["']((?:screening|staff)\.[a-z_]+)["']""", re.MULTILINE)


def emitted_kinds() -> set[str]:
    kinds: set[str] = set()
    for package in ("checklist", "clinic", "dossiers"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text()
            kinds |= set(_ACTION_ARGUMENT.findall(text)) | set(_CONSTANT.findall(text))
    return kinds


def test_the_search_finds_the_kinds_it_must():
    kinds = emitted_kinds()
    assert PDF_STORED in kinds  # through the constant
    assert {"screening.signed", "screening.pdf_exported", "staff.second_factor_reset"} <= kinds


def test_every_kind_written_has_a_label():
    missing = emitted_kinds() - set(EVENT_LABELS)
    assert not missing, f"audit kinds without words in checklist/audit_text.py: {sorted(missing)}"


def test_no_label_waits_for_a_kind_nothing_writes():
    unused = set(EVENT_LABELS) - emitted_kinds()
    assert not unused, f"words for audit kinds that nothing writes: {sorted(unused)}"


def test_every_kind_has_its_own_sentence_without_codes():
    for kind in EVENT_LABELS:
        sentence = event_sentence(kind, {"member": "nina", "role": "admin", "source": "EXO-AAAA-BBBB"}, {})
        assert sentence.endswith(".") and "_" not in sentence and kind not in sentence, (kind, sentence)
