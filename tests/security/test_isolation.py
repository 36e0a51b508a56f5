"""Every URL of the project, checked for who may reach it.

The test walks the whole URLconf, so a new view that is not listed here fails the build until
someone decides who may use it.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from checklist.models import Screening
from clinic.models import Membership
from tests.conftest import login_verified, make_member

# name -> (method, who may use it, what it needs)
#   "public": anyone; "member": any signed-in member of a clinic; "admin": clinic admins only;
#   "screening": members of the screening's clinic (others get 404); "admin-screening": the same,
#   and then clinic admins only (a clinician gets 403); "auth": any signed-in user; "dossier":
#   members of the product's, lot's or document's clinic (others get 404); "admin-dossier": clinic
#   admins only (a clinician gets 403, before the lookup), and of that clinic (others get 404).
ROUTES = {
    "checklist:dashboard": ("get", "member"),
    "checklist:screening-start": ("get", "member"),
    "checklist:screening-detail": ("get", "screening"),
    "checklist:screening-details": ("get", "screening"),
    "checklist:screening-step": ("get", "screening"),
    "checklist:screening-review": ("get", "screening"),
    "checklist:screening-flags": ("get", "screening"),
    "checklist:screening-teach-back": ("get", "screening"),
    "checklist:screening-consent": ("get", "screening"),
    "checklist:screening-void": ("post", "admin-screening"),
    "checklist:screening-void-confirm": ("get", "admin-screening"),
    "checklist:screening-correct": ("post", "screening"),
    "checklist:screening-move": ("post", "screening"),
    "checklist:screening-reconsent": ("post", "screening"),
    "checklist:screenings-reconsent": ("get", "member"),
    "checklist:screening-pdf": ("get", "screening"),
    "checklist:screening-time-out": ("get", "screening"),
    "checklist:screening-withdraw": ("get", "screening"),
    "checklist:screening-pdf-status": ("get", "screening"),
    "checklist:verify": ("get", "public"),
    "checklist:verify-code": ("get", "public"),
    "clinic:staff": ("get", "admin"),
    "clinic:settings": ("get", "admin"),
    "clinic:staff-update": ("post", "admin-member"),
    "clinic:staff-second-factor-reset": ("post", "admin-member"),
    "checklist:audit-log": ("get", "admin"),
    "login": ("get", "public"),
    "logout": ("post", "auth"),
    "password_change": ("get", "auth"),
    "password_change_done": ("get", "auth"),
    "account": ("get", "auth"),
    "second-factor-verify": ("get", "auth"),
    "second-factor-enrol": ("get", "auth"),
    "dossiers:list": ("get", "member"),
    "dossiers:clinic-profile": ("get", "admin"),
    "dossiers:product-new": ("get", "admin"),
    "dossiers:product": ("get", "dossier"),
    "dossiers:product-edit": ("get", "admin-dossier"),
    "dossiers:lot-new": ("get", "admin-dossier"),
    "dossiers:product-document-upload": ("post", "admin-dossier"),
    "dossiers:lot": ("get", "dossier"),
    "dossiers:lot-edit": ("get", "admin-dossier"),
    "dossiers:lot-document-upload": ("post", "admin-dossier"),
    "dossiers:revision": ("get", "dossier"),
    "dossiers:document": ("get", "dossier"),
    "dossiers:screening-refresh": ("post", "screening"),
}
DOSSIER_ARGUMENT = {
    "dossiers:product": "product",
    "dossiers:product-edit": "product",
    "dossiers:lot-new": "product",
    "dossiers:product-document-upload": "product",
    "dossiers:lot": "lot",
    "dossiers:lot-edit": "lot",
    "dossiers:lot-document-upload": "lot",
    "dossiers:revision": "revision",
    "dossiers:document": "document",
}


def all_route_names(patterns=None, namespace: str = "") -> set[str]:
    names = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the admin guards itself: staff only, checked below
            prefix = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= all_route_names(entry.url_patterns, prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(namespace + entry.name)
        elif isinstance(entry, URLPattern):
            names.add(f"<unnamed {entry.pattern}>")
    return names


def test_every_url_is_classified():
    assert all_route_names() == set(ROUTES)


def dossier_world(clinic, admin, *, clinician) -> dict:
    """A product of ``clinic`` with a lot, a revision and a document, and a draft screening made from them."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dossiers.selectors import latest_revision
    from dossiers.services import document_upload, lot_save, product_save, screening_start_from_dossier
    from tests.conftest import start_data
    from tests.dossiers.conftest import PRODUCT_DATA, lot_data
    from tests.dossiers.test_uploads import small_pdf

    product = product_save(clinic=clinic, actor=admin, data=PRODUCT_DATA, answers={})
    lot = lot_save(clinic=clinic, actor=admin, product=product, data=lot_data(), answers={})
    document = document_upload(
        clinic=clinic,
        actor=admin,
        title="Certificate",
        upload=SimpleUploadedFile("c.pdf", small_pdf()),
        product=product,
    )
    from_dossier = screening_start_from_dossier(clinic=clinic, clinician=clinician, data=start_data(), lot=lot)
    return {
        "product": product,
        "lot": lot,
        "revision": latest_revision(product),
        "document": document,
        "from_dossier": from_dossier,
    }


@pytest.fixture
def world(make_screening, clinic_a, alice, carol, bob, version_v2):
    signed = make_screening(clinic_a, alice, answers="clean", signed=True)
    draft = make_screening(clinic_a, alice)
    return {"signed": signed, "draft": draft, **dossier_world(clinic_a, carol, clinician=alice)}


def url_for(name: str, world, carol) -> str:
    if name == "checklist:verify-code":
        return reverse(name, args=[world["signed"].verification_code])
    if name in {"clinic:staff-update", "clinic:staff-second-factor-reset"}:
        return reverse(name, args=[carol.membership.pk])
    if name in DOSSIER_ARGUMENT:
        return reverse(name, args=[world[DOSSIER_ARGUMENT[name]].pk])
    if ROUTES[name][1] not in ("screening", "admin-screening"):
        return reverse(name)
    signed_pages = {
        "checklist:screening-void",
        "checklist:screening-void-confirm",
        "checklist:screening-pdf",
        "checklist:screening-pdf-status",
    }
    screening = world["signed"] if name in signed_pages else world["draft"]
    if name == "dossiers:screening-refresh":
        screening = world["from_dossier"]
    if name == "checklist:screening-step":
        return reverse(name, args=[screening.pk, "source"])
    return reverse(name, args=[screening.pk])


def call(client, name, url):
    method = ROUTES[name][0]
    data = {"reason": "isolation test", "role": "admin", "is_active": "on"} if method == "post" else None
    return getattr(client, method)(url, data) if data else getattr(client, method)(url)


# The signed PDF's download needs the PDF stored (every other page reads the record alone).
@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.renders_pdf) if name == "checklist:screening-pdf" else name
        for name in sorted(ROUTES)
    ],
)
def test_who_may_reach_each_url(name, client, world, alice, carol, bob, clinic_b):
    url = url_for(name, world, carol)
    kind = ROUTES[name][1]
    before = Screening.objects.filter(clinic=world["signed"].clinic).values_list("status", flat=True)
    before = sorted(before)

    anonymous = call(client, name, url)
    if kind == "public":
        assert anonymous.status_code == 200
    else:
        assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login")), anonymous

    # Clinic B's people: a clinician, and for admin pages an admin, since a clinician is refused first.
    client.force_login(bob)
    if kind in ("admin", "admin-member", "admin-dossier"):
        assert call(client, name, url).status_code == 403
        login_verified(client, make_member(clinic_b, "dora", Membership.Role.ADMIN))
    other = call(client, name, url)
    if kind in ("screening", "admin-member", "admin-screening", "dossier", "admin-dossier"):
        assert other.status_code == 404
    else:
        assert other.status_code in (200, 302)
    assert sorted(Screening.objects.filter(clinic=world["signed"].clinic).values_list("status", flat=True)) == before

    client.force_login(alice)
    member = call(client, name, url)
    if kind in ("admin", "admin-member", "admin-screening", "admin-dossier"):
        assert member.status_code == 403
        login_verified(client, carol)
        member = call(client, name, url)
    # An upload sent without a file is refused with the form's message (400), by the right person.
    allowed = (200, 302, 400) if name.endswith("document-upload") else (200, 302)
    assert member.status_code in allowed, (name, member.status_code)


def test_content_editing_is_for_staff_users_only(client, alice, carol):
    for user in (alice, carol):
        login_verified(client, user)
        response = client.get(reverse("admin:checklist_question_changelist"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
