"""Included by clinic/urls.py under "patients/<uuid:public_id>/plan/", namespace "careplans"."""

urlpatterns: list = []
