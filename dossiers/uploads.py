"""What a dossier document must be, checked from its bytes (pure; no database).

A name or a browser's content type says nothing: the file must start as a PDF, PNG or JPEG does,
open as one, stay within the size, page and pixel limits, and a PDF must carry no active content
(JavaScript, actions run on opening, launch actions, embedded files, forms with scripts).
Anything else is refused with a sentence the admin can act on.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

PDF_MAGIC = b"%PDF-"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
MAX_PDF_PAGES = 300
MAX_PDF_CONTENT_BYTES = 50 * 1024 * 1024
MAX_PDF_OBJECTS = 200_000
MAX_IMAGE_PIXELS = 40_000_000
# Keys of a PDF dictionary that make a viewer run something or carry another file inside.
ACTIVE_PDF_KEYS = frozenset(
    {"/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA"}
)


class UploadRefused(ValueError):
    """The file is not an acceptable dossier document; the message says why, in plain words."""


@dataclass(frozen=True)
class CheckedUpload:
    kind: str  # DossierDocument.Kind value
    size: int
    sha256: str


def _read_bounded(stream: IO[bytes], max_bytes: int) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadRefused(
            _("The file is larger than %(limit)d MB. Upload a smaller copy.") % {"limit": max_bytes // (1024 * 1024)}
        )
    return data


def check_upload(stream: IO[bytes], *, declared_size: int | None, max_bytes: int) -> CheckedUpload:
    """Check an uploaded file and return what it is; raise ``UploadRefused`` otherwise."""
    if declared_size is not None and declared_size > max_bytes:
        raise UploadRefused(
            _("The file is larger than %(limit)d MB. Upload a smaller copy.") % {"limit": max_bytes // (1024 * 1024)}
        )
    data = _read_bounded(stream, max_bytes)
    if not data:
        raise UploadRefused(_("The file is empty."))
    if data.startswith(PDF_MAGIC):
        _check_pdf(data)
        kind = "pdf"
    elif data.startswith(PNG_MAGIC):
        _check_image(data, "PNG")
        kind = "png"
    elif data.startswith(JPEG_MAGIC):
        _check_image(data, "JPEG")
        kind = "jpeg"
    else:
        raise UploadRefused(
            _("This file is not a PDF, PNG or JPEG (whatever its name says). Upload the document as a PDF or a photo.")
        )
    return CheckedUpload(kind=kind, size=len(data), sha256=hashlib.sha256(data).hexdigest())


def _check_image(data: bytes, expected: str) -> None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != expected:
                raise UploadRefused(_("The image could not be read."))
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise UploadRefused(_("The image is too large (too many pixels). Upload a smaller photo."))
            image.verify()
    except UploadRefused:
        raise
    except Exception as error:  # Pillow raises many kinds for a broken or hostile image
        raise UploadRefused(_("The image could not be read: it is damaged or not really an image.")) from error


def _active_keys(root) -> set[str]:
    """Every active-content key reachable from the PDF's trailer, walking each object once."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    pending = [root]
    visited = 0
    while pending:
        node = pending.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise UploadRefused(_("The PDF is too complex to check. Save it again as a plain PDF."))
        if isinstance(node, DictionaryObject):
            for name, value in node.items():
                if name in ACTIVE_PDF_KEYS:
                    found.add(str(name))
                if name == "/S" and value in ("/JavaScript", "/Launch"):
                    found.add(str(value))
                if name != "/Parent":
                    pending.append(value)
        elif isinstance(node, ArrayObject):
            pending.extend(node)
    return found


def _check_pdf(data: bytes) -> None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRefused(_("The PDF is password-protected. Upload a copy without a password."))
        pages = len(reader.pages)
        if pages == 0:
            raise UploadRefused(_("The PDF has no pages."))
        if pages > MAX_PDF_PAGES:
            raise UploadRefused(
                _("The PDF has %(pages)d pages; at most %(limit)d are accepted.")
                % {"pages": pages, "limit": MAX_PDF_PAGES}
            )
        active = _active_keys(reader.trailer)
        if active:
            raise UploadRefused(
                _(
                    "The PDF contains active content (scripts, actions or embedded files), which is refused. "
                    "Print it to a new PDF and upload that."
                )
            )
        total = 0
        for page in reader.pages:
            contents = page.get_contents()
            total += len(contents.get_data()) if contents is not None else 0
            if total > MAX_PDF_CONTENT_BYTES:
                raise UploadRefused(_("The PDF unpacks to far more than its size; it is refused as unsafe."))
    except UploadRefused:
        raise
    except Exception as error:  # pypdf raises many kinds (and its own limits) for a broken or hostile PDF
        raise UploadRefused(_("The PDF could not be read: it is damaged or not really a PDF.")) from error
