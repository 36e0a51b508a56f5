"""The clinician's workflow, the clinic admin's pages, and public verification of documents."""

from django.urls import path

from checklist.views import audit, dashboard, documents, screenings, steps, treatment_day

app_name = "checklist"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("screenings/new/", screenings.screening_start_view, name="screening-start"),
    path("screenings/<uuid:screening_id>/", screenings.screening_detail, name="screening-detail"),
    path("screenings/<uuid:screening_id>/details/", steps.screening_details, name="screening-details"),
    path("screenings/<uuid:screening_id>/steps/<slug:section_code>/", steps.screening_step, name="screening-step"),
    path("screenings/<uuid:screening_id>/review/", steps.screening_review, name="screening-review"),
    path("screenings/<uuid:screening_id>/red-flags/", steps.screening_flags, name="screening-flags"),
    path("screenings/<uuid:screening_id>/teach-back/", steps.screening_teach_back, name="screening-teach-back"),
    path("screenings/<uuid:screening_id>/consent/", steps.screening_consent, name="screening-consent"),
    path("screenings/<uuid:screening_id>/void/", screenings.screening_void_view, name="screening-void"),
    path(
        "screenings/<uuid:screening_id>/void/confirm/", screenings.screening_void_confirm, name="screening-void-confirm"
    ),
    path("screenings/<uuid:screening_id>/correct/", screenings.screening_correct_view, name="screening-correct"),
    path("screenings/<uuid:screening_id>/time-out/", treatment_day.screening_time_out, name="screening-time-out"),
    path("screenings/<uuid:screening_id>/withdraw/", treatment_day.screening_withdraw, name="screening-withdraw"),
    path("screenings/<uuid:screening_id>/move/", screenings.screening_move_view, name="screening-move"),
    path("screenings/<uuid:screening_id>/reconsent/", screenings.screening_reconsent_view, name="screening-reconsent"),
    path("screenings/reconsent/", screenings.screenings_to_reconsent_view, name="screenings-reconsent"),
    path("screenings/<uuid:screening_id>/pdf/", documents.screening_pdf, name="screening-pdf"),
    path("screenings/<uuid:screening_id>/pdf/status/", documents.screening_pdf_status, name="screening-pdf-status"),
    path("verify/", documents.verify, name="verify"),
    path("verify/<str:code>/", documents.verify_code, name="verify-code"),
    path("audit/", audit.audit_log_view, name="audit-log"),
]
