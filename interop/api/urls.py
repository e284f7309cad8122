"""The FHIR read API (included by clinic/urls.py under fhir/). Paths follow FHIR's REST API, without slashes."""

from django.urls import path, re_path

from interop.api import views

app_name = "fhir"
urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    path("Patient/<str:fhir_id>/$everything", views.everything, name="everything"),
    path("<str:type_name>/<str:fhir_id>", views.read, name="read"),
    path("<str:type_name>", views.search, name="search"),
    re_path(r"^(?P<rest>.*)$", views.not_supported),  # anything else: an OperationOutcome, not an HTML page
]
