"""Two people at once: no silent lost update, and exactly one signature."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from checklist.demo import answer_all_sections, sign_screening
from checklist.models import AuditEvent, Screening, ScreeningLocked
from checklist.selectors import checklist_spec
from checklist.services.screenings import (
    AnswerInput,
    StaleScreening,
    screening_answers_save,
    screening_sign,
)
from tests.conftest import V1_CONTENT, make_clinic, make_member, start_data


def test_a_save_from_a_stale_form_is_refused(draft, alice):
    loaded_at = draft.lock_version
    screening_answers_save(
        screening=draft, section_code="source", answers={"source_origin": AnswerInput("plant")}, user=alice
    )
    with pytest.raises(StaleScreening):
        screening_answers_save(
            screening=draft,
            section_code="source",
            answers={"source_origin": AnswerInput("unknown")},
            user=alice,
            expected_lock_version=loaded_at,
        )
    assert draft.answers.get(question__code="source_origin").value == "plant"


def test_signing_a_signed_screening_is_refused(make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean", signed=True)
    spec = checklist_spec(screening.version)
    with pytest.raises(ScreeningLocked):
        screening_sign(
            screening=screening,
            acknowledged=[a.code for a in spec.acknowledgements],
            decision="proceed",
            patient_signed_name=screening.patient_name,
            signature_png=None,
            attested_by=alice,
        )


def run_at_once(*calls):
    """Run the calls in threads released together; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


needs_row_locks = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="real simultaneous transactions need a server database (.ci/run runs this on PostgreSQL)",
)


@needs_row_locks
@pytest.mark.django_db(transaction=True)
def test_two_clinicians_saving_the_same_step_at_once_lose_nothing_silently():
    from django.core.management import call_command

    from checklist.services.screenings import screening_start

    call_command("load_checklist", V1_CONTENT, verbosity=0)
    clinic = make_clinic("Concurrent Clinic")
    one, two = make_member(clinic, "one"), make_member(clinic, "two")
    screening = screening_start(clinic=clinic, clinician=one, data=start_data())
    version = screening.lock_version

    def save(user, value):
        return lambda: screening_answers_save(
            screening=screening,
            section_code="source",
            answers={"source_origin": AnswerInput(value)},
            user=user,
            expected_lock_version=version,
        )

    results = run_at_once(save(one, "plant"), save(two, "unknown"))
    stale = [r for r in results if isinstance(r, StaleScreening)]
    saved = [r for r in results if isinstance(r, tuple)]
    assert len(stale) == 1 and len(saved) == 1, results
    stored = Screening.objects.get(pk=screening.pk).answers.get(question__code="source_origin").value
    assert stored == saved[0][0].answers.get(question__code="source_origin").value


@needs_row_locks
@pytest.mark.django_db(transaction=True)
def test_signing_twice_at_once_produces_exactly_one_signature():
    from django.core.management import call_command

    from checklist.services.screenings import screening_start

    call_command("load_checklist", V1_CONTENT, verbosity=0)
    clinic = make_clinic("Concurrent Clinic")
    clinician = make_member(clinic, "signer")
    screening = screening_start(clinic=clinic, clinician=clinician, data=start_data())
    answer_all_sections(screening, "clean", clinician)

    def sign(decision):
        return lambda: sign_screening(screening, clinician, decision=decision)

    results = run_at_once(sign("proceed"), sign("decline"))
    assert sum(isinstance(r, Screening) for r in results) == 1, results
    assert sum(isinstance(r, ScreeningLocked) for r in results) == 1, results
    assert AuditEvent.objects.filter(screening=screening, action="screening.signed").count() == 1
