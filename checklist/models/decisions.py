"""What the clinician decided about each red flag before consent (issue 14: red flags stop the flow).

A red flag blocks "go ahead" until it has a resolution: the evidence was seen (with a note of what),
the patient accepts the risk (and ticks it on the consent page), or the treatment will not go
ahead. Resolutions are kept per finding code, so a flag raised again by the same answer keeps its
resolution; only the flags the answers raise now count. Like answers, they freeze at signing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from checklist import red_flags
from checklist.models.screenings import FrozenWithScreening, Screening, ScreeningRowsQuerySet


class FlagResolutionQuerySet(ScreeningRowsQuerySet):
    noun = "flag resolutions"


class FlagResolution(FrozenWithScreening):
    """The clinician's resolution of one red-flag finding of a screening.

    Frozen with its screening: by ``save()``/``delete()``, the QuerySet, and the database's
    triggers (``checklist/immutability.py``)."""

    frozen_noun = "flag resolutions"

    class Outcome(models.TextChoices):
        RESOLVED = red_flags.RESOLVED, red_flags.OUTCOME_LABELS[red_flags.RESOLVED]
        ACCEPTED = red_flags.ACCEPTED, red_flags.OUTCOME_LABELS[red_flags.ACCEPTED]
        NOT_PROCEEDING = red_flags.NOT_PROCEEDING, red_flags.OUTCOME_LABELS[red_flags.NOT_PROCEEDING]

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="flag_resolutions")
    finding_code = models.CharField(max_length=200)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    # Set at signing, when the patient ticked this accepted risk on the consent page.
    patient_confirmed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = FlagResolutionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["screening", "finding_code"], name="flag_resolution_one_per_finding"),
            models.CheckConstraint(
                condition=~models.Q(outcome=red_flags.RESOLVED) | ~models.Q(note=""),
                name="flag_resolution_resolved_has_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.finding_code}: {self.outcome}"
