"""Appointment pages (included at the site root): the clinic's day, one appointment and its changes, and
booking from a patient's chart."""

from django.urls import path

from clinic import appointment_views as views

app_name = "appointments"
urlpatterns = [
    path("appointments/", views.appointment_list, name="list"),
    path("appointments/<uuid:appointment_id>/", views.appointment_detail, name="detail"),
    path("appointments/<uuid:appointment_id>/move/", views.appointment_move, name="move"),
    path("appointments/<uuid:appointment_id>/details/", views.appointment_details, name="details"),
    path("appointments/<uuid:appointment_id>/cancel/", views.appointment_cancel, name="cancel"),
    path("appointments/<uuid:appointment_id>/attendance/", views.appointment_attendance, name="attendance"),
    path("patients/<uuid:public_id>/appointments/new/", views.appointment_new, name="new"),
]
