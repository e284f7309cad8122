"""The clinic admin's FHIR API client pages (included by clinic/urls.py under fhir-clients/)."""

from django.urls import path

from interop.api import client_views as views

app_name = "fhir_clients"
urlpatterns = [
    path("", views.client_list, name="list"),
    path("issue/", views.issue, name="issue"),
    path("<uuid:client_id>/revoke/", views.revoke, name="revoke"),
]
