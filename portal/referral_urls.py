"""Included by portal/urls.py under the portal namespace (before the token pattern)."""

urlpatterns: list = []
