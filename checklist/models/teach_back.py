"""The patient's teach-back answers before signing (issue 14): first answer, latest, how many tries.

Saved as each answer is checked, so nothing is lost if the page closes; like the answers and the
flag resolutions, they freeze with the screening at signing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from checklist.models.screenings import FrozenWithScreening, Screening, ScreeningRowsQuerySet


class TeachBackAnswerQuerySet(ScreeningRowsQuerySet):
    noun = "teach-back answers"


class TeachBackAnswer(FrozenWithScreening):
    """The patient's answers to one teach-back question of a screening.

    Frozen with its screening: by ``save()``/``delete()``, the QuerySet, and the database's
    triggers (``checklist/immutability.py``)."""

    frozen_noun = "teach-back answers"

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="teach_back_answers")
    question_code = models.CharField(max_length=60)
    first_answer = models.CharField(max_length=60)
    final_answer = models.CharField(max_length=60)
    tries = models.PositiveSmallIntegerField(default=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = TeachBackAnswerQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["screening", "question_code"], name="teach_back_answer_one_per_question"),
            models.CheckConstraint(condition=models.Q(tries__gte=1), name="teach_back_answer_tried"),
        ]

    def __str__(self) -> str:
        return f"{self.question_code}: {self.final_answer} ({self.tries})"
