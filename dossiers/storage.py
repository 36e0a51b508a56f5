"""Where dossier documents live: a folder outside MEDIA_ROOT, so no URL of the web server reaches
them; they are read only through the download view, which checks the clinic."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateDocumentStorage(FileSystemStorage):
    """Reads ``settings.PRIVATE_MEDIA_ROOT`` on every use (tests point it at a temporary folder)
    and has no URL: ``url()`` refuses, so no template can link to a file directly."""

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Dossier documents have no public URL; use the download view.")


private_documents = PrivateDocumentStorage()
