"""Dossier pages: clinic admins keep products, lots and the clinic profile; every member of the
clinic may read them and download their documents. Another clinic's dossier answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from checklist.models import Screening
from checklist.permissions import clinic_member_required, get_screening_for_user
from checklist.steps import ScreeningFlow
from checklist.vocabulary import Level
from dossiers import selectors
from dossiers.forms import ClinicProfileForm, DocumentUploadForm, DossierAnswersForm, LotForm, ProductForm
from dossiers.models import DossierKind
from dossiers.services import (
    clinic_profile_save,
    document_upload,
    lot_save,
    product_save,
    screening_dossier_refresh,
)
from dossiers.uploads import UploadRefused

_CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}


@require_GET
@clinic_member_required
def dossier_list(request):
    products = list(selectors.products_for_clinic(request.clinic))
    profile = selectors.clinic_profile_of(request.clinic)
    return render(
        request,
        "dossiers/dossier_list.html",
        {"products": products, "profile": profile, "profile_revision": selectors.latest_revision(profile)},
    )


def _edit(request, *, kind: str, model_form, instance, save, template: str, context: dict):
    """Shared by the three dossier editors: the ModelForm and the answers, saved together.
    Returns the saved subject, or the page to show (the form, or its errors with status 400)."""
    revision = selectors.latest_revision(instance)
    questions = selectors.scope_questions(kind)
    form = model_form(request.POST or None, instance=instance)
    answers = DossierAnswersForm(
        request.POST or None, questions=questions, answers=revision.answers if revision else {}
    )
    if request.method == "POST":
        if form.is_valid() and answers.is_valid():
            subject = save(data=form.cleaned_data, answers=answers.answers())
            messages.success(request, _("Saved. Screenings started from now on use this revision."))
            return subject
        status = 400
    else:
        status = 200
    return render(
        request,
        template,
        {"form": form, "answers_form": answers, "revision": revision, "kind": kind, **context},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@clinic_member_required(admin=True)
def product_edit(request, product_id=None):
    product = selectors.product_for_clinic(request.clinic, product_id) if product_id else None

    def save(*, data, answers):
        return product_save(clinic=request.clinic, actor=request.user, data=data, answers=answers, product=product)

    result = _edit(
        request,
        kind=DossierKind.PRODUCT,
        model_form=ProductForm,
        instance=product,
        save=save,
        template="dossiers/product_edit.html",
        context={"product": product},
    )
    return redirect("dossiers:product", result.pk) if not hasattr(result, "status_code") else result


@require_GET
@clinic_member_required
def product_detail(request, product_id):
    product = selectors.product_for_clinic(request.clinic, product_id)
    revision = selectors.latest_revision(product)
    questions = selectors.scope_questions(DossierKind.PRODUCT, revision.version if revision else None)
    return render(
        request,
        "dossiers/product_detail.html",
        {
            "product": product,
            "revision": revision,
            "answered": [(q, q.answer_text(revision.answers.get(q.code)) if revision else "") for q in questions],
            "lots": product.lots.all(),
            "documents": product.documents.select_related("uploaded_by"),
            "revisions": selectors.revisions_of(product)[:10],
            "upload_form": DocumentUploadForm(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@clinic_member_required(admin=True)
def lot_edit(request, product_id=None, lot_id=None):
    lot = selectors.lot_for_clinic(request.clinic, lot_id) if lot_id else None
    product = lot.product if lot else selectors.product_for_clinic(request.clinic, product_id)

    def save(*, data, answers):
        return lot_save(clinic=request.clinic, actor=request.user, data=data, answers=answers, product=product, lot=lot)

    red_before = {
        f.question_code for f in selectors.revision_flags(selectors.latest_revision(lot)) if f.level == Level.RED_FLAG
    }
    result = _edit(
        request,
        kind=DossierKind.LOT,
        model_form=LotForm,
        instance=lot,
        save=save,
        template="dossiers/lot_edit.html",
        context={"product": product, "lot": lot},
    )
    if hasattr(result, "status_code"):
        return result
    red_now = {
        f.question_code
        for f in selectors.revision_flags(selectors.latest_revision(result))
        if f.level == Level.RED_FLAG
    }
    if lot is not None and red_now - red_before:
        using = len(selectors.screenings_using_lot(result))
        messages.warning(
            request,
            ngettext(
                "This lot now raises a red flag. %(n)d screening not yet treated uses it: it is listed below.",
                "This lot now raises a red flag. %(n)d screenings not yet treated use it: they are listed below.",
                using,
            )
            % {"n": using},
        )
    return redirect("dossiers:lot", result.pk)


@require_GET
@clinic_member_required
def lot_detail(request, lot_id):
    lot = selectors.lot_for_clinic(request.clinic, lot_id)
    revision = selectors.latest_revision(lot)
    questions = selectors.scope_questions(DossierKind.LOT, revision.version if revision else None)
    flags = selectors.revision_flags(revision)
    red_flags = [f for f in flags if f.level == Level.RED_FLAG]
    return render(
        request,
        "dossiers/lot_detail.html",
        {
            "lot": lot,
            "flags": flags,
            "screenings_at_risk": selectors.screenings_using_lot(lot) if red_flags else [],
            "red_flags": red_flags,
            "product": lot.product,
            "revision": revision,
            "answered": [(q, q.answer_text(revision.answers.get(q.code)) if revision else "") for q in questions],
            "documents": lot.documents.select_related("uploaded_by"),
            "revisions": selectors.revisions_of(lot)[:10],
            "upload_form": DocumentUploadForm(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@clinic_member_required(admin=True)
def clinic_profile_edit(request):
    profile = selectors.clinic_profile_of(request.clinic)

    def save(*, data, answers):
        return clinic_profile_save(clinic=request.clinic, actor=request.user, data=data, answers=answers)

    result = _edit(
        request,
        kind=DossierKind.CLINIC,
        model_form=ClinicProfileForm,
        instance=profile,
        save=save,
        template="dossiers/clinic_profile_edit.html",
        context={"profile": profile},
    )
    return redirect("dossiers:list") if not hasattr(result, "status_code") else result


@require_GET
@clinic_member_required
def revision_detail(request, revision_id):
    revision = selectors.revision_for_clinic(request.clinic, revision_id)
    questions = selectors.scope_questions(revision.kind, revision.version)
    return render(
        request,
        "dossiers/revision_detail.html",
        {
            "revision": revision,
            "answered": [(q, q.answer_text(revision.answers.get(q.code))) for q in questions],
        },
    )


@require_POST
@clinic_member_required(admin=True)
def document_upload_view(request, product_id=None, lot_id=None):
    if lot_id:
        lot, product = selectors.lot_for_clinic(request.clinic, lot_id), None
        back = redirect("dossiers:lot", lot.pk)
    else:
        lot, product = None, selectors.product_for_clinic(request.clinic, product_id)
        back = redirect("dossiers:product", product.pk)
    form = DocumentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Give the document a title and choose a file."))
        return back
    try:
        document_upload(
            clinic=request.clinic,
            actor=request.user,
            title=form.cleaned_data["title"],
            upload=form.cleaned_data["file"],
            product=product,
            lot=lot,
        )
    except UploadRefused as refused:
        messages.error(request, str(refused))
        return back
    messages.success(request, _("Uploaded %(title)s.") % {"title": form.cleaned_data["title"]})
    return back


@require_GET
@clinic_member_required
def document_download(request, document_id):
    document = selectors.document_for_clinic(request.clinic, document_id)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404("The document's file is missing.") from missing
    response = FileResponse(
        handle,
        content_type=_CONTENT_TYPES[document.file_kind],
        as_attachment=True,
        filename=f"{document.title[:80]}.{document.file_kind}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@require_POST
@clinic_member_required
def screening_dossier_refresh_view(request, screening_id):
    """Take a dossier's newer revision into a draft, after the clinician was told what changed."""
    screening = get_screening_for_user(request, screening_id, write=True)
    if selectors.screening_dossier_of(screening) is None:
        raise Http404("This screening was not made from a dossier.")
    screening_dossier_refresh(screening=screening, user=request.user)
    messages.success(request, _("The updated dossier's answers are in. Confirm the changed steps for this patient."))
    return redirect(ScreeningFlow(Screening.objects.get(pk=screening.pk)).resume_step().url)
