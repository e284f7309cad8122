"""Included by clinic/urls.py under "patients/<uuid:public_id>/plan/", namespace "careplans"."""

from django.urls import path

from careplans import plan_views as views
from careplans import sprint_views

urlpatterns = [
    path("", views.plan_page, name="plan"),
    path("start/", views.start, name="start"),
    path("tier/", views.change_tier, name="tier"),
    path("details/", views.edit_details, name="details"),
    path("goals/new/", views.goal_add, name="goal_add"),
    path("goals/<uuid:goal_id>/", views.goal_edit, name="goal_edit"),
    path("goals/<uuid:goal_id>/progress/", views.goal_progress, name="goal_progress"),
    path("treatments/new/", views.intervention_add, name="intervention_add"),
    path("treatments/<uuid:intervention_id>/", views.intervention_edit, name="intervention_edit"),
    path("sprints/new/", sprint_views.sprint_new, name="sprint_new"),
    path("sprints/<uuid:sprint_id>/", sprint_views.sprint_review, name="sprint_review"),
    path("print/", views.print_plan, name="print"),
]
