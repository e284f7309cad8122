"""Included by clinic/urls.py under "patients/<uuid:public_id>/plan/", namespace "careplans"."""

from django.urls import path

from careplans.logs import views

urlpatterns = [
    path("flare-up/", views.flare_edit, name="flare_edit"),
    path("pacing/new/", views.pacing_create, name="pacing_create"),
    path("pacing/<uuid:pacing_id>/", views.pacing_detail, name="pacing_detail"),
    path("pacing/<uuid:pacing_id>/end/", views.pacing_end, name="pacing_end"),
    path("logs/", views.log_trends, name="log_trends"),
]
