"""Included by patients/urls.py under the patients namespace."""

from django.urls import path

from patients import allergy_views as views

urlpatterns: list = [
    path("<uuid:public_id>/allergies/new/", views.allergy_add, name="allergy_add"),
    path("<uuid:public_id>/allergies/<uuid:allergy_id>/end/", views.allergy_end, name="allergy_end"),
]
