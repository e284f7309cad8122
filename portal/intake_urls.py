"""Included by portal/urls.py under the portal namespace (before the token pattern), at /p/intake/."""

from django.urls import path

from portal import intake_views as views

urlpatterns: list = [
    path("", views.overview, name="intake"),
    path("resume/", views.resume, name="intake_resume"),
    path("s/<slug:code>/", views.section, name="intake_section"),
    path("s/<slug:code>/autosave/", views.autosave, name="intake_autosave"),
    path("safety/", views.safety, name="intake_safety"),
    path("support/", views.support, name="intake_support"),
    path("review/", views.review, name="intake_review"),
    path("thanks/", views.thanks, name="intake_thanks"),
]
