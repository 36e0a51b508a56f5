"""Signing commits at once; the PDF is rendered afterwards, stored exactly once, never half."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from checklist import pdf, tasks
from checklist.demo import sign_screening
from checklist.models import Screening, ScreeningLocked, SignedPdfRender
from checklist.services import signed_pdf
from checklist.services.screenings import screening_sign
from checklist.services.signed_pdf import MAX_ATTEMPTS, screening_pdf_store, signed_pdf_path
from tests.conftest import PASSWORD
from tests.views.helpers import consent_post


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


class FullDiskStorage(FileSystemStorage):
    """Writes the first half of a file, then fails as a full disk does."""

    def _save(self, name, content):
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.read()
        path.write_bytes(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture
def full_disk(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.FullDiskStorage"}}


@pytest.fixture
def signable(make_screening, clinic_a, alice) -> Screening:
    return make_screening(clinic_a, alice, answers="clean")


def test_signing_commits_without_rendering_and_queues_the_pdf(tasks_queued, signable, alice, monkeypatch):
    monkeypatch.setattr(signed_pdf, "render_screening_pdf", lambda *a, **k: pytest.fail("rendered inside signing"))
    screening = sign_screening(signable, alice)
    screening.refresh_from_db()
    assert screening.is_signed and screening.signature_png and screening.acknowledged_codes
    assert screening.findings_snapshot and not screening.pdf and not screening.pdf_sha256
    assert screening.pdf_render.status == SignedPdfRender.Status.PENDING
    [queued] = tasks_queued.results
    assert queued.task.func is tasks.screening_pdf_render.func
    assert queued.args == [str(screening.pk)]


def test_the_signing_transaction_writes_no_file_and_renders_nothing(tasks_queued, signable, alice, settings):
    with CaptureQueriesContext(connection) as queries:
        sign_screening(signable, alice)
    assert media_files(settings) == []
    assert len(queries) < 30


def test_a_refused_signature_queues_nothing(tasks_queued, signable, alice):
    with pytest.raises(ValidationError):
        screening_sign(
            screening=signable,
            acknowledged=[],
            decision="wait",
            patient_signed_name="Pat",
            signature_png=None,
            attested_by=alice,
        )
    assert tasks_queued.results == []
    assert not SignedPdfRender.objects.filter(screening=signable).exists()


@pytest.mark.renders_pdf
def test_the_worker_stores_the_pdf_once_with_its_sha256(signable, alice, settings):
    screening = sign_screening(signable, alice)
    screening.refresh_from_db()
    data = pdf.stored_pdf_bytes(screening)
    assert data.startswith(b"%PDF-")
    assert screening.pdf.name == signed_pdf_path(screening)
    assert screening.pdf_render.status == SignedPdfRender.Status.STORED
    assert screening.pdf_render.attempts == 1
    assert media_files(settings) == [Path(screening.pdf.path)]


@pytest.mark.renders_pdf
def test_it_never_replaces_a_stored_pdf(risky_signed, settings):
    stored_hash, stored_name = risky_signed.pdf_sha256, risky_signed.pdf.name
    copy = Screening.objects.get(pk=risky_signed.pk)
    copy.pdf_sha256 = ""
    screening_pdf_store(screening=copy)
    risky_signed.refresh_from_db()
    assert (risky_signed.pdf_sha256, risky_signed.pdf.name) == (stored_hash, stored_name)
    assert len(media_files(settings)) == 1


def test_a_signed_row_takes_its_pdf_once_and_nothing_else(tasks_queued, signable, alice):
    sign_screening(signable, alice)
    screening = Screening.objects.get(pk=signable.pk)
    screening.pdf.name, screening.patient_name = "x.pdf", "Someone else"
    screening.pdf_sha256 = "a" * 64
    with pytest.raises(ScreeningLocked):
        screening.save()
    screening = Screening.objects.get(pk=signable.pk)
    screening.pdf.name = "x.pdf"
    with pytest.raises(ScreeningLocked):
        screening.save()  # the hash must come with it
    screening.pdf_sha256 = "a" * 64
    screening.save()
    for field, value in (("pdf", "y.pdf"), ("pdf_sha256", "b" * 64)):
        stored = Screening.objects.get(pk=signable.pk)
        setattr(stored, field, value)
        with pytest.raises(ScreeningLocked):
            stored.save()


@pytest.mark.renders_pdf
def test_a_full_disk_leaves_no_file_and_keeps_the_signature(full_disk, alice_client, signable, settings):
    response = alice_client.post(f"/screenings/{signable.pk}/consent/", consent_post(signable, PASSWORD), follow=True)
    assert response.status_code == 200
    screening = Screening.objects.get(pk=signable.pk)
    assert screening.is_signed and screening.signature_png and screening.acknowledged_codes
    assert not screening.pdf and not screening.pdf_sha256
    render = screening.pdf_render
    assert render.status == SignedPdfRender.Status.FAILED
    assert render.attempts == MAX_ATTEMPTS
    assert "disk is full" in render.error
    assert media_files(settings) == []
    assert b"could not be stored" in response.content


def test_a_read_only_media_folder_leaves_no_file_and_keeps_the_signature(tasks_queued, signable, alice, settings):
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions; test_a_full_disk_leaves_no_file covers the failure as root")
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    sign_screening(signable, alice)
    root.chmod(0o500)
    try:
        render = screening_pdf_store(screening=signable)
    finally:
        root.chmod(0o700)
    screening = Screening.objects.get(pk=signable.pk)
    assert screening.is_signed and screening.signature_png and not screening.pdf_sha256
    assert render.status == SignedPdfRender.Status.PENDING and "not allowed to write" in render.error
    assert media_files(settings) == []


def test_a_failed_database_update_deletes_the_written_file(tasks_queued, signable, alice, settings, monkeypatch):
    sign_screening(signable, alice)
    original_save = Screening.save

    def failing_save(self, *args, **kwargs):
        if "pdf" in (kwargs.get("update_fields") or ()):
            Path(self.pdf.path).stat()  # the file was written before the update
            raise OperationalError("database is locked")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Screening, "save", failing_save)
    render = screening_pdf_store(screening=signable)
    assert render.status == SignedPdfRender.Status.PENDING and render.attempts == 1
    assert media_files(settings) == []
    assert not Screening.objects.get(pk=signable.pk).pdf_sha256


def test_a_retry_replaces_a_stray_file_instead_of_adding_one(tasks_queued, signable, alice, settings):
    screening = sign_screening(signable, alice)
    stray = Path(settings.MEDIA_ROOT) / signed_pdf_path(screening)
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"%PDF-1.7 truncated")
    render = screening_pdf_store(screening=screening)
    assert render.status == SignedPdfRender.Status.STORED
    screening.refresh_from_db()
    assert media_files(settings) == [stray]
    assert pdf.stored_pdf_bytes(screening).startswith(b"%PDF-")


@pytest.mark.renders_pdf
def test_a_failed_render_is_retried_a_bounded_number_of_times(signable, alice, monkeypatch):
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("template error")

    monkeypatch.setattr(signed_pdf, "render_screening_pdf", broken)
    sign_screening(signable, alice)
    render = SignedPdfRender.objects.get(screening=signable)
    assert len(calls) == MAX_ATTEMPTS == render.attempts
    assert render.status == SignedPdfRender.Status.FAILED
    assert render.error == "The PDF could not be rendered (RuntimeError)."


def test_a_failure_is_logged(tasks_queued, signable, alice, monkeypatch, caplog):
    monkeypatch.setattr(signed_pdf, "render_screening_pdf", lambda *a, **k: (_ for _ in ()).throw(OSError(5, "EIO")))
    sign_screening(signable, alice)
    screening_pdf_store(screening=signable)
    assert f"The PDF of {signable.reference} was not stored" in caplog.text
