"""Included by portal/urls.py at /p/plan/ under the portal namespace (before the token pattern)."""

urlpatterns: list = []
