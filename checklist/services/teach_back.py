"""Writes about teach-back: the patient's answers, saved as each is checked, and what signing checks.

An answer is saved at once (nothing is lost if the page closes): the first answer is kept, the
latest replaces the final one and the tries are counted. A question answered right is done; a
later answer to it changes nothing. Audited without the answer (answers stay out of the log).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from checklist.audit import audit_log
from checklist.models import Screening, ScreeningLocked, TeachBackAnswer
from checklist.selectors import checklist_spec, screening_teach_back
from checklist.teach_back import TeachBackCheck


@transaction.atomic
def screening_teach_back_answer(*, screening: Screening, answers: Mapping[str, str], user) -> TeachBackCheck:
    """Save the patient's answers to teach-back questions (question code -> choice value).

    Everything is checked before anything is written: a question this version does not ask or a
    choice it does not offer leaves the database as it was. Returns the teach-back afterwards.
    """
    screening = (
        Screening.objects.select_for_update().select_related("version", "clinic", "jurisdiction").get(pk=screening.pk)
    )
    if screening.is_locked:
        raise ScreeningLocked(_("This screening is signed or voided and cannot change."))
    questions = {q.code: q for q in checklist_spec(screening.version).teach_back}
    for code, value in answers.items():
        question = questions.get(code)
        if question is None:
            raise ValidationError(_("An answer was sent for a teach-back question this checklist does not ask."))
        if value not in question.choices_by_value:
            raise ValidationError({code: [_("Choose one of the answers listed.")]})
    existing = {row.question_code: row for row in TeachBackAnswer.objects.filter(screening=screening)}
    for code, value in answers.items():
        question = questions[code]
        row = existing.get(code)
        if row is None:
            row = TeachBackAnswer.objects.create(
                screening=screening, question_code=code, first_answer=value, final_answer=value, recorded_by=user
            )
        elif question.is_right(row.final_answer):
            continue
        else:
            row.final_answer, row.tries, row.recorded_by = value, row.tries + 1, user
            row.save()
        audit_log(
            clinic=screening.clinic,
            actor=user,
            screening=screening,
            action="screening.teach_back_answered",
            question=code,
            right=question.is_right(value),
            tries=row.tries,
        )
    return screening_teach_back(screening)


def teach_back_check_for_signing(*, screening: Screening) -> TeachBackCheck:
    """Refuse signing until every teach-back question has a right final answer (a version
    without teach-back passes); returns the teach-back the record keeps."""
    check = screening_teach_back(screening)
    if not check.complete:
        raise ValidationError(check.reason)
    return check
