"""Dossier documents are checked by their content: hostile files are refused with a reason and
nothing is stored."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, TextStringObject

from checklist.models import AuditEvent
from dossiers.models import DossierDocument
from dossiers.uploads import UploadRefused, check_upload

MAX = 20 * 1024 * 1024


def small_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes(size=(20, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, "PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, "JPEG")
    return out.getvalue()


def pdf_with_javascript() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    script = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('hello');")}
    )
    names = DictionaryObject(
        {NameObject("/JavaScript"): DictionaryObject({NameObject("/Names"): writer._add_object(script)})}
    )
    writer._root_object[NameObject("/Names")] = writer._add_object(names)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_open_action() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    action = DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_embedded_file() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_attachment("payload.exe", b"MZ\x90\x00")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_bomb_pages() -> bytes:
    return small_pdf(pages=2000)


def pdf_bomb_stream() -> bytes:
    """One page whose content stream is tiny compressed and 200 MB unpacked."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    stream = DecodedStreamObject()
    stream.set_data(b"0 0 m\n" * (200 * 1024 * 1024 // 6))
    compressed = stream.flate_encode()
    page[NameObject("/Contents")] = writer._add_object(compressed)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def check(data: bytes):
    return check_upload(io.BytesIO(data), declared_size=len(data), max_bytes=MAX)


@pytest.mark.parametrize(("maker", "kind"), [(small_pdf, "pdf"), (png_bytes, "png"), (jpeg_bytes, "jpeg")])
def test_it_accepts_real_documents(maker, kind):
    assert check(maker()).kind == kind


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "not a PDF, PNG or JPEG"),
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "not a PDF, PNG or JPEG",
        ),
        (b"%PDF-1.7\nthis is not really a pdf", "could not be read"),
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "could not be read"),
        (b"", "empty"),
    ],
    ids=["renamed-executable", "svg-with-script", "fake-pdf", "fake-png", "empty"],
)
def test_it_refuses_files_that_are_not_what_they_claim(data, reason):
    with pytest.raises(UploadRefused, match=reason):
        check(data)


@pytest.mark.parametrize("maker", [pdf_with_javascript, pdf_with_open_action, pdf_with_embedded_file])
def test_it_refuses_pdfs_with_active_content(maker):
    with pytest.raises(UploadRefused, match="active content"):
        check(maker())


def test_it_refuses_a_pdf_with_thousands_of_pages():
    with pytest.raises(UploadRefused, match="pages"):
        check(pdf_bomb_pages())


def test_it_refuses_a_pdf_that_unpacks_to_hundreds_of_megabytes():
    data = pdf_bomb_stream()
    assert len(data) < 2 * 1024 * 1024
    with pytest.raises(UploadRefused):
        check(data)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_it_refuses_an_image_with_too_many_pixels():
    with pytest.raises(UploadRefused):
        check(png_bytes(size=(10000, 10000)))


def test_it_refuses_a_file_over_the_limit_without_reading_it_all():
    big = io.BytesIO(b"%PDF-" + b"\x00" * (MAX + 10))
    with pytest.raises(UploadRefused, match="larger than 20 MB"):
        check_upload(big, declared_size=None, max_bytes=MAX)


@pytest.mark.django_db
def test_a_50_mb_upload_through_the_page_is_refused_and_nothing_stored(carol_client, product_a, settings, tmp_path):
    upload = TemporaryUploadedFile("certificate.pdf", "application/pdf", 50 * 1024 * 1024, None)
    upload.write(b"%PDF-1.7\n")
    upload.seek(50 * 1024 * 1024 - 1)
    upload.write(b"\x00")
    upload.seek(0)
    response = carol_client.post(
        reverse("dossiers:product-document-upload", args=[product_a.pk]), {"title": "Big", "file": upload}, follow=True
    )
    assert "larger than 20 MB" in response.content.decode()
    assert not DossierDocument.objects.exists()
    assert AuditEvent.objects.filter(action="dossier.document_refused").exists()


@pytest.mark.django_db
def test_an_svg_named_pdf_through_the_page_is_refused(carol_client, product_a, settings):
    svg = SimpleUploadedFile("certificate.pdf", b"<svg><script>alert(1)</script></svg>", content_type="application/pdf")
    response = carol_client.post(
        reverse("dossiers:product-document-upload", args=[product_a.pk]), {"title": "Cert", "file": svg}, follow=True
    )
    assert "not a PDF, PNG or JPEG" in response.content.decode()
    assert not DossierDocument.objects.exists()
    assert not (settings.PRIVATE_MEDIA_ROOT).exists() or not any(settings.PRIVATE_MEDIA_ROOT.rglob("*.*"))


@pytest.mark.django_db
def test_a_real_pdf_through_the_page_is_stored_and_listed(carol_client, lot_a):
    pdf = SimpleUploadedFile("anything.bin", small_pdf(), content_type="application/octet-stream")
    response = carol_client.post(
        reverse("dossiers:lot-document-upload", args=[lot_a.pk]),
        {"title": "Certificate of analysis", "file": pdf},
        follow=True,
    )
    document = DossierDocument.objects.get(lot=lot_a)
    assert document.file_kind == "pdf"
    assert "Certificate of analysis" in response.content.decode()
