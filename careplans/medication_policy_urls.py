"""The clinic's written opioid policy (clinic admins): included by clinic/urls.py under "opioid-policy/"."""

from django.urls import path

from careplans import medication_views as views

urlpatterns = [
    path("", views.policy_edit, name="opioid_policy"),
]
