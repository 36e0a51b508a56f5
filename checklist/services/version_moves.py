"""Writes for screenings under a retired checklist version: move a draft to the published
version, or start a re-consent of a signed one. Both carry answers over by question code and
choice value (``checklist.carry_over``) and list what to ask again."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from checklist.audit import audit_log
from checklist.carry_over import CarryOver, carry_over
from checklist.models import (
    Answer,
    ChecklistVersion,
    ConsentWithdrawal,
    Decision,
    Question,
    Screening,
    ScreeningLocked,
    TreatmentTimeOut,
)
from checklist.selectors import checklist_spec, checklist_version_published, screening_answers
from checklist.services.screenings import START_FIELDS, _apply_assessment, screening_name_index


class VersionMoveRefused(Exception):
    """There is nothing to move to: the screening is already under the published version, or none is published."""


def _published_other_than(version: ChecklistVersion) -> ChecklistVersion:
    published = checklist_version_published()
    if published is None:
        raise VersionMoveRefused(_("No checklist is published yet."))
    if published.pk == version.pk:
        raise VersionMoveRefused(
            _("This screening is already under the published checklist v%(n)s.") % {"n": published.number}
        )
    return published


def screening_carry_over_plan(screening: Screening) -> CarryOver:
    """What moving this screening to the published version would carry over and ask again (a read)."""
    published = _published_other_than(screening.version)
    answers = {a.question.code: (a.value, a.note) for a in screening.answers.select_related("question")}
    return carry_over(checklist_spec(screening.version), checklist_spec(published), answers)


def _write_carried(target: Screening, version: ChecklistVersion, plan: CarryOver, user) -> None:
    question_ids = dict(Question.objects.filter(section__version=version).values_list("code", "id"))
    for code, (value, note) in plan.carried.items():
        answer = Answer(screening=target, question_id=question_ids[code], value=value, note=note, answered_by=user)
        answer._history_user = user  # type: ignore[attr-defined]
        answer.save()


@transaction.atomic
def screening_move_to_published(*, screening: Screening, user) -> CarryOver:
    """Move a draft (or one awaiting signature) from its retired version to the published one.

    Every answer that still fits is carried over; the rest, and the new questions, are listed on
    the screening to ask again. A signed or voided screening never changes version.
    """
    screening = Screening.objects.select_for_update().get(pk=screening.pk)
    if screening.is_locked:
        raise ScreeningLocked(_("A signed screening never changes version."))
    old_version = screening.version
    published = _published_other_than(old_version)
    plan = screening_carry_over_plan(screening)
    for answer in screening.answers.all():
        answer._history_user = user
        answer.delete()
    screening.version = published
    screening.moved_from_version = old_version
    screening.ask_again_codes = plan.to_ask_codes
    _write_carried(screening, published, plan, user)
    spec = checklist_spec(published)
    _apply_assessment(screening, spec, screening_answers(screening))
    asked_again_sections = {s.code for s in spec.sections for q in s.questions if q.code in set(plan.to_ask_codes)}
    screening.saved_sections = [
        s.code for s in spec.sections if s.code in set(screening.saved_sections) and s.code not in asked_again_sections
    ]
    screening.lock_version += 1
    screening._history_user = user  # type: ignore[attr-defined]
    screening.save()
    audit_log(
        clinic=screening.clinic,
        actor=user,
        screening=screening,
        action="screening.version_moved",
        from_version=old_version.number,
        to_version=published.number,
        answers_carried=len(plan.carried),
        to_ask_again=len(plan.to_ask_codes),
    )
    return plan


@transaction.atomic
def screening_reconsent_start(*, screening: Screening, user) -> Screening:
    """Start a new draft under the published version for a patient who signed under a retired one.

    Patient, treatment and every answer that still fits are filled in from the signed screening,
    which is linked and never changes; the rest is listed to ask again.
    """
    source = Screening.objects.select_for_update().get(pk=screening.pk)
    if source.status != Screening.Status.SIGNED or source.decision != Decision.PROCEED:
        raise VersionMoveRefused(_("Only a signed “go ahead” is consented again."))
    if TreatmentTimeOut.objects.filter(screening=source).exists():
        raise VersionMoveRefused(_("The treatment was given: there is nothing to consent to again."))
    if ConsentWithdrawal.objects.filter(screening=source).exists():
        raise VersionMoveRefused(_("The patient withdrew this consent: start a new screening if they come back."))
    published = _published_other_than(source.version)
    already = source.reconsents.exclude(status=Screening.Status.VOIDED).order_by("created_at").first()
    if already is not None:
        return already  # a second press opens the re-consent already started
    plan = screening_carry_over_plan(source)
    new = Screening(clinic=source.clinic, clinician=user, version=published, reconsent_of=source)
    for name in START_FIELDS:
        setattr(new, name, getattr(source, name))
    new.moved_from_version = source.version
    new.ask_again_codes = plan.to_ask_codes
    new.full_clean()
    new._history_user = user  # type: ignore[attr-defined]
    new.save()
    screening_name_index(new)
    _write_carried(new, published, plan, user)
    _apply_assessment(new, checklist_spec(published), screening_answers(new))
    new.save()
    audit_log(
        clinic=new.clinic,
        actor=user,
        screening=new,
        action="screening.reconsent_started",
        source=source.reference,
        from_version=source.version.number,
        to_version=published.number,
        answers_carried=len(plan.carried),
        to_ask_again=len(plan.to_ask_codes),
    )
    return new
