from django.urls import path

from interop import fhir_import_views

app_name = "fhir_import"
urlpatterns = [
    path("", fhir_import_views.register_from_fhir, name="register"),
]
