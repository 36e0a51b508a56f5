from __future__ import annotations

from django.urls import reverse

from checklist.models import Answer, AuditEvent, Screening
from clinic.models import Membership
from tests.conftest import login_verified, make_member


def test_void_keeps_the_record_with_its_reason(carol_client, risky_signed):
    url = reverse("checklist:screening-void", args=[risky_signed.pk])
    carol_client.post(url, {"reason": "Wrong patient date of birth"})
    risky_signed.refresh_from_db()
    assert risky_signed.status == Screening.Status.VOIDED
    assert risky_signed.void_reason == "Wrong patient date of birth"
    html = carol_client.get(reverse("checklist:screening-detail", args=[risky_signed.pk])).content.decode()
    assert "Wrong patient date of birth" in html and "Voided on" in html


def test_void_needs_a_reason(carol_client, risky_signed):
    carol_client.post(reverse("checklist:screening-void", args=[risky_signed.pk]), {"reason": "   "})
    assert Screening.objects.get(pk=risky_signed.pk).status == Screening.Status.SIGNED


def test_a_draft_cannot_be_voided(carol_client, draft):
    carol_client.post(reverse("checklist:screening-void", args=[draft.pk]), {"reason": "x"})
    assert Screening.objects.get(pk=draft.pk).status == Screening.Status.DRAFT


def test_void_refuses_get_and_other_clinics(carol_client, bob_client, risky_signed):
    url = reverse("checklist:screening-void", args=[risky_signed.pk])
    assert carol_client.get(url).status_code == 405
    assert bob_client.post(url, {"reason": "Sabotage"}).status_code == 404
    assert Screening.objects.get(pk=risky_signed.pk).status == Screening.Status.SIGNED


def test_a_corrected_copy_prefills_the_answers_into_a_new_draft(alice_client, risky_signed):
    response = alice_client.post(reverse("checklist:screening-correct", args=[risky_signed.pk]))
    copy = Screening.objects.exclude(pk=risky_signed.pk).get(corrected_from=risky_signed)
    assert response["Location"] == reverse("checklist:screening-details", args=[copy.pk])
    assert copy.status in (Screening.Status.DRAFT, Screening.Status.AWAITING_SIGNATURE)
    original = dict(Answer.objects.filter(screening=risky_signed).values_list("question__code", "value"))
    copied = dict(Answer.objects.filter(screening=copy).values_list("question__code", "value"))
    assert copied == original
    assert copy.patient_name == risky_signed.patient_name
    assert Screening.objects.get(pk=risky_signed.pk).status == Screening.Status.SIGNED


def test_the_history_is_shown_to_clinic_admins_only(client, alice, carol, risky_signed):
    url = reverse("checklist:screening-detail", args=[risky_signed.pk])
    client.force_login(alice)
    assert "History" not in client.get(url).content.decode()
    login_verified(client, carol)
    html = client.get(url).content.decode()
    assert "History" in html and "Signed the consent with the patient" in html and "Answered “" in html


def test_a_clinician_cannot_void_and_nothing_changes(alice_client, risky_signed):
    events = AuditEvent.objects.count()
    confirm = reverse("checklist:screening-void-confirm", args=[risky_signed.pk])
    assert alice_client.get(confirm).status_code == 403
    response = alice_client.post(reverse("checklist:screening-void", args=[risky_signed.pk]), {"reason": "Mine"})
    assert response.status_code == 403
    risky_signed.refresh_from_db()
    assert risky_signed.status == Screening.Status.SIGNED and risky_signed.void_reason == ""
    assert AuditEvent.objects.count() == events


def test_the_confirmation_names_the_patient_and_the_reference(carol_client, risky_signed):
    response = carol_client.get(reverse("checklist:screening-void-confirm", args=[risky_signed.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert risky_signed.patient_name in html and risky_signed.reference in html
    assert f'action="{reverse("checklist:screening-void", args=[risky_signed.pk])}"' in html
    assert 'name="reason"' in html
    assert Screening.objects.get(pk=risky_signed.pk).status == Screening.Status.SIGNED  # a GET changes nothing


def test_only_admins_see_the_void_link_away_from_the_main_actions(client, alice, carol, risky_signed):
    detail = reverse("checklist:screening-detail", args=[risky_signed.pk])
    confirm = reverse("checklist:screening-void-confirm", args=[risky_signed.pk])
    client.force_login(alice)
    html = client.get(detail).content.decode()
    assert confirm not in html and "Void this record" not in html
    login_verified(client, carol)
    html = client.get(detail).content.decode()
    assert f'href="{confirm}"' in html and "Void this record…" in html
    assert html.index("Open the PDF") < html.index("Void this record")
    # At the foot of the page, after the record and its history, in its own section.
    assert html.index('id="history-title"') < html.index('id="void-title"') < html.index(f'href="{confirm}"')
    assert f'action="{reverse("checklist:screening-void", args=[risky_signed.pk])}"' not in html  # no one-click form


def test_the_confirmation_is_404_for_another_clinics_admin_and_refuses_post(client, risky_signed, clinic_b):
    confirm = reverse("checklist:screening-void-confirm", args=[risky_signed.pk])
    login_verified(client, make_member(clinic_b, "dora", Membership.Role.ADMIN))
    assert client.get(confirm).status_code == 404
    assert client.post(reverse("checklist:screening-void", args=[risky_signed.pk]), {"reason": "x"}).status_code == 404
    assert Screening.objects.get(pk=risky_signed.pk).status == Screening.Status.SIGNED


def test_the_confirmation_refuses_post(carol_client, risky_signed):
    confirm = reverse("checklist:screening-void-confirm", args=[risky_signed.pk])
    assert carol_client.post(confirm, {"reason": "x"}).status_code == 405
    assert Screening.objects.get(pk=risky_signed.pk).status == Screening.Status.SIGNED


def test_a_missing_or_refused_reason_returns_to_the_confirmation_with_the_text_kept(carol_client, risky_signed):
    url = reverse("checklist:screening-void", args=[risky_signed.pk])
    confirm = reverse("checklist:screening-void-confirm", args=[risky_signed.pk])
    response = carol_client.post(url, {})
    assert response.status_code == 302 and response["Location"] == confirm
    too_long = "Entered for the wrong patient. " * 40
    response = carol_client.post(url, {"reason": too_long})
    assert response["Location"] == confirm
    html = carol_client.get(confirm).content.decode()
    assert too_long[:1000].strip() in html and "is-invalid" in html
    assert Screening.objects.get(pk=risky_signed.pk).status == Screening.Status.SIGNED


def test_the_confirmation_of_a_draft_goes_back_to_the_screening(carol_client, draft):
    response = carol_client.get(reverse("checklist:screening-void-confirm", args=[draft.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("checklist:screening-detail", args=[draft.pk])
