"""The clinician's Today and the pre-visit summary (namespace "today"), included at the site root."""

from django.urls import path

from clinic import today_views as views

app_name = "today"
urlpatterns = [
    path("today/", views.today, name="day"),
    path("appointments/<uuid:appointment_id>/summary/", views.summary, name="summary"),
    path("appointments/<uuid:appointment_id>/summary/start-note/", views.start_note, name="start_note"),
]
