from django.urls import include, path

from audit.views import patient_access_report
from patients import portal_views, views

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.register, name="register"),
    path("<uuid:public_id>/", views.patient_chart, name="chart"),
    path("<uuid:public_id>/details/", views.edit_details, name="edit_details"),
    path("<uuid:public_id>/access/", patient_access_report, name="access_report"),
    path("<uuid:public_id>/portal-sessions/end/", portal_views.end_portal_sessions, name="end_portal_sessions"),
    # The intake (sending the link, the story in 60 seconds), visits and psychotherapy notes, the problem list,
    # allergies.
    path("", include("patients.intake_urls")),
    path("", include("patients.visit_urls")),
    path("", include("patients.problem_urls")),
    path("", include("patients.allergy_urls")),
]
