"""Included by patients/urls.py under the patients namespace: the intake on the chart."""

from django.urls import path

from patients import intake_views as views

urlpatterns: list = [
    path("<uuid:public_id>/intake/", views.story, name="intake_story"),
    path("<uuid:public_id>/intake/answers/", views.answers, name="intake_answers"),
    path("<uuid:public_id>/intake/send/", views.send_link, name="intake_send"),
]
