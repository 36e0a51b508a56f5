"""``backup_data`` and ``restore_data``: a whole installation round-trips, every PDF intact, and a
damaged archive or an unsuitable target changes nothing."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image

from checklist.backups import MANIFEST_NAME, backup_models
from checklist.demo import answer_all_sections, sign_screening
from checklist.models import Answer, AuditEvent, ChecklistVersion, Screening, ScreeningLocked
from checklist.pdf import stored_pdf_bytes
from checklist.services.screenings import (
    AnswerInput,
    screening_answers_save,
    screening_copy_for_correction,
    screening_start,
    screening_void,
)
from clinic.models import Clinic, Membership
from tests.conftest import PASSWORD, V1_CONTENT, make_clinic, make_member, start_data

pytestmark = pytest.mark.django_db(transaction=True)


def run(command: str, *args) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=out)
    return out.getvalue()


def logo_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 32), (20, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def stub_pdf(monkeypatch):
    """For the refusal tests: any bytes do for a PDF whose hash is checked, and WeasyPrint is slow.
    (Patched where the signed PDF's store calls it.)"""
    import checklist.services.signed_pdf

    monkeypatch.setattr(
        checklist.services.signed_pdf,
        "render_screening_pdf",
        lambda screening, **_: b"%PDF-1.7\n% " + screening.reference.encode(),
    )


def build_installation(*, with_logo: bool = True) -> dict:
    """Two clinics with people, a logo, signed, voided, corrected and draft screenings."""
    call_command("load_checklist", V1_CONTENT, verbosity=0)
    clinic_a, clinic_b = make_clinic("Harbour Clinic"), make_clinic("Hill Clinic")
    if with_logo:
        clinic_a.logo.save("harbour.png", ContentFile(logo_png()))
    alice, carol = make_member(clinic_a, "alice"), make_member(clinic_a, "carol", Membership.Role.ADMIN)
    bob = make_member(clinic_b, "bob")

    signed = screening_start(clinic=clinic_a, clinician=alice, data=start_data(patient_name="Zoë Ñandú 🧪"))
    answer_all_sections(signed, "risky", alice, note="Seen <b>label</b> — lot 42", overrides={"lot_number": "L-42"})
    signed = sign_screening(signed, alice)

    voided = screening_start(clinic=clinic_a, clinician=alice, data=start_data())
    answer_all_sections(voided, "clean", alice)
    voided = screening_void(screening=sign_screening(voided, alice), user=carol, reason="Wrong date of birth")
    correction = screening_copy_for_correction(screening=voided, user=alice)

    draft = screening_start(clinic=clinic_a, clinician=alice, data=start_data())
    screening_answers_save(
        screening=draft,
        section_code="source",
        answers={"product_identity": AnswerInput("Vial \u202eseen\u202c", note="no COA yet")},
        user=alice,
    )

    other = screening_start(clinic=clinic_b, clinician=bob, data=start_data(patient_name="Bea Hill"))
    answer_all_sections(other, "clean", bob)
    other = sign_screening(other, bob)
    return {"clinics": [clinic_a, clinic_b], "signed": [signed, voided, other], "correction": correction}


def snapshot() -> dict:
    """Every row of every backed-up model, and every stored file's SHA-256."""
    rows = {
        model._meta.label: [repr(r) for r in model._base_manager.order_by("pk").values_list()]
        for model in backup_models()
    }
    files = {}
    for screening in Screening.objects.exclude(pdf=""):
        with screening.pdf.open("rb") as fh:
            files[screening.pdf.name] = hashlib.sha256(fh.read()).hexdigest()
    for clinic in Clinic.objects.exclude(logo=""):
        with clinic.logo.open("rb") as fh:
            files[clinic.logo.name] = hashlib.sha256(fh.read()).hexdigest()
    return {"rows": rows, "files": files}


def wipe_installation() -> None:
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    assert not Screening.objects.exists() and not get_user_model().objects.exists()


@pytest.mark.renders_pdf
def test_a_whole_installation_round_trips_with_every_pdf_intact(tmp_path, client):
    world = build_installation()
    before = snapshot()
    assert len(before["files"]) == 4  # three signed PDFs and a logo
    archive = tmp_path / "backup.tar.gz"

    message = run("backup_data", "-o", str(archive))
    assert "3 signed PDFs" in message and "SHA-256 of the archive" in message
    wipe_installation()
    message = run("restore_data", str(archive))
    assert "3 signed PDFs verified" in message

    after = snapshot()
    assert after["rows"] == before["rows"]
    assert after["files"] == before["files"]
    for screening in Screening.objects.exclude(pdf=""):
        assert hashlib.sha256(stored_pdf_bytes(screening)).hexdigest() == screening.pdf_sha256
    signed = world["signed"][0]
    assert Answer.objects.filter(screening_id=signed.pk).count() == signed.answers.count() > 0
    assert Answer.objects.get(screening_id=signed.pk, question__code="lot_number").note == "Seen <b>label</b> — lot 42"
    assert Screening.objects.get(pk=signed.pk).patient_name == "Zoë Ñandú 🧪"
    assert Screening.history.filter(id=signed.pk).count() > 1
    assert AuditEvent.objects.filter(screening_id=signed.pk, action="screening.signed").exists()
    assert ChecklistVersion.objects.get(status="published").sections.count() == 6

    # The restored installation works: sign in, download the same bytes, refuse changes, carry on.
    assert client.post(reverse("login"), {"username": "alice", "password": PASSWORD}).status_code == 302
    response = client.get(reverse("checklist:screening-pdf", args=[signed.pk]))
    assert hashlib.sha256(response.content).hexdigest() == signed.pdf_sha256
    restored = Screening.objects.get(pk=signed.pk)
    restored.patient_name = "Changed"
    with pytest.raises(ScreeningLocked):
        restored.save()
    alice = get_user_model().objects.get(username="alice")
    fresh = screening_start(clinic=alice.membership.clinic, clinician=alice, data=start_data())
    assert AuditEvent.objects.filter(screening=fresh, action="screening.started").exists()


@pytest.mark.renders_pdf
def test_check_reads_an_archive_without_changing_anything(tmp_path, stub_pdf):
    build_installation(with_logo=False)
    archive = tmp_path / "backup.tar.gz"
    run("backup_data", "-o", str(archive))
    before = snapshot()
    message = run("restore_data", str(archive), "--check")
    assert "is intact" in message and "3 signed PDFs" in message
    assert snapshot() == before


def test_it_restores_only_into_an_empty_database(tmp_path, stub_pdf):
    build_installation(with_logo=False)
    archive = tmp_path / "backup.tar.gz"
    run("backup_data", "-o", str(archive))
    before = snapshot()
    with pytest.raises(CommandError, match="The database is not empty"):
        run("restore_data", str(archive))
    assert snapshot() == before


def test_it_never_overwrites_an_existing_archive(tmp_path, stub_pdf):
    build_installation(with_logo=False)
    archive = tmp_path / "backup.tar.gz"
    archive.write_bytes(b"precious")
    with pytest.raises(CommandError, match="already exists"):
        run("backup_data", "-o", str(archive))
    assert archive.read_bytes() == b"precious"


@pytest.mark.parametrize("damage", ["changed", "deleted"])
@pytest.mark.renders_pdf
def test_a_damaged_stored_pdf_stops_the_backup(tmp_path, stub_pdf, damage):
    world = build_installation(with_logo=False)
    stored = Path(settings.MEDIA_ROOT, world["signed"][0].pdf.name)
    if damage == "changed":
        stored.write_bytes(b"%PDF-1.7 forged")
    else:
        stored.unlink()
    archive = tmp_path / "backup.tar.gz"
    expected = "no longer matches the SHA-256" if damage == "changed" else "missing from the media storage"
    with pytest.raises(CommandError, match=expected):
        run("backup_data", "-o", str(archive))
    assert not archive.exists() and not list(tmp_path.glob(".*.partial"))


def test_an_unwritable_destination_is_a_clear_error(tmp_path, stub_pdf):
    build_installation(with_logo=False)
    with pytest.raises(CommandError, match="Could not write"):
        run("backup_data", "-o", str(tmp_path / "no-such-folder" / "backup.tar.gz"))


def rewrite(archive: Path, target: Path, *, replace: dict[str, bytes], fix_manifest: bool) -> None:
    """Copy an archive, replacing members; optionally update the manifest's checksums to match."""
    with tarfile.open(archive, "r:gz") as source:
        members = {m.name: source.extractfile(m).read() for m in source.getmembers()}
    members.update(replace)
    if fix_manifest:
        manifest = json.loads(members[MANIFEST_NAME])
        for entry in manifest["files"]:
            data = members["media/" + entry["name"]]
            entry["sha256"], entry["size"] = hashlib.sha256(data).hexdigest(), len(data)
        members[MANIFEST_NAME] = json.dumps(manifest).encode()
    with tarfile.open(target, "w:gz") as out:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))


@pytest.mark.parametrize("fix_manifest", [False, True], ids=["damaged-archive", "forged-manifest"])
@pytest.mark.renders_pdf
def test_a_tampered_pdf_in_the_archive_is_refused_and_nothing_is_restored(tmp_path, stub_pdf, fix_manifest):
    world = build_installation(with_logo=False)
    archive, forged = tmp_path / "backup.tar.gz", tmp_path / "forged.tar.gz"
    run("backup_data", "-o", str(archive))
    name = "media/" + world["signed"][1].pdf.name
    rewrite(archive, forged, replace={name: b"%PDF-1.7 forged consent"}, fix_manifest=fix_manifest)
    wipe_installation()
    expected = "does not match the screening's SHA-256" if fix_manifest else "archive is damaged"
    with pytest.raises(CommandError, match=expected):
        run("restore_data", str(forged))
    assert not Screening.objects.exists()
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*.pdf"))


@pytest.mark.renders_pdf
def test_a_failure_while_restoring_leaves_no_half_restored_installation(tmp_path, stub_pdf, monkeypatch):
    build_installation(with_logo=False)
    archive = tmp_path / "backup.tar.gz"
    run("backup_data", "-o", str(archive))
    wipe_installation()
    real_save, saved = default_storage.save, []

    def save_then_fail(name, content, **kwargs):
        if saved:
            raise OSError("disk full")
        saved.append(real_save(name, content, **kwargs))
        return saved[-1]

    monkeypatch.setattr(default_storage, "save", save_then_fail)
    with pytest.raises(CommandError, match="disk full"):
        run("restore_data", str(archive))
    assert not Screening.objects.exists() and not get_user_model().objects.exists()
    assert not ChecklistVersion.objects.exists()
    assert saved and not default_storage.exists(saved[0])


@pytest.mark.renders_pdf
def test_an_archive_naming_a_file_outside_the_media_folder_is_refused(tmp_path, stub_pdf):
    build_installation(with_logo=False)
    archive, evil = tmp_path / "backup.tar.gz", tmp_path / "evil.tar.gz"
    run("backup_data", "-o", str(archive))
    with tarfile.open(archive, "r:gz") as source:
        manifest = json.loads(source.extractfile(MANIFEST_NAME).read())
    manifest["files"][0]["name"] = "../../outside.pdf"
    rewrite(archive, evil, replace={MANIFEST_NAME: json.dumps(manifest).encode()}, fix_manifest=False)
    with pytest.raises(CommandError, match="not a plain relative path"):
        run("restore_data", str(evil), "--check")
    assert not (Path(settings.MEDIA_ROOT).parent.parent / "outside.pdf").exists()


@pytest.mark.parametrize(
    "content",
    [b"", b"not a tar at all", b"\x1f\x8b\x08\x00garbage", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\x00" * 50],
)
def test_something_that_is_not_a_backup_is_refused_clearly(tmp_path, content):
    path = tmp_path / "backup.tar.gz"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="not a readable backup archive"):
        run("restore_data", str(path), "--check")


def test_a_truncated_archive_is_refused_clearly(tmp_path, stub_pdf):
    build_installation(with_logo=False)
    archive, cut = tmp_path / "backup.tar.gz", tmp_path / "cut.tar.gz"
    run("backup_data", "-o", str(archive))
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CommandError, match="damaged"):
        run("restore_data", str(cut), "--check")


def test_the_load_works_whatever_the_order_of_rows(tmp_path, stub_pdf):
    """Signed screenings loaded before their answers: on PostgreSQL the trigger that freezes a signed
    screening's answers would refuse them, so the restore switches triggers off for its load."""
    build_installation(with_logo=False)
    archive, reordered = tmp_path / "backup.tar.gz", tmp_path / "reordered.tar.gz"
    run("backup_data", "-o", str(archive))
    before = snapshot()
    with tarfile.open(archive, "r:gz") as source:
        rows = json.loads(source.extractfile("data.json").read())
        manifest = json.loads(source.extractfile(MANIFEST_NAME).read())
    rows.sort(key=lambda row: row["model"] != "checklist.screening")
    data = json.dumps(rows).encode()
    manifest["data"].update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    rewrite(
        archive,
        reordered,
        replace={"data.json": data, MANIFEST_NAME: json.dumps(manifest).encode()},
        fix_manifest=False,
    )
    wipe_installation()
    run("restore_data", str(reordered))
    assert snapshot() == before
