"""STOPGAP, delete at merge: a version 2 of the checklist built from v1.yaml with a scope on each
question, for tests and the demo until ``checklist/content/v2.yaml`` carries the real scopes.

Nothing in the app reads this map: dossiers, the start form and the risk engine read each
question's ``scope`` from the version's own questions. When v2.yaml lands, delete this module, the
``version_with_scopes`` fixture's call to it (tests/conftest.py) and the one call in seed_demo.
"""

from __future__ import annotations

import dataclasses

from checklist.content_schema import CONTENT_DIR, ContentFile, load_content_file
from checklist.models import ChecklistVersion
from checklist.selectors import checklist_version_published
from checklist.services.checklist_versions import checklist_content_publish
from checklist.vocabulary import Scope

SCOPE_BY_CODE: dict[str, str] = {
    # The product: its source, donor screening, manufacturing, label, regulatory status, evidence.
    **dict.fromkeys(
        (
            "product_identity",
            "source_origin",
            "donor_screening",
            "characterisation",
            "potency_claim",
            "regulator_approval",
            "product_label",
            "labelled_route",
            "trial_status",
            "trial_or_ind_number",
            "status_documents_seen",
            "peer_reviewed_studies",
            "evidence_type",
            "registered_trial_exists",
            "adverse_event_record",
            "marketing_claims",
        ),
        Scope.PRODUCT,
    ),
    # The lot: its number, certificate (sterility, endotoxin), expiry, storage and cold chain.
    **dict.fromkeys(("lot_number", "sterility_certificate", "lot_expiry_date", "storage_cold_chain"), Scope.LOT),
    # The clinic: who treats, where, the emergency plan, whom to call and how events are reported.
    **dict.fromkeys(
        (
            "practitioner_licensed",
            "practitioner_details",
            "setting_type",
            "emergency_plan",
            "clinic_contact_known",
            "clinic_contact_details",
            "clinic_reports_events",
        ),
        Scope.CLINIC,
    ),
}


def content_with_scopes(number: int = 2) -> ContentFile:
    """v1.yaml's content as version ``number``, each question given its scope from the map above."""
    content = load_content_file(CONTENT_DIR / "v1.yaml")
    sections = tuple(
        dataclasses.replace(
            section,
            questions=tuple(
                dataclasses.replace(q, scope=SCOPE_BY_CODE.get(q.code, Scope.PATIENT)) for q in section.questions
            ),
        )
        for section in content.checklist.sections
    )
    checklist = dataclasses.replace(content.checklist, version_number=number, sections=sections)
    return dataclasses.replace(content, checklist=checklist, change_notes="v1 with question scopes (interim).")


def publish_version_with_scopes() -> ChecklistVersion:
    """Load and publish the interim version 2 (idempotent), unless a later version is published."""
    published = checklist_version_published()
    if published is None or published.number < 2:
        checklist_content_publish(content=content_with_scopes())
    return ChecklistVersion.objects.get(status=ChecklistVersion.Status.PUBLISHED)
