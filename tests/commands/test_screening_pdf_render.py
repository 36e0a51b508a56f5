"""`manage.py screening_pdf_render` stores the PDFs a failed or missing worker left pending."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from checklist.demo import sign_screening
from checklist.models import Screening, SignedPdfRender


@pytest.fixture
def pending_pair(tasks_queued, make_screening, clinic_a, alice):
    return [
        sign_screening(make_screening(clinic_a, alice, answers="clean"), alice),
        sign_screening(make_screening(clinic_a, alice, answers="clean"), alice),
    ]


def test_pending_stores_every_missing_pdf(pending_pair, capsys):
    call_command("screening_pdf_render", "--pending")
    for screening in pending_pair:
        screening.refresh_from_db()
        assert screening.has_stored_pdf and screening.pdf_render.status == SignedPdfRender.Status.STORED
    assert capsys.readouterr().out.count(": stored.") == 2


def test_a_reference_stores_that_one_and_a_second_run_changes_nothing(pending_pair, capsys):
    first, second = pending_pair
    call_command("screening_pdf_render", first.reference.lower())
    first.refresh_from_db()
    stored = first.pdf_sha256
    assert stored and not Screening.objects.get(pk=second.pk).pdf_sha256
    call_command("screening_pdf_render", first.reference)
    first.refresh_from_db()
    assert first.pdf_sha256 == stored
    assert "already stored" in capsys.readouterr().out


def test_a_failure_is_reported_and_exits_non_zero(pending_pair, monkeypatch):
    from checklist.services import signed_pdf

    monkeypatch.setattr(signed_pdf, "render_screening_pdf", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "full")))
    with pytest.raises(CommandError, match="2 PDF"):
        call_command("screening_pdf_render", "--pending")
    assert all(r.status == "failed" for r in SignedPdfRender.objects.filter(screening__in=pending_pair))


def test_it_refuses_unknown_references_drafts_and_no_arguments(draft):
    with pytest.raises(CommandError, match="No screening"):
        call_command("screening_pdf_render", "EXO-0000-0000")
    with pytest.raises(CommandError, match="not signed"):
        call_command("screening_pdf_render", draft.reference)
    with pytest.raises(CommandError, match="--pending"):
        call_command("screening_pdf_render")
