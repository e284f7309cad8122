"""Included by patients/urls.py under the patients namespace."""

urlpatterns: list = []
