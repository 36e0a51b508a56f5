"""Malformed drawn signatures: not a PNG, huge, empty, decompression bombs, truncated or corrupted.

The browser sends the signature as a data URL; the app must refuse anything that is not a small,
readable PNG with a form message, and store only a clean re-encoded copy of what it accepts.
"""

from __future__ import annotations

import base64
import io
import random
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageFile

from checklist.demo import demo_signature_png
from checklist.models import Screening
from checklist.signatures import (
    DATA_URL_PREFIX,
    MAX_SIGNATURE_BYTES,
    PNG_MAGIC,
    clean_signature_png,
    signature_from_data_url,
)
from tests.conftest import PASSWORD
from tests.security.hostile import HOSTILE, hostile_text, world_fingerprint
from tests.views.helpers import consent_post

GOOD = demo_signature_png()


@pytest.fixture(autouse=True)
def _pillow_as_weasyprint_leaves_it(monkeypatch):
    """In the running app WeasyPrint has been imported, which makes Pillow lenient process-wide;
    the checks must hold in that state whichever tests ran before in this process."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)


def test_weasyprint_makes_pillow_lenient_which_is_why_signatures_decode_strictly():
    import weasyprint  # noqa: F401

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    with pytest.raises(ValidationError):
        clean_signature_png(GOOD[: len(GOOD) // 2])
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int, height: int, *, idat: bytes | None = None, extra: bytes = b"", depth: int = 8, colour: int = 6):
    """A PNG built by hand, so that it can lie about itself."""
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    if idat is None:
        idat = zlib.compress((b"\x00" + b"\x00" * (width * 4)) * height, 9)
    return PNG_MAGIC + chunk(b"IHDR", header) + extra + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def zeros_deflated(size: int) -> bytes:
    compressor = zlib.compressobj(9)
    block = b"\x00" * (1 << 20)
    out = b"".join(compressor.compress(block) for _ in range(size >> 20))
    return out + compressor.flush()


def pillow_png(**save_args) -> bytes:
    buffer = io.BytesIO()
    image = Image.new(save_args.pop("mode", "RGBA"), (120, 40), save_args.pop("colour", 0))
    image.save(buffer, format="PNG", **save_args)
    return buffer.getvalue()


def as_url(raw: bytes) -> str:
    return DATA_URL_PREFIX + base64.b64encode(raw).decode()


# name -> the data URL the browser would send
MALFORMED = {
    "empty data URL": DATA_URL_PREFIX,
    "svg": "data:image/svg+xml;base64," + base64.b64encode(b"<svg onload='alert(1)'/>").decode(),
    "html": "data:text/html;base64," + base64.b64encode(b"<script>alert(1)</script>").decode(),
    "javascript URL": "javascript:alert(1)",
    "remote URL": "https://attacker.example/sig.png",
    "file URL": "file:///etc/passwd",
    "upper-case prefix": DATA_URL_PREFIX.upper() + base64.b64encode(GOOD).decode(),
    "gif in a png URL": as_url(b"GIF89a" + b"\x00" * 64),
    "jpeg in a png URL": as_url(b"\xff\xd8\xff\xe0" + b"\x00" * 64),
    "text in a png URL": as_url(b"hello, I am not an image"),
    "not base64": DATA_URL_PREFIX + "%%%not-base64%%%",
    "base64 with spaces": DATA_URL_PREFIX + " ".join(base64.b64encode(GOOD).decode()),
    "base64 with NUL": DATA_URL_PREFIX + base64.b64encode(GOOD).decode() + "\x00",
    "only the magic": as_url(PNG_MAGIC),
    "truncated": as_url(GOOD[: len(GOOD) // 2]),
    "truncated header": as_url(GOOD[:20]),
    "corrupt image data": as_url(png(100, 40, idat=b"garbage, not deflate")),
    "bad chunk checksum": as_url(GOOD[:33] + b"\x00\x00\x00\x00" + GOOD[37:]),
    "one pixel": as_url(png(1, 1)),
    "a hairline": as_url(png(4000, 2)),
    "too many pixels": as_url(png(3000, 3000, idat=zeros_deflated(3000 * 3001), depth=1, colour=0)),
    "decompression bomb dimensions": as_url(png(200_000, 200_000, idat=b"x")),
    "zTXt bomb": as_url(png(100, 40, extra=chunk(b"zTXt", b"k\x00\x00" + zeros_deflated(16 << 20)))),
    "iCCP bomb": as_url(png(100, 40, extra=chunk(b"iCCP", b"p\x00\x00" + zeros_deflated(16 << 20)))),
    "over the size limit": as_url(GOOD + b"\x00" * MAX_SIGNATURE_BYTES),
    "megabytes of base64": DATA_URL_PREFIX + "A" * (8 << 20),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_signature_is_refused_with_a_message(name):
    with pytest.raises(ValidationError) as caught:
        signature_from_data_url(MALFORMED[name])
    assert caught.value.code in {"not_png", "too_large", "bad_base64", "empty", "bad_size", "corrupt"}
    assert caught.value.messages[0].startswith("The signature")


@pytest.mark.parametrize(
    "raw",
    [
        pillow_png(),
        pillow_png(mode="L"),
        pillow_png(mode="1"),
        pillow_png(mode="P"),
        pillow_png(mode="I;16"),
        pillow_png(mode="LA"),
        pillow_png(interlace=1),
    ],
    ids=["rgba", "grey", "bilevel", "palette", "16-bit", "grey-alpha", "interlaced"],
)
def test_every_kind_of_real_png_is_accepted_as_rgba(raw):
    cleaned = clean_signature_png(raw)
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.format == "PNG" and image.mode == "RGBA" and image.size == (120, 40)


def test_what_is_stored_is_a_re_encoding_without_trailers_or_metadata():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    buffer = io.BytesIO()
    Image.open(io.BytesIO(GOOD)).save(buffer, format="PNG", pnginfo=info)
    polyglot = buffer.getvalue() + b"<html><script>alert(2)</script></html>"
    cleaned = signature_from_data_url(as_url(polyglot))
    assert cleaned.startswith(PNG_MAGIC)
    assert b"script" not in cleaned and b"<html>" not in cleaned
    assert cleaned.endswith(chunk(b"IEND", b""))


def chunk_types(raw: bytes) -> list[bytes]:
    """The chunk types of a PNG, in order, read straight from its bytes."""
    types, offset = [], len(PNG_MAGIC)
    while offset < len(raw):
        (length,) = struct.unpack(">I", raw[offset : offset + 4])
        types.append(raw[offset + 4 : offset + 8])
        offset += 12 + length
    return types


def rgba_pixels(raw: bytes) -> bytes:
    with Image.open(io.BytesIO(raw)) as image:
        return image.convert("RGBA").tobytes()


SECRET = b"exfiltrated-" + random.Random(13).randbytes(204_812)  # as much as the reported ICC chunk

# Ancillary chunks a sender could hide data in; each must be gone from what is stored.
SMUGGLING_CHUNKS = {
    "iCCP": chunk(b"iCCP", b"icc\x00\x00" + zlib.compress(SECRET)),
    "tEXt": chunk(b"tEXt", b"Comment\x00" + SECRET),
    "iTXt": chunk(b"iTXt", b"Author\x00\x00\x00en\x00Autor\x00" + SECRET),
    "zTXt": chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(SECRET)),
    "eXIf": chunk(b"eXIf", b"MM\x00\x2a\x00\x00\x00\x08\x00\x00" + SECRET),
    "tIME": chunk(b"tIME", struct.pack(">HBBBBB", 2024, 1, 2, 3, 4, 5)),
    "pHYs": chunk(b"pHYs", struct.pack(">IIB", 2835, 2835, 1)),
    "gAMA": chunk(b"gAMA", struct.pack(">I", 45455)),
    "private": chunk(b"prVt", SECRET),
}


def striped_png(extra: bytes) -> bytes:
    """A 100x40 RGBA PNG with visible stripes, so that a re-encoding that lost pixels shows."""
    rows = b"".join(
        b"\x00"
        + b"".join(bytes((x * 2, y * 6, (x + y) % 256, 255 if (x // 10 + y // 8) % 2 else 0)) for x in range(100))
        for y in range(40)
    )
    return png(100, 40, idat=zlib.compress(rows), extra=extra)


@pytest.mark.parametrize("name", sorted(SMUGGLING_CHUNKS))
def test_only_the_pixels_of_a_signature_are_stored(name):
    raw = striped_png(SMUGGLING_CHUNKS[name])
    assert name != "iCCP" or Image.open(io.BytesIO(raw)).info["icc_profile"].startswith(SECRET[:100])
    cleaned = signature_from_data_url(as_url(raw))
    assert set(chunk_types(cleaned)) == {b"IHDR", b"IDAT", b"IEND"}
    assert b"exfiltrated" not in cleaned and len(cleaned) < 20_000
    assert rgba_pixels(cleaned) == rgba_pixels(striped_png(b""))
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.info == {}


def test_a_signature_with_every_kind_of_metadata_at_once_keeps_only_its_pixels():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "tEXt payload")
    info.add_itxt("Author", "iTXt payload")
    info.add_text("Software", "zTXt payload", zip=True)
    source = Image.open(io.BytesIO(striped_png(b""))).convert("RGBA")
    buffer = io.BytesIO()
    source.save(buffer, format="PNG", pnginfo=info, icc_profile=SECRET, exif=b"Exif\x00\x00MM\x00\x2a" + SECRET[:64])
    raw = buffer.getvalue()
    assert len(raw) > 200_000 and {b"iCCP", b"tEXt", b"iTXt", b"zTXt"} <= set(chunk_types(raw))
    cleaned = clean_signature_png(raw)
    assert set(chunk_types(cleaned)) == {b"IHDR", b"IDAT", b"IEND"}
    assert len(cleaned) < 20_000
    assert rgba_pixels(cleaned) == rgba_pixels(raw)


@HOSTILE
@given(data=st.binary(max_size=4096))
def test_any_bytes_after_the_png_magic_are_refused_or_cleaned(data):
    try:
        cleaned = clean_signature_png(PNG_MAGIC + data)
    except ValidationError:
        return
    assert cleaned.startswith(PNG_MAGIC)


@HOSTILE
@given(
    flips=st.lists(st.tuples(st.integers(8, len(GOOD) - 1), st.integers(0, 255)), min_size=1, max_size=12),
    cut=st.one_of(st.none(), st.integers(8, len(GOOD))),
)
def test_a_corrupted_signature_is_refused_or_cleaned(flips, cut):
    raw = bytearray(GOOD)
    for position, value in flips:
        raw[position] = value
    raw = bytes(raw[:cut] if cut else raw)
    try:
        cleaned = clean_signature_png(raw)
    except ValidationError:
        return
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.format == "PNG"


@HOSTILE
@given(value=st.one_of(hostile_text, hostile_text.map(lambda t: DATA_URL_PREFIX + t)))
def test_any_text_as_a_signature_is_refused_or_cleaned(value):
    try:
        cleaned = signature_from_data_url(value)
    except ValidationError:
        return
    assert cleaned is None or cleaned.startswith(PNG_MAGIC)


# --- Through the consent page -------------------------------------------------------------------


@pytest.mark.usefixtures("stub_pdf")
@pytest.mark.parametrize(
    "name",
    [
        "svg",
        "truncated",
        "decompression bomb dimensions",
        "zTXt bomb",
        "empty data URL",
        "over the size limit",
        "megabytes of base64",
    ],
)
def test_the_consent_page_refuses_a_malformed_signature_and_signs_nothing(
    alice_client, make_screening, clinic_a, alice, name
):
    screening = make_screening(clinic_a, alice, answers="clean")
    before = world_fingerprint()
    response = alice_client.post(
        reverse("checklist:screening-consent", args=[screening.pk]),
        consent_post(screening, PASSWORD, signature=MALFORMED[name]),
    )
    assert response.status_code == 400
    if name == "megabytes of base64":
        # Beyond DATA_UPLOAD_MAX_MEMORY_SIZE Django refuses the request before the form sees it.
        assert "Bad request" in response.content.decode() or "request" in response.content.decode().lower()
    else:
        assert "The signature" in response.content.decode()
    assert Screening.objects.get(pk=screening.pk).status == Screening.Status.AWAITING_SIGNATURE
    assert world_fingerprint() == before


@pytest.mark.usefixtures("stub_pdf")
def test_the_consent_page_stores_a_clean_copy_of_a_valid_signature(alice_client, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean")
    padded = GOOD + b"<script>trailing</script>"
    response = alice_client.post(
        reverse("checklist:screening-consent", args=[screening.pk]),
        consent_post(screening, PASSWORD, signature=as_url(padded)),
    )
    assert response.status_code == 302
    stored = bytes(Screening.objects.get(pk=screening.pk).signature_png)
    assert stored.startswith(PNG_MAGIC) and b"script" not in stored


@pytest.mark.usefixtures("stub_pdf")
def test_the_consent_page_stores_none_of_a_signatures_icc_profile(alice_client, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean")
    raw = striped_png(SMUGGLING_CHUNKS["iCCP"])
    response = alice_client.post(
        reverse("checklist:screening-consent", args=[screening.pk]),
        consent_post(screening, PASSWORD, signature=as_url(raw)),
    )
    assert response.status_code == 302
    stored = bytes(Screening.objects.get(pk=screening.pk).signature_png)
    assert set(chunk_types(stored)) == {b"IHDR", b"IDAT", b"IEND"}
    assert rgba_pixels(stored) == rgba_pixels(raw)
