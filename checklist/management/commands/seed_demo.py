"""Create a demo clinic, its staff and a few screenings. Safe to run any number of times.

Demo only: the accounts share one well-known password (``DEMO_PASSWORD``, default
``exosafe-demo``). Never run this against a production database.
"""

from __future__ import annotations

import datetime as dt
import os

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from checklist.demo import (
    CLEAN_ANSWERS,
    answer_all_sections,
    demo_answers,
    demo_clock,
    demo_people,
    demo_planned_date,
    sign_screening,
)
from checklist.models import ChecklistVersion, Decision, FlagResolution, Jurisdiction, Screening
from checklist.records import INTERPRETER, SIGNER_REPRESENTATIVE, CompanionRecord
from checklist.selectors import checklist_spec, checklist_version_published, screening_assessment
from checklist.services.red_flags import ResolutionInput, screening_flags_resolve
from checklist.services.screenings import AnswerInput, screening_answers_save, screening_start, screening_void
from checklist.services.treatment_day import consent_withdraw

DEFAULT_PASSWORD = "exosafe-demo"  # noqa: S105 - documented demo-only password


# Realistic stories for the demo, told as changes to a clean set of answers.
COSMETIC_MICRONEEDLING_STORY = {
    "source_origin": "perinatal_msc",
    "donor_screening": "unsure",
    "sterility_certificate": "no",
    "potency_claim": "particle_count_only",
    "product_label": "cosmetic",
    "labelled_route": "topical_only",
    "trial_status": "outside_trial",
    "marketing_claims": ["instant_results"],
    "setting_type": "medical_spa",
}
# Two red flags, each resolved before a "go ahead": one by evidence seen, one accepted by the patient
# and co-signed by a second clinician (the demo clinic asks for that).
PAID_OUTSIDE_TRIAL_STORY = {
    "trial_status": "outside_trial",
    "clinic_contact_known": "no",
}
CONTACT_GIVEN = (
    "Gave the patient the clinic's nurse line card (+1 603 555 0143, out of hours 911) "
    "and wrote it on the take-home sheet."
)
# A lot in date, as the time-out checks against the vial.
READY_LOT = {"lot_number": "TV7-2611-044", "lot_expiry_date": "2027-06-30"}
UK_HUMAN_COSMETIC_STORY = {
    "source_origin": "adipose_msc",
    "product_label": "cosmetic",
    "labelled_route": "not_stated",
    "evidence_type": "small_human",
    "marketing_claims": ["guaranteed_or_miracle"],
}


class Command(BaseCommand):
    help = "Create the demo clinic, demo-clinician, demo-admin and demo-editor, and a few screenings."

    def handle(self, *args, **options):
        version = checklist_version_published()
        if version is None:
            raise CommandError("No checklist is published. Run `python manage.py load_checklist` first.")
        password = os.environ.get("DEMO_PASSWORD", DEFAULT_PASSWORD)
        clinic, clinician, admin, _editor = demo_people(password)
        created = 0
        if not Screening.objects.filter(clinic=clinic).exists():
            created = self._screenings(clinic, clinician, admin)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo clinic ready ({created} screenings created). Sign in at http://127.0.0.1:8000/ as "
                f"demo-clinician, demo-admin (clinic admin) or demo-editor (content admin) with password "
                f"'{password}'; demo-admin and demo-editor set up a second factor at their first sign-in. Demo only."
            )
        )

    def _screenings(self, clinic, clinician, admin) -> int:
        """One screening in every state a clinic meets: signed (once by a representative with an
        interpreter, once a go-ahead with resolved red flags and a co-signature), voided, awaiting
        signature, draft."""
        us = Jurisdiction.objects.get(code="US")
        uk = Jurisdiction.objects.get(code="UK")
        base = {"patient_language": "English", "jurisdiction": us, "planned_date": demo_planned_date()}
        # First, so that the audit log's order follows its clock: signed two days ago.
        with demo_clock(hours_ago=50):
            self._ready_for_time_out(clinic, clinician, base)
        risky = screening_start(
            clinic=clinic,
            clinician=clinician,
            data={
                **base,
                "patient_name": "Jordan Avery",
                "patient_dob": dt.date(1979, 3, 14),
                "patient_reference": "HS-10432",
                "product_name": "RenewEV Exosome Serum",
                "product_maker": "Apex Regenerative Labs",
                "intended_use": "skin",
                "route": "microneedling",
            },
        )
        answer_all_sections(
            risky,
            "clean",
            clinician,
            note="Checked against the product leaflet.",
            overrides=COSMETIC_MICRONEEDLING_STORY,
        )
        sign_screening(risky, clinician, decision=Decision.DECLINE)

        clean = screening_start(
            clinic=clinic,
            clinician=clinician,
            data={
                **base,
                "patient_name": "Maria Lopez",
                "patient_dob": dt.date(1966, 11, 2),
                "patient_reference": "HS-10433",
                "product_name": "TrialVes-7 (investigational)",
                "product_maker": "University Hospital trial unit",
                "intended_use": "joint",
                "route": "injection_joint",
            },
        )
        answer_all_sections(clean, "clean", clinician)
        sign_screening(clean, clinician, decision=Decision.WAIT)

        wrong_patient = screening_start(
            clinic=clinic,
            clinician=clinician,
            data={
                **base,
                "patient_name": "Robin Hale",
                "patient_dob": dt.date(1984, 9, 30),
                "patient_reference": "HS-10435",
                "product_name": "GlowVesicle Serum",
                "product_maker": "Example Biologics",
                "intended_use": "skin",
                "route": "topical",
            },
        )
        answer_all_sections(wrong_patient, "clean", clinician, overrides=READY_LOT)
        signed = sign_screening(wrong_patient, clinician, decision=Decision.PROCEED)
        screening_void(
            screening=signed,
            user=admin,
            reason="Signed under the wrong patient's record; the patient was screened again under their own record.",
        )

        waiting = screening_start(
            clinic=clinic,
            clinician=clinician,
            data={
                **base,
                "patient_name": "Chris Walker",
                "patient_dob": dt.date(1988, 7, 21),
                "product_name": "FolliGrow Exo",
                "product_maker": "",
                "intended_use": "hair",
                "route": "injection_skin",
                "jurisdiction": uk,
            },
        )
        answer_all_sections(waiting, "clean", clinician, overrides=UK_HUMAN_COSMETIC_STORY)

        partial = screening_start(
            clinic=clinic,
            clinician=clinician,
            data={
                **base,
                "patient_name": "Priya Shah",
                "patient_dob": dt.date(1992, 1, 9),
                "product_name": "DermaVesicle Gel",
                "product_maker": "Lumen Aesthetics",
                "intended_use": "wound",
                "route": "topical",
            },
        )
        represented = screening_start(
            clinic=clinic,
            clinician=clinician,
            data={
                **base,
                "patient_name": "Tomás Ferreira",
                "patient_dob": dt.date(1941, 6, 30),
                "patient_reference": "HS-10436",
                "patient_language": "Portuguese",
                "product_name": "ArthroVes Injectable",
                "product_maker": "Coastal Biologics",
                "intended_use": "joint",
                "route": "injection_joint",
            },
        )
        answer_all_sections(represented, "clean", clinician, note="Discussed with the patient's daughter.")
        sign_screening(
            represented,
            clinician,
            decision=Decision.WAIT,
            signer=SIGNER_REPRESENTATIVE,
            patient_signed_name="Ana Ferreira",
            representative_relationship="Daughter; holds a lasting power of attorney for health decisions",
            companions=[CompanionRecord(role=INTERPRETER, name="Luísa Mendes", language="Portuguese")],
        )

        spec = checklist_spec(partial.version)
        first = spec.sections[0]
        screening_answers_save(
            screening=partial,
            section_code=first.code,
            answers={q.code: AnswerInput(q.choices[0].value if q.choices else None) for q in first.questions[:3]},
            user=clinician,
        )
        self._accepted_with_cosign(clinic, clinician, admin, base)
        self._withdrawn(clinic, clinician, base)
        from dossiers.demo import seed_dossiers  # the dossiers app builds on the checklist's

        return (
            9
            + self._under_retired_version(clinic, clinician, base)
            + seed_dossiers(clinic=clinic, admin=admin, clinician=clinician, base=base)
        )

    def _ready_for_time_out(self, clinic, clinician, base) -> Screening:
        """A "go ahead" signed two days ago: its 24 hours to reflect are over, the time-out is due."""
        screening = screening_start(
            clinic=clinic,
            clinician=clinician,
            data={
                **base,
                "planned_date": demo_planned_date(days=0),
                "patient_name": "Sofia Brennan",
                "patient_dob": dt.date(1990, 2, 11),
                "patient_reference": "HS-10438",
                "product_name": "TrialVes-7 (investigational)",
                "product_maker": "University Hospital trial unit",
                "intended_use": "joint",
                "route": "injection_joint",
            },
        )
        answer_all_sections(screening, "clean", clinician, overrides=READY_LOT)
        return sign_screening(screening, clinician, decision=Decision.PROCEED)

    def _withdrawn(self, clinic, clinician, base) -> Screening:
        """A "go ahead" the patient withdrew by phone afterwards."""
        screening = screening_start(
            clinic=clinic,
            clinician=clinician,
            data={
                **base,
                "patient_name": "Noah Kim",
                "patient_dob": dt.date(1975, 8, 3),
                "patient_reference": "HS-10439",
                "product_name": "GlowVesicle Serum",
                "product_maker": "Example Biologics",
                "intended_use": "skin",
                "route": "topical",
            },
        )
        answer_all_sections(screening, "clean", clinician, overrides=READY_LOT)
        signed = sign_screening(screening, clinician, decision=Decision.PROCEED)
        consent_withdraw(
            screening=signed,
            user=clinician,
            withdrawn_at=timezone.now(),
            how="phone",
            note="Called the nurse line: has decided not to have the treatment after talking with family.",
        )
        return signed

    def _under_retired_version(self, clinic, clinician, base) -> int:
        """Screenings started before the published version replaced the one before it: a draft still
        within the clinic's grace period, and a signed "go ahead" whose patient is to consent again."""
        retired = ChecklistVersion.objects.filter(status=ChecklistVersion.Status.RETIRED).order_by("-number").first()
        if retired is None:
            return 0
        draft = screening_start(
            clinic=clinic,
            clinician=clinician,
            version=retired,
            data={
                **base,
                "patient_name": "Kim Nakamura",
                "patient_dob": dt.date(1975, 4, 18),
                "patient_reference": "HS-10440",
                "product_name": "VesiClear Scalp Serum",
                "product_maker": "Example Biologics",
                "intended_use": "hair",
                "route": "topical",
            },
        )
        spec = checklist_spec(retired)
        answers = demo_answers(spec, CLEAN_ANSWERS, draft.risk_context())
        # Where the published version dropped a choice, pick it: the move then has an answer to ask again.
        published = checklist_spec(version) if (version := checklist_version_published()) else spec
        for question in spec.questions:
            now = published.questions_by_code.get(question.code)
            dropped = [c.value for c in question.choices if now and c.value not in {n.value for n in now.choices}]
            if dropped and question.answer_type == "single":
                answers[question.code] = dropped[0]
        for section in spec.sections[:3]:
            screening_answers_save(
                screening=draft,
                section_code=section.code,
                answers={q.code: AnswerInput(answers[q.code]) for q in section.questions if q.code in answers},
                user=clinician,
            )
        signed = screening_start(
            clinic=clinic,
            clinician=clinician,
            version=retired,
            data={
                **base,
                "patient_name": "Ruth Okafor",
                "patient_dob": dt.date(1981, 12, 5),
                "patient_reference": "HS-10441",
                "product_name": "LumiEV Topical Concentrate",
                "product_maker": "Northshore Biologics",
                "intended_use": "skin",
                "route": "topical",
            },
        )
        answer_all_sections(signed, CLEAN_ANSWERS, clinician, overrides=READY_LOT)
        sign_screening(signed, clinician, decision=Decision.PROCEED)
        return 2

    def _accepted_with_cosign(self, clinic, clinician, admin, base) -> Screening:
        """A "go ahead" after both red flags were resolved: one by evidence, one accepted and co-signed."""
        screening = screening_start(
            clinic=clinic,
            clinician=clinician,
            data={
                **base,
                "patient_name": "Alex Morgan",
                "patient_dob": dt.date(1984, 6, 30),
                "patient_reference": "HS-10436",
                "product_name": "LumiEV Topical Concentrate",
                "product_maker": "Northshore Biologics",
                "intended_use": "skin",
                "route": "topical",
            },
        )
        answer_all_sections(
            screening, "clean", clinician, note="Discussed with the patient.", overrides=PAID_OUTSIDE_TRIAL_STORY
        )
        _spec, assessment = screening_assessment(screening)
        resolutions = {}
        for finding in assessment.red_flags:
            if finding.question_code == "clinic_contact_known":
                resolutions[finding.code] = ResolutionInput(FlagResolution.Outcome.RESOLVED, CONTACT_GIVEN)
            else:
                resolutions[finding.code] = ResolutionInput(FlagResolution.Outcome.ACCEPTED)
        screening_flags_resolve(screening=screening, resolutions=resolutions, user=clinician)
        accepted = [code for code, r in resolutions.items() if r.outcome == FlagResolution.Outcome.ACCEPTED]
        return sign_screening(
            screening, clinician, decision=Decision.PROCEED, accepted_risks=accepted, cosigned_by=admin
        )
