"""Where each signed screening's PDF stands: being prepared, failed (and why), or stored."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from checklist.models.screenings import Screening


class SignedPdfRender(models.Model):
    """The background render of one signed screening's take-home PDF.

    Created pending in the signing transaction, so no signed screening is ever without a record
    of its PDF; the background task (``checklist.tasks``) moves it to stored or failed. The
    screening row itself stays frozen: only its ``pdf`` and ``pdf_sha256`` are filled, once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        FAILED = "failed", _("Failed")
        STORED = "stored", _("Stored")

    screening = models.OneToOneField(Screening, on_delete=models.PROTECT, related_name="pdf_render")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True, help_text=_("Why the last attempt failed (no patient data)."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["status"], condition=~models.Q(status="stored"), name="signed_pdf_render_unfinished"),
        ]

    def __str__(self) -> str:
        return f"{self.screening_id}: {self.status}"
