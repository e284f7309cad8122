"""Included by portal/urls.py at /p/plan/ under the portal namespace (before the token pattern)."""

from django.urls import path

from portal import plan_views as views
from portal import taper_views

urlpatterns = [
    path("", views.my_plan, name="plan"),
    path("goals/<uuid:goal_id>/comment/", views.goal_comment, name="plan_goal_comment"),
    path("check-in/", views.check_in, name="plan_check_in"),
    path("check-in/thanks/", views.check_in_thanks, name="plan_check_in_thanks"),
    path("support/", views.support, name="plan_support"),
    path("week/", views.week, name="plan_week"),
    path("pacing/<uuid:pacing_id>/", views.pacing_session, name="plan_pacing"),
    path("reminders/", views.reminders, name="plan_reminders"),
    path("flare-up/print/", views.flare_print, name="plan_flare_print"),
    path("taper/", taper_views.my_taper, name="plan_taper"),
]
