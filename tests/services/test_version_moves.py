"""A draft under a retired version moves to the published one; a signed one never changes version;
re-consent starts a linked draft. The next version is built from v1 here (tests/versions_fixture.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from checklist.models import AuditEvent, Screening, ScreeningLocked
from checklist.selectors import screening_retired_version_state, screenings_to_reconsent
from checklist.services.screenings import AnswerInput, screening_answers_save
from checklist.services.version_moves import (
    VersionMoveRefused,
    screening_move_to_published,
    screening_reconsent_start,
)
from tests.versions_fixture import build_next_version

LOT = {"lot_number": "TV7-2611-044", "lot_expiry_date": "2027-06-30"}


def _answered_on_v1(make_screening, clinic_a, alice, **overrides) -> Screening:
    return make_screening(clinic_a, alice, answers="clean", **overrides)


def _pick(screening, code, value, user):
    section = screening.answers.get(question__code=code).question.section.code
    screening_answers_save(screening=screening, section_code=section, answers={code: AnswerInput(value)}, user=user)


def test_moving_carries_over_what_still_fits_and_lists_what_to_ask_again(make_screening, clinic_a, alice, version):
    draft = _answered_on_v1(make_screening, clinic_a, alice)
    answered_before = set(draft.answers.values_list("question__code", flat=True))
    nxt = build_next_version()
    _pick(draft, nxt.renamed_question, nxt.old_value, alice)

    plan = screening_move_to_published(screening=draft, user=alice)

    draft.refresh_from_db()
    assert draft.version == nxt.version and draft.moved_from_version == version
    carried = set(draft.answers.values_list("question__code", flat=True))
    assert carried == answered_before - {nxt.removed, nxt.renamed_question}
    assert set(draft.answers.values_list("question__section__version", flat=True)) == {nxt.version.pk}
    assert [q.code for q in plan.ask_again] == [nxt.renamed_question]
    assert [q.code for q in plan.new_questions] == [nxt.added]
    assert [q.code for q in plan.no_longer_asked] == [nxt.removed]
    assert draft.ask_again_codes == [nxt.renamed_question, nxt.added]
    event = AuditEvent.objects.get(screening=draft, action="screening.version_moved")
    assert event.detail["from_version"] == version.number and event.detail["to_version"] == nxt.version.number


def test_a_signed_screening_never_changes_version(make_screening, clinic_a, alice, version):
    signed = make_screening(clinic_a, alice, answers="clean", signed=True)
    build_next_version()
    with pytest.raises(ScreeningLocked):
        screening_move_to_published(screening=signed, user=alice)
    signed.refresh_from_db()
    assert signed.version == version


def test_a_screening_under_the_published_version_has_nothing_to_move_to(draft, alice):
    with pytest.raises(VersionMoveRefused):
        screening_move_to_published(screening=draft, user=alice)


def test_the_grace_period_runs_from_retirement_for_the_clinics_days(draft):
    build_next_version()
    draft.refresh_from_db()
    state = screening_retired_version_state(draft)
    assert state is not None and not state.must_move
    assert state.finish_by == draft.version.retired_at + dt.timedelta(days=30)
    assert screening_retired_version_state(draft, now=state.finish_by).must_move
    draft.clinic.retired_version_grace_days = 0
    assert screening_retired_version_state(draft).must_move


def test_the_overview_offers_the_move_and_the_steps_stay_open_within_the_grace_period(draft, alice_client):
    nxt = build_next_version()
    page = alice_client.get(reverse("checklist:screening-detail", args=[draft.pk])).content.decode()
    assert "which is retired" in page and f"Move to checklist v{nxt.version.number}" in page
    step = reverse("checklist:screening-step", args=[draft.pk, draft.version.sections.first().code])
    assert alice_client.get(step).status_code == 200


def test_after_the_grace_period_steps_and_consent_refuse_and_point_to_the_move(draft, alice_client, clinic_a):
    build_next_version()
    clinic_a.retired_version_grace_days = 0
    clinic_a.save()
    detail = reverse("checklist:screening-detail", args=[draft.pk])
    for url in (
        reverse("checklist:screening-step", args=[draft.pk, draft.version.sections.first().code]),
        reverse("checklist:screening-consent", args=[draft.pk]),
        reverse("checklist:screening-review", args=[draft.pk]),
    ):
        response = alice_client.get(url, follow=True)
        assert response.redirect_chain[-1][0] == detail
        assert "Move it to the published version to go on" in response.content.decode()
    page = alice_client.get(detail).content.decode()
    assert "ran out on" in page and "Continue:" not in page


def test_the_move_view_moves_and_the_overview_lists_what_to_ask_again(make_screening, clinic_a, alice, alice_client):
    draft = _answered_on_v1(make_screening, clinic_a, alice)
    nxt = build_next_version()
    _pick(draft, nxt.renamed_question, nxt.old_value, alice)
    response = alice_client.post(reverse("checklist:screening-move", args=[draft.pk]), follow=True)
    page = response.content.decode()
    assert "Moved to the published checklist" in page
    assert "To ask again after the move" in page
    assert "A question only the next version asks?" in page
    draft.refresh_from_db()
    assert draft.version == nxt.version


def test_the_move_view_answers_404_for_another_clinics_screening(draft, bob_client):
    build_next_version()
    assert bob_client.post(reverse("checklist:screening-move", args=[draft.pk])).status_code == 404
    draft.refresh_from_db()
    assert draft.version.number == 1


def test_the_move_view_refuses_a_get(draft, alice_client):
    build_next_version()
    assert alice_client.get(reverse("checklist:screening-move", args=[draft.pk])).status_code == 405


def _go_ahead_signed_yesterday(clinic, clinician, **overrides):
    """A signed "go ahead" whose day to reflect is over, so its time-out can be recorded."""
    from checklist.demo import CLEAN_ANSWERS, answer_all_sections, demo_clock, sign_screening
    from checklist.models import Decision
    from checklist.services.screenings import screening_start
    from tests.conftest import start_data

    with demo_clock(hours_ago=30):
        screening = screening_start(clinic=clinic, clinician=clinician, data=start_data(**overrides))
        answer_all_sections(screening, CLEAN_ANSWERS, clinician, overrides=LOT)
        screening = sign_screening(screening, clinician, decision=Decision.PROCEED)
    screening.refresh_from_db()
    return screening


def test_the_reconsent_list_follows_one_rule(make_screening, clinic_a, clinic_b, alice, bob, version):
    """Listed: signed "go ahead" under a retired version, no time-out yet, not withdrawn."""
    from checklist.models import TIME_OUT_ITEMS
    from checklist.services.treatment_day import consent_withdraw, treatment_time_out_confirm

    today = timezone.localdate()
    due = _go_ahead_signed_yesterday(clinic_a, alice, planned_date=today + dt.timedelta(days=3))
    past_date_not_treated = _go_ahead_signed_yesterday(clinic_a, alice, planned_date=today - dt.timedelta(days=1))
    treated = _go_ahead_signed_yesterday(clinic_a, alice)
    withdrawn = _go_ahead_signed_yesterday(clinic_a, alice)
    other_clinic = _go_ahead_signed_yesterday(clinic_b, bob)
    waiting = make_screening(clinic_a, alice, answers="clean", signed=True, planned_date=None)  # decided to wait
    treatment_time_out_confirm(screening=treated, user=alice, confirmed=TIME_OUT_ITEMS, lot_number=LOT["lot_number"])
    consent_withdraw(screening=withdrawn, user=alice, withdrawn_at=timezone.now(), how="phone")
    assert not screenings_to_reconsent(clinic_a).exists()  # v1 is still published
    build_next_version()
    assert set(screenings_to_reconsent(clinic_a)) == {due, past_date_not_treated}
    assert set(screenings_to_reconsent(clinic_b)) == {other_clinic}
    assert waiting not in screenings_to_reconsent(clinic_a)


def test_reconsent_starts_a_linked_draft_with_the_answers_filled_in(make_screening, clinic_a, alice, alice_client):
    from checklist.demo import sign_screening
    from checklist.models import Decision

    signed = make_screening(clinic_a, alice, answers="clean", planned_date=None)
    signed = sign_screening(signed, alice, decision=Decision.PROCEED)
    before = list(signed.answers.order_by("id").values_list("id", "value"))
    nxt = build_next_version()
    assert alice_client.get(reverse("checklist:screenings-reconsent")).content.decode().count(signed.patient_name)
    response = alice_client.post(reverse("checklist:screening-reconsent", args=[signed.pk]))
    new = Screening.objects.get(reconsent_of=signed)
    assert response["Location"] == reverse("checklist:screening-detail", args=[new.pk])
    assert new.version == nxt.version and new.status != Screening.Status.SIGNED
    assert new.answers.count() > 0 and nxt.added in new.ask_again_codes
    assert list(signed.answers.order_by("id").values_list("id", "value")) == before
    signed.refresh_from_db()
    assert signed.version.number == 1 and signed.status == Screening.Status.SIGNED
    assert AuditEvent.objects.filter(screening=new, action="screening.reconsent_started").exists()


def test_reconsent_refuses_a_draft(draft, alice):
    build_next_version()
    with pytest.raises(VersionMoveRefused):
        screening_reconsent_start(screening=draft, user=alice)


def test_reconsent_answers_404_for_another_clinics_screening(clinic_a, alice, bob_client, version):
    signed = _go_ahead_signed_yesterday(clinic_a, alice)
    build_next_version()
    assert bob_client.post(reverse("checklist:screening-reconsent", args=[signed.pk])).status_code == 404
    assert not Screening.objects.filter(reconsent_of=signed).exists()


def test_reconsent_twice_opens_the_one_already_started(clinic_a, alice, alice_client, version):
    signed = _go_ahead_signed_yesterday(clinic_a, alice)
    build_next_version()
    url = reverse("checklist:screening-reconsent", args=[signed.pk])
    first, second = alice_client.post(url), alice_client.post(url)
    assert first["Location"] == second["Location"]
    assert Screening.objects.filter(reconsent_of=signed).count() == 1


def test_reconsent_refuses_a_treated_or_withdrawn_screening(clinic_a, alice, version):
    from checklist.models import TIME_OUT_ITEMS
    from checklist.services.treatment_day import consent_withdraw, treatment_time_out_confirm

    treated = _go_ahead_signed_yesterday(clinic_a, alice)
    withdrawn = _go_ahead_signed_yesterday(clinic_a, alice)
    treatment_time_out_confirm(screening=treated, user=alice, confirmed=TIME_OUT_ITEMS, lot_number=LOT["lot_number"])
    consent_withdraw(screening=withdrawn, user=alice, withdrawn_at=timezone.now(), how="phone")
    build_next_version()
    with pytest.raises(VersionMoveRefused, match="treatment was given"):
        screening_reconsent_start(screening=treated, user=alice)
    with pytest.raises(VersionMoveRefused, match="withdrew"):
        screening_reconsent_start(screening=withdrawn, user=alice)
    assert not Screening.objects.filter(reconsent_of__in=[treated, withdrawn]).exists()
