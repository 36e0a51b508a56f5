"""The clinic admin's pages, under /staff/: the staff and the clinic's settings."""

from django.urls import path

from clinic import views_staff

app_name = "clinic"

urlpatterns = [
    path("", views_staff.staff_list, name="staff"),
    path("settings/", views_staff.clinic_settings, name="settings"),
    path("<int:membership_id>/", views_staff.staff_update, name="staff-update"),
    path(
        "<int:membership_id>/second-factor/reset/",
        views_staff.staff_second_factor_reset,
        name="staff-second-factor-reset",
    ),
]
