"""Referral pages (included at the site root): the list, one referral, and a patient's new referral."""

from django.urls import path

from clinic import referral_views as views

app_name = "referrals"
urlpatterns = [
    path("referrals/", views.referral_list, name="list"),
    path("referrals/<uuid:referral_id>/", views.referral_detail, name="detail"),
    path("referrals/<uuid:referral_id>/edit/", views.referral_edit, name="edit"),
    path("referrals/<uuid:referral_id>/edit/autosave/", views.autosave_referral, name="autosave"),
    path("referrals/<uuid:referral_id>/<slug:action>/", views.referral_step, name="step"),
    path("patients/<uuid:public_id>/referrals/new/", views.referral_new, name="new"),
    path("patients/<uuid:public_id>/referrals/new/autosave/", views.autosave_new_referral, name="autosave_new"),
]
