"""Hostile input to the clinician's forms: starting a screening, its details, the question steps,
the review, voiding, and tampered hidden fields.

Every request gets a clear answer: a 4xx or a message on the form, never a 500. What the form
refuses leaves the database exactly as it was (a fingerprint of the rows before and after);
what it accepts (emoji, right-to-left marks, HTML-looking text) is stored as typed and shown
back escaped.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape
from hypothesis import assume, given
from hypothesis import strategies as st

from checklist.forms import answer_field_name, note_field_name
from checklist.models import Answer, AuditEvent, Jurisdiction, Screening
from checklist.services.screenings import NOTE_MAX_LENGTH, screening_void
from tests.conftest import PASSWORD, make_member
from tests.security.hostile import (
    HOSTILE,
    NASTY_STRINGS,
    SCRIPT,
    accepted_text,
    assert_no_server_error,
    hostile_dates,
    hostile_integers,
    hostile_text,
    rolled_back,
    rows_fingerprint,
    world_fingerprint,
)
from tests.views.helpers import consent_post, start_post, step_post

pytestmark = pytest.mark.usefixtures("stub_pdf")

START = reverse("checklist:screening-start")


def step_url(screening, section="source"):
    return reverse("checklist:screening-step", args=[screening.pk, section])


def details_url(screening):
    return reverse("checklist:screening-details", args=[screening.pk])


# Text fields of the details form: (name, max length, required)
DETAIL_TEXT_FIELDS = [
    ("patient_name", 200, True),
    ("patient_reference", 50, False),
    ("patient_language", 50, False),
    ("product_name", 200, True),
    ("product_maker", 200, False),
]


# --- Starting a screening ------------------------------------------------------------------


@HOSTILE
@given(field=st.sampled_from(DETAIL_TEXT_FIELDS), value=hostile_text)
def test_start_stores_text_as_typed_or_refuses_it_cleanly(alice_client, alice, field, value):
    name, max_length, required = field
    expected = accepted_text(value, max_length=max_length, required=required)
    with rolled_back():
        before = world_fingerprint()
        response = alice_client.post(START, start_post(**{name: value}))
        assert_no_server_error(response)
        if expected is None:
            assert response.status_code == 400
            assert 'class="invalid-feedback' in response.content.decode()
            assert world_fingerprint() == before
        else:
            assert response.status_code == 302, response.content.decode()[:2000]
            screening = Screening.objects.get(clinic=alice.membership.clinic)
            assert getattr(screening, name) == expected
            page = alice_client.get(reverse("checklist:screening-detail", args=[screening.pk])).content.decode()
            if name in ("patient_name", "product_name", "product_maker") and expected:
                assert escape(expected) in page


@HOSTILE
@given(field=st.sampled_from(["patient_dob", "planned_date"]), value=hostile_dates)
def test_start_refuses_impossible_and_far_off_dates(alice_client, alice, field, value):
    with rolled_back():
        before = world_fingerprint()
        response = alice_client.post(START, start_post(**{field: value}))
        assert_no_server_error(response)
        if response.status_code == 302:
            stored = getattr(Screening.objects.get(clinic=alice.membership.clinic), field)
            today = dt.date.today()
            if field == "patient_dob":
                assert dt.date(today.year - 121, 1, 1) < stored <= today
            elif stored is not None:
                assert abs((stored - today).days) <= 3 * 366
        else:
            assert response.status_code == 400
            assert world_fingerprint() == before


def python_int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


@HOSTILE
@given(field=st.sampled_from(["jurisdiction", "intended_use", "route"]), value=hostile_integers)
def test_start_refuses_choices_that_are_not_offered(alice_client, field, value):
    if field == "jurisdiction":
        # The primary key lookup goes through int(), which also reads " 1", "+1" and "1_0".
        assume(python_int(value) not in set(Jurisdiction.objects.values_list("pk", flat=True)))
    else:
        assume(value not in {"skin", "hair", "joint", "wound", "topical", "microneedling", "inhaled"})
    with rolled_back():
        before = world_fingerprint()
        response = alice_client.post(START, start_post(**{field: value}))
        assert response.status_code == 400
        assert world_fingerprint() == before


def test_start_ignores_fields_that_are_not_on_the_form(alice_client, alice, clinic_b, bob):
    """Mass assignment: the clinic, clinician, status and codes come from the server only."""
    response = alice_client.post(
        START,
        start_post(
            clinic=clinic_b.pk,
            clinic_id=clinic_b.pk,
            clinician=bob.pk,
            status="signed",
            overall_risk="none",
            lock_version="99",
            reference="EXO-AAAA-AAAA",
            verification_code="0000000000",
            signed_at="2020-01-01T00:00:00Z",
            id="00000000-0000-0000-0000-000000000000",
        ),
    )
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert screening.clinic == alice.membership.clinic and screening.clinician == alice
    assert screening.status == Screening.Status.DRAFT and screening.lock_version == 0
    assert screening.reference != "EXO-AAAA-AAAA" and screening.verification_code is None
    assert screening.signed_at is None and str(screening.pk) != "00000000-0000-0000-0000-000000000000"


def test_start_requires_the_other_text_when_other_is_chosen(alice_client):
    for value in ("", "   ", "\x00", "\x1b"):
        response = alice_client.post(START, start_post(route="other", route_other=value))
        assert response.status_code == 400
    assert not Screening.objects.exists()


# --- The details step of an existing draft ---------------------------------------------------


@HOSTILE
@given(field=st.sampled_from(DETAIL_TEXT_FIELDS), value=hostile_text)
def test_details_changes_are_stored_as_typed_or_refused_cleanly(alice_client, draft, field, value):
    name, max_length, required = field
    expected = accepted_text(value, max_length=max_length, required=required)
    with rolled_back():
        before = world_fingerprint()
        response = alice_client.post(details_url(draft), start_post(**{name: value}))
        assert_no_server_error(response)
        if expected is None:
            assert response.status_code == 400
            assert world_fingerprint() == before
        else:
            assert response.status_code == 302
            assert getattr(Screening.objects.get(pk=draft.pk), name) == expected


@HOSTILE
@given(value=hostile_dates)
def test_details_refuse_impossible_dates_of_birth(alice_client, draft, value):
    with rolled_back():
        before = world_fingerprint()
        response = alice_client.post(details_url(draft), start_post(patient_dob=value))
        assert_no_server_error(response)
        if response.status_code != 302:
            assert response.status_code == 400
            assert world_fingerprint() == before


# --- A question step: answers and notes --------------------------------------------------------


@HOSTILE
@given(value=hostile_text, note=hostile_text)
def test_a_text_answer_and_its_note_are_stored_as_typed_or_refused(alice_client, draft, value, note):
    answer_ok = value.strip() == "" or accepted_text(value, max_length=2000, required=False) is not None
    note_ok = note.strip() == "" or accepted_text(note, max_length=NOTE_MAX_LENGTH, required=False) is not None
    with rolled_back():
        draft.refresh_from_db()
        before = world_fingerprint()
        data = step_post(
            draft,
            "source",
            **{answer_field_name("product_identity"): value, note_field_name("product_identity"): note},
        )
        response = alice_client.post(step_url(draft), data)
        assert_no_server_error(response)
        if answer_ok and note_ok:
            assert response.status_code == 302, response.content.decode()[:3000]
            answer = Answer.objects.filter(screening=draft, question__code="product_identity").first()
            stored_value = answer.value if answer else None
            assert stored_value == (value.strip() or None)
            assert (answer.note if answer else "") == note.strip()
        else:
            assert response.status_code == 400
            assert world_fingerprint() == before


@HOSTILE
@given(value=hostile_dates)
def test_a_date_answer_is_a_real_date_between_1900_and_2100_or_refused(alice_client, draft, value):
    with rolled_back():
        draft.refresh_from_db()
        before = world_fingerprint()
        data = step_post(draft, "source", **{answer_field_name("lot_expiry_date"): value})
        response = alice_client.post(step_url(draft), data)
        assert_no_server_error(response)
        if response.status_code == 302:
            stored = Answer.objects.filter(screening=draft, question__code="lot_expiry_date").first()
            if stored is not None and stored.value is not None:
                assert 1900 <= dt.date.fromisoformat(stored.value).year <= 2100
        else:
            assert response.status_code == 400
            assert world_fingerprint() == before


@HOSTILE
@given(
    question=st.sampled_from(["source_origin", "donor_screening", "potency_claim"]),
    value=st.one_of(hostile_text, st.sampled_from(["yes ", "YES", "Yes", "unknown\x00", "no,yes"])),
)
def test_a_choice_that_is_not_offered_is_refused(alice_client, draft, question, value):
    from checklist.selectors import checklist_spec

    offered = set(checklist_spec(draft.version).questions_by_code[question].choices_by_value)
    assume(value not in offered and value != "")
    with rolled_back():
        draft.refresh_from_db()
        before = world_fingerprint()
        response = alice_client.post(
            step_url(draft), step_post(draft, "source", **{answer_field_name(question): value})
        )
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
        assert world_fingerprint() == before


@HOSTILE
@given(values=st.lists(st.one_of(hostile_text, st.sampled_from(["none", "other"])), min_size=1, max_size=5))
def test_a_multiple_choice_answer_with_an_unknown_option_is_refused(alice_client, make_screening, values, draft):
    from checklist.selectors import checklist_spec

    offered = set(checklist_spec(draft.version).questions_by_code["combined_treatments"].choices_by_value)
    assume(not set(values) <= offered)
    with rolled_back():
        draft.refresh_from_db()
        before = world_fingerprint()
        data = step_post(draft, "evidence", **{answer_field_name("combined_treatments"): values})
        response = alice_client.post(step_url(draft, "evidence"), data)
        assert response.status_code == 400
        assert world_fingerprint() == before


def test_a_choice_of_another_question_or_step_is_refused(alice_client, draft):
    from checklist.selectors import checklist_spec

    spec = checklist_spec(draft.version)
    # A valid value of another question, sent for this one.
    foreign = next(
        c.value
        for q in spec.questions
        if q.code != "source_origin"
        for c in q.choices
        if c.value not in spec.questions_by_code["source_origin"].choices_by_value
    )
    before = world_fingerprint()
    response = alice_client.post(
        step_url(draft), step_post(draft, "source", **{answer_field_name("source_origin"): foreign})
    )
    assert response.status_code == 400
    assert world_fingerprint() == before


def test_answers_for_questions_of_another_version_or_step_are_ignored(alice_client, draft):
    extra = {
        answer_field_name("regulator_approval"): "no",  # a question of another step
        answer_field_name("no_such_question"): "yes",  # a question of no version at all
        note_field_name("no_such_question"): SCRIPT,
        "q__": "yes",
        "q__source_origin__x": "yes",
    }
    response = alice_client.post(step_url(draft), step_post(draft, "source", **extra))
    assert response.status_code == 302
    codes = set(Answer.objects.filter(screening=draft).values_list("question__code", flat=True))
    assert codes <= {q.code for q in draft.version.sections.get(code="source").questions.all()}
    assert "regulator_approval" not in codes


def test_a_question_of_another_version_is_ignored(alice_client, draft):
    from checklist.models import Question
    from checklist.services.checklist_versions import checklist_version_copy

    newer = checklist_version_copy(version=draft.version)
    section = newer.sections.get(code="source")
    Question.objects.create(
        section=section,
        code="only_in_the_draft",
        position=99,
        answer_type="yes_no_unsure",
        prompt="New?",
        patient_text="New?",
        why="Test.",
    )
    data = step_post(draft, "source", **{answer_field_name("only_in_the_draft"): "yes"})
    assert alice_client.post(step_url(draft), data).status_code == 302
    assert not Answer.objects.filter(question__section__version=newer).exists()
    assert set(Answer.objects.filter(screening=draft).values_list("question__section__version", flat=True)) == {
        draft.version_id
    }


@pytest.mark.parametrize("section", ["nonexistent", "SOURCE", "source-", "review", "consent", "details", "x" * 300])
def test_a_step_that_does_not_exist_is_404(alice_client, draft, section):
    before = world_fingerprint()
    assert alice_client.post(step_url(draft, section), step_post(draft, "source")).status_code == 404
    assert alice_client.get(step_url(draft, section)).status_code == 404
    assert world_fingerprint() == before


@pytest.mark.parametrize("path", ["source/../regulatory", "%2e%2e", "source%00", "sour%C3%A7e", "<script>"])
def test_odd_step_paths_are_404(alice_client, draft, path):
    url = f"/screenings/{draft.pk}/steps/{path}/"
    assert alice_client.get(url).status_code == 404
    assert alice_client.post(url, step_post(draft, "source")).status_code == 404


@pytest.mark.parametrize("screening_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "1", "' OR 1=1"])
def test_a_screening_id_that_is_not_one_is_404(alice_client, screening_id):
    assert alice_client.get(f"/screenings/{screening_id}/").status_code == 404
    assert alice_client.post(f"/screenings/{screening_id}/steps/source/", {}).status_code == 404


# --- lock_version: the hidden field of optimistic concurrency ----------------------------------


def as_lock_version(value: str) -> int | None:
    """What the step form's hidden lock_version field makes of a posted value, None if it refuses it
    (Django's IntegerField also reads " 1", "+1" and "1.0")."""
    from checklist.forms import SectionAnswersForm

    try:
        return SectionAnswersForm.base_fields["lock_version"].clean(value)
    except ValidationError:
        return None


@HOSTILE
@given(lock_version=hostile_integers)
def test_a_tampered_lock_version_is_refused_without_saving(alice_client, draft, lock_version):
    with rolled_back():
        draft.refresh_from_db()
        parsed = as_lock_version(lock_version)
        assume(parsed != draft.lock_version)
        before = world_fingerprint()
        response = alice_client.post(step_url(draft), step_post(draft, "source", "risky", lock_version=lock_version))
        # Not a number, negative or out of range: a form error; another number: a stale form.
        expected = 400 if parsed is None else 409
        assert response.status_code == expected
        assert world_fingerprint() == before


def test_a_missing_lock_version_is_refused(alice_client, draft):
    data = step_post(draft, "source")
    del data["lock_version"]
    assert alice_client.post(step_url(draft), data).status_code == 400
    assert not Answer.objects.filter(screening=draft).exists()


def test_a_stale_save_lists_the_unsaved_text_as_typed(alice_client, draft):
    alice_client.post(step_url(draft), step_post(draft, "source"))
    stale = step_post(draft, "source", lock_version=0, **{answer_field_name("product_identity"): "Vial lot 42"})
    response = alice_client.post(step_url(draft), stale)
    assert response.status_code == 409
    html = response.content.decode()
    assert "<strong>Vial lot 42</strong>" in html
    assert "<strong>y, e, s</strong>" not in html
    assert "V, i, a, l" not in html


# --- What is accepted is shown back escaped, never executed -----------------------------------


def test_script_typed_into_a_note_comes_back_escaped_on_the_review_page(alice_client, draft):
    data = step_post(draft, "source", **{note_field_name("donor_screening"): SCRIPT})
    assert alice_client.post(step_url(draft), data).status_code == 302
    assert Answer.objects.get(screening=draft, question__code="donor_screening").note == SCRIPT
    review = alice_client.get(reverse("checklist:screening-review", args=[draft.pk])).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in review
    assert SCRIPT not in review
    step = alice_client.get(step_url(draft)).content.decode()
    assert "&lt;script&gt;" in step and SCRIPT not in step


@pytest.mark.parametrize(
    "text",
    [
        "🧪 Vial seen 👍🏽",
        "\u200fמטופל\u200f",  # noqa: RUF001 - look-alike letters on purpose
        "\u202eevil\u202c",
        '"><img src=x onerror=alert(1)>',
        "{{ 7*7 }} {% debug %}",
        "Robert'); DROP TABLE checklist_screening;--",
    ],
)
def test_legitimate_but_odd_text_is_kept_and_escaped_everywhere_it_shows(alice_client, draft, text):
    data = step_post(
        draft,
        "source",
        **{answer_field_name("product_identity"): text, note_field_name("source_origin"): text},
    )
    assert alice_client.post(step_url(draft), data).status_code == 302
    assert Answer.objects.get(screening=draft, question__code="product_identity").value == text
    assert Answer.objects.get(screening=draft, question__code="source_origin").note == text
    response = alice_client.post(details_url(draft), start_post(patient_name=text, product_maker=text))
    assert response.status_code == 302
    for url in (
        reverse("checklist:screening-review", args=[draft.pk]),
        reverse("checklist:screening-detail", args=[draft.pk]),
        reverse("checklist:dashboard"),
        step_url(draft),
    ):
        html = alice_client.get(url).content.decode()
        assert escape(text) in html, url
        if escape(text) != text:
            assert text not in html, url
    assert Screening.objects.get(pk=draft.pk).patient_name == text


# --- Signed and voided screenings refuse every change -----------------------------------------


@pytest.fixture
def signed(make_screening, clinic_a, carol):
    """Run and signed by carol, a clinic admin, who may also void it."""
    return make_screening(clinic_a, carol, answers="risky", signed=True)


@pytest.fixture
def voided(make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean", signed=True)
    return screening_void(screening=screening, user=alice, reason="Wrong patient")


def signed_rows(screening) -> str:
    return rows_fingerprint(
        Screening.objects.filter(pk=screening.pk),
        Answer.objects.filter(screening=screening),
        AuditEvent.objects.filter(screening=screening),
    )


@pytest.mark.parametrize("which", ["signed", "voided"])
def test_posts_to_a_signed_or_voided_screening_change_nothing(alice_client, request, which):
    screening = request.getfixturevalue(which)
    before = signed_rows(screening)
    posts = [
        (step_url(screening), step_post(screening, "source", "clean")),
        (step_url(screening, "evidence"), step_post(screening, "evidence", "clean")),
        (details_url(screening), start_post(patient_name="Someone Else")),
        (
            reverse("checklist:screening-consent", args=[screening.pk]),
            consent_post(screening, PASSWORD, decision="proceed"),
        ),
    ]
    for url, data in posts:
        assert alice_client.post(url, data).status_code == 403, url
    assert signed_rows(screening) == before


def test_voiding_twice_keeps_the_first_reason(carol_client, voided):
    before = signed_rows(voided)
    response = carol_client.post(reverse("checklist:screening-void", args=[voided.pk]), {"reason": "Another reason"})
    assert response.status_code == 302
    assert "already void" in carol_client.get(response["Location"]).content.decode()
    assert signed_rows(voided) == before


def test_a_draft_cannot_be_voided_whatever_the_reason(carol_client, draft):
    before = world_fingerprint()
    response = carol_client.post(reverse("checklist:screening-void", args=[draft.pk]), {"reason": "Because"})
    assert response.status_code == 302
    assert "Only a signed screening is voided" in carol_client.get(response["Location"]).content.decode()
    assert world_fingerprint() == before


def test_a_stale_tab_posting_to_a_signed_screening_gets_403_not_500(alice_client, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean")
    stale = step_post(screening, "source", "risky")
    alice_client.post(reverse("checklist:screening-consent", args=[screening.pk]), consent_post(screening, PASSWORD))
    before = signed_rows(screening)
    assert alice_client.post(step_url(screening), stale).status_code == 403
    assert signed_rows(screening) == before


# --- Voiding: the reason ---------------------------------------------------------------------


@HOSTILE
@given(reason=hostile_text)
def test_a_void_reason_is_stored_as_typed_or_refused(carol_client, signed, reason):
    expected = accepted_text(reason, max_length=1000, required=True)
    url = reverse("checklist:screening-void", args=[signed.pk])
    with rolled_back():
        before = world_fingerprint()
        response = carol_client.post(url, {"reason": reason})
        assert response.status_code == 302
        screening = Screening.objects.get(pk=signed.pk)
        if expected is None:
            assert screening.status == Screening.Status.SIGNED
            assert world_fingerprint() == before
        else:
            assert screening.status == Screening.Status.VOIDED and screening.void_reason == expected
            html = carol_client.get(response["Location"]).content.decode()
            assert escape(expected) in html


def test_void_ignores_tampered_fields(carol_client, signed, bob):
    url = reverse("checklist:screening-void", args=[signed.pk])
    carol_client.post(url, {"reason": "Duplicate", "voided_by": bob.pk, "status": "draft", "decision": "proceed"})
    signed.refresh_from_db()
    assert signed.status == Screening.Status.VOIDED and signed.voided_by == signed.clinician
    assert signed.decision == "wait"


def test_another_clinics_screening_is_404_for_every_post(client, signed, clinic_b):
    mallory = make_member(clinic_b, "mallory")
    client.force_login(mallory)
    before = world_fingerprint()
    for url, data in [
        (step_url(signed), step_post(signed, "source")),
        (details_url(signed), start_post()),
        (reverse("checklist:screening-consent", args=[signed.pk]), consent_post(signed, PASSWORD)),
        (reverse("checklist:screening-void", args=[signed.pk]), {"reason": "sabotage"}),
        (reverse("checklist:screening-correct", args=[signed.pk]), {}),
    ]:
        assert client.post(url, data).status_code == 404, url
    assert world_fingerprint() == before


def test_a_member_of_no_clinic_is_refused(client, db, draft):
    from django.contrib.auth import get_user_model

    loner = get_user_model().objects.create_user(username="loner", password=PASSWORD)
    client.force_login(loner)
    assert client.post(START, start_post()).status_code == 403
    assert client.post(step_url(draft), step_post(draft, "source")).status_code == 403
    assert Screening.objects.count() == 1


@pytest.mark.parametrize("text", NASTY_STRINGS)
def test_the_dashboard_search_never_fails(alice_client, draft, text):
    response = alice_client.get(reverse("checklist:dashboard"), {"q": text, "status": text, "risk": text, "page": text})
    assert response.status_code == 200
