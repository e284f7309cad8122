"""Included by portal/urls.py under the portal namespace (before the token pattern)."""

from django.urls import path

from portal import referral_views

urlpatterns = [
    path("", referral_views.referrals, name="referrals"),
]
