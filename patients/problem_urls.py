"""Included by patients/urls.py under the patients namespace."""

from django.urls import path

from patients import form_draft_views
from patients import problem_views as views

urlpatterns: list = [
    path("<uuid:public_id>/problems/new/", views.problem_add, name="problem_add"),
    path("<uuid:public_id>/problems/new/autosave/", form_draft_views.autosave_new_problem, name="autosave_new_problem"),
    path("<uuid:public_id>/problems/<uuid:problem_id>/edit/", views.problem_edit, name="problem_edit"),
    path(
        "<uuid:public_id>/problems/<uuid:problem_id>/edit/autosave/",
        form_draft_views.autosave_problem,
        name="autosave_problem",
    ),
    path("<uuid:public_id>/classification/", views.classification, name="classification"),
    path("<uuid:public_id>/complexity/", views.complexity, name="complexity"),
    path("<uuid:public_id>/red-flags/", views.red_flags, name="red_flags"),
    path("<uuid:public_id>/red-flags/new/", views.red_flag_add, name="red_flag_add"),
    path(
        "<uuid:public_id>/red-flags/<uuid:flag_id>/acknowledge/",
        views.red_flag_acknowledge,
        name="red_flag_acknowledge",
    ),
]
