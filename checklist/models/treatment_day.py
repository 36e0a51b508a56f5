"""After a signed "go ahead" (issue 14, item 4): the treatment day's time-out, and a withdrawal.

Both are new facts about a signed screening, so they are new rows, never changes to the frozen
screening. Each is written once per screening and never changed or deleted: by ``save()`` and
``delete()`` here, by the QuerySet, and by the database's triggers (``checklist/immutability.py``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from checklist.models.screenings import Screening, ScreeningLocked


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise ScreeningLocked(f"{self.model._meta.verbose_name_plural} are append-only: update() is refused.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ScreeningLocked(f"{self.model._meta.verbose_name_plural} are append-only: delete() is refused.")

    delete.queryset_only = True  # type: ignore[attr-defined]


class AppendOnly(models.Model):
    """A row written once and kept as written."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ScreeningLocked(f"A {self._meta.verbose_name} is kept as it was recorded.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any):
        raise ScreeningLocked(f"A {self._meta.verbose_name} is kept as it was recorded.")


# The time-out's items, WHO style: few, read aloud, each one that matters. Stored as confirmed.
TIME_OUT_ITEMS = ("same_patient", "same_product_and_lot", "still_wishes", "emergency_plan", "treating_clinician")


class TreatmentTimeOut(AppendOnly):
    """The treating clinician's time-out just before the treatment of a signed "go ahead"."""

    screening = models.OneToOneField(Screening, on_delete=models.PROTECT, related_name="time_out")
    treating_clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lot_number = models.CharField(_("lot number on the vial"), max_length=100)
    confirmed_items = models.JSONField(default=list)
    confirmed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("treatment time-out")

    def __str__(self) -> str:
        return f"time-out {self.screening_id} at {self.confirmed_at:%Y-%m-%d %H:%M}"


class ConsentWithdrawal(AppendOnly):
    """The patient withdrew their consent after signing, as the clinician recorded it."""

    class How(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("By phone")
        WRITTEN = "written", _("In writing (letter, email or message)")

    screening = models.OneToOneField(Screening, on_delete=models.PROTECT, related_name="withdrawal")
    withdrawn_at = models.DateTimeField(_("when the patient withdrew"))
    how = models.CharField(_("how the patient told the clinic"), max_length=10, choices=How.choices)
    note = models.TextField(_("note (the reason, if the patient gave one)"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("consent withdrawal")

    def __str__(self) -> str:
        return f"withdrawal {self.screening_id} at {self.withdrawn_at:%Y-%m-%d %H:%M}"
