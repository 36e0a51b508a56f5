"""The clinic admin's staff pages, under /staff/."""

from django.urls import path

from clinic import views_staff

app_name = "clinic"

urlpatterns = [
    path("", views_staff.staff_list, name="staff"),
    path("<int:membership_id>/", views_staff.staff_update, name="staff-update"),
    path(
        "<int:membership_id>/second-factor/reset/",
        views_staff.staff_second_factor_reset,
        name="staff-second-factor-reset",
    ),
]
