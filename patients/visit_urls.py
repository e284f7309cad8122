"""Included by patients/urls.py under the patients namespace: visit notes, psychotherapy notes and the
compassionate language check (no patient in its URL: the text is all it needs)."""

from django.urls import path

from patients import autosave_views, form_draft_views
from patients import visit_views as views

urlpatterns = [
    path("<uuid:public_id>/visits/", views.visit_list, name="visits"),
    path("<uuid:public_id>/visits/new/", views.new_visit, name="new_visit"),
    path("<uuid:public_id>/visits/<uuid:visit_id>/", views.visit_detail, name="visit"),
    path("<uuid:public_id>/visits/<uuid:visit_id>/edit/", views.edit_visit, name="edit_visit"),
    path("<uuid:public_id>/visits/new/autosave/", autosave_views.autosave_new_visit, name="autosave_new_visit"),
    path("<uuid:public_id>/visits/<uuid:visit_id>/autosave/", autosave_views.autosave_visit, name="autosave_visit"),
    path("<uuid:public_id>/visits/<uuid:visit_id>/sign/", views.sign, name="sign_visit"),
    path("<uuid:public_id>/visits/<uuid:visit_id>/addenda/", views.addendum, name="add_addendum"),
    path("<uuid:public_id>/psychotherapy-notes/", views.psychotherapy_notes, name="psychotherapy_notes"),
    path("<uuid:public_id>/psychotherapy-notes/new/", views.new_psychotherapy_note, name="new_psychotherapy_note"),
    path(
        "<uuid:public_id>/psychotherapy-notes/new/autosave/",
        form_draft_views.autosave_psychotherapy_note,
        name="autosave_psychotherapy_note",
    ),
    path("<uuid:public_id>/psychotherapy-notes/<uuid:note_id>/", views.psychotherapy_note, name="psychotherapy_note"),
    path("language-check/", views.language_check, name="language_check"),
]
