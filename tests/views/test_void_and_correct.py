from __future__ import annotations

from django.urls import reverse

from checklist.models import Answer, Screening


def test_void_keeps_the_record_with_its_reason(alice_client, risky_signed):
    url = reverse("checklist:screening-void", args=[risky_signed.pk])
    alice_client.post(url, {"reason": "Wrong patient date of birth"})
    risky_signed.refresh_from_db()
    assert risky_signed.status == Screening.Status.VOIDED
    assert risky_signed.void_reason == "Wrong patient date of birth"
    html = alice_client.get(reverse("checklist:screening-detail", args=[risky_signed.pk])).content.decode()
    assert "Wrong patient date of birth" in html and "Voided on" in html


def test_void_needs_a_reason(alice_client, risky_signed):
    alice_client.post(reverse("checklist:screening-void", args=[risky_signed.pk]), {"reason": "   "})
    assert Screening.objects.get(pk=risky_signed.pk).status == Screening.Status.SIGNED


def test_a_draft_cannot_be_voided(alice_client, draft):
    alice_client.post(reverse("checklist:screening-void", args=[draft.pk]), {"reason": "x"})
    assert Screening.objects.get(pk=draft.pk).status == Screening.Status.DRAFT


def test_void_refuses_get_and_other_clinics(alice_client, bob_client, risky_signed):
    url = reverse("checklist:screening-void", args=[risky_signed.pk])
    assert alice_client.get(url).status_code == 405
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
    client.force_login(carol)
    html = client.get(url).content.decode()
    assert "History" in html and "Consent signed" in html and "Answer created" in html
