"""The workflow as an explicit list of steps (pretix's checkout flow): details, one step per
section, review, the red flags (when there are any), teach-back (when the version has it), consent.

Each step is a small class that knows its identifier, its title and URL, whether it applies and
whether it is complete, and handles its own GET and POST. :class:`ScreeningFlow` loads what every
step shares (the read model of the screening's version and its stored answers) once per request.
Progress lives in the database (the answers and ``saved_sections``), never in the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from checklist.forms import ScreeningDetailsForm, SectionAnswersForm, answer_field_name, error_summary
from checklist.forms_red_flags import DecisionConsentForm, RedFlagsForm
from checklist.forms_teach_back import TeachBackForm
from checklist.key_information import MAX_LISTED_FLAGS, KeyInformation, screening_key_information
from checklist.models import Screening, ScreeningLocked
from checklist.page_sources import PageSources
from checklist.question_cards import question_cards
from checklist.records import DossierUseRecord
from checklist.red_flags import GoAheadCheck, go_ahead_check
from checklist.risk import Assessment, evaluate, missing_required, visible_question_codes
from checklist.selectors import (
    checklist_spec,
    screening_answers_with_notes,
    screening_record,
    screening_resolutions,
    screening_risk_context,
    screening_teach_back,
)
from checklist.services.red_flags import screening_flags_resolve
from checklist.services.screenings import (
    AnswerInput,
    StaleScreening,
    screening_details_update,
    screening_sign,
)
from checklist.services.teach_back import screening_teach_back_answer
from checklist.signatures import signature_data_url
from checklist.spec import ChecklistSpec, QuestionSpec, SectionSpec
from checklist.teach_back import WRONG, TeachBackCheck
from checklist.vocabulary import FIXED_STEP_CODES, Level
from dossiers.pages import dossier_card_groups, override_notes
from dossiers.selectors import (
    DossierChange,
    dossier_use_record,
    screening_dossier_changes,
    screening_dossier_forget,
)
from dossiers.services import screening_section_save

FIXED_STEPS = FIXED_STEP_CODES
# The box on a section's page that lists its required questions still open (and the link to it).
OPEN_QUESTIONS_ID = "still-open"
# The drawn signature's pad on the consent page, where the error summary sends a signature error.
SIGNATURE_PAD_ID = "signature-pad"


class ScreeningFlow:
    """One screening's steps in order, and what they all read, loaded once."""

    def __init__(self, screening: Screening):
        self.screening = screening
        self.spec: ChecklistSpec = checklist_spec(screening.version)
        self.values, self.notes = screening_answers_with_notes(screening)

    def reload(self) -> None:
        """After a save: the answers, and everything derived from them, afresh."""
        self.values, self.notes = screening_answers_with_notes(self.screening)
        screening_dossier_forget(self.screening)
        for name in (
            "steps",
            "missing",
            "assessment",
            "go_ahead",
            "teach_back",
            "key_information",
            "_urls",
            "dossier",
            "dossier_changes",
        ):
            self.__dict__.pop(name, None)

    @cached_property
    def _urls(self) -> tuple[str, ...]:
        return _step_urls(
            get_script_prefix(),
            get_urlconf(settings.ROOT_URLCONF),
            self.screening.pk,
            tuple(s.code for s in self.spec.sections),
        )

    @cached_property
    def steps(self) -> list[Step]:
        details_url, *section_urls, review_url, flags_url, teach_back_url, consent_url = self._urls
        candidates: list[Step] = [
            DetailsStep(self, details_url),
            *(SectionStep(self, url, section) for section, url in zip(self.spec.sections, section_urls, strict=True)),
            ReviewStep(self, review_url),
            FlagsStep(self, flags_url),
            TeachBackStep(self, teach_back_url),
            ConsentStep(self, consent_url),
        ]
        return [step for step in candidates if step.applies()]

    @cached_property
    def missing(self) -> tuple[QuestionSpec, ...]:
        return missing_required(self.spec, self.values)

    @cached_property
    def assessment(self) -> Assessment:
        return evaluate(self.spec, self.values, screening_risk_context(self.screening, self.spec))

    @cached_property
    def key_information(self) -> KeyInformation:
        record = screening_record(
            self.screening, answers=(self.values, self.notes), teach_back=self.teach_back, dossier=self.dossier
        )
        return screening_key_information(self.screening, record)

    @cached_property
    def dossier(self) -> DossierUseRecord | None:
        """Which answers came from the clinic's dossiers (None for a screening typed in full)."""
        return dossier_use_record(self.screening)

    @cached_property
    def dossier_changes(self) -> tuple[DossierChange, ...]:
        """The dossiers saved again since this draft took their answers."""
        return screening_dossier_changes(self.screening)

    @cached_property
    def teach_back(self) -> TeachBackCheck:
        """The version's teach-back questions with the patient's answers so far (none for v1)."""
        return screening_teach_back(self.screening, self.spec)

    @cached_property
    def go_ahead(self) -> GoAheadCheck:
        """The red flags with their resolutions, and whether "go ahead" may be signed.

        Every workflow page's step bar asks this; without a red flag there is nothing to look up."""
        red_flags = self.assessment.red_flags
        resolutions = {r.finding_code: r for r in screening_resolutions(self.screening)} if red_flags else {}
        return go_ahead_check(red_flags, resolutions)

    def step(self, identifier: str) -> Step:
        for step in self.steps:
            if step.identifier == identifier:
                return step
        raise Http404("No such step.")

    def progress(self, identifier: str) -> Progress:
        for index, step in enumerate(self.steps):
            if step.identifier == identifier:
                return Progress(steps=self.steps, current=step, number=index + 1)
        raise KeyError(identifier)

    def resume_step(self) -> Step:
        """Where a clinician picks up a draft: the first section step not yet complete, else review."""
        for step in self.steps:
            if isinstance(step, SectionStep) and not step.is_complete():
                return step
        return self.step("review")


@lru_cache(maxsize=2048)
def _step_urls(
    script_prefix: str, urlconf: str | None, screening_pk, section_codes: tuple[str, ...]
) -> tuple[str, ...]:
    """A screening's step URLs, in order. They never change, and every page of the workflow lists
    them all: reversed afresh, they were a noticeable share of a step page's server time."""
    return (
        reverse("checklist:screening-details", args=[screening_pk]),
        *(reverse("checklist:screening-step", args=[screening_pk, code]) for code in section_codes),
        reverse("checklist:screening-review", args=[screening_pk]),
        reverse("checklist:screening-flags", args=[screening_pk]),
        reverse("checklist:screening-teach-back", args=[screening_pk]),
        reverse("checklist:screening-consent", args=[screening_pk]),
    )


class Step:
    """One page of the workflow. Subclasses set ``identifier`` and ``title`` and handle requests."""

    identifier: str
    title: str | Promise
    template: str
    # Shown in the progress list, but only a link once the clinician is on it.
    linked_before_reached = True

    def __init__(self, flow: ScreeningFlow, url: str):
        self.flow = flow
        self.url = url

    @property
    def screening(self) -> Screening:
        return self.flow.screening

    def applies(self) -> bool:
        return True

    def is_complete(self) -> bool:
        return True

    def handle(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            return self.post(request)
        return self.get(request)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(request, {})

    def post(self, request: HttpRequest) -> HttpResponse:
        return HttpResponseNotAllowed(["GET", "HEAD"])

    def render(self, request: HttpRequest, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
        context = {"screening": self.screening, "progress": self.flow.progress(self.identifier), **context}
        return render(request, self.template, context, status=status)


class DetailsStep(Step):
    """Step 1 of an existing draft: correct the patient and treatment details."""

    identifier = "details"
    title = gettext_lazy("Patient and treatment")
    template = "checklist/screening_details.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = ScreeningDetailsForm(instance=self.screening, clinic=self.screening.clinic)
        return self.render(request, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ScreeningDetailsForm(request.POST, instance=self.screening, clinic=self.screening.clinic)
        if not form.is_valid():
            return self.render(request, {"form": form}, status=400)
        resume = self.flow.resume_step()
        screening_details_update(screening=self.screening, user=request.user, data=form.cleaned_data)
        messages.success(request, _("Details saved."))
        if "save_exit" in request.POST:
            return redirect("checklist:dashboard")
        return redirect(resume.url)


class SectionStep(Step):
    """One section of the checklist: its questions, with the flags their answers raise."""

    template = "checklist/screening_step.html"

    def __init__(self, flow: ScreeningFlow, url: str, section: SectionSpec):
        super().__init__(flow, url)
        self.section = section
        self.identifier = section.code
        self.title = section.title

    @property
    def is_saved(self) -> bool:
        return self.section.code in self.screening.saved_sections

    def open_required(self) -> tuple[QuestionSpec, ...]:
        """Required questions shown on this step and not answered yet, in order."""
        return tuple(q for q in self.flow.missing if q.section_code == self.section.code)

    def is_complete(self) -> bool:
        return self.is_saved and not self.open_required()

    def open_count(self) -> int:
        """How many required questions a step that was saved still leaves open (0 before its first save)."""
        return len(self.open_required()) if self.is_saved else 0

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, form=None)

    def post(self, request: HttpRequest) -> HttpResponse:
        flow = self.flow
        form = SectionAnswersForm(request.POST, section=self.section, answers=flow.values, notes=flow.notes)
        if not form.is_valid():
            return self._page(request, form=form, status=400)
        visible_before = visible_question_codes(flow.spec, flow.values)
        try:
            flow.screening, _assessment = screening_section_save(
                screening=self.screening,
                section_code=self.section.code,
                answers={code: AnswerInput(v, n) for code, (v, n) in form.answers().items()},
                override_notes=override_notes(request.POST, [q.code for q in self.section.questions]),
                user=request.user,
                expected_lock_version=form.cleaned_data["lock_version"],
            )
        except StaleScreening:
            unsaved = [
                (q.prompt, q.answer_text(form.cleaned_data.get(answer_field_name(q.code))))
                for q in self.section.questions
            ]
            messages.warning(
                request,
                _(
                    "Someone else saved this screening while you were working. Here are the latest answers; "
                    "your entries were not saved and are listed below so you can re-enter them."
                ),
            )
            self.screening.refresh_from_db()
            flow.reload()
            return self._page(request, form=None, unsaved=unsaved, status=409)
        except ValidationError as exc:
            for code, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                form.add_error(answer_field_name(code) if code else None, errors)
            return self._page(request, form=form, status=400)
        flow.reload()
        return self._after_save(request, visible_before)

    def _after_save(self, request: HttpRequest, visible_before: frozenset[str]) -> HttpResponse:
        flow = self.flow
        progress = flow.progress(self.identifier)
        if "save_exit" in request.POST:
            if open_count := len(self.open_required()):
                messages.warning(
                    request,
                    ngettext(
                        "Saved. %(n)d required question on that page is still open; continue the screening "
                        "from the list to answer it.",
                        "Saved. %(n)d required questions on that page are still open; continue the screening "
                        "from the list to answer them.",
                        open_count,
                    )
                    % {"n": open_count},
                )
            else:
                messages.success(request, _("Saved. You can continue this screening later from the list."))
            return redirect("checklist:dashboard")
        if "back" in request.POST and progress.previous:
            messages.success(request, _("Saved."))
            return redirect(progress.previous.url)
        visible = visible_question_codes(flow.spec, flow.values)
        newly_shown = [
            q
            for q in self.section.questions
            if q.code in visible and q.code not in visible_before and q.code not in flow.values
        ]
        if newly_shown:
            messages.info(request, _("Saved. Your answers opened more questions on this page; please answer them."))
            return redirect(self.url)
        still_open = self.open_required()
        if still_open:
            # Saved, but not moved on as if the step were done: the page lists what is still open.
            messages.warning(
                request,
                ngettext(
                    "Saved, but %(n)d required question on this page is still open. It is listed below.",
                    "Saved, but %(n)d required questions on this page are still open. They are listed below.",
                    len(still_open),
                )
                % {"n": len(still_open)},
            )
            return redirect(f"{self.url}#{OPEN_QUESTIONS_ID}")
        messages.success(request, _("Saved."))
        return redirect(progress.next.url if progress.next else self.url)

    def _page(
        self,
        request: HttpRequest,
        *,
        form: SectionAnswersForm | None,
        unsaved: list[tuple[str, str]] | None = None,
        status: int = 200,
    ) -> HttpResponse:
        # A GET needs no form object: the cards are drawn from the stored answers (see question_cards).
        flow = self.flow
        assessment = flow.assessment
        cards = question_cards(
            self.section,
            values=flow.values,
            notes=flow.notes,
            visible=visible_question_codes(flow.spec, flow.values),
            assessment=assessment,
            form=form,
        )
        progress = flow.progress(self.identifier)
        dossier_groups, cards = dossier_card_groups(
            flow.dossier,
            cards,
            answer_texts={q.code: q.answer_text(flow.values.get(q.code)) for q in self.section.questions},
            sent=form.data if form is not None else None,
        )
        # The introduction read to the patient cites its sources, numbered for this page.
        sources = PageSources()
        intro_refs = sources.cite(flow.spec.resolve(self.section.references))
        context = {
            "section": self.section,
            "intro_refs": intro_refs,
            "page_sources": sources.entries,
            "dossier_groups": dossier_groups,
            "dossier_changes": flow.dossier_changes,
            "open_required": self.open_required() if self.is_saved else (),
            "open_questions_id": OPEN_QUESTIONS_ID,
            "next_step": progress.next,
            "form": form,
            "cards": cards,
            "section_findings": assessment.for_section(self.section.code),
            "unsaved": unsaved or [],
        }
        return self.render(request, context, status=status)


class ReviewStep(Step):
    """Every answer on one page, the risk summary, and what is still to answer."""

    identifier = "review"
    title = gettext_lazy("Review")
    template = "checklist/screening_review.html"

    def is_complete(self) -> bool:
        return all(step.is_complete() for step in self.flow.steps if isinstance(step, DetailsStep | SectionStep))

    def get(self, request: HttpRequest) -> HttpResponse:
        flow = self.flow
        visible = visible_question_codes(flow.spec, flow.values)
        # The level of each flagged answer, so the compact list marks it (the flag is named above).
        levels: dict[str, Level] = {}
        for finding in flow.assessment.findings:
            if finding.question_code and finding.level > levels.get(finding.question_code, Level.NONE):
                levels[finding.question_code] = finding.level
        sections = [
            {
                "spec": step.section,
                "url": step.url,
                "rows": [
                    {
                        "question": q,
                        "answer": q.answer_text(flow.values.get(q.code)),
                        "note": flow.notes.get(q.code, ""),
                        "level": levels.get(q.code),
                        "origin": flow.dossier.origin(q.code) if flow.dossier else "",
                        "override": flow.dossier.overrides_by_code.get(q.code) if flow.dossier else None,
                    }
                    for q in step.section.questions
                    if q.code in visible
                ],
            }
            for step in flow.steps
            if isinstance(step, SectionStep)
        ]
        context = {
            "assessment": flow.assessment,
            "sections": sections,
            "dossier": flow.dossier,
            "dossier_changes": flow.dossier_changes,
            "missing": flow.missing,
            "go_ahead": flow.go_ahead,
            "key_info": flow.key_information,
            "all_flags_in_key_info": len(flow.go_ahead.flags) <= MAX_LISTED_FLAGS,
            "flags_url": next((s.url for s in flow.steps if s.identifier == "flags"), ""),
        }
        return self.render(request, context)


class FlagsStep(Step):
    """The pause before consent: each red flag gets the clinician's resolution (WHO-style time out).

    "Go ahead" cannot be signed until every red flag is resolved or accepted; cautions are listed
    to discuss but do not block.
    """

    identifier = "flags"
    title = gettext_lazy("Red flags")
    template = "checklist/screening_flags.html"

    def applies(self) -> bool:
        return bool(self.flow.assessment.red_flags)

    def is_complete(self) -> bool:
        return not self.flow.go_ahead.unresolved

    def _form(self, request: HttpRequest) -> RedFlagsForm:
        return RedFlagsForm(request.POST if request.method == "POST" else None, check=self.flow.go_ahead)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, self._form(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request)
        if not form.is_valid():
            return self._page(request, form, status=400)
        try:
            screening_flags_resolve(screening=self.screening, resolutions=form.resolutions(), user=request.user)
        except ValidationError as exc:
            form.add_service_errors(exc)
            return self._page(request, form, status=400)
        self.flow.reload()
        progress = self.flow.progress(self.identifier)
        if "save_exit" in request.POST:
            messages.success(request, _("Saved. You can continue this screening later from the list."))
            return redirect("checklist:dashboard")
        if "back" in request.POST and progress.previous:
            messages.success(request, _("Saved."))
            return redirect(progress.previous.url)
        check = self.flow.go_ahead
        if check.unresolved:
            messages.info(request, check.reason)
        else:
            messages.success(request, _("Saved."))
        return redirect(progress.next.url if progress.next else self.url)

    def _page(self, request: HttpRequest, form: RedFlagsForm, *, status: int = 200) -> HttpResponse:
        step_urls = {s.identifier: s.url for s in self.flow.steps}
        cards = form.cards()
        for card in cards:
            finding = card["state"].finding
            section_url = step_urls.get(finding.section_code or "", "")
            card["change_url"] = f"{section_url}#question-{finding.question_code}" if section_url else ""
        context = {
            "form": form,
            "cards": cards,
            "cautions": self.flow.assessment.cautions,
            "go_ahead": self.flow.go_ahead,
        }
        return self.render(request, context, status=status)


class TeachBackStep(Step):
    """Before signing, the patient answers a few questions to show they understood (teach-back).

    Its own step rather than a part of the consent page: at the chair, the clinician asks one
    question at a time and reads an explanation after a wrong answer, and the consent page keeps
    to its three tablet screens. Each answer is saved as it is checked; the consent opens once
    every question has a right answer, and signing checks the same again.
    """

    identifier = "teach-back"
    title = gettext_lazy("Teach-back")
    template = "checklist/screening_teach_back.html"

    def applies(self) -> bool:
        return self.flow.teach_back.applies

    def is_complete(self) -> bool:
        return self.flow.teach_back.complete

    def _form(self, request: HttpRequest) -> TeachBackForm:
        return TeachBackForm(request.POST if request.method == "POST" else None, check=self.flow.teach_back)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, self._form(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request)
        moving = "back" in request.POST or "save_exit" in request.POST
        if not form.is_valid() or (not form.answers() and not moving and not self.flow.teach_back.complete):
            if form.is_bound and not form.errors:
                form.add_error(None, _("Pick the patient's answer to a question, then check it."))
            return self._page(request, form, status=400)
        try:
            check = screening_teach_back_answer(screening=self.screening, answers=form.answers(), user=request.user)
        except ValidationError as exc:
            form.add_service_errors(exc)
            return self._page(request, form, status=400)
        self.flow.reload()
        progress = self.flow.progress(self.identifier)
        if "save_exit" in request.POST:
            messages.success(request, _("Saved. You can continue this screening later from the list."))
            return redirect("checklist:dashboard")
        if "back" in request.POST and progress.previous:
            messages.success(request, _("Saved."))
            return redirect(progress.previous.url)
        if check.complete:
            messages.success(request, _("Every answer is right. The consent can be signed now."))
            return redirect(progress.next.url if progress.next else self.url)
        wrong = [q for q in check.questions if q.question.code in form.answers() and q.status == WRONG]
        if wrong:
            messages.warning(request, _("Not right yet. Read the explanation together, then ask the question again."))
        else:
            messages.info(request, check.reason)
        first = (wrong or list(check.not_right))[0]
        return redirect(f"{self.url}#teach-back-{first.question.code}")

    def _page(self, request: HttpRequest, form: TeachBackForm, *, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "cards": form.cards(),
            "teach_back": self.flow.teach_back,
            "errors": error_summary(form, {}) if form.is_bound else [],
        }
        return self.render(request, context, status=status)


class ConsentStep(Step):
    """The patient's statements, decision and signature, and the clinician's attestation."""

    identifier = "consent"
    title = gettext_lazy("Consent")
    template = "checklist/screening_consent.html"
    linked_before_reached = False

    def is_complete(self) -> bool:
        return self.screening.is_signed

    def handle(self, request: HttpRequest) -> HttpResponse:
        if self.flow.missing:
            messages.warning(
                request,
                _("Answer every required question before the consent (%(n)d left).") % {"n": len(self.flow.missing)},
            )
            return redirect("checklist:screening-review", self.screening.pk)
        if not self.flow.teach_back.complete:
            messages.warning(request, self.flow.teach_back.reason)
            return redirect(self.flow.step("teach-back").url)
        return super().handle(request)

    def _form(self, request: HttpRequest) -> DecisionConsentForm:
        acknowledgements = [(a.code, a.text) for a in self.flow.spec.acknowledgements]
        return DecisionConsentForm(
            request.POST or None,
            acknowledgements=acknowledgements,
            request=request,
            patient_name=self.screening.patient_name,
            check=self.flow.go_ahead,
            cosign_required=self.screening.clinic.cosign_accepted_red_flags,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, self._form(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request)
        if not form.is_valid():
            return self._page(request, form, status=400)
        try:
            screening = screening_sign(
                screening=self.screening,
                acknowledged=form.cleaned_data["acknowledgements"],
                decision=form.cleaned_data["decision"],
                signature_png=form.cleaned_data["signature"],
                attested_by=request.user,
                accepted_risks=form.cleaned_data.get("accepted_risks") or (),
                cosigned_by=form.cleaned_data.get("cosigned_by"),
                **form.signing(),
            )
        except ScreeningLocked:
            messages.info(request, _("This screening was already signed."))
            return redirect("checklist:screening-detail", self.screening.pk)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self._page(request, form, status=400)
        messages.success(
            request, _("Signed. The take-home PDF is being prepared; it shows at the top of this page once ready.")
        )
        return redirect("checklist:screening-detail", screening.pk)

    def _page(self, request: HttpRequest, form: DecisionConsentForm, *, status: int = 200) -> HttpResponse:
        # A refused submission keeps the drawn signature: the copy the form checked and re-encoded
        # goes back into the page (never the bytes as posted), and the pad draws it again.
        signature = form.cleaned_data.get("signature") if form.is_bound and hasattr(form, "cleaned_data") else None
        spec = self.flow.spec
        sources = PageSources(self.flow.key_information.numbered()[1])
        key_facts = [{"text": f.text, "refs": sources.cite(spec.resolve(f.references))} for f in spec.key_facts]
        jurisdiction = spec.jurisdictions_by_code.get(self.screening.jurisdiction.code)
        jurisdiction_refs = sources.cite(spec.resolve(jurisdiction.references)) if jurisdiction else []
        acknowledgement_refs = [sources.cite(spec.resolve(a.references)) for a in spec.acknowledgements]
        context = {
            "assessment": self.flow.assessment,
            "key_facts": key_facts,
            "jurisdiction_refs": jurisdiction_refs,
            "acknowledgement_boxes": list(zip(form["acknowledgements"], acknowledgement_refs, strict=True)),
            "page_sources": sources.entries,
            "go_ahead": self.flow.go_ahead,
            "key_info": self.flow.key_information,
            "all_flags_in_key_info": len(self.flow.go_ahead.flags) <= MAX_LISTED_FLAGS,
            "flags_url": next((s.url for s in self.flow.steps if s.identifier == "flags"), ""),
            "form": form,
            "signature_kept": signature_data_url(signature) if signature else "",
            "errors": error_summary(form, {"signature": SIGNATURE_PAD_ID}) if form.is_bound else [],
            "signature_pad_id": SIGNATURE_PAD_ID,
        }
        return self.render(request, context, status=status)


@dataclass(frozen=True)
class ProgressEntry:
    """One step as the progress list shows it, decided here rather than in the template."""

    title: str
    url: str  # empty where the step cannot be opened from here: the consent, until it is reached
    state: str  # "current", "complete" or ""
    open_count: int = 0  # required questions a saved step still leaves open, said in words


@dataclass(frozen=True)
class Progress:
    steps: list[Step]
    current: Step
    number: int  # 1-based position of the current step

    @cached_property
    def entries(self) -> tuple[ProgressEntry, ...]:
        entries = []
        for step in self.steps:
            is_current = step.identifier == self.current.identifier
            entries.append(
                ProgressEntry(
                    title=str(step.title),
                    url=step.url if is_current or step.linked_before_reached else "",
                    state="current" if is_current else "complete" if step.is_complete() else "",
                    open_count=step.open_count() if isinstance(step, SectionStep) else 0,
                )
            )
        return tuple(entries)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous(self) -> Step | None:
        return self.steps[self.number - 2] if self.has_previous else None

    @property
    def next(self) -> Step | None:
        return self.steps[self.number] if self.number < self.total else None
