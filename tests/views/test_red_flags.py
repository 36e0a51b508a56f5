"""The red flags step and the consent: "go ahead" is refused until every red flag is resolved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from checklist.forms_red_flags import note_field_name, outcome_field_name
from checklist.models import AuditEvent, FlagResolution, Screening, ScreeningLocked
from checklist.selectors import screening_assessment, screening_signed_record
from checklist.services.red_flags import ResolutionInput, screening_flags_resolve
from tests.conftest import PASSWORD, make_member
from tests.views.helpers import consent_post


def flags_url(s):
    return reverse("checklist:screening-flags", args=[s.pk])


def consent_url(s):
    return reverse("checklist:screening-consent", args=[s.pk])


def red_codes(screening) -> list[str]:
    return [f.code for f in screening_assessment(screening)[1].red_flags]


def resolve_all(screening, user, outcome="resolved", note="Saw the batch's sterility test report."):
    resolutions = {code: ResolutionInput(outcome, note) for code in red_codes(screening)}
    screening_flags_resolve(screening=screening, resolutions=resolutions, user=user)


@pytest.fixture
def risky(make_screening, clinic_a, alice) -> Screening:
    return make_screening(clinic_a, alice, answers="risky")


def test_the_flags_step_lists_each_red_flag_with_three_resolutions(alice_client, risky):
    html = alice_client.get(flags_url(risky)).content.decode()
    assessment = screening_assessment(risky)[1]
    for finding in assessment.red_flags:
        assert finding.clinician_text.replace("'", "&#x27;") in html
    assert html.count("Resolved: evidence seen") == len(assessment.red_flags)
    assert "Treatment will not go ahead" in html
    assert "red flags still need a resolution" in html


def test_a_clean_screening_has_no_flags_step(alice_client, make_screening, clinic_a, alice):
    clean = make_screening(clinic_a, alice, answers="clean")
    response = alice_client.get(flags_url(clean))
    assert response.status_code == 302
    assert response["Location"] == reverse("checklist:screening-review", args=[clean.pk])


def test_resolutions_are_saved_and_audited_without_their_notes(alice_client, risky, alice):
    first, second, *_rest = red_codes(risky)
    data = {
        outcome_field_name(first): "resolved",
        note_field_name(first): "Sterility report for lot 22-118 seen",
        outcome_field_name(second): "accepted",
        note_field_name(second): "",
        "save_continue": "1",
    }
    response = alice_client.post(flags_url(risky), data)
    assert response.status_code == 302 and response["Location"] == consent_url(risky)
    rows = dict(FlagResolution.objects.filter(screening=risky).values_list("finding_code", "outcome"))
    assert rows == {first: "resolved", second: "accepted"}
    event = AuditEvent.objects.get(screening=risky, action="screening.flags_resolved")
    assert event.detail == {"resolved": 1, "accepted": 1}
    assert "22-118" not in str(event.detail)


def test_resolved_without_a_note_is_refused_and_nothing_is_saved(alice_client, risky):
    first, second, *_rest = red_codes(risky)
    data = {
        outcome_field_name(first): "accepted",
        outcome_field_name(second): "resolved",
        note_field_name(second): "   ",
        note_field_name(first): "Typed and kept",
    }
    response = alice_client.post(flags_url(risky), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say what evidence you saw" in html
    assert "Typed and kept" in html
    assert not FlagResolution.objects.filter(screening=risky).exists()


def test_a_resolution_for_a_flag_the_answers_do_not_raise_is_refused(risky, alice):
    with pytest.raises(Exception, match="do not raise"):
        screening_flags_resolve(
            screening=risky, resolutions={"source_origin.plant": ResolutionInput("accepted")}, user=alice
        )
    assert not FlagResolution.objects.filter(screening=risky).exists()


def test_a_forged_go_ahead_with_an_unresolved_red_flag_changes_nothing(alice_client, risky, alice):
    codes = red_codes(risky)
    screening_flags_resolve(
        screening=risky, resolutions={code: ResolutionInput("accepted") for code in codes[1:]}, user=alice
    )
    page = alice_client.get(consent_url(risky)).content.decode()
    assert 'value="proceed"' in page and "disabled" in page.split('value="proceed"')[1].split(">")[0]
    response = alice_client.post(
        consent_url(risky), consent_post(risky, PASSWORD, decision="proceed", accepted_risks=codes[1:])
    )
    assert response.status_code == 400
    assert "1 red flag still needs a resolution" in response.content.decode()
    risky.refresh_from_db()
    assert risky.status == Screening.Status.AWAITING_SIGNATURE and not risky.decision
    assert not AuditEvent.objects.filter(screening=risky, action="screening.signed").exists()


def test_not_going_ahead_on_one_flag_rules_out_going_ahead(alice_client, risky, alice):
    codes = red_codes(risky)
    resolutions = {code: ResolutionInput("accepted") for code in codes}
    resolutions[codes[0]] = ResolutionInput("not_proceeding")
    screening_flags_resolve(screening=risky, resolutions=resolutions, user=alice)
    response = alice_client.post(
        consent_url(risky), consent_post(risky, PASSWORD, decision="proceed", accepted_risks=codes[1:])
    )
    assert response.status_code == 400
    assert Screening.objects.get(pk=risky.pk).status != Screening.Status.SIGNED


def test_going_ahead_needs_a_tick_for_each_accepted_risk(alice_client, risky, alice):
    resolve_all(risky, alice, outcome="accepted", note="")
    codes = red_codes(risky)
    response = alice_client.post(
        consent_url(risky), consent_post(risky, PASSWORD, decision="proceed", accepted_risks=codes[:-1])
    )
    assert response.status_code == 400
    assert "tick each risk you accept" in response.content.decode()
    response = alice_client.post(
        consent_url(risky), consent_post(risky, PASSWORD, decision="proceed", accepted_risks=codes)
    )
    assert response.status_code == 302
    record = screening_signed_record(Screening.objects.get(pk=risky.pk))
    assert {r.finding_code for r in record.resolutions} == set(codes)
    assert all(r.outcome == "accepted" and r.patient_confirmed for r in record.resolutions)


def test_resolutions_freeze_at_signing(alice_client, risky, alice):
    resolve_all(risky, alice)
    alice_client.post(consent_url(risky), consent_post(risky, PASSWORD, decision="proceed"))
    risky.refresh_from_db()
    assert risky.status == Screening.Status.SIGNED and risky.decision == "proceed"
    row = FlagResolution.objects.filter(screening=risky).first()
    row.note = "changed afterwards"
    with pytest.raises(ScreeningLocked):
        row.save()
    with pytest.raises(ScreeningLocked):
        row.delete()
    with pytest.raises(ScreeningLocked):
        resolve_all(risky, alice)
    assert alice_client.post(flags_url(risky), {}).status_code == 403


def test_a_cosigning_clinic_needs_a_second_clinician_for_accepted_risks(client, risky, clinic_a, alice):
    clinic_a.cosign_accepted_red_flags = True
    clinic_a.save()
    dave = make_member(clinic_a, "dave")
    client.force_login(alice)
    resolve_all(risky, alice, outcome="accepted", note="")
    codes = red_codes(risky)
    base = consent_post(risky, PASSWORD, decision="proceed", accepted_risks=codes)
    assert "Second clinician: username" in client.get(consent_url(risky)).content.decode()
    assert client.post(consent_url(risky), base).status_code == 400
    mine = {**base, "cosigner_username": "alice", "cosigner_password": PASSWORD}
    assert "not you" in client.post(consent_url(risky), mine).content.decode()
    wrong = {**base, "cosigner_username": "dave", "cosigner_password": "nope"}
    assert client.post(consent_url(risky), wrong).status_code == 400
    assert Screening.objects.get(pk=risky.pk).status != Screening.Status.SIGNED
    good = {**base, "cosigner_username": "dave", "cosigner_password": PASSWORD}
    assert client.post(consent_url(risky), good).status_code == 302
    risky.refresh_from_db()
    assert risky.status == Screening.Status.SIGNED and risky.cosigned_by == dave and risky.cosigned_at
    event = AuditEvent.objects.get(screening=risky, action="screening.cosigned")
    assert event.actor == dave


def test_a_clinician_of_another_clinic_cannot_cosign(client, risky, clinic_a, clinic_b, alice, bob):
    clinic_a.cosign_accepted_red_flags = True
    clinic_a.save()
    client.force_login(alice)
    resolve_all(risky, alice, outcome="accepted", note="")
    data = consent_post(
        risky,
        PASSWORD,
        decision="proceed",
        accepted_risks=red_codes(risky),
        cosigner_username="bob",
        cosigner_password=PASSWORD,
    )
    assert client.post(consent_url(risky), data).status_code == 400
    assert Screening.objects.get(pk=risky.pk).status != Screening.Status.SIGNED


def test_waiting_or_declining_needs_no_resolution(alice_client, risky):
    response = alice_client.post(consent_url(risky), consent_post(risky, PASSWORD, decision="decline"))
    assert response.status_code == 302
    assert Screening.objects.get(pk=risky.pk).decision == "decline"


def test_another_clinic_cannot_see_or_resolve(bob_client, risky):
    assert bob_client.get(flags_url(risky)).status_code == 404
    code = red_codes(risky)[0]
    assert bob_client.post(flags_url(risky), {outcome_field_name(code): "accepted"}).status_code == 404
    assert not FlagResolution.objects.filter(screening=risky).exists()


def test_anonymous_is_sent_to_sign_in(client, risky):
    response = client.get(flags_url(risky))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_wrong_method_is_refused(alice_client, risky):
    assert alice_client.put(flags_url(risky)).status_code == 405
