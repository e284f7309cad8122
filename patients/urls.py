from django.urls import path

from audit.views import patient_access_report
from patients import views

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.register, name="register"),
    path("<uuid:public_id>/", views.patient_chart, name="chart"),
    path("<uuid:public_id>/details/", views.edit_details, name="edit_details"),
    path("<uuid:public_id>/access/", patient_access_report, name="access_report"),
]
