"""Dossier pages, under /dossiers/."""

from django.urls import path

from dossiers import views

app_name = "dossiers"

urlpatterns = [
    path("", views.dossier_list, name="list"),
    path("clinic/", views.clinic_profile_edit, name="clinic-profile"),
    path("products/new/", views.product_edit, name="product-new"),
    path("products/<uuid:product_id>/", views.product_detail, name="product"),
    path("products/<uuid:product_id>/edit/", views.product_edit, name="product-edit"),
    path("products/<uuid:product_id>/lots/new/", views.lot_edit, name="lot-new"),
    path("products/<uuid:product_id>/documents/", views.document_upload_view, name="product-document-upload"),
    path("lots/<uuid:lot_id>/", views.lot_detail, name="lot"),
    path("lots/<uuid:lot_id>/edit/", views.lot_edit, name="lot-edit"),
    path("lots/<uuid:lot_id>/documents/", views.document_upload_view, name="lot-document-upload"),
    path("revisions/<uuid:revision_id>/", views.revision_detail, name="revision"),
    path("documents/<uuid:document_id>/", views.document_download, name="document"),
    path("screenings/<uuid:screening_id>/refresh/", views.screening_dossier_refresh_view, name="screening-refresh"),
]
