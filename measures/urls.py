"""Measures pages under /patients/<uuid>/measures/ (every view checks access to the patient)."""

from django.urls import include, path

app_name = "measures"
urlpatterns = [
    path("schedule/", include("measures.schedule_urls")),
]
